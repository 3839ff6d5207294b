package p9fuse

import (
	"context"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
	"github.com/hugelgupf/p9/p9"

	"nsh.dev/nsh/p9srv"
)

// An fsys holds what every node of one mount shares.
type fsys struct {
	s          *session
	cache      bool   // mount -C: page cache and short TTLs
	uid, gid   uint32 // owner shown for files whose server names none
	uids, gids idMap  // the ids this user namespace maps
	chunk      int    // the most data one Tread carries, in whole pages
	fids       *fidCache
}

// A fidRef is a counted reference to a walked (never opened) fid. A node
// swaps its fid when a newer walk of the same name arrives; the old fid
// is clunked once the calls still using it are done.
type fidRef struct {
	f    p9.File
	refs atomic.Int32
}

func newFidRef(f p9.File) *fidRef {
	r := &fidRef{f: f}
	r.refs.Store(1)
	return r
}

func (r *fidRef) put() {
	if r.refs.Add(-1) == 0 {
		// Clunk without making the FUSE request wait for the reply.
		go r.f.Close()
	}
}

// A node is one file or directory of the mount, holding a fid walked to
// it. Nodes are created by lookups and by the calls that create files,
// and their fid is clunked when the kernel forgets them.
type node struct {
	fs.Inode
	b *fsys

	mu   sync.Mutex
	fid  *fidRef // nil when the node must walk to its file afresh
	root bool    // the root keeps its fid (the attach) for good
	used atomic.Bool
	// writes counts the starts and ends of writes and truncations
	// through the mount: data read ahead across a change is not used.
	writes atomic.Uint64
}

// written notes a change of the node's data through the mount: call it
// when the change starts and the function it returns when it ends.
func (n *node) written() func() {
	n.writes.Add(1)
	return func() { n.writes.Add(1) }
}

var (
	_ fs.InodeEmbedder      = (*node)(nil)
	_ fs.NodeLookuper       = (*node)(nil)
	_ fs.NodeGetattrer      = (*node)(nil)
	_ fs.NodeSetattrer      = (*node)(nil)
	_ fs.NodeOpener         = (*node)(nil)
	_ fs.NodeOpendirHandler = (*node)(nil)
	_ fs.NodeCreater        = (*node)(nil)
	_ fs.NodeMkdirer        = (*node)(nil)
	_ fs.NodeMknoder        = (*node)(nil)
	_ fs.NodeSymlinker      = (*node)(nil)
	_ fs.NodeLinker         = (*node)(nil)
	_ fs.NodeReadlinker     = (*node)(nil)
	_ fs.NodeUnlinker       = (*node)(nil)
	_ fs.NodeRmdirer        = (*node)(nil)
	_ fs.NodeRenamer        = (*node)(nil)
	_ fs.NodeStatfser       = (*node)(nil)
	_ fs.NodeFsyncer        = (*node)(nil)
	_ fs.NodeOnForgetter    = (*node)(nil)
)

func (b *fsys) newNode(f p9.File) *node {
	n := &node{b: b, fid: newFidRef(f)}
	b.fids.add(n)
	return n
}

func (b *fsys) newRoot(f p9.File) *node {
	return &node{b: b, fid: newFidRef(f), root: true}
}

// acquire returns a reference to the node's fid; the caller puts it.
// A node without one (its fid went stale in a rename, or the kernel
// forgot the node and a lookup racing with the forget found it again)
// walks to itself anew from its parent.
func (n *node) acquire(ctx context.Context) (*fidRef, syscall.Errno) {
	n.used.Store(true)
	n.mu.Lock()
	if r := n.fid; r != nil {
		r.refs.Add(1)
		n.mu.Unlock()
		return r, 0
	}
	n.mu.Unlock()
	name, parent := n.Parent()
	pn, ok := parentNode(parent)
	if !ok {
		return nil, syscall.ESTALE
	}
	pr, errno := pn.acquire(ctx)
	if errno != 0 {
		return nil, errno
	}
	defer pr.put()
	var f p9.File
	errno = n.b.s.run(ctx, func() (err error) {
		_, f, err = pr.f.Walk([]string{name})
		return err
	}, func() {
		if f != nil {
			f.Close()
		}
	})
	if errno != 0 {
		return nil, errno
	}
	n.setFid(f)
	return n.acquire(ctx)
}

