package p9srv

import (
	"context"
	"time"

	"github.com/hugelgupf/p9/fsimpl/templatefs"
	"github.com/hugelgupf/p9/linux"
	"github.com/hugelgupf/p9/p9"
)

// fid is the p9.File of a synthetic tree: one per client fid, naming a
// node and, once opened, holding the open.
type fid struct {
	templatefs.XattrUnimplemented
	templatefs.NotLockable
	templatefs.NoopRenamed

	node Node
	open *openFile

	// dir is the listing of an opened directory, taken when a read
	// starts at offset 0, so that cookies (indexes into it) stay valid
	// however the directory changes.
	dir []p9.Dirent
}

var _ p9.File = (*fid)(nil)

func (f *fid) Walk(names []string) ([]p9.QID, p9.File, error) {
	switch len(names) {
	case 0:
		return nil, &fid{node: f.node}, nil
	case 1:
		n, err := f.lookup(names[0])
		if err != nil {
			return nil, nil, err
		}
		return []p9.QID{n.base().qid()}, &fid{node: n}, nil
	}
	// The server walks one name at a time; serve in-process callers too.
	var qids []p9.QID
	cur := f
	for _, name := range names {
		q, nf, err := cur.Walk([]string{name})
		if err != nil {
			return nil, nil, err
		}
		qids = append(qids, q...)
		cur = nf.(*fid)
	}
	return qids, cur, nil
}

func (f *fid) lookup(name string) (Node, error) {
	d, ok := f.node.(*Dir)
	if !ok {
		return nil, linux.ENOTDIR
	}
	if checkName(name) != nil {
		return nil, linux.EINVAL
	}
	treeMu.RLock()
	defer treeMu.RUnlock()
	if d.removed {
		return nil, linux.ENOENT
	}
	n, ok := d.children[name]
	if !ok {
		return nil, linux.ENOENT
	}
	return n, nil
}

func (f *fid) WalkGetAttr(names []string) ([]p9.QID, p9.File, p9.AttrMask, p9.Attr, error) {
	qids, nf, err := f.Walk(names)
	if err != nil {
		return nil, nil, p9.AttrMask{}, p9.Attr{}, err
	}
	_, mask, attr, err := nf.GetAttr(p9.AttrMaskAll)
	return qids, nf, mask, attr, err
}

func (f *fid) StatFS() (p9.FSStat, error) {
	return p9.FSStat{
		Type:       0x01021997, // V9FS_MAGIC
		BlockSize:  4096,
		Files:      1 << 20,
		FilesFree:  1 << 20,
		NameLength: 255,
	}, nil
}

func nodeSize(n Node) uint64 {
	switch n := n.(type) {
	case *File:
		return uint64(n.Size())
	case *Symlink:
		return uint64(len(n.target))
	}
	return 0
}

func (f *fid) GetAttr(p9.AttrMask) (p9.QID, p9.AttrMask, p9.Attr, error) {
	m := f.node.base()
	attr := m.attr(nodeSize(f.node))
	if d, ok := f.node.(*Dir); ok {
		attr.NLink = p9.NLink(d.linkCount())
	}
	return m.qid(), attrMask, attr, nil
}

func (f *fid) SetAttr(valid p9.SetAttrMask, attr p9.SetAttr) error {
	m := f.node.base()
	m.mu.Lock()
	chmodable := m.chmodable
	m.mu.Unlock()
	if (valid.Permissions || valid.UID || valid.GID) && !chmodable {
		return linux.EPERM
	}
	if valid.Size {
		file, ok := f.node.(*File)
		switch {
		case !ok && f.node.base().mode.IsDir():
			return linux.EISDIR
		case !ok || file.truncate == nil:
			return linux.EPERM
		}
		if attr.Size > uint64(MaxMemFileSize) && file.size != nil {
			return linux.EFBIG
		}
		if err := file.truncate(int64(attr.Size)); err != nil {
			return errnoOf(err, linux.EIO)
		}
	}
	now := time.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if valid.Permissions {
		m.mode = m.mode.FileType() | attr.Permissions.Permissions()
	}
	if valid.UID {
		m.uid = attr.UID
	}
	if valid.GID {
		m.gid = attr.GID
	}
	if valid.ATime {
		m.atime = now
		if valid.ATimeNotSystemTime {
			m.atime = time.Unix(int64(attr.ATimeSeconds), int64(attr.ATimeNanoSeconds))
		}
	}
	if valid.MTime {
		m.mtime = now
		if valid.MTimeNotSystemTime {
			m.mtime = time.Unix(int64(attr.MTimeSeconds), int64(attr.MTimeNanoSeconds))
		}
	}
	if valid.Permissions || valid.UID || valid.GID || valid.Size || valid.ATime || valid.MTime || valid.CTime {
		m.ctime = now
	}
	return nil
}

func (f *fid) Close() error {
	if f.open != nil {
		f.open.release()
		f.open = nil
	}
	return nil
}

