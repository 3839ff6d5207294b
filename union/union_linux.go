package union

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// MaxMembers is the most members a union may have, its create member
// included: overlayfs stacks at most 500 lower layers (OVL_MAX_STACK).
const MaxMembers = 500

// moveMountBeneath is MOVE_MOUNT_BENEATH (Linux 6.5), which x/sys lacks.
const moveMountBeneath = 0x200

// Spec describes a union to build. Every descriptor is an O_PATH (or
// ordinary) descriptor of a directory; New does not close them.
type Spec struct {
	// Source is the mount's source as mountinfo will show it.
	Source string
	// Lower holds the members overlayfs looks things up in, first member
	// first.
	Lower []int
	// Writable says the union has a create member: Upper is its
	// directory (it comes before every Lower member) and Work an empty
	// directory on the same mount, outside Upper and outside every
	// member.
	Writable    bool
	Upper, Work int
	// UserXattr makes overlayfs keep its metadata in user.* extended
	// attributes, which it must in a user namespace.
	UserXattr bool
}

// ErrTooManyMembers is returned for a union of more than MaxMembers
// members.
var ErrTooManyMembers = fmt.Errorf("too many members in a union (overlayfs allows at most %d)", MaxMembers)

// ErrOverlap is returned for a union whose members lie inside one another.
var ErrOverlap = errors.New("overlapping members")

// A Mount is a detached mount: a union (or a single-member read-only bind)
// that no path shows yet.
type Mount struct {
	fd int
}

// Fd returns the descriptor of the mount's root.
func (m *Mount) Fd() int { return m.fd }

// Close releases the mount; a detached mount that was never attached goes
// away with its last descriptor.
func (m *Mount) Close() error {
	if m.fd < 0 {
		return nil
	}
	err := unix.Close(m.fd)
	m.fd = -1
	return err
}

// New builds the union s describes, detached. A read-only union of one
// member is a read-only bind of that member, since overlayfs needs two lower
// layers when there is no upper one.
func New(s Spec) (*Mount, error) {
	n := len(s.Lower)
	if total := n + boolInt(s.Writable); total > MaxMembers {
		return nil, fmt.Errorf("%d members: %w", total, ErrTooManyMembers)
	}
	if n == 0 {
		return nil, errors.New("a union needs a member that is not the create member")
	}
	if n == 1 && !s.Writable {
		return readOnlyBind(s.Lower[0])
	}
	ctx, err := unix.Fsopen("overlay", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("fsopen overlay: %w", err)
	}
	defer unix.Close(ctx)
	fail := func(what string, err error) (*Mount, error) {
		if msg := fsLog(ctx); msg != "" {
			return nil, fmt.Errorf("%s: %w (%s)", what, err, msg)
		}
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if s.Source != "" {
		if err := unix.FsconfigSetString(ctx, "source", s.Source); err != nil {
			return fail("overlay source", err)
		}
	}
	for i, fd := range s.Lower {
		if err := unix.FsconfigSetFd(ctx, "lowerdir+", fd); err != nil {
			return fail(fmt.Sprintf("overlay member %d", i+1+boolInt(s.Writable)), err)
		}
	}
	if s.Writable {
		if err := unix.FsconfigSetFd(ctx, "upperdir", s.Upper); err != nil {
			return fail("overlay create member", err)
		}
		if err := unix.FsconfigSetFd(ctx, "workdir", s.Work); err != nil {
			return fail("overlay work directory", err)
		}
		// With the index on, a rebuilt union could not reuse the
		// upper layer while the old one is still mounted.
		if err := unix.FsconfigSetString(ctx, "index", "off"); err != nil {
			return fail("overlay index=off", err)
		}
	}
	if s.UserXattr {
		if err := unix.FsconfigSetFlag(ctx, "userxattr"); err != nil {
			return fail("overlay userxattr", err)
		}
	}
	if err := unix.FsconfigCreate(ctx); err != nil {
		if err == unix.ELOOP {
			// overlayfs's word for layers that contain one another.
			return nil, fmt.Errorf("%w: one member is inside another (or inside the create member), which overlayfs refuses", ErrOverlap)
		}
		return fail("creating overlay", err)
	}
	fd, err := unix.Fsmount(ctx, unix.FSMOUNT_CLOEXEC, 0)
	if err != nil {
		return fail("fsmount overlay", err)
	}
	return &Mount{fd: fd}, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// fsLog drains the messages the kernel left on a file system context; they
// say why a parameter was refused.
func fsLog(ctx int) string {
	var msgs []string
	buf := make([]byte, 1024)
	for {
		n, err := unix.Read(ctx, buf)
		if err != nil || n <= 0 {
			break
		}
		msgs = append(msgs, strings.TrimSpace(string(buf[:n])))
	}
	return strings.Join(msgs, "; ")
}

func readOnlyBind(dir int) (*Mount, error) {
	fd, err := unix.OpenTree(dir, "", unix.OPEN_TREE_CLONE|unix.O_CLOEXEC|unix.AT_EMPTY_PATH)
	if err != nil {
		return nil, fmt.Errorf("open_tree: %w", err)
	}
	attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY}
	if err := unix.MountSetattr(fd, "", unix.AT_EMPTY_PATH, &attr); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("making the bind read-only: %w", err)
	}
	return &Mount{fd: fd}, nil
}

// Attach makes the detached mount m appear on the directory target (a
// descriptor), on top of whatever is mounted there.
func Attach(m *Mount, target int) error {
	return unix.MoveMount(m.fd, "", target, "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH)
}

// Replace swaps m in for the mount whose root top is (a descriptor of the
// topmost mount on its mount point): m goes beneath top, then top is
// detached with everything mounted on it. Readers of the path see the old
// mount until the detach and the new one after it, never a mix.
func Replace(m *Mount, top int) error {
	return ReplaceFd(m.fd, top)
}

// ReplaceFd is Replace for any detached mount tree (an open_tree clone, an
// fsmount) given by its descriptor.
func ReplaceFd(tree, top int) error {
	if err := unix.MoveMount(tree, "", top, "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH|moveMountBeneath); err != nil {
		return fmt.Errorf("move_mount beneath: %w", err)
	}
	return Detach(top)
}

// Detach lazily unmounts the mount whose root the descriptor fd is.
func Detach(fd int) error {
	if err := unix.Unmount(fdPath(fd), unix.MNT_DETACH); err != nil {
		return fmt.Errorf("detaching the old mount: %w", err)
	}
	return nil
}

// fdPath names a descriptor through /proc, so that umount2, which takes
// only a path, acts on exactly the mount the descriptor holds.
func fdPath(fd int) string {
	return "/proc/thread-self/fd/" + itoa(fd)
}

func itoa(n int) string {
	return fmt.Sprint(n)
}

var userns struct {
	once sync.Once
	in   bool
}

// InUserNamespace reports whether the process runs in a user namespace other
// than the initial one, where overlayfs needs the userxattr option.
func InUserNamespace() bool {
	userns.once.Do(func() {
		b, err := os.ReadFile("/proc/self/uid_map")
		if err != nil {
			return
		}
		f := strings.Fields(string(b))
		userns.in = !(len(f) == 3 && f[0] == "0" && f[1] == "0" && f[2] == "4294967295")
	})
	return userns.in
}
