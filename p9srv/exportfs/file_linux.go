package exportfs

import (
	"io"
	"os"

	"github.com/hugelgupf/p9/fsimpl/templatefs"
	"github.com/hugelgupf/p9/linux"
	"github.com/hugelgupf/p9/p9"
	"golang.org/x/sys/unix"

	"nsh.dev/nsh/p9srv"
)

// file is one fid of the export.
type file struct {
	templatefs.XattrUnimplemented
	templatefs.NotLockable

	node   *node
	openFd int // -1 until opened

	// direct holds an opened regular file's descriptor, whose reads
	// and writes a p9srv.Server serves itself; it closes openFd.
	direct *p9srv.DirectOpen

	// dir is an opened directory's listing, read whole when a read
	// starts at offset 0; cookies are indexes into it.
	dir []p9.Dirent
}

var _ p9.File = (*file)(nil)

func (f *file) Walk(names []string) ([]p9.QID, p9.File, error) {
	qids, nf, _, err := f.walk(names, false)
	return qids, nf, err
}

// walk walks names and returns the stat of where it ends, so that
// WalkGetAttr needs no second call; a walk to itself stats only for it.
func (f *file) walk(names []string, wantStat bool) ([]p9.QID, *file, unix.Stat_t, error) {
	var st unix.Stat_t
	if len(names) == 0 {
		f.node.incRef()
		nf := &file{node: f.node, openFd: -1}
		if !wantStat {
			return nil, nf, st, nil
		}
		var err error
		if st, err = f.node.stat(); err != nil {
			nf.Close()
			return nil, nil, st, err
		}
		return nil, nf, st, nil
	}
	var qids []p9.QID
	cur := f.node
	cur.incRef()
	for _, name := range names {
		next, err := cur.walk(name)
		cur.decRef()
		if err != nil {
			return nil, nil, st, err
		}
		st, err = next.stat()
		if err != nil {
			next.decRef()
			return nil, nil, st, err
		}
		qids = append(qids, next.fs.qid(&st))
		cur = next
	}
	return qids, &file{node: cur, openFd: -1}, st, nil
}

func (f *file) WalkGetAttr(names []string) ([]p9.QID, p9.File, p9.AttrMask, p9.Attr, error) {
	qids, nf, st, err := f.walk(names, true)
	if err != nil {
		return nil, nil, p9.AttrMask{}, p9.Attr{}, err
	}
	return qids, nf, allAttrs, attrOf(&st), nil
}

func (f *file) StatFS() (p9.FSStat, error) {
	var s unix.Statfs_t
	if err := unix.Fstatfs(f.node.fd, &s); err != nil {
		return p9.FSStat{}, err
	}
	return p9.FSStat{
		Type:            uint32(s.Type),
		BlockSize:       uint32(s.Bsize),
		Blocks:          s.Blocks,
		BlocksFree:      s.Bfree,
		BlocksAvailable: s.Bavail,
		Files:           s.Files,
		FilesFree:       s.Ffree,
		FSID:            uint64(uint32(s.Fsid.Val[0])) | uint64(uint32(s.Fsid.Val[1]))<<32,
		NameLength:      uint32(s.Namelen),
	}, nil
}

var allAttrs = p9.AttrMask{
	Mode: true, NLink: true, UID: true, GID: true, RDev: true,
	ATime: true, MTime: true, CTime: true, INo: true, Size: true,
	Blocks: true,
}

func (f *file) GetAttr(p9.AttrMask) (p9.QID, p9.AttrMask, p9.Attr, error) {
	st, err := f.node.stat()
	if err != nil {
		return p9.QID{}, p9.AttrMask{}, p9.Attr{}, err
	}
	return f.node.fs.qid(&st), allAttrs, attrOf(&st), nil
}