func parentNode(p *fs.Inode) (*node, bool) {
	if p == nil {
		return nil, false
	}
	pn, ok := p.Operations().(*node)
	return pn, ok
}

// setFid makes f the node's fid, releasing the one it had.
func (n *node) setFid(f p9.File) {
	r := newFidRef(f)
	n.mu.Lock()
	old := n.fid
	n.fid = r
	if old == nil && !n.root {
		n.b.fids.add(n)
	}
	n.mu.Unlock()
	if old != nil {
		old.put()
	}
}

// OnForget clunks the node's fid, unless a lookup has revived the node
// in the meantime.
func (n *node) OnForget() {
	if n.Forgotten() {
		n.dropFid()
	}
}

// child turns the result of a walk into the inode of name under n. When
// n already has that child and the walk reached the same file, the
// existing inode takes the new fid: the newest walk wins, so a node
// whose file was replaced by one with a recycled qid path acts on the
// new file.
func (n *node) child(ctx context.Context, name string, q p9.QID, f p9.File, valid p9.AttrMask, a p9.Attr, out *fuse.EntryOut) *fs.Inode {
	n.b.fillAttr(&out.Attr, q, valid, a)
	id := fs.StableAttr{Mode: out.Attr.Mode & syscall.S_IFMT, Ino: out.Attr.Ino}
	if ch := n.GetChild(name); ch != nil && ch.StableAttr() == id {
		if cn, ok := ch.Operations().(*node); ok {
			cn.setFid(f)
			return ch
		}
	}
	return n.NewInode(ctx, n.b.newNode(f), id)
}

// walkAttr walks from r to name and fetches the attributes there.
func (n *node) walkAttr(ctx context.Context, r *fidRef, name string) (p9.QID, p9.File, p9.AttrMask, p9.Attr, syscall.Errno) {
	var (
		qids  []p9.QID
		f     p9.File
		valid p9.AttrMask
		a     p9.Attr
	)
	errno := n.b.s.run(ctx, func() (err error) {
		qids, f, valid, a, err = r.f.WalkGetAttr([]string{name})
		return err
	}, func() {
		if f != nil {
			f.Close()
		}
	})
	if errno != 0 {
		// A call given up on may still be writing the results.
		return p9.QID{}, nil, p9.AttrMask{}, p9.Attr{}, errno
	}
	if len(qids) != 1 {
		go f.Close()
		return p9.QID{}, nil, p9.AttrMask{}, p9.Attr{}, syscall.ENOENT
	}
	return qids[0], f, valid, a, 0
}

// Lookup walks to name.
func (n *node) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	r, errno := n.acquire(ctx)
	if errno != 0 {
		return nil, errno
	}
	defer r.put()
	q, f, valid, a, errno := n.walkAttr(ctx, r, name)
	if errno != 0 {
		return nil, errno
	}
	return n.child(ctx, name, q, f, valid, a, out), 0
}

// created looks up name after a call created it, to give the new file
// its own walked fid and its attributes.
func (n *node) created(ctx context.Context, r *fidRef, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	q, f, valid, a, errno := n.walkAttr(ctx, r, name)
	if errno != 0 {
		return nil, errno
	}
	return n.child(ctx, name, q, f, valid, a, out), 0
}

