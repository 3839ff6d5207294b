package bind

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"nsh.dev/nsh/union"
)

// current describes what is on a path nsh is about to change.
type current struct {
	fd      int // the path, resolved (the topmost mount's root if one is there)
	info    fileInfo
	id      uint64      // unique id of the mount whose root fd is
	session bool        // a mount the session made is on the path
	union   *unionState // that mount is a union nsh can edit
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
		c.session, c.union = true, u
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
	select {
	case closer <- r.fd:
	default:
		unix.Close(r.fd)
	}
}

var closer = make(chan int, 64)

func init() {
	go func() {
		for fd := range closer {
			unix.Close(fd)
		}
	}()
}

// Bind makes old show new (bind [-abc] new old): see the package
// documentation for the semantics. Both paths are absolute.
func (n *Namespace) Bind(new, old string, f Flag) error {
	if f&Before != 0 && f&After != 0 {
		return ErrBeforeAfter
	}
	return n.edit(func(stage string) error {
		return n.bind(stage, new, old, f)
	})
}

// afterResolve, if set, runs between resolving the paths of a bind and
// mounting: tests swap a path for a symlink there.
var afterResolve func()

func (n *Namespace) bind(stage, newPath, oldPath string, f Flag) error {
	nw, err := resolve(newPath)
	if err != nil {
		return err
	}
	defer nw.close()
	od, err := resolve(oldPath)
	if err != nil {
		return err
	}
	defer od.closeOld()
	if afterResolve != nil {
		afterResolve()
	}
	if nw.info.dir != od.info.dir {
		return ErrInconsistent
	}
	if f&(Before|After) != 0 && !od.info.dir {
		return ErrInconsistent
	}
	cur, err := n.inspect(stage, od.fd, od.info)
	if err != nil {
		return pathErr(oldPath, err)
	}
	src, err := n.inspect(stage, nw.fd, nw.info)
	if err != nil {
		return pathErr(newPath, err)
	}
	if f&(Before|After) == 0 {
		if src.union != nil {
			// A union bound as new: its members, flattened.
			if f&Create != 0 {
				return ErrInconsistent
			}
			u := &unionState{}
			err := n.copyMembers(stage, src.union, &u.lower)
			if err == nil {
				err = n.installUnion(stage, cur, u, false)
			}
			if err != nil {
				for _, s := range u.lower {
					s.unstage()
				}
				return pathErr(newPath, err)
			}
			return nil
		}
		tree, err := cloneTree(nw.fd, true)
		if err != nil {
			return pathErr(newPath, err)
		}
		defer unix.Close(tree)
		// A copy of a 9P mount is still that server's mount.
		return pathErr(oldPath, n.installTree(cur, tree, false, src.ninep))
	}
	return n.bindUnion(stage, nw, od, cur, src, f, nil)
}

// errCreateAfter refuses bind -ac.
var errCreateAfter = errors.New("overlayfs creates files only in the first member of a union: use -bc to add a create member")

