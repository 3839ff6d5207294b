package bind

import (
	"golang.org/x/sys/unix"

	"nsh.dev/nsh/union"
)

// installUnion builds u and puts it on the path cur describes, replacing the
// session's mount there (keeping what is mounted on it if keepChildren).
func (n *Namespace) installUnion(stage string, cur *current, u *unionState, keepChildren bool) error {
	gen, err := forkGeneration(stage)
	if err != nil {
		return err
	}
	u.gen = gen
	m, work, err := u.build(gen)
	if err != nil {
		return err
	}
	defer m.Close()
	if u.upper != nil {
		u.upper.work = work
	}
	undoWork := func() {
		if work != "" {
			removeWork(u.upper.home.fd, work)
		}
	}
	// What is mounted inside the union it replaces, or covers (an
	// inherited one), shows inside the new one too.
	if keepChildren && (cur.session || cur.union != nil) {
		if err := graftChildren(cur, m.Fd()); err != nil {
			undoWork()
			return err
		}
	}
	if cur.session {
		err = union.Replace(m, cur.fd)
	} else {
		err = union.Attach(m, cur.fd)
	}
	if err != nil {
		undoWork()
		return err
	}
	if id, err := uniqueMountID(m.Fd()); err == nil {
		n.rememberUnion(id, u)
	}
	n.retire(cur, u.paths())
	return nil
}

// installTree puts the detached mount tree on the path cur describes,
// replacing the session's mount there.
// ninep is the 9P address of a 9P mount, nil for a bind.
func (n *Namespace) installTree(cur *current, tree int, keepChildren bool, ninep []string) error {
	if keepChildren && (cur.session || cur.union != nil) {
		if err := graftChildren(cur, tree); err != nil {
			return err
		}
	}
	var err error
	if cur.session {
		err = union.ReplaceFd(tree, cur.fd)
	} else {
		err = moveMount(tree, cur.fd)
	}
	if err != nil {
		return err
	}
	if id, err := uniqueMountID(tree); err == nil {
		n.rememberMount(id, ninep)
	}
	n.retire(cur, nil)
	return nil
}

// retire forgets the session mount cur described, which was just replaced
// or removed, and removes what its union used that the new state (keep)
// does not: staging mounts, and its work directory if no copy of the
// namespace was made since it was built.
func (n *Namespace) retire(cur *current, keep map[string]bool) {
	if !cur.session {
		return
	}
	old := n.forget(cur.id)
	if old == nil {
		old = cur.union
	}
	if old == nil {
		return
	}
	if old.upper != nil {
		if gen, err := forkGeneration(stagingDir()); err == nil && old.upper.work != "" && old.gen == gen {
			removeWork(old.upper.home.fd, old.upper.work)
		}
		if !keep[old.upper.home.path] {
			old.upper.home.forget()
		}
	}
	for _, l := range old.lower {
		if !keep[l.path] {
			l.forget()
		}
	}
}

// graftChildren copies what is mounted on cur's mount onto the detached
// tree, at the same places, so that rebuilding a union keeps the binds made
// inside it.
func graftChildren(cur *current, tree int) error {
	has, err := hasChildren(cur.id)
	if err == nil && !has {
		return nil
	}
	t, err := readMountinfo()
	if err != nil {
		return err
	}
	top := t.byID[int(cur.info.mntID)]
	if top == nil {
		return nil
	}
	for _, c := range t.list {
		if c.Parent != top.ID || c.Point == top.Point || !t.visible(c) {
			continue
		}
		fd, err := openPath(c.Point)
		if err != nil {
			continue
		}
		clone, err := cloneTree(fd, true)
		unix.Close(fd)
		if err != nil {
			return err
		}
		dst, err := openBeneath(tree, rel(c.Point, top.Point))
		if err != nil {
			// Gone from the new union: so is what was mounted there.
			unix.Close(clone)
			continue
		}
		err = moveMount(clone, dst)
		unix.Close(dst)
		unix.Close(clone)
		if err != nil {
			return err
		}
	}
	return nil
}
