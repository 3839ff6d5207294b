package exportfs

import (
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/hugelgupf/p9/linux"
	"github.com/hugelgupf/p9/p9"
	"golang.org/x/sys/unix"
)

// FS is an exported directory. It implements p9.Attacher.
type FS struct {
	dir  string
	root *node
	dev  uint64

	// Inodes of other file systems mounted inside the export get QID
	// paths of their own, so that two files never share one.
	qmu   sync.Mutex
	qpath map[devIno]uint64
	qnext uint64
}

type devIno struct{ dev, ino uint64 }

// New exports dir, which must be a directory. Close releases it once no
// server uses it.
func New(dir string) (*FS, error) {
	fd, err := unix.Openat2(unix.AT_FDCWD, dir, &unix.OpenHow{
		Flags: unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC,
	})
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", dir, err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("export %s: %w", dir, err)
	}
	fs := &FS{dir: dir, dev: st.Dev, qpath: make(map[devIno]uint64), qnext: 1 << 63}
	fs.root = &node{fs: fs, fd: fd}
	fs.root.refs.Store(1)
	return fs, nil
}

// Dir returns the exported directory as given to New.
func (fs *FS) Dir() string { return fs.dir }

// Close drops the export's own reference to the directory.
func (fs *FS) Close() error {
	fs.root.decRef()
	return nil
}

// Attach implements p9.Attacher.
func (fs *FS) Attach() (p9.File, error) {
	fs.root.incRef()
	return &file{node: fs.root, openFd: -1}, nil
}

// qid derives a QID from a stat: the inode number is the path, the
// modification time the version (with the top bit clear, which p9srv
// reserves).
func (fs *FS) qid(st *unix.Stat_t) p9.QID {
	path := st.Ino
	if st.Dev != fs.dev {
		k := devIno{st.Dev, st.Ino}
		fs.qmu.Lock()
		p, ok := fs.qpath[k]
		if !ok {
			fs.qnext++
			p = fs.qnext
			fs.qpath[k] = p
		}
		fs.qmu.Unlock()
		path = p
	}
	mode := p9.FileMode(st.Mode)
	v := uint64(st.Mtim.Sec)*1e9 + uint64(st.Mtim.Nsec)
	return p9.QID{
		Type:    mode.QIDType(),
		Version: uint32(v^v>>32) &^ (1 << 31),
		Path:    path,
	}
}

// A node is one file of the export, held by an O_PATH descriptor and
// shared by the fids that name it; its parent keeps the name it has
// there, for operations that must go through the directory.
type node struct {
	fs   *FS
	fd   int
	refs atomic.Int32

	mu     sync.Mutex
	parent *node
	name   string
}

func (n *node) incRef() { n.refs.Add(1) }

func (n *node) decRef() {
	if n.refs.Add(-1) == 0 {
		unix.Close(n.fd)
		n.mu.Lock()
		p := n.parent
		n.parent = nil
		n.mu.Unlock()
		if p != nil {
			p.decRef()
		}
	}
}

// beneath is how every client-supplied name is resolved: beneath the
// directory, no magic links, no symbolic links followed.
const beneath = unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS | unix.RESOLVE_NO_SYMLINKS

// walk opens name in directory n as a new node.
func (n *node) walk(name string) (*node, error) {
	if !validName(name) {
		return nil, linux.EINVAL
	}
	fd, err := unix.Openat2(n.fd, name, &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_NOFOLLOW | unix.O_CLOEXEC,
		Resolve: beneath,
	})
	if err != nil {
		return nil, err
	}
	n.incRef()
	c := &node{fs: n.fs, fd: fd, parent: n, name: name}
	c.refs.Store(1)
	return c, nil
}

func validName(name string) bool {
	if name == "" || name == "." || name == ".." {
		return false
	}
	for i := 0; i < len(name); i++ {
		if name[i] == '/' || name[i] == 0 {
			return false
		}
	}
	return true
}

func (n *node) stat() (unix.Stat_t, error) {
	var st unix.Stat_t
	err := unix.Fstatat(n.fd, "", &st, unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW)
	return st, err
}

// procSelfFD is where a process's descriptors appear in /proc.
var procSelfFD = "/proc/self/fd/"

// procPath names the node's descriptor in /proc, which reopens exactly
// the inode the node holds, whatever has happened to its name since.
func (n *node) procPath() string {
	return procSelfFD + strconv.Itoa(n.fd)
}

// reopen opens the node's file for I/O with flags; st is the node's
// stat.
//
// A directory opens "." beneath its own descriptor, which is that
// directory whatever has happened to its name. Another file opens its
// name beneath its parent's descriptor (resolving that one name, never
// following a link), non-blocking in case the name now holds a FIFO,
// and is kept only if it is the very inode the node holds; if the name
// has gone or names another file since, or the open truncates (which
// must not happen to another file), the inode is reopened through
// /proc/self/fd. Opening beneath the parent is several system calls
// cheaper than resolving a path through /proc.
func (n *node) reopen(flags int, st *unix.Stat_t) (int, error) {
	flags |= unix.O_CLOEXEC | unix.O_NOCTTY
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		return unix.Openat2(n.fd, ".", &unix.OpenHow{Flags: uint64(flags | unix.O_DIRECTORY), Resolve: beneath})
	}
	n.mu.Lock()
	p, name := n.parent, n.name
	n.mu.Unlock()
	if p != nil && flags&unix.O_TRUNC == 0 {
		if fd, ok := openSame(p.fd, name, flags, st); ok {
			return fd, nil
		}
	}
	fd, err := unix.Open(n.procPath(), flags, 0)
	if err == nil || (err != unix.ENOENT && err != unix.ENOTDIR) {
		return fd, err
	}
	// /proc is not mounted: open by name beneath the parent, which
	// must still be the same file.
	dirfd, rel := n.fd, "."
	if p != nil {
		dirfd, rel = p.fd, name
	}
	fd, err = unix.Openat2(dirfd, rel, &unix.OpenHow{Flags: uint64(flags | unix.O_NOFOLLOW), Resolve: beneath})
	if err != nil {
		return -1, err
	}
	var a unix.Stat_t
	if err := unix.Fstat(fd, &a); err != nil {
		unix.Close(fd)
		return -1, err
	}
	if a.Dev != st.Dev || a.Ino != st.Ino {
		unix.Close(fd)
		return -1, unix.ESTALE
	}
	return fd, nil
}

// openSame opens name beneath dirfd with flags and reports whether it
// is the inode st describes; it never blocks on a FIFO or follows a
// link.
func openSame(dirfd int, name string, flags int, st *unix.Stat_t) (int, bool) {
	fd, err := unix.Openat2(dirfd, name, &unix.OpenHow{
		Flags:   uint64(flags | unix.O_NOFOLLOW | unix.O_NONBLOCK),
		Resolve: beneath,
	})
	if err != nil {
		return -1, false
	}
	var a unix.Stat_t
	if unix.Fstat(fd, &a) != nil || a.Dev != st.Dev || a.Ino != st.Ino {
		unix.Close(fd)
		return -1, false
	}
	if flags&unix.O_NONBLOCK == 0 {
		// Keep the status flags asked for, without O_NONBLOCK.
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFL, flags&(unix.O_APPEND|unix.O_NOATIME)); err != nil {
			unix.Close(fd)
			return -1, false
		}
	}
	return fd, true
}