func (f *fid) Open(flags p9.OpenFlags) (p9.QID, uint32, error) {
	m := f.node.base()
	q := m.qid()
	switch n := f.node.(type) {
	case *Dir:
		return q, 0, nil
	case *File:
		perm := m.perm()
		if flags.Mode() != p9.WriteOnly && perm&0400 == 0 {
			return p9.QID{}, 0, linux.EACCES
		}
		if flags.Mode() != p9.ReadOnly && perm&0200 == 0 {
			return p9.QID{}, 0, linux.EACCES
		}
		if flags&openTrunc != 0 && flags.Mode() != p9.ReadOnly {
			if n.truncate == nil {
				return p9.QID{}, 0, linux.EPERM
			}
			if err := n.truncate(0); err != nil {
				return p9.QID{}, 0, errnoOf(err, linux.EIO)
			}
		}
		o := newOpenFile(nil, flags, m.path, n.blocking)
		h, err := n.open(o.ctx, flags)
		if err != nil {
			o.cancel()
			if o.token != 0 {
				opens.Delete(o.token)
			}
			return p9.QID{}, 0, errnoOf(err, linux.EIO)
		}
		o.h = h
		f.open = o
		if o.token != 0 {
			q.Version = o.token
		}
		return q, 0, nil
	}
	return p9.QID{}, 0, linux.EINVAL
}

// libraryWait bounds a read or write of a blocking file that reaches the
// file through the 9P library rather than a Server's transport: served
// without a Server, or sent by a client before the open's reply came
// back. The library holds its locks during the call and cannot cancel
// it, so such a call must not wait for long.
const libraryWait = time.Second

func (f *fid) ReadAt(p []byte, off int64) (int, error) {
	ctx, end, err := f.begin()
	if err != nil {
		return 0, err
	}
	defer end()
	return f.open.read(ctx, p, off)
}

func (f *fid) WriteAt(p []byte, off int64) (int, error) {
	ctx, end, err := f.begin()
	if err != nil {
		return 0, err
	}
	defer end()
	return f.open.write(ctx, p, off)
}

// begin starts a read or write that the library called.
func (f *fid) begin() (context.Context, func(), error) {
	if f.open == nil {
		if _, ok := f.node.(*Dir); ok {
			return nil, nil, linux.EISDIR
		}
		return nil, nil, linux.EBADF
	}
	ctx, end, err := f.open.begin()
	if err != nil || f.open.token == 0 {
		return ctx, end, err
	}
	ctx, cancel := context.WithTimeout(ctx, libraryWait)
	return ctx, func() { cancel(); end() }, nil
}

func (f *fid) FSync() error { return nil }

func (f *fid) Readdir(offset uint64, count uint32) (p9.Dirents, error) {
	d, ok := f.node.(*Dir)
	if !ok {
		return nil, linux.ENOTDIR
	}
	if offset == 0 || f.dir == nil {
		f.dir = d.listing()
	}
	if offset >= uint64(len(f.dir)) {
		return nil, nil
	}
	// count is in bytes on the wire; every entry takes more than one,
	// so count entries always cover a reply and the server trims them.
	end := offset + uint64(count)
	if end > uint64(len(f.dir)) {
		end = uint64(len(f.dir))
	}
	return f.dir[offset:end:end], nil
}

// listing snapshots the entries; each entry's offset is the cookie of
// the next, its index plus one.
func (d *Dir) listing() []p9.Dirent {
	treeMu.RLock()
	defer treeMu.RUnlock()
	ents := make([]p9.Dirent, 0, len(d.names))
	for i, name := range d.names {
		m := d.children[name].base()
		m.mu.Lock()
		mode := m.mode
		m.mu.Unlock()
		ents = append(ents, p9.Dirent{
			QID:    m.qid(),
			Offset: uint64(i + 1),
			Type:   direntType(mode),
			Name:   name,
		})
	}
	return ents
}

func (f *fid) Readlink() (string, error) {
	s, ok := f.node.(*Symlink)
	if !ok {
		return "", linux.EINVAL
	}
	return s.target, nil
}

// writableDir returns the fid's directory if clients may change it.
func (f *fid) writableDir() (*Dir, error) {
	d, ok := f.node.(*Dir)
	if !ok {
		return nil, linux.ENOTDIR
	}
	if !d.writable {
		return nil, linux.EACCES
	}
	if d.removed {
		return nil, linux.ENOENT
	}
	return d, nil
}

// addNew adds a node a client made; treeMu must be held for writing.
func (d *Dir) addNew(name string, n Node, perm p9.FileMode, gid p9.GID) error {
	if checkName(name) != nil {
		return linux.EINVAL
	}
	if _, ok := d.children[name]; ok {
		return linux.EEXIST
	}
	m := n.base()
	m.mu.Lock()
	if !m.mode.IsSymlink() {
		m.mode = m.mode.FileType() | perm.Permissions()
	}
	if gid.Ok() {
		m.gid = gid
	}
	m.mu.Unlock()
	d.link(name, n)
	return nil
}

