package bind

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"

	"nsh.dev/nsh/union"
)

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
		return pathErr(od.path, ErrInconsistent)
	}
	if f&(Before|After) != 0 && !od.info.dir {
		return pathErr(od.path, ErrInconsistent)
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
				return pathErr(nw.path, ErrInconsistent)
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
		return pathErr(od.path, errCreateAfter)
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
		s, err := stageCopy(stage, fd, false)
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
	case cur.union != nil && cur.union.inherited:
		// The new union goes on top of the inherited one and shares its
		// staging mounts, through descriptors of its own (which a failure
		// closes: unstaging an inherited mount only releases it).
		from := cur.union
		if from.upper != nil {
			home, err := from.upper.home.dup()
			if err != nil {
				return fail(err)
			}
			made = append(made, home)
			upper = &upperMember{home: home, rel: from.upper.rel}
		}
		for _, l := range from.lower {
			s, err := l.dup()
			if err != nil {
				return fail(err)
			}
			made = append(made, s)
			u.lower = append(u.lower, s)
		}
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
			return fail(pathErr(nw.path, ErrInconsistent))
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
	if err := n.installUnion(stage, cur, u, cur.session || cur.union != nil); err != nil {
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
		s, err := stageCopy(stage, fd, false)
		unix.Close(fd)
		if err != nil {
			return err
		}
		stagedInfo[s.path] = memberInfo{}
		*to = append(*to, s)
	}
	for _, l := range from.lower {
		s, err := stageCopy(stage, l.fd, false)
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
	s, err := stageCopy(stage, home, true)
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