func attrOf(st *unix.Stat_t) p9.Attr {
	return p9.Attr{
		Mode:             p9.FileMode(st.Mode),
		UID:              p9.UID(st.Uid),
		GID:              p9.GID(st.Gid),
		NLink:            p9.NLink(st.Nlink),
		RDev:             p9.Dev(st.Rdev),
		Size:             uint64(st.Size),
		BlockSize:        uint64(st.Blksize),
		Blocks:           uint64(st.Blocks),
		ATimeSeconds:     uint64(st.Atim.Sec),
		ATimeNanoSeconds: uint64(st.Atim.Nsec),
		MTimeSeconds:     uint64(st.Mtim.Sec),
		MTimeNanoSeconds: uint64(st.Mtim.Nsec),
		CTimeSeconds:     uint64(st.Ctim.Sec),
		CTimeNanoSeconds: uint64(st.Ctim.Nsec),
	}
}

func (f *file) SetAttr(valid p9.SetAttrMask, attr p9.SetAttr) error {
	n := f.node
	if valid.Permissions {
		err := unix.Fchmodat(n.fd, "", uint32(attr.Permissions.Permissions()), unix.AT_EMPTY_PATH)
		if err == unix.ENOSYS {
			// Kernels before 6.6 lack fchmodat2; chmod follows the
			// /proc link to exactly this inode. Symbolic links have
			// no mode to change on Linux.
			if st, serr := n.stat(); serr == nil && st.Mode&unix.S_IFMT == unix.S_IFLNK {
				err = unix.EOPNOTSUPP
			} else {
				err = unix.Chmod(n.procPath(), uint32(attr.Permissions.Permissions()))
			}
		}
		if err != nil {
			return err
		}
	}
	if valid.UID || valid.GID {
		uid, gid := -1, -1
		if valid.UID {
			uid = int(attr.UID)
		}
		if valid.GID {
			gid = int(attr.GID)
		}
		if err := unix.Fchownat(n.fd, "", uid, gid, unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return err
		}
	}
	if valid.Size {
		if err := f.truncate(int64(attr.Size)); err != nil {
			return err
		}
	}
	if valid.ATime || valid.MTime {
		ts := []unix.Timespec{{Nsec: unix.UTIME_OMIT}, {Nsec: unix.UTIME_OMIT}}
		set := func(i int, on, given bool, sec, nsec uint64) {
			switch {
			case !on:
			case given:
				ts[i] = unix.Timespec{Sec: int64(sec), Nsec: int64(nsec)}
			default:
				ts[i] = unix.Timespec{Nsec: unix.UTIME_NOW}
			}
		}
		set(0, valid.ATime, valid.ATimeNotSystemTime, attr.ATimeSeconds, attr.ATimeNanoSeconds)
		set(1, valid.MTime, valid.MTimeNotSystemTime, attr.MTimeSeconds, attr.MTimeNanoSeconds)
		if err := unix.UtimesNanoAt(n.fd, "", ts, unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return err
		}
	}
	return nil
}

func (f *file) truncate(size int64) error {
	if f.openFd >= 0 {
		if err := unix.Ftruncate(f.openFd, size); err != unix.EINVAL && err != unix.EBADF {
			return err
		}
	}
	st, err := f.node.stat()
	if err != nil {
		return err
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
	case unix.S_IFDIR:
		return unix.EISDIR
	default:
		return unix.EINVAL
	}
	fd, err := f.node.reopen(unix.O_WRONLY, &st)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return unix.Ftruncate(fd, size)
}

func (f *file) Close() error {
	switch {
	case f.direct != nil:
		f.direct.Close()
		f.direct = nil
		f.openFd = -1
	case f.openFd >= 0:
		unix.Close(f.openFd)
		f.openFd = -1
	}
	f.node.decRef()
	return nil
}

// openFlags keeps the flags a client may pass to open(2) through the
// server; O_CREAT, O_PATH, O_TMPFILE and friends never reach the kernel.
func openFlags(flags p9.OpenFlags) int {
	const allowed = unix.O_ACCMODE | unix.O_TRUNC | unix.O_APPEND | unix.O_SYNC | unix.O_DSYNC | unix.O_NOATIME
	return int(flags) & allowed
}

