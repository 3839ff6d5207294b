package bind

import (
	"path/filepath"

	"golang.org/x/sys/unix"

	"nsh.dev/nsh/union"
)

// Unmount removes new from the union on old, or everything the session put
// on old when new is "" (unmount [new] old).
func (n *Namespace) Unmount(new, old string) error {
	return n.edit(func(stage string) error {
		return n.unmount(stage, new, old)
	})
}

func (n *Namespace) unmount(stage, newPath, oldPath string) error {
	od, err := resolve(oldPath)
	if err != nil {
		return err
	}
	defer od.closeOld()
	cur, err := n.inspect(stage, od.fd, od.info)
	if err != nil {
		return pathErr(oldPath, err)
	}
	// An inherited union (an enclosing session's) is the session's to edit,
	// not to remove: unmount old stops at it.
	if !cur.session && (cur.union == nil || newPath == "") {
		return ErrNotMounted
	}
	if newPath == "" {
		return pathErr(oldPath, n.removeAll(stage, od))
	}
	if cur.union == nil {
		if !n.matches(newPath, cur.ninep, cur.info) {
			return ErrNotInUnion
		}
		return pathErr(oldPath, n.detach(cur))
	}
	i, err := n.findMember(newPath, od.path, cur.union)
	if err != nil {
		return err
	}
	return pathErr(oldPath, n.removeMember(stage, cur, i))
}

// matches reports whether new names the member with the given 9P address
// or root.
func (n *Namespace) matches(newPath string, ninep []string, root fileInfo) bool {
	if ninep != nil && newPath == ninep[0] {
		return true
	}
	nw, err := resolve(newPath)
	if err != nil {
		return false
	}
	defer nw.close()
	return nw.info.same(root)
}

// findMember returns the index of new among u's members (first member is
// 0): new == old names the directory the union covers (as ns writes it),
// a 9P address names a 9P member, and any other path the member it is.
func (n *Namespace) findMember(newPath, oldPath string, u *unionState) (int, error) {
	same := filepath.Clean(newPath) == oldPath
	lowerBase := 0
	if u.upper != nil {
		lowerBase = 1
	}
	for i, l := range u.lower {
		info := stagedInfo[l.path]
		if (info.original && same) || (info.ninep != nil && newPath == info.ninep[0]) {
			return lowerBase + i, nil
		}
	}
	nw, err := resolve(newPath)
	if err != nil {
		return -1, err
	}
	defer nw.close()
	fds, err := u.memberFds()
	if err != nil {
		return -1, err
	}
	defer func() {
		for _, fd := range fds {
			unix.Close(fd)
		}
	}()
	for i, fd := range fds {
		if info, err := statFd(fd); err == nil && info.same(nw.info) {
			return i, nil
		}
	}
	return -1, ErrNotInUnion
}

// removeMember takes member i out of the union cur describes: the
// session's, rebuilt in its place, or an inherited one, covered by a union
// of the members left.
func (n *Namespace) removeMember(stage string, cur *current, i int) error {
	old := cur.union
	u := &unionState{}
	var rest []*stagedMount // the remaining lower members, shared with old
	// An inherited union keeps its staging mounts: the new state gets
	// descriptors of its own.
	var dups []*stagedMount
	share := func(s *stagedMount) (*stagedMount, error) {
		if !old.inherited {
			return s, nil
		}
		d, err := s.dup()
		if err == nil {
			dups = append(dups, d)
		}
		return d, err
	}
	fail := func(err error) error {
		for _, d := range dups {
			d.close()
		}
		return err
	}
	j := 0
	if old.upper != nil {
		if i != 0 {
			home, err := share(old.upper.home)
			if err != nil {
				return fail(err)
			}
			u.upper = &upperMember{home: home, rel: old.upper.rel}
		}
		j = 1
	}
	for k, l := range old.lower {
		if j+k != i {
			s, err := share(l)
			if err != nil {
				return fail(err)
			}
			rest = append(rest, s)
		}
	}
	switch {
	case len(rest) == 0 && u.upper == nil:
		if !cur.session {
			return fail(ErrNotInUnion)
		}
		return n.detach(cur)
	case len(rest) == 0:
		// Only the create member is left: a plain bind of it.
		defer fail(nil)
		fd, err := openBeneath(u.upper.home.fd, u.upper.rel)
		if err != nil {
			return err
		}
		tree, err := cloneTree(fd, true)
		unix.Close(fd)
		if err != nil {
			return err
		}
		defer unix.Close(tree)
		return n.installTree(cur, tree, true, nil)
	case len(rest) == 1 && u.upper == nil:
		// One member left: the original shows by itself once the mount
		// is removed, unless that would show an inherited union; any
		// other member becomes a plain bind.
		defer fail(nil)
		if stagedInfo[rest[0].path].original && cur.session && !n.coversInherited(stage, cur) {
			return n.detach(cur)
		}
		tree, err := cloneTree(rest[0].fd, true)
		if err != nil {
			return err
		}
		defer unix.Close(tree)
		return n.installTree(cur, tree, true, stagedInfo[rest[0].path].ninep)
	}
	u.lower = rest
	if err := n.installUnion(stage, cur, u, true); err != nil {
		return fail(err)
	}
	return nil
}

// coversInherited reports whether the session's mount cur sits on a union
// an enclosing session built, which removing it would show.
func (n *Namespace) coversInherited(stage string, cur *current) bool {
	keys := n.baselineKeys(stage)
	t, err := readMountinfo()
	if err != nil || keys == nil {
		return false
	}
	e := t.byID[int(cur.info.mntID)]
	if e == nil {
		return false
	}
	p := t.byID[e.Parent]
	return p != nil && p.Point == e.Point && newView(t, keys, stage).inherited(p)
}

// detach removes the session's mount cur describes, and what it used.
func (n *Namespace) detach(cur *current) error {
	if err := union.Detach(cur.fd); err != nil {
		return err
	}
	n.retire(cur, nil)
	return nil
}

// removeAll removes every mount the session stacked on the path.
func (n *Namespace) removeAll(stage string, od *resolved) error {
	for range 64 {
		fd, err := openPath(od.path)
		if err != nil {
			return err
		}
		info, err := statFd(fd)
		if err != nil {
			unix.Close(fd)
			return err
		}
		cur, err := n.inspect(stage, fd, info)
		if err != nil || !cur.session {
			unix.Close(fd)
			return err
		}
		err = n.detach(cur)
		unix.Close(fd)
		if err != nil {
			return err
		}
	}
	return nil
}