// getattr fetches the attributes of f.
func (n *node) getattr(ctx context.Context, f p9.File, out *fuse.Attr) syscall.Errno {
	var (
		q     p9.QID
		valid p9.AttrMask
		a     p9.Attr
	)
	errno := n.b.s.run(ctx, func() (err error) {
		q, valid, a, err = f.GetAttr(p9.AttrMaskAll)
		return err
	}, nil)
	if errno != 0 {
		return errno
	}
	n.b.fillAttr(out, q, valid, a)
	return 0
}

// Getattr fetches attributes through the open file if there is one (it
// may have been unlinked), else through the node's fid.
func (n *node) Getattr(ctx context.Context, fh fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	if h, ok := fh.(*fileHandle); ok {
		return n.getattr(ctx, h.f, &out.Attr)
	}
	r, errno := n.acquire(ctx)
	if errno != 0 {
		return errno
	}
	defer r.put()
	return n.getattr(ctx, r.f, &out.Attr)
}

// Setattr maps chmod, chown, truncate and utimes onto Tsetattr. The
// kernel truncates a file opened with O_TRUNC by a SETATTR of size 0, so
// this is also what makes "echo cmd > ctl" work.
func (n *node) Setattr(ctx context.Context, fh fs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	f := p9.File(nil)
	if h, ok := fh.(*fileHandle); ok {
		f = h.f
	} else {
		r, errno := n.acquire(ctx)
		if errno != 0 {
			return errno
		}
		defer r.put()
		f = r.f
	}
	if _, ok := in.GetSize(); ok {
		defer n.written()()
	}
	if mask, attr := setAttrOf(in); !isEmpty(mask) {
		errno := n.b.s.run(ctx, func() error { return f.SetAttr(mask, attr) }, nil)
		if errno != 0 {
			return errno
		}
	}
	return n.getattr(ctx, f, &out.Attr)
}

// openFlags keeps the access mode of an open(2) flag word. Other flags
// stay with the kernel: it computes append offsets and truncates by
// SETATTR, and servers differ on the rest.
func openFlags(flags uint32) p9.OpenFlags {
	return p9.OpenFlags(flags & syscall.O_ACCMODE)
}

// openFid clones r and opens the clone.
func (n *node) openFid(ctx context.Context, r *fidRef, flags p9.OpenFlags) (p9.File, p9.QID, uint32, syscall.Errno) {
	var (
		f      p9.File
		q      p9.QID
		iounit uint32
	)
	errno := n.b.s.run(ctx, func() error {
		_, nf, err := r.f.Walk(nil)
		if err != nil {
			return err
		}
		if q, iounit, err = nf.Open(flags); err != nil {
			nf.Close()
			return err
		}
		f = nf
		return nil
	}, func() {
		if f != nil {
			f.Close()
		}
	})
	if errno != 0 {
		return nil, p9.QID{}, 0, errno
	}
	return f, q, iounit, 0
}

// Open opens a fid of its own for the open file. A file (not a
// directory: lookups walk from a directory's fid) that holds a fid nobody
// is using opens that one, saving the Twalk that would clone it; the node
// walks afresh when next needed, which the lookup that precedes the next
// open by name does anyway.
func (n *node) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	if f := n.takeFid(); f != nil {
		var (
			q      p9.QID
			iounit uint32
		)
		errno, abandoned := n.b.s.call(ctx, func() (err error) {
			q, iounit, err = f.Open(openFlags(flags))
			return err
		}, func() { f.Close() })
		switch {
		case errno == 0:
			return n.newFileHandle(f, p9srv.IsPlainOpen(q.Version, iounit)), n.b.openFlags(), 0
		case abandoned:
			return nil, 0, errno
		default:
			// Not opened, so still a plain walked fid: give it back.
			n.setFidIfNone(f)
			return nil, 0, errno
		}
	}
	r, errno := n.acquire(ctx)
	if errno != 0 {
		return nil, 0, errno
	}
	defer r.put()
	f, q, iounit, errno := n.openFid(ctx, r, openFlags(flags))
	if errno != 0 {
		return nil, 0, errno
	}
	return n.newFileHandle(f, p9srv.IsPlainOpen(q.Version, iounit)), n.b.openFlags(), 0
}