func (f *file) Open(flags p9.OpenFlags) (p9.QID, uint32, error) {
	st, err := f.node.stat()
	if err != nil {
		return p9.QID{}, 0, err
	}
	fl := openFlags(flags)
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
	case unix.S_IFDIR:
		fl = unix.O_RDONLY | unix.O_DIRECTORY
	default:
		// A FIFO or a terminal could block the server in open or read.
		return p9.QID{}, 0, unix.EOPNOTSUPP
	}
	fd, err := f.node.reopen(fl, &st)
	if err != nil {
		return p9.QID{}, 0, err
	}
	f.openFd = fd
	if fl&unix.O_TRUNC != 0 {
		// The size changed, and with it the QID version.
		st, _ = f.node.stat()
	}
	q := f.node.fs.qid(&st)
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return q, 0, nil
	}
	f.direct = p9srv.NewDirectOpen(os.NewFile(uintptr(fd), "export"), flags, q.Path)
	q.Version = f.direct.Version()
	return q, f.direct.IOUnit(), nil
}

func (f *file) ReadAt(p []byte, off int64) (int, error) {
	if f.openFd < 0 {
		return 0, linux.EBADF
	}
	n, err := unix.Pread(f.openFd, p, off)
	if err != nil {
		return 0, err
	}
	if n == 0 && len(p) > 0 {
		return 0, io.EOF
	}
	return n, nil
}

func (f *file) WriteAt(p []byte, off int64) (int, error) {
	if f.openFd < 0 {
		return 0, linux.EBADF
	}
	n, err := unix.Pwrite(f.openFd, p, off)
	if err != nil {
		return 0, err
	}
	return n, nil
}

func (f *file) FSync() error {
	if f.openFd < 0 {
		return nil
	}
	return unix.Fsync(f.openFd)
}

func (f *file) Readdir(offset uint64, count uint32) (p9.Dirents, error) {
	if f.openFd < 0 {
		return nil, linux.EBADF
	}
	if offset == 0 || f.dir == nil {
		ents, err := f.list()
		if err != nil {
			return nil, err
		}
		f.dir = ents
	}
	if offset >= uint64(len(f.dir)) {
		return nil, nil
	}
	// count is bytes on the wire and every entry takes more than one:
	// count entries cover the reply, and the server trims to fit.
	end := min(offset+uint64(count), uint64(len(f.dir)))
	return f.dir[offset:end:end], nil
}

// list reads the whole directory afresh.
func (f *file) list() ([]p9.Dirent, error) {
	fd, err := unix.Openat(f.openFd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	d := os.NewFile(uintptr(fd), "dir")
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return nil, err
	}
	ents := make([]p9.Dirent, 0, len(names))
	for _, name := range names {
		var st unix.Stat_t
		if err := unix.Fstatat(f.openFd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			continue // removed since the directory was read
		}
		ents = append(ents, p9.Dirent{
			QID:    f.node.fs.qid(&st),
			Offset: uint64(len(ents) + 1),
			Type:   direntType(st.Mode),
			Name:   name,
		})
	}
	return ents, nil
}

// direntType is the d_type of a mode, which 9P2000.L readdir carries.
func direntType(mode uint32) p9.QIDType {
	switch mode & unix.S_IFMT {
	case unix.S_IFDIR:
		return unix.DT_DIR
	case unix.S_IFREG:
		return unix.DT_REG
	case unix.S_IFLNK:
		return unix.DT_LNK
	case unix.S_IFIFO:
		return unix.DT_FIFO
	case unix.S_IFSOCK:
		return unix.DT_SOCK
	case unix.S_IFCHR:
		return unix.DT_CHR
	case unix.S_IFBLK:
		return unix.DT_BLK
	}
	return unix.DT_UNKNOWN
}

func (f *file) Readlink() (string, error) {
	for size := 256; ; size *= 2 {
		buf := make([]byte, size)
		n, err := unix.Readlinkat(f.node.fd, "", buf)
		if err != nil {
			return "", err
		}
		if n < size {
			return string(buf[:n]), nil
		}
		if size > 1<<16 {
			return "", unix.ENAMETOOLONG
		}
	}
}

// childQID stats a new entry of this directory.
func (f *file) childQID(name string) (p9.QID, error) {
	var st unix.Stat_t
	if err := unix.Fstatat(f.node.fd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return p9.QID{}, err
	}
	return f.node.fs.qid(&st), nil
}

