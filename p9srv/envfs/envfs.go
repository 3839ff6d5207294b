// Package envfs serves the process environment as files, like Plan 9's
// env(3): each variable is a file whose contents are its value. Reading
// a file reads the variable, writing sets it (a write at an offset
// splices into the value; O_TRUNC or a size change cuts it), creating a
// file sets an empty variable, removing it unsets it, and renaming moves
// the value to the new name. Listings show the environment as it is when
// a listing starts. Names that cannot be file names (containing "/") are
// not shown; values cannot hold NUL bytes.
//
// Serve it with p9srv.NewServer(envfs.New()).
package envfs

import (
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hugelgupf/p9/fsimpl/templatefs"
	"github.com/hugelgupf/p9/linux"
	"github.com/hugelgupf/p9/p9"
)

// FS is the environment as a file tree. It implements p9.Attacher.
type FS struct {
	start time.Time
	uid   p9.UID
	gid   p9.GID

	mu    sync.Mutex
	paths map[string]uint64 // QID path per name, stable while served
	next  uint64
	mtime map[string]time.Time
}

// New returns the environment of the serving process as a tree.
func New() *FS {
	return &FS{
		start: time.Now(),
		uid:   p9.UID(os.Getuid()),
		gid:   p9.GID(os.Getgid()),
		paths: make(map[string]uint64),
		next:  1,
		mtime: make(map[string]time.Time),
	}
}

// Attach implements p9.Attacher.
func (fs *FS) Attach() (p9.File, error) { return &file{fs: fs}, nil }

func (fs *FS) qid(name string) p9.QID {
	if name == "" {
		return p9.QID{Type: p9.TypeDir, Path: 1}
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	p, ok := fs.paths[name]
	if !ok {
		fs.next++
		p = fs.next
		fs.paths[name] = p
	}
	return p9.QID{Type: p9.TypeRegular, Path: p}
}

func (fs *FS) changed(name string) {
	fs.mu.Lock()
	fs.mtime[name] = time.Now()
	fs.mu.Unlock()
}

func (fs *FS) modTime(name string) time.Time {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if t, ok := fs.mtime[name]; ok {
		return t
	}
	return fs.start
}

// validName reports whether name can be both a file and a variable.
func validName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.ContainsAny(name, "/=\x00")
}

func names() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, ok := strings.Cut(kv, "=")
		if ok && validName(k) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// setenv sets a variable, refusing values the environment cannot hold.
func setenv(name, value string) error {
	if strings.IndexByte(value, 0) >= 0 {
		return linux.EINVAL
	}
	if err := os.Setenv(name, value); err != nil {
		return linux.EINVAL
	}
	return nil
}

// file is a fid: the root directory (name "") or one variable.
type file struct {
	templatefs.XattrUnimplemented
	templatefs.NotLockable
	templatefs.NoopRenamed

	fs     *FS
	name   string
	opened bool
	flags  p9.OpenFlags
	dir    []string
}

var _ p9.File = (*file)(nil)

func (f *file) Walk(names []string) ([]p9.QID, p9.File, error) {
	switch {
	case len(names) == 0:
		return nil, &file{fs: f.fs, name: f.name}, nil
	case len(names) > 1 || f.name != "":
		return nil, nil, linux.ENOTDIR
	}
	name := names[0]
	if !validName(name) {
		return nil, nil, linux.ENOENT
	}
	if _, ok := os.LookupEnv(name); !ok {
		return nil, nil, linux.ENOENT
	}
	return []p9.QID{f.fs.qid(name)}, &file{fs: f.fs, name: name}, nil
}

func (f *file) WalkGetAttr(names []string) ([]p9.QID, p9.File, p9.AttrMask, p9.Attr, error) {
	q, nf, err := f.Walk(names)
	if err != nil {
		return nil, nil, p9.AttrMask{}, p9.Attr{}, err
	}
	_, m, a, err := nf.GetAttr(p9.AttrMaskAll)
	return q, nf, m, a, err
}

