package bind

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// srvSource is the mount source of a session's /srv; p9srv checks it before
// posting.
const srvSource = "nsh-srv"

// staging finds and remembers the staging directory: .nsh in the session's
// /srv.
var staging struct {
	sync.Mutex
	dir    string
	looked bool
}

// stagingDir returns the session's staging directory, or "" if the
// namespace has no session /srv.
func stagingDir() string {
	staging.Lock()
	defer staging.Unlock()
	if !staging.looked {
		staging.looked = true
		if t, err := readMountinfo(); err == nil {
			for _, m := range t.list {
				if m.Source == srvSource && m.FSType == "tmpfs" && t.visible(m) {
					staging.dir = join(m.Point, ".nsh")
				}
			}
		}
		if staging.dir != "" {
			if _, err := os.Stat(staging.dir + "/m"); err != nil {
				staging.dir = ""
			}
		}
	}
	return staging.dir
}

func setStagingDir(dir string) {
	staging.Lock()
	staging.dir, staging.looked = dir, true
	staging.Unlock()
}

// errNoStaging is returned when a union or a 9P mount is wanted where the
// session has no staging directory.
var errNoStaging = errors.New("unions and 9P mounts need the session's /srv (not in an nsh session, or /srv is missing)")

// stagedMount is a mount nsh keeps in the staging directory: a union member
// (a copy of the member directory, or a 9P mount), or the directory that
// holds a create member and its work directory.
type stagedMount struct {
	path string // where it is mounted
	fd   int    // its root (O_PATH)
	// inherited: the mount was there when the session started (an
	// enclosing session's member): this session never removes it.
	inherited bool
}

func randomName() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// newStagingPoint makes an empty directory to mount on. Staging
// directories are never removed: a copy of the namespace (rfork n) may
// still have a mount on one, and removing it would unmount that too.
func newStagingPoint(stage string) (string, error) {
	if stage == "" {
		return "", errNoStaging
	}
	for {
		p := stage + "/m/" + randomName()
		err := unix.Mkdir(p, 0o700)
		if err == nil {
			return p, nil
		}
		if err != unix.EEXIST {
			return "", fmt.Errorf("staging directory: %w", err)
		}
	}
}

// stageCopy mounts a copy of the directory fd in the staging directory. The
// copy pins what fd is now: the member stays that directory even if its
// path is later covered or renamed. A member is copied without the mounts
// below it (overlayfs does not see them either); the directory holding a
// create member (withBelow) may come with them.
func stageCopy(stageDir string, fd int, withBelow bool) (*stagedMount, error) {
	tree, err := cloneTree(fd, false)
	if err == errLockedBelow && withBelow {
		tree, err = cloneTree(fd, true)
	}
	if err != nil {
		return nil, err
	}
	p, err := newStagingPoint(stageDir)
	if err != nil {
		unix.Close(tree)
		return nil, err
	}
	// By path: the staging directory is nsh's own (a private tmpfs,
	// mode 700), nobody can swap a symlink in.
	if err := unix.MoveMount(tree, "", unix.AT_FDCWD, p, unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
		unix.Close(tree)
		return nil, fmt.Errorf("move_mount: %w", err)
	}
	// The tree's descriptor now names the attached copy's root.
	s := &stagedMount{path: p, fd: tree}
	s.refresh()
	return s, nil
}

// refresh makes the kernel ask a FUSE (9P) member's server for the
// attributes of its root: overlayfs copies the root's attributes when the
// union is built, and a FUSE root nobody looked at yet still has the
// placeholder mode 000, which would make the union unreadable to anyone but
// root.
func (s *stagedMount) refresh() {
	var st unix.Stat_t
	unix.Fstat(s.fd, &st)
}

// openStaged opens a staging mount by its path (another process made it).
func openStaged(path string) (*stagedMount, error) {
	fd, err := openPath(path)
	if err != nil {
		return nil, err
	}
	return &stagedMount{path: path, fd: fd}, nil
}

// unstage removes a staging mount; an inherited one is only released.
func (s *stagedMount) unstage() error {
	if s == nil || s.fd < 0 {
		return nil
	}
	if s.inherited {
		s.close()
		return nil
	}
	err := unix.Unmount(fdPath(s.fd), unix.MNT_DETACH)
	unix.Close(s.fd)
	s.fd = -1
	if err != nil && err != unix.EINVAL {
		return fmt.Errorf("removing staging mount %s: %w", s.path, err)
	}
	return nil
}

// forget unstages a mount a union no longer uses, and drops what nsh
// remembers of it, unless it is inherited (the enclosing session's union
// still uses it).
func (s *stagedMount) forget() {
	s.unstage()
	if !s.inherited {
		delete(stagedInfo, s.path)
	}
}

// dup returns another handle on the same staging mount, with a descriptor
// of its own.
func (s *stagedMount) dup() (*stagedMount, error) {
	fd, err := unix.FcntlInt(uintptr(s.fd), unix.F_DUPFD_CLOEXEC, 3)
	if err != nil {
		return nil, err
	}
	return &stagedMount{path: s.path, fd: fd, inherited: s.inherited}, nil
}

// close releases the descriptor, leaving the mount.
func (s *stagedMount) close() {
	if s != nil && s.fd >= 0 {
		unix.Close(s.fd)
		s.fd = -1
	}
}
