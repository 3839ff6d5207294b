package bind

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"nsh.dev/nsh/union"
)

// unionState is a union's members, each on a staging mount.
type unionState struct {
	upper *upperMember   // the create member, first; nil if read-only
	lower []*stagedMount // the other members in order
	gen   int            // fork generation it was built in
	// inherited: an enclosing session built the union, and a nested
	// session (this one) started with it. The nested session edits it
	// by putting a union of its own, made of the same members, on top
	// of it; it never removes it, nor its staging mounts.
	inherited bool
}

// upperMember is a union's create member. overlayfs wants its work
// directory on the same mount, outside the member, so the staging mount
// is a copy of a directory above the member (home), which holds both.
type upperMember struct {
	home *stagedMount
	rel  string // the member, relative to home
	work string // the current work directory's name in home
}

// member properties nsh remembers on a staging mount.
type memberInfo struct {
	original bool     // the directory the union covers
	ninep    []string // ADDR [ANAME] if the member is a 9P mount
}

var stagedInfo = map[string]memberInfo{} // by staging path; guarded by editMu

func (u *unionState) count() int {
	n := len(u.lower)
	if u.upper != nil {
		n++
	}
	return n
}

// release closes the state's descriptors; the mounts stay.
func (u *unionState) release() {
	if u == nil {
		return
	}
	for _, l := range u.lower {
		l.close()
	}
	if u.upper != nil {
		u.upper.home.close()
	}
}

// paths returns the staging paths the union uses.
func (u *unionState) paths() map[string]bool {
	p := map[string]bool{}
	for _, l := range u.lower {
		p[l.path] = true
	}
	if u.upper != nil {
		p[u.upper.home.path] = true
	}
	return p
}

// genFromSource reads the fork generation from a union's mount source.
func genFromSource(src string) int {
	_, g, _ := strings.Cut(src, ":")
	n, _ := strconv.Atoi(g)
	return n
}

// errForeignUnion is returned for an overlay whose layers are not staging
// mounts: nsh cannot edit it.
var errForeignUnion = errors.New("the union's members are not nsh staging mounts")

// loadUnion rebuilds the state of a union from its mountinfo entry (it was
// built by another nsh process of the session, or by an enclosing session).
// Staging mounts that were there when the session started are marked
// inherited: they are the enclosing session's.
func loadUnion(t *mountTable, e *mountEntry, v *nsView) (*unionState, error) {
	layers := union.ParseOptions(e.Super)
	if layers.Legacy || v.stage == "" {
		return nil, errForeignUnion
	}
	u := &unionState{gen: genFromSource(e.Source), inherited: v.inBaseline(e)}
	inheritedAt := func(point string) bool {
		m := t.resolve(point)
		return m != nil && m.Point == point && v.inBaseline(m)
	}
	fail := func(err error) (*unionState, error) {
		u.release()
		return nil, err
	}
	members := v.members(e)
	i := 0
	if layers.Upper != "" {
		home := t.resolve(layers.Upper)
		if home == nil || !v.staged(home.Point) || home.Point == layers.Upper {
			return fail(errForeignUnion)
		}
		s, err := openStaged(home.Point)
		if err != nil {
			return fail(err)
		}
		s.inherited = inheritedAt(home.Point)
		u.upper = &upperMember{home: s, rel: rel(layers.Upper, home.Point)}
		if layers.Work != "" && under(layers.Work, home.Point) {
			u.upper.work = rel(layers.Work, home.Point)
		}
		i++
	}
	for _, l := range layers.Lower {
		if !v.staged(l) || !strings.HasPrefix(l, v.stage+"/m/") {
			return fail(errForeignUnion)
		}
		s, err := openStaged(l)
		if err != nil {
			return fail(err)
		}
		s.inherited = inheritedAt(l)
		u.lower = append(u.lower, s)
		if i < len(members) {
			stagedInfo[l] = memberInfo{original: members[i].original, ninep: members[i].ninep}
		}
		i++
	}
	return u, nil
}

// build makes the overlay for u, detached, with a fresh work directory for
// the create member. It returns the work directory's name.
func (u *unionState) build(gen int) (*union.Mount, string, error) {
	spec := union.Spec{
		Source:    unionSource + ":" + strconv.Itoa(gen),
		UserXattr: union.InUserNamespace(),
	}
	for _, l := range u.lower {
		spec.Lower = append(spec.Lower, l.fd)
	}
	work := ""
	if u.upper != nil {
		if len(u.lower) == 0 {
			return nil, "", errors.New("a union needs a member besides the create member")
		}
		home := u.upper.home
		upper, err := openBeneath(home.fd, u.upper.rel)
		if err != nil {
			return nil, "", fmt.Errorf("create member: %w", err)
		}
		defer unix.Close(upper)
		work = ".nsh-work-" + randomName()
		// Registered first: if nsh dies right after the mkdir, the
		// reaper still knows to remove it.
		if err := reaperAdd(home.fd, work); err != nil {
			return nil, "", err
		}
		if err := unix.Mkdirat(home.fd, work, 0o700); err != nil {
			reaperDel(home.fd, work)
			return nil, "", fmt.Errorf("making the work directory beside the create member: %w", err)
		}
		wfd, err := openBeneath(home.fd, work)
		if err != nil {
			removeWork(home.fd, work)
			return nil, "", err
		}
		defer unix.Close(wfd)
		spec.Writable, spec.Upper, spec.Work = true, upper, wfd
	}
	m, err := union.New(spec)
	if err != nil {
		if work != "" {
			removeWork(u.upper.home.fd, work)
		}
		return nil, "", err
	}
	return m, work, nil
}

// memberFds returns a descriptor of every member directory, first member
// first, for matching (unmount new old). The caller closes them.
func (u *unionState) memberFds() ([]int, error) {
	var fds []int
	if u.upper != nil {
		fd, err := openBeneath(u.upper.home.fd, u.upper.rel)
		if err != nil {
			return nil, err
		}
		fds = append(fds, fd)
	}
	for _, l := range u.lower {
		fd, err := unix.FcntlInt(uintptr(l.fd), unix.F_DUPFD_CLOEXEC, 3)
		if err != nil {
			for _, f := range fds {
				unix.Close(f)
			}
			return nil, err
		}
		fds = append(fds, fd)
	}
	return fds, nil
}