// bindUnion adds new to the union on old (bind -a/-b), making old a union
// first if it is not one. A 9P mount comes already staged (pre; nw and src
// are then nil).
func (n *Namespace) bindUnion(stage string, nw, od *resolved, cur, src *current, f Flag, pre *stagedMount) error {
	if stage == "" {
		return errNoStaging
	}
	if f&Create != 0 && f&After != 0 {
		return errCreateAfter
	}
	u := &unionState{}
	// The new state shares the old union's staging mounts (the old state
	// gives them up when it is retired); those made here are removed if the
	// edit fails.
	var made []*stagedMount
	fail := func(err error) error {
		for _, s := range made {
			s.unstage()
		}
		return err
	}
	stageNew := func(fd int, info memberInfo) (*stagedMount, error) {
		s, err := stageCopy(stage, fd)
		if err != nil {
			return nil, err
		}
		made = append(made, s)
		stagedInfo[s.path] = info
		return s, nil
	}

	// The members old has now.
	var upper *upperMember
	switch {
	case cur.union != nil:
		if cur.union.upper != nil {
			upper = &upperMember{home: cur.union.upper.home, rel: cur.union.upper.rel}
		}
		u.lower = append(u.lower, cur.union.lower...)
	case cur.session:
		// A plain bind or a 9P mount: it becomes the first member.
		s, err := stageNew(cur.fd, memberInfo{ninep: cur.ninep})
		if err != nil {
			return fail(pathErr(od.path, err))
		}
		u.lower = []*stagedMount{s}
	default:
		// The first -a or -b on a directory makes it a member.
		s, err := stageNew(od.fd, memberInfo{original: true})
		if err != nil {
			return fail(pathErr(od.path, err))
		}
		u.lower = []*stagedMount{s}
	}

	// The members new brings.
	var added []*stagedMount
	switch {
	case pre != nil:
		made = append(made, pre)
		added = []*stagedMount{pre}
	case src.union != nil:
		if f&Create != 0 {
			return fail(ErrInconsistent)
		}
		if err := n.copyMembers(stage, src.union, &added); err != nil {
			return fail(pathErr(nw.path, err))
		}
		made = append(made, added...)
	case f&Create != 0:
		if src.ninep != nil {
			return fail(pathErr(nw.path, errors.New("a 9P mount cannot be a union's create member: writes would never reach the server (mount it without -c, or bind -bc a directory)")))
		}
		if upper != nil {
			// The old create member stays a member, without -c:
			// creation goes to the first create member in Plan 9
			// too.
			fd, err := openBeneath(upper.home.fd, upper.rel)
			if err != nil {
				return fail(err)
			}
			s, err := stageNew(fd, memberInfo{})
			unix.Close(fd)
			if err != nil {
				return fail(err)
			}
			u.lower = append([]*stagedMount{s}, u.lower...)
			upper = nil
		}
		up, err := newUpper(stage, nw, u)
		if err != nil {
			return fail(pathErr(nw.path, err))
		}
		made = append(made, up.home)
		upper = up
	default:
		s, err := stageNew(nw.fd, memberInfo{ninep: src.ninep})
		if err != nil {
			return fail(pathErr(nw.path, err))
		}
		added = []*stagedMount{s}
	}
	if f&Before != 0 && f&Create == 0 && upper != nil {
		return fail(pathErr(od.path, errors.New("the union's create member must stay first (overlayfs creates only in the top member): use bind -bc to add a new create member")))
	}
	if f&Before != 0 {
		u.lower = append(added, u.lower...)
	} else {
		u.lower = append(u.lower, added...)
	}
	u.upper = upper
	if u.count() > union.MaxMembers {
		return fail(pathErr(od.path, fmt.Errorf("%d members: %w", u.count(), union.ErrTooManyMembers)))
	}
	if err := n.installUnion(stage, cur, u, cur.session); err != nil {
		return fail(pathErr(od.path, err))
	}
	return nil
}

// copyMembers stages copies of the members of union from (flattening a
// union bound as new); the create member comes along as an ordinary one.
// What it staged is in *to even when it fails.
func (n *Namespace) copyMembers(stage string, from *unionState, to *[]*stagedMount) error {
	if from.upper != nil {
		fd, err := openBeneath(from.upper.home.fd, from.upper.rel)
		if err != nil {
			return err
		}
		s, err := stageCopy(stage, fd)
		unix.Close(fd)
		if err != nil {
			return err
		}
		stagedInfo[s.path] = memberInfo{}
		*to = append(*to, s)
	}
	for _, l := range from.lower {
		s, err := stageCopy(stage, l.fd)
		if err != nil {
			return err
		}
		stagedInfo[s.path] = memberInfo{ninep: stagedInfo[l.path].ninep}
		*to = append(*to, s)
	}
	return nil
}