// takeFid takes the fid away from a node that is not a directory, if no
// call is using it, for the caller to open.
func (n *node) takeFid() p9.File {
	if n.IsDir() || n.root {
		return nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	r := n.fid
	if r == nil || r.refs.Load() != 1 {
		return nil
	}
	n.fid = nil
	n.b.fids.remove(n)
	return r.f
}

// setFidIfNone gives the node f, unless it has got a fid meanwhile.
func (n *node) setFidIfNone(f p9.File) {
	n.mu.Lock()
	if n.fid == nil {
		n.fid = newFidRef(f)
		n.b.fids.add(n)
		f = nil
	}
	n.mu.Unlock()
	if f != nil {
		go f.Close()
	}
}

// openFlags are the FUSE flags of an open file: direct I/O without
// caching (synthetic files report size 0 and change under the reader),
// the page cache kept across opens with caching (the kernel still drops
// it when it sees the size or mtime change).
func (b *fsys) openFlags() uint32 {
	if b.cache {
		return fuse.FOPEN_KEEP_CACHE
	}
	return fuse.FOPEN_DIRECT_IO
}

// OpendirHandle opens a directory; its listing is read on first use.
func (n *node) OpendirHandle(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	r, errno := n.acquire(ctx)
	if errno != 0 {
		return nil, 0, errno
	}
	defer r.put()
	f, _, _, errno := n.openFid(ctx, r, p9.ReadOnly)
	if errno != 0 {
		return nil, 0, errno
	}
	return &dirHandle{n: n, f: f}, 0, 0
}

// caller returns the uid and gid of the process making the request.
func caller(ctx context.Context) (p9.UID, p9.GID) {
	if c, ok := fuse.FromContext(ctx); ok {
		return p9.UID(c.Uid), p9.GID(c.Gid)
	}
	return p9.NoUID, p9.NoGID
}

// Create creates and opens a file: Tlcreate turns a clone of the
// directory's fid into the open file, and a walk gives the node its own.
func (n *node) Create(ctx context.Context, name string, flags uint32, mode uint32, out *fuse.EntryOut) (*fs.Inode, fs.FileHandle, uint32, syscall.Errno) {
	r, errno := n.acquire(ctx)
	if errno != 0 {
		return nil, nil, 0, errno
	}
	defer r.put()
	uid, gid := caller(ctx)
	var f p9.File
	errno = n.b.s.run(ctx, func() error {
		_, dir, err := r.f.Walk(nil)
		if err != nil {
			return err
		}
		nf, _, _, err := dir.Create(name, openFlags(flags), p9.FileMode(mode&0o7777), uid, gid)
		if err != nil {
			dir.Close()
			return err
		}
		f = nf
		return nil
	}, func() {
		if f != nil {
			f.Close()
		}
	})
	if errno != 0 {
		return nil, nil, 0, errno
	}
	ch, errno := n.created(ctx, r, name, out)
	if errno != 0 {
		go f.Close()
		return nil, nil, 0, errno
	}
	cn, _ := ch.Operations().(*node)
	if cn == nil {
		cn = n
	}
	return ch, cn.newFileHandle(f, false), n.b.openFlags(), 0
}

// Mkdir creates a directory.
func (n *node) Mkdir(ctx context.Context, name string, mode uint32, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	uid, gid := caller(ctx)
	return n.make(ctx, name, out, func(dir p9.File) error {
		_, err := dir.Mkdir(name, p9.FileMode(mode&0o7777), uid, gid)
		return err
	})
}

// Mknod creates a device, fifo or socket file.
func (n *node) Mknod(ctx context.Context, name string, mode uint32, dev uint32, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	uid, gid := caller(ctx)
	return n.make(ctx, name, out, func(dir p9.File) error {
		_, err := dir.Mknod(name, p9.FileMode(mode), unixMajor(dev), unixMinor(dev), uid, gid)
		return err
	})
}

// unixMajor and unixMinor split a Linux dev_t as the kernel encodes it
// in a FUSE request.
func unixMajor(dev uint32) uint32 { return (dev >> 8) & 0xfff }
func unixMinor(dev uint32) uint32 { return (dev & 0xff) | ((dev >> 12) & 0xfff00) }

// Symlink creates a symbolic link.
func (n *node) Symlink(ctx context.Context, target, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	uid, gid := caller(ctx)
	return n.make(ctx, name, out, func(dir p9.File) error {
		_, err := dir.Symlink(target, name, uid, gid)
		return err
	})
}

// Link makes name another link to target.
func (n *node) Link(ctx context.Context, target fs.InodeEmbedder, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	tn, ok := target.(*node)
	if !ok {
		return nil, syscall.EXDEV
	}
	tr, errno := tn.acquire(ctx)
	if errno != 0 {
		return nil, errno
	}
	defer tr.put()
	return n.make(ctx, name, out, func(dir p9.File) error {
		return dir.Link(tr.f, name)
	})
}

// make runs a call that creates name in the directory, then looks it up.
func (n *node) make(ctx context.Context, name string, out *fuse.EntryOut, create func(dir p9.File) error) (*fs.Inode, syscall.Errno) {
	r, errno := n.acquire(ctx)
	if errno != 0 {
		return nil, errno
	}
	defer r.put()
	if errno := n.b.s.run(ctx, func() error { return create(r.f) }, nil); errno != 0 {
		return nil, errno
	}
	return n.created(ctx, r, name, out)
}

// Readlink reads a symbolic link.
func (n *node) Readlink(ctx context.Context) ([]byte, syscall.Errno) {
	r, errno := n.acquire(ctx)
	if errno != 0 {
		return nil, errno
	}
	defer r.put()
	var target string
	errno = n.b.s.run(ctx, func() (err error) {
		target, err = r.f.Readlink()
		return err
	}, nil)
	if errno != 0 {
		return nil, errno
	}
	return []byte(target), 0
}

// atRemoveDir is Linux's AT_REMOVEDIR, which 9P2000.L's Tunlinkat uses.
const atRemoveDir = 0x200

// Unlink removes a file.
func (n *node) Unlink(ctx context.Context, name string) syscall.Errno {
	return n.unlink(ctx, name, 0)
}

// Rmdir removes a directory.
func (n *node) Rmdir(ctx context.Context, name string) syscall.Errno {
	return n.unlink(ctx, name, atRemoveDir)
}

func (n *node) unlink(ctx context.Context, name string, flags uint32) syscall.Errno {
	r, errno := n.acquire(ctx)
	if errno != 0 {
		return errno
	}
	defer r.put()
	errno = n.b.s.run(ctx, func() error { return r.f.UnlinkAt(name, flags) }, nil)
	if !unsupported(errno) {
		return errno
	}
	// Servers without Tunlinkat (diod) still have Tremove.
	return n.b.s.run(ctx, func() error {
		_, f, err := r.f.Walk([]string{name})
		if err != nil {
			return err
		}
		rf, ok := f.(interface{ Remove() error })
		if !ok {
			f.Close()
			return syscall.ENOSYS
		}
		return rf.Remove()
	}, nil)
}

// unsupported reports whether errno says the server lacks a call.
func unsupported(errno syscall.Errno) bool {
	return errno == syscall.ENOSYS || errno == syscall.EOPNOTSUPP
}

// Linux renameat2 flags.
const (
	renameNoReplace = 1 << 0
	renameExchange  = 1 << 1
)

// Rename renames name to newName in newParent. 9P has no atomic
// exchange; no-replace is checked with a walk just before the rename.
func (n *node) Rename(ctx context.Context, name string, newParent fs.InodeEmbedder, newName string, flags uint32) syscall.Errno {
	np, ok := newParent.(*node)
	if !ok {
		return syscall.EXDEV
	}
	if flags&renameExchange != 0 || flags&^(renameNoReplace|renameExchange) != 0 {
		return syscall.EINVAL
	}
	r, errno := n.acquire(ctx)
	if errno != 0 {
		return errno
	}
	defer r.put()
	nr, errno := np.acquire(ctx)
	if errno != 0 {
		return errno
	}
	defer nr.put()
	if flags&renameNoReplace != 0 {
		_, f, _, _, errno := n.walkAttr(ctx, nr, newName)
		switch errno {
		case 0:
			go f.Close()
			return syscall.EEXIST
		case syscall.ENOENT:
		default:
			return errno
		}
	}
	errno = n.b.s.run(ctx, func() error { return r.f.RenameAt(name, nr.f, newName) }, nil)
	if unsupported(errno) {
		// Servers without Trenameat (diod) still have Trename.
		errno = n.b.s.run(ctx, func() error {
			_, f, err := r.f.Walk([]string{name})
			if err != nil {
				return err
			}
			defer f.Close()
			return f.Rename(nr.f, newName)
		}, nil)
	}
	if errno != 0 {
		return errno
	}
	if ch := n.GetChild(name); ch != nil {
		if cn, ok := ch.Operations().(*node); ok {
			cn.renamed(ctx, nr, newName)
		}
	}
	return 0
}

// renamed gives a node that was just renamed a fid walked to its new
// name, and makes its descendants walk afresh when next used. Some
// servers (diod) keep a path per fid, which a rename through another fid
// leaves pointing at the old name.
func (n *node) renamed(ctx context.Context, newParent *fidRef, newName string) {
	n.dropDescendantFids()
	_, f, _, _, errno := n.walkAttr(ctx, newParent, newName)
	if errno != 0 {
		n.dropFid()
		return
	}
	n.setFid(f)
}

// dropFid releases the node's fid; the next use walks to it afresh.
func (n *node) dropFid() {
	n.mu.Lock()
	old := n.fid
	n.fid = nil
	if old != nil {
		n.b.fids.remove(n)
	}
	n.mu.Unlock()
	if old != nil {
		old.put()
	}
}

func (n *node) dropDescendantFids() {
	for _, ch := range n.Children() {
		if cn, ok := ch.Operations().(*node); ok {
			cn.dropFid()
			cn.dropDescendantFids()
		}
	}
}

// Statfs reports the server's file system statistics; a server that
// has none reports zeros rather than failing df.
func (n *node) Statfs(ctx context.Context, out *fuse.StatfsOut) syscall.Errno {
	r, errno := n.acquire(ctx)
	if errno != 0 {
		return errno
	}
	defer r.put()
	var st p9.FSStat
	errno = n.b.s.run(ctx, func() (err error) {
		st, err = r.f.StatFS()
		return err
	}, nil)
	if errno == syscall.ENOSYS || errno == syscall.EOPNOTSUPP {
		*out = fuse.StatfsOut{NameLen: 255, Bsize: 4096, Frsize: 4096}
		return 0
	}
	if errno != 0 {
		return errno
	}
	*out = fuse.StatfsOut{
		Blocks:  st.Blocks,
		Bfree:   st.BlocksFree,
		Bavail:  st.BlocksAvailable,
		Files:   st.Files,
		Ffree:   st.FilesFree,
		Bsize:   st.BlockSize,
		NameLen: st.NameLength,
		Frsize:  st.BlockSize,
	}
	return 0
}

// Fsync flushes an open file to stable storage on the server.
func (n *node) Fsync(ctx context.Context, fh fs.FileHandle, flags uint32) syscall.Errno {
	h, ok := fh.(*fileHandle)
	if !ok {
		return 0
	}
	return n.b.s.run(ctx, h.f.FSync, nil)
}
