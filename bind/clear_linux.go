package bind

import (
	"fmt"
	"io"
	"strings"

	"golang.org/x/sys/unix"

	"nsh.dev/nsh/union"
)

// Clear undoes every change the session made to n, back to the mounts it
// started with.
func (n *Namespace) Clear() error {
	return n.edit(func(stage string) error {
		t, v, err := n.sessionView(stage)
		if err != nil {
			return err
		}
		gen := 0
		if stage != "" {
			gen, _ = forkGeneration(stage)
		}
		removable := func(m *mountEntry) bool { return !v.inBaseline(m) && !m.master() }
		// Work directories first, while the staging mounts holding
		// them are still there.
		for _, m := range t.list {
			if removable(m) && isUnion(m) && genFromSource(m.Source) == gen {
				removeWorkOf(t, m)
			}
		}
		var first error
		for i := len(t.list) - 1; i >= 0; i-- {
			m := t.list[i]
			p := t.byID[m.Parent]
			if !removable(m) || (p != nil && removable(p)) {
				continue
			}
			if err := detachEntry(m); err != nil && first == nil {
				first = pathErr(m.Point, err)
			}
		}
		for id, u := range n.unions {
			u.release()
			delete(n.unions, id)
		}
		n.ours = nil
		for p := range stagedInfo {
			delete(stagedInfo, p)
		}
		return first
	})
}

// removeWorkOf removes the work directory of the union m.
func removeWorkOf(t *mountTable, m *mountEntry) {
	layers := union.ParseOptions(m.Super)
	if layers.Work == "" {
		return
	}
	home := t.resolve(layers.Work)
	if home == nil || !under(layers.Work, home.Point) || layers.Work == home.Point {
		return
	}
	fd, err := openPath(home.Point)
	if err != nil {
		return
	}
	defer unix.Close(fd)
	removeWork(fd, rel(layers.Work, home.Point))
}

// detachEntry detaches the mount m, making sure the path still leads to it.
func detachEntry(m *mountEntry) error {
	fd, err := openPath(m.Point)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	info, err := statFd(fd)
	if err != nil {
		return err
	}
	if !info.mountRoot || int(info.mntID) != m.ID {
		return fmt.Errorf("covered by another mount, left in place")
	}
	return union.Detach(fd)
}

// WriteNS writes n as replayable nsh lines (ns), without the final cd line.
func (n *Namespace) WriteNS(w io.Writer) error {
	var lines []string
	err := n.edit(func(stage string) error {
		_, v, err := n.sessionView(stage)
		if err != nil {
			return err
		}
		lines = v.lines()
		return nil
	})
	if err != nil {
		return err
	}
	if len(lines) == 0 {
		return nil
	}
	_, err = io.WriteString(w, strings.Join(lines, "\n")+"\n")
	return err
}

// sessionView reads the mount table and views it against the mounts the
// session started with: what ns prints and clear removes.
func (n *Namespace) sessionView(stage string) (*mountTable, *nsView, error) {
	keys := n.baselineKeys(stage)
	if keys == nil {
		return nil, nil, errNoBaseline
	}
	t, err := readMountinfo()
	if err != nil {
		return nil, nil, err
	}
	return t, newView(t, keys, stage), nil
}
