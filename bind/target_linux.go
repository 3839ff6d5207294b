package bind

import (
	"path/filepath"
	"sync"

	"golang.org/x/sys/unix"
)

// current describes what is on a path nsh is about to change.
type current struct {
	fd      int // the path, resolved (the topmost mount's root if one is there)
	info    fileInfo
	id      uint64      // unique id of the mount whose root fd is
	session bool        // a mount the session made is on the path
	union   *unionState // that mount is a union nsh can edit (the session's, or inherited)
	ninep   []string    // that mount is a 9P mount: ADDR [ANAME]
}

// inspect finds out what is on the path fd names.
func (n *Namespace) inspect(stage string, fd int, info fileInfo) (*current, error) {
	c := &current{fd: fd, info: info}
	if !info.mountRoot {
		return c, nil
	}
	id, err := uniqueMountID(fd)
	if err != nil {
		return nil, err
	}
	c.id = id
	if u := n.unions[id]; u != nil {
		c.session, c.union = !u.inherited, u
		return c, nil
	}
	if w, ok := n.ours[id]; ok {
		c.session, c.ninep = true, w
		return c, nil
	}
	// Made by another process of the session, or there from the start:
	// the kernel says which.
	t, err := readMountinfo()
	if err != nil {
		return nil, err
	}
	e := t.byID[int(info.mntID)]
	keys := n.baselineKeys(stage)
	if e == nil || keys == nil {
		return c, nil
	}
	v := newView(t, keys, stage)
	if v.inherited(e) {
		// An enclosing session's union: edited from its members, on top
		// of it, never stacked as one member on another overlay.
		if u, err := loadUnion(t, e, v); err == nil {
			c.union = u
			n.rememberUnion(id, u)
		}
		return c, nil
	}
	if !v.changed(e) {
		return c, nil
	}
	c.session = true
	switch {
	case isUnion(e):
		if u, err := loadUnion(t, e, v); err == nil {
			c.union = u
			n.rememberUnion(id, u)
		}
	case isNinep(e):
		c.ninep = ninepWords(e.Source)
	}
	return c, nil
}

// resolved is a path opened once and described.
type resolved struct {
	path string
	fd   int
	info fileInfo
}

func resolve(path string) (*resolved, error) {
	path = filepath.Clean(path)
	fd, err := openPath(path)
	if err != nil {
		return nil, err
	}
	info, err := statFd(fd)
	if err != nil {
		unix.Close(fd)
		return nil, pathErr(path, err)
	}
	return &resolved{path: path, fd: fd, info: info}, nil
}

func (r *resolved) close() {
	if r != nil {
		unix.Close(r.fd)
	}
}

// closeOld closes the resolved old path of an edit. If the edit detached
// the mount it names, this is the last reference to it and the close tears
// it down (for a union, its overlay and a private mount per member), which
// nothing waits for: it happens off the caller's path.
func (r *resolved) closeOld() {
	if r == nil {
		return
	}
	closerOnce.Do(func() {
		closer = make(chan int, 64)
		go func() {
			for fd := range closer {
				unix.Close(fd)
			}
		}()
	})
	select {
	case closer <- r.fd:
	default:
		unix.Close(r.fd)
	}
}

var (
	closerOnce sync.Once
	closer     chan int
)