func (f *file) Create(name string, flags p9.OpenFlags, perm p9.FileMode, _ p9.UID, _ p9.GID) (p9.File, p9.QID, uint32, error) {
	if !validName(name) {
		return nil, p9.QID{}, 0, linux.EINVAL
	}
	mode := uint32(perm.Permissions())
	fd, err := unix.Openat2(f.node.fd, name, &unix.OpenHow{
		Flags:   uint64(openFlags(flags) | unix.O_CREAT | unix.O_EXCL | unix.O_NOFOLLOW | unix.O_CLOEXEC),
		Mode:    uint64(mode),
		Resolve: beneath,
	})
	if err != nil {
		return nil, p9.QID{}, 0, err
	}
	// The umask must not change the mode the client asked for: its own
	// umask was applied on its side.
	unix.Fchmod(fd, mode)
	nfd, err := unix.Dup(fd)
	if err != nil {
		unix.Close(fd)
		return nil, p9.QID{}, 0, err
	}
	unix.CloseOnExec(nfd)
	f.node.incRef()
	n := &node{fs: f.node.fs, fd: nfd, parent: f.node, name: name}
	n.refs.Store(1)
	st, err := n.stat()
	if err != nil {
		unix.Close(fd)
		n.decRef()
		return nil, p9.QID{}, 0, err
	}
	return &file{node: n, openFd: fd}, n.fs.qid(&st), 0, nil
}

func (f *file) Mkdir(name string, perm p9.FileMode, _ p9.UID, _ p9.GID) (p9.QID, error) {
	if !validName(name) {
		return p9.QID{}, linux.EINVAL
	}
	mode := uint32(perm.Permissions())
	if err := unix.Mkdirat(f.node.fd, name, mode); err != nil {
		return p9.QID{}, err
	}
	if c, err := f.node.walk(name); err == nil {
		unix.Fchmodat(c.fd, "", mode, unix.AT_EMPTY_PATH)
		c.decRef()
	}
	return f.childQID(name)
}

func (f *file) Symlink(target, name string, _ p9.UID, _ p9.GID) (p9.QID, error) {
	if !validName(name) {
		return p9.QID{}, linux.EINVAL
	}
	if err := unix.Symlinkat(target, f.node.fd, name); err != nil {
		return p9.QID{}, err
	}
	return f.childQID(name)
}

func (f *file) Link(target p9.File, name string) error {
	t, ok := target.(*file)
	if !ok || t.node.fs != f.node.fs {
		return linux.EXDEV
	}
	if !validName(name) {
		return linux.EINVAL
	}
	// Through /proc, linkat links exactly the inode the target fid
	// holds (a symbolic link itself, not what it points to).
	return unix.Linkat(unix.AT_FDCWD, t.node.procPath(), f.node.fd, name, unix.AT_SYMLINK_FOLLOW)
}

func (f *file) Mknod(string, p9.FileMode, uint32, uint32, p9.UID, p9.GID) (p9.QID, error) {
	return p9.QID{}, linux.EPERM
}

func (f *file) Rename(p9.File, string) error { return linux.ENOSYS }

func (f *file) RenameAt(oldName string, newDir p9.File, newName string) error {
	nd, ok := newDir.(*file)
	if !ok || nd.node.fs != f.node.fs {
		return linux.EXDEV
	}
	if !validName(oldName) || !validName(newName) {
		return linux.EINVAL
	}
	return unix.Renameat(f.node.fd, oldName, nd.node.fd, newName)
}

func (f *file) UnlinkAt(name string, flags uint32) error {
	if !validName(name) {
		return linux.EINVAL
	}
	return unix.Unlinkat(f.node.fd, name, int(flags)&unix.AT_REMOVEDIR)
}

func (f *file) Renamed(newDir p9.File, newName string) {
	nd, ok := newDir.(*file)
	if !ok {
		return
	}
	n := f.node
	n.mu.Lock()
	old := n.parent
	if old != nd.node {
		nd.node.incRef()
		n.parent = nd.node
	} else {
		old = nil
	}
	n.name = newName
	n.mu.Unlock()
	if old != nil {
		old.decRef()
	}
}
