package p9fuse

import (
	"context"
	"sync"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
	"github.com/hugelgupf/p9/p9"
)

// maxDirEntries bounds a listing, so that a server whose Treaddir
// offsets never end cannot make the bridge grow without limit.
const maxDirEntries = 1 << 22

// A dirHandle is an open directory. Its whole listing is read the first
// time it is needed and served from that copy: the kernel may resume a
// listing at any offset it was given, and 9P servers only promise to
// resume at the offsets they handed out themselves (plan9port's 9pfuse
// lost entries this way).
type dirHandle struct {
	n *node
	f p9.File

	mu      sync.Mutex
	entries []fuse.DirEntry // nil until read
	pos     int
}

var (
	_ fs.FileReaddirenter = (*dirHandle)(nil)
	_ fs.FileSeekdirer    = (*dirHandle)(nil)
	_ fs.FileReleasedirer = (*dirHandle)(nil)
	_ fs.FileFsyncdirer   = (*dirHandle)(nil)
)

// Readdirent returns the next entry, or nil at the end.
func (d *dirHandle) Readdirent(ctx context.Context) (*fuse.DirEntry, syscall.Errno) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.entries == nil {
		ents, errno := d.list(ctx)
		if errno != 0 {
			return nil, errno
		}
		d.entries = ents
	}
	if d.pos >= len(d.entries) {
		return nil, 0
	}
	e := d.entries[d.pos]
	d.pos++
	return &e, 0
}

// Seekdir moves to an offset handed out by Readdirent (its index + 1).
func (d *dirHandle) Seekdir(ctx context.Context, off uint64) syscall.Errno {
	d.mu.Lock()
	defer d.mu.Unlock()
	if off == 0 {
		// rewinddir: read the directory afresh, as getdents after
		// lseek(fd, 0, SEEK_SET) expects.
		d.entries = nil
	}
	d.pos = int(min(off, uint64(len(d.entries))))
	return 0
}

// Releasedir clunks the directory's fid.
func (d *dirHandle) Releasedir(ctx context.Context, flags uint32) {
	if !d.n.b.s.isDead() {
		go d.f.Close()
	}
}

// Fsyncdir syncs the directory on the server.
func (d *dirHandle) Fsyncdir(ctx context.Context, flags uint32) syscall.Errno {
	return d.n.b.s.run(ctx, d.f.FSync, nil)
}

// list reads the whole directory: Treaddir after Treaddir, each resuming
// at the offset of the last entry of the one before, until one comes back
// empty. "." and ".." are made here, whether or not the server lists
// them.
func (d *dirHandle) list(ctx context.Context) ([]fuse.DirEntry, syscall.Errno) {
	count := d.n.b.s.client.Msize - readdirOverhead
	var ents []p9.Dirent
	errno := d.n.b.s.run(ctx, func() error {
		var off uint64
		for len(ents) < maxDirEntries {
			more, err := d.f.Readdir(off, count)
			if err != nil {
				return err
			}
			if len(more) == 0 {
				return nil
			}
			next := more[len(more)-1].Offset
			ents = append(ents, more...)
			if next == off {
				return nil
			}
			off = next
		}
		return nil
	}, nil)
	if errno != 0 {
		return nil, errno
	}
	self := d.n.StableAttr().Ino
	parent := self
	if _, p := d.n.Parent(); p != nil {
		parent = p.StableAttr().Ino
	}
	out := make([]fuse.DirEntry, 0, len(ents)+2)
	out = append(out,
		fuse.DirEntry{Name: ".", Mode: syscall.S_IFDIR, Ino: self, Off: 1},
		fuse.DirEntry{Name: "..", Mode: syscall.S_IFDIR, Ino: parent, Off: 2})
	for _, e := range ents {
		if e.Name == "." || e.Name == ".." || e.Name == "" {
			continue
		}
		out = append(out, fuse.DirEntry{
			Name: e.Name,
			Mode: qidMode(e.QID, e.Type),
			Ino:  inoOf(e.QID),
			Off:  uint64(len(out) + 1),
		})
	}
	return out, 0
}

// readdirOverhead is what an Rreaddir needs besides its entries:
// size[4] type[1] tag[2] count[4], with room to spare.
const readdirOverhead = 64