// newUpper prepares the directory nw as a union's create member: a staging
// copy of a directory above it, which also holds the work directory. That
// directory is the nearest one above nw on the same mount that is not
// inside any member, so that the work directory never shows in the union.
func newUpper(stage string, nw *resolved, u *unionState) (*upperMember, error) {
	if nw.info.mountRoot {
		return nil, errors.New("a create member needs its parent directory on the same file system, for overlayfs's work directory, and this is the root of a mount (bind -bc a directory inside it)")
	}
	var members []fileInfo
	for _, l := range u.lower {
		if info, err := statFd(l.fd); err == nil {
			members = append(members, info)
		}
	}
	inMember := func(fd int) bool {
		// Is fd, or a directory above it on the same mount, a member?
		cur, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 3)
		if err != nil {
			return true
		}
		defer func() { unix.Close(cur) }()
		for {
			info, err := statFd(cur)
			if err != nil {
				return true
			}
			for _, m := range members {
				if m.same(info) {
					return true
				}
			}
			if info.mountRoot {
				return false
			}
			up, err := unix.Openat2(cur, "..", &unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC})
			if err != nil {
				return true
			}
			unix.Close(cur)
			cur = up
		}
	}
	home, err := unix.Openat2(nw.fd, "..", &unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC})
	if err != nil {
		return nil, err
	}
	defer func() { unix.Close(home) }()
	for inMember(home) {
		info, err := statFd(home)
		if err != nil {
			return nil, err
		}
		if info.mountRoot {
			return nil, errors.New("no directory above it on its file system lies outside the union's members, to hold overlayfs's work directory")
		}
		up, err := unix.Openat2(home, "..", &unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC})
		if err != nil {
			return nil, err
		}
		unix.Close(home)
		home = up
	}
	homePath, err1 := realPath(home)
	memberPath, err2 := realPath(nw.fd)
	if err1 != nil || err2 != nil || !under(memberPath, homePath) || memberPath == homePath {
		return nil, errors.New("cannot find the create member's path within its parent directory")
	}
	r := rel(memberPath, homePath)
	s, err := stageCopy(stage, home)
	if err != nil {
		return nil, err
	}
	// The staging copy must hold the very directory that was resolved.
	fd, err := openBeneath(s.fd, r)
	if err == nil {
		info, serr := statFd(fd)
		unix.Close(fd)
		if serr != nil || !info.same(nw.info) {
			err = errors.New("the create member changed while it was being added")
		}
	}
	if err != nil {
		s.unstage()
		return nil, err
	}
	return &upperMember{home: s, rel: r}, nil
}

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
	if keepChildren && cur.session {
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
	n.retire(cur, gen, u.paths())
	return nil
}

// installTree puts the detached mount tree on the path cur describes,
// replacing the session's mount there.
// ninep is the 9P address of a 9P mount, nil for a bind.
func (n *Namespace) installTree(cur *current, tree int, keepChildren bool, ninep []string) error {
	if keepChildren && cur.session {
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
	gen := 0
	if stage := stagingDir(); stage != "" {
		gen, _ = forkGeneration(stage)
	}
	n.retire(cur, gen, nil)
	return nil
}

// retire forgets the session mount cur described, which was just replaced
// or removed, and removes what its union used that the new state (keep)
// does not: staging mounts, and its work directory if no copy of the
// namespace was made since it was built.
func (n *Namespace) retire(cur *current, gen int, keep map[string]bool) {
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
		if old.upper.work != "" && old.gen == gen {
			removeWork(old.upper.home.fd, old.upper.work)
		}
		if !keep[old.upper.home.path] {
			old.upper.home.unstage()
			delete(stagedInfo, old.upper.home.path)
		}
	}
	for _, l := range old.lower {
		if !keep[l.path] {
			l.unstage()
			delete(stagedInfo, l.path)
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
	if !cur.session {
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

// removeMember takes member i out of the union cur describes.
func (n *Namespace) removeMember(stage string, cur *current, i int) error {
	old := cur.union
	u := &unionState{}
	var rest []*stagedMount // the remaining lower members, shared with old
	j := 0
	if old.upper != nil {
		if i != 0 {
			u.upper = &upperMember{home: old.upper.home, rel: old.upper.rel}
		}
		j = 1
	}
	for k, l := range old.lower {
		if j+k != i {
			rest = append(rest, l)
		}
	}
	switch {
	case len(rest) == 0:
		return n.detach(cur)
	case len(rest) == 1 && u.upper == nil:
		// One member left: the original shows by itself; any other
		// member becomes a plain bind.
		if stagedInfo[rest[0].path].original {
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
	return n.installUnion(stage, cur, u, true)
}

// detach removes the session's mount cur describes, and what it used.
func (n *Namespace) detach(cur *current) error {
	if err := union.Detach(cur.fd); err != nil {
		return err
	}
	gen := 0
	if stage := stagingDir(); stage != "" {
		gen, _ = forkGeneration(stage)
	}
	n.retire(cur, gen, nil)
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

// Clear undoes every change the session made to n, back to the mounts it
// started with.
func (n *Namespace) Clear() error {
	return n.edit(func(stage string) error {
		keys := n.baselineKeys(stage)
		if keys == nil {
			return errNoBaseline
		}
		t, err := readMountinfo()
		if err != nil {
			return err
		}
		v := newView(t, keys, stage)
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
		keys := n.baselineKeys(stage)
		if keys == nil {
			return errNoBaseline
		}
		t, err := readMountinfo()
		if err != nil {
			return err
		}
		lines = newView(t, keys, stage).lines()
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