func (f *file) StatFS() (p9.FSStat, error) {
	return p9.FSStat{Type: 0x01021997, BlockSize: 4096, NameLength: 255}, nil
}

var attrMask = p9.AttrMask{Mode: true, NLink: true, UID: true, GID: true, ATime: true, MTime: true, CTime: true, Size: true, Blocks: true}

func (f *file) GetAttr(p9.AttrMask) (p9.QID, p9.AttrMask, p9.Attr, error) {
	a := p9.Attr{UID: f.fs.uid, GID: f.fs.gid, BlockSize: 4096}
	var t time.Time
	if f.name == "" {
		a.Mode = p9.ModeDirectory | 0755
		a.NLink = 2
		t = f.fs.start
	} else {
		v, ok := os.LookupEnv(f.name)
		if !ok {
			return p9.QID{}, p9.AttrMask{}, p9.Attr{}, linux.ENOENT
		}
		a.Mode = p9.ModeRegular | 0644
		a.NLink = 1
		a.Size = uint64(len(v))
		a.Blocks = (a.Size + 511) / 512
		t = f.fs.modTime(f.name)
	}
	sec, nsec := uint64(t.Unix()), uint64(t.Nanosecond())
	a.ATimeSeconds, a.ATimeNanoSeconds = sec, nsec
	a.MTimeSeconds, a.MTimeNanoSeconds = sec, nsec
	a.CTimeSeconds, a.CTimeNanoSeconds = sec, nsec
	return f.fs.qid(f.name), attrMask, a, nil
}

func (f *file) SetAttr(valid p9.SetAttrMask, attr p9.SetAttr) error {
	if valid.Permissions || valid.UID || valid.GID {
		return linux.EPERM
	}
	if !valid.Size {
		return nil // times: accepted, as touch expects
	}
	if f.name == "" {
		return linux.EISDIR
	}
	v, ok := os.LookupEnv(f.name)
	if !ok {
		return linux.ENOENT
	}
	return f.truncate(v, int64(attr.Size))
}

func (f *file) truncate(v string, size int64) error {
	switch {
	case size < 0:
		return linux.EINVAL
	case size <= int64(len(v)):
		v = v[:size]
	case size > 1<<20:
		return linux.EFBIG
	default:
		// The environment cannot hold the NUL bytes a file would be
		// padded with.
		return linux.EINVAL
	}
	if err := setenv(f.name, v); err != nil {
		return err
	}
	f.fs.changed(f.name)
	return nil
}

func (f *file) Close() error { return nil }

func (f *file) Open(flags p9.OpenFlags) (p9.QID, uint32, error) {
	if f.name != "" {
		v, ok := os.LookupEnv(f.name)
		if !ok {
			return p9.QID{}, 0, linux.ENOENT
		}
		if flags&0o1000 != 0 && flags.Mode() != p9.ReadOnly { // O_TRUNC
			if err := f.truncate(v, 0); err != nil {
				return p9.QID{}, 0, err
			}
		}
	}
	f.opened, f.flags = true, flags
	return f.fs.qid(f.name), 0, nil
}

func (f *file) ReadAt(p []byte, off int64) (int, error) {
	if f.name == "" {
		return 0, linux.EISDIR
	}
	v, ok := os.LookupEnv(f.name)
	if !ok {
		return 0, linux.ENOENT
	}
	if off < 0 {
		return 0, linux.EINVAL
	}
	if off >= int64(len(v)) {
		return 0, io.EOF
	}
	return copy(p, v[off:]), nil
}