func (f *fid) Create(name string, flags p9.OpenFlags, perm p9.FileMode, _ p9.UID, gid p9.GID) (p9.File, p9.QID, uint32, error) {
	treeMu.Lock()
	d, err := f.writableDir()
	if err == nil {
		err = d.addNew(name, MemFile(nil), perm, gid)
	}
	var n Node
	if err == nil {
		n = d.children[name]
	}
	treeMu.Unlock()
	if err != nil {
		return nil, p9.QID{}, 0, err
	}
	nf := &fid{node: n}
	// The creator may write a file whose mode forbids it, as open(2)
	// with O_CREAT allows; so open without the permission check.
	file := n.(*File)
	o := newOpenFile(nil, flags, file.path, false)
	h, err := file.open(o.ctx, flags)
	if err != nil {
		return nil, p9.QID{}, 0, errnoOf(err, linux.EIO)
	}
	o.h = h
	nf.open = o
	return nf, file.qid(), 0, nil
}

func (f *fid) Mkdir(name string, perm p9.FileMode, _ p9.UID, gid p9.GID) (p9.QID, error) {
	treeMu.Lock()
	defer treeMu.Unlock()
	d, err := f.writableDir()
	if err != nil {
		return p9.QID{}, err
	}
	sub := &Dir{children: make(map[string]Node), writable: true}
	sub.init(p9.ModeDirectory | 0755)
	sub.chmodable = true
	if err := d.addNew(name, sub, perm, gid); err != nil {
		return p9.QID{}, err
	}
	return sub.qid(), nil
}

func (f *fid) Symlink(target, name string, _ p9.UID, gid p9.GID) (p9.QID, error) {
	treeMu.Lock()
	defer treeMu.Unlock()
	d, err := f.writableDir()
	if err != nil {
		return p9.QID{}, err
	}
	s := NewSymlink(target)
	if err := d.addNew(name, s, 0777, gid); err != nil {
		return p9.QID{}, err
	}
	return s.qid(), nil
}

func (f *fid) Link(target p9.File, name string) error {
	t, ok := target.(*fid)
	if !ok {
		return linux.EXDEV
	}
	if _, isDir := t.node.(*Dir); isDir {
		return linux.EPERM
	}
	treeMu.Lock()
	defer treeMu.Unlock()
	d, err := f.writableDir()
	if err != nil {
		return err
	}
	if checkName(name) != nil {
		return linux.EINVAL
	}
	if _, ok := d.children[name]; ok {
		return linux.EEXIST
	}
	d.link(name, t.node)
	return nil
}

func (f *fid) Mknod(string, p9.FileMode, uint32, uint32, p9.UID, p9.GID) (p9.QID, error) {
	return p9.QID{}, linux.EPERM
}

func (f *fid) Rename(p9.File, string) error { return linux.ENOSYS }

func (f *fid) RenameAt(oldName string, newDir p9.File, newName string) error {
	nd, ok := newDir.(*fid)
	if !ok {
		return linux.EXDEV
	}
	if checkName(oldName) != nil || checkName(newName) != nil {
		return linux.EINVAL
	}
	treeMu.Lock()
	defer treeMu.Unlock()
	from, err := f.writableDir()
	if err != nil {
		return err
	}
	to, err := nd.writableDir()
	if err != nil {
		return err
	}
	n, ok := from.children[oldName]
	if !ok {
		return linux.ENOENT
	}
	if from == to && oldName == newName {
		return nil
	}
	sub, movingDir := n.(*Dir)
	if movingDir && sub.isAncestorOf(to) {
		return linux.EINVAL
	}
	if old, ok := to.children[newName]; ok {
		if old == n {
			// Two names for one file: rename(2) does nothing.
			return nil
		}
		oldDir, isDir := old.(*Dir)
		switch {
		case movingDir && !isDir:
			return linux.ENOTDIR
		case !movingDir && isDir:
			return linux.EISDIR
		case isDir && len(oldDir.children) > 0:
			return linux.ENOTEMPTY
		}
		to.unlink(newName)
	}
	from.unlink(oldName)
	to.link(newName, n)
	n.base().mu.Lock()
	n.base().ctime = time.Now()
	n.base().mu.Unlock()
	return nil
}

// unlinkDir is AT_REMOVEDIR in unlinkat(2) flags.
const unlinkDir = 0x200

func (f *fid) UnlinkAt(name string, flags uint32) error {
	if checkName(name) != nil {
		return linux.EINVAL
	}
	treeMu.Lock()
	defer treeMu.Unlock()
	d, err := f.writableDir()
	if err != nil {
		return err
	}
	n, ok := d.children[name]
	if !ok {
		return linux.ENOENT
	}
	sub, isDir := n.(*Dir)
	switch {
	case isDir && flags&unlinkDir == 0:
		return linux.EISDIR
	case !isDir && flags&unlinkDir != 0:
		return linux.ENOTDIR
	case isDir && len(sub.children) > 0:
		return linux.ENOTEMPTY
	}
	d.unlink(name)
	return nil
}