func (f *file) WriteAt(p []byte, off int64) (int, error) {
	if f.name == "" {
		return 0, linux.EISDIR
	}
	v, ok := os.LookupEnv(f.name)
	if !ok {
		return 0, linux.ENOENT
	}
	if f.flags&0o2000 != 0 { // O_APPEND
		off = int64(len(v))
	}
	if off < 0 || off > int64(len(v)) {
		return 0, linux.EINVAL
	}
	end := off + int64(len(p))
	if end > 1<<20 {
		return 0, linux.EFBIG
	}
	nv := v[:off] + string(p)
	if end < int64(len(v)) {
		nv += v[end:]
	}
	if err := setenv(f.name, nv); err != nil {
		return 0, err
	}
	f.fs.changed(f.name)
	return len(p), nil
}

func (f *file) FSync() error { return nil }

func (f *file) Readdir(offset uint64, count uint32) (p9.Dirents, error) {
	if f.name != "" {
		return nil, linux.ENOTDIR
	}
	if offset == 0 || f.dir == nil {
		f.dir = names()
	}
	if offset >= uint64(len(f.dir)) {
		return nil, nil
	}
	end := min(offset+uint64(count), uint64(len(f.dir)))
	var ents p9.Dirents
	for i := offset; i < end; i++ {
		ents = append(ents, p9.Dirent{QID: f.fs.qid(f.dir[i]), Offset: i + 1, Type: 8, Name: f.dir[i]}) // DT_REG
	}
	return ents, nil
}

func (f *file) Readlink() (string, error) { return "", linux.EINVAL }

func (f *file) Create(name string, flags p9.OpenFlags, _ p9.FileMode, _ p9.UID, _ p9.GID) (p9.File, p9.QID, uint32, error) {
	if f.name != "" {
		return nil, p9.QID{}, 0, linux.ENOTDIR
	}
	if !validName(name) {
		return nil, p9.QID{}, 0, linux.EINVAL
	}
	if _, ok := os.LookupEnv(name); ok {
		return nil, p9.QID{}, 0, linux.EEXIST
	}
	if err := setenv(name, ""); err != nil {
		return nil, p9.QID{}, 0, err
	}
	f.fs.changed(name)
	nf := &file{fs: f.fs, name: name, opened: true, flags: flags}
	return nf, f.fs.qid(name), 0, nil
}

func (f *file) Mkdir(string, p9.FileMode, p9.UID, p9.GID) (p9.QID, error) {
	return p9.QID{}, linux.EPERM
}

func (f *file) Symlink(string, string, p9.UID, p9.GID) (p9.QID, error) {
	return p9.QID{}, linux.EPERM
}

func (f *file) Link(p9.File, string) error { return linux.EPERM }

func (f *file) Mknod(string, p9.FileMode, uint32, uint32, p9.UID, p9.GID) (p9.QID, error) {
	return p9.QID{}, linux.EPERM
}

func (f *file) Rename(p9.File, string) error { return linux.ENOSYS }

func (f *file) RenameAt(oldName string, newDir p9.File, newName string) error {
	nd, ok := newDir.(*file)
	if !ok || nd.fs != f.fs || nd.name != "" || f.name != "" {
		return linux.EXDEV
	}
	if !validName(oldName) || !validName(newName) {
		return linux.EINVAL
	}
	v, ok := os.LookupEnv(oldName)
	if !ok {
		return linux.ENOENT
	}
	if oldName == newName {
		return nil
	}
	if err := setenv(newName, v); err != nil {
		return err
	}
	os.Unsetenv(oldName)
	f.fs.changed(newName)
	// The file keeps its identity under the new name.
	f.fs.mu.Lock()
	if p, ok := f.fs.paths[oldName]; ok {
		f.fs.paths[newName] = p
		delete(f.fs.paths, oldName)
	}
	f.fs.mu.Unlock()
	return nil
}

func (f *file) UnlinkAt(name string, flags uint32) error {
	if f.name != "" {
		return linux.ENOTDIR
	}
	if flags&0x200 != 0 { // AT_REMOVEDIR
		return linux.ENOTDIR
	}
	if !validName(name) {
		return linux.ENOENT
	}
	if _, ok := os.LookupEnv(name); !ok {
		return linux.ENOENT
	}
	return os.Unsetenv(name)
}
