package p9fuse

import (
	"context"
	"io"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
	"github.com/hugelgupf/p9/p9"
)

// maxIO is the largest read or write the kernel sends (FUSE max_read and
// max_write).
const maxIO = 1 << 20

// A fileHandle is an open file: a fid of its own, opened on the server,
// clunked on release.
type fileHandle struct {
	b *fsys
	n *node
	f p9.File
	// plain is set when the server vouched, in its reply to the open,
	// that the file is a plain file (p9srv.IsPlainOpen): reads at any
	// offset are independent and have no side effects, so without the
	// page cache the handle reads ahead while a program streams it.
	plain bool

	mu sync.Mutex
	// pending are reads running or done and not yet claimed: one
	// given up on, or the chunks read ahead, in order of offset.
	pending []*pendingRead
	lastEnd int64 // where the last whole read ended, -1 if none
}

// A pendingRead is one Tread on its way. When the request that started
// it is interrupted and gives up, the read keeps going and its data is
// kept for the next read at the same offset: the program that caught the
// signal usually reads again, and on a synthetic file (an event stream)
// that data would otherwise be lost.
type pendingRead struct {
	off  int64
	n    int // bytes asked for
	buf  *[]byte
	data []byte // what was read, once done is closed
	err  error
	done chan struct{}

	// ahead marks a read the bridge made before the kernel asked for
	// it; issued is when it went to the server, and gen the node's
	// write generation then.
	ahead  bool
	issued time.Time
	gen    uint64
}

// readAheadAge bounds how long data read ahead stays usable: a read
// that claims it comes at most this long after the data was asked of
// the server, so the reader sees the file as it was no earlier than
// that (as if its own read had taken that much longer), and writes
// made through the mount meanwhile discard it (see node.writes).
const readAheadAge = 5 * time.Millisecond

// readAheadChunks is how many chunks are read ahead of a program
// streaming a file.
const readAheadChunks = 4

var (
	_ fs.FileReader   = (*fileHandle)(nil)
	_ fs.FileWriter   = (*fileHandle)(nil)
	_ fs.FileReleaser = (*fileHandle)(nil)
	_ fs.FileFlusher  = (*fileHandle)(nil)
)

// newFileHandle makes the handle of f, opened for n; plain says whether
// the server vouched that it is a plain file.
func (n *node) newFileHandle(f p9.File, plain bool) *fileHandle {
	return &fileHandle{b: n.b, n: n, f: f, plain: plain, lastEnd: -1}
}

// bufPool holds maxIO-sized buffers for reads and writes. A 9P call may
// outlive its FUSE request (it is abandoned when interrupted), so data
// never goes through the kernel's request buffers: a buffer returns to
// the pool only when both the call and the reply to the kernel are done.
var bufPool = sync.Pool{New: func() any {
	b := make([]byte, maxIO)
	return &b
}}

// smallIO is the size below which a buffer is simply allocated.
const smallIO = 16 << 10

func getBuf(n int) *[]byte {
	if n <= smallIO || n > maxIO {
		b := make([]byte, n)
		return &b
	}
	b := bufPool.Get().(*[]byte)
	*b = (*b)[:n]
	return b
}

func putBuf(b *[]byte) {
	if cap(*b) == maxIO {
		*b = (*b)[:maxIO]
		bufPool.Put(b)
	}
}

// readResult hands a pooled buffer to go-fuse, which calls Done once the
// reply is written.
type readResult struct {
	buf  *[]byte
	data []byte
}

func (r *readResult) Bytes(_ []byte) ([]byte, fuse.Status) { return r.data, fuse.OK }
func (r *readResult) Size() int                            { return len(r.data) }
func (r *readResult) Done()                                { putBuf(r.buf) }

// Read reads at off. A short read is returned as it is: a synthetic
// file may have no more to say for now.
func (h *fileHandle) Read(ctx context.Context, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	if h.b.s.isDead() {
		return nil, syscall.EIO
	}
	p := h.claim(off)
	switch {
	case p == nil:
		p = h.startRead(len(dest), off, false)
	case p.ahead:
		// The program is streaming the file: ask for the next
		// chunk now, while this one goes to it.
		h.readAhead(off+int64(len(dest)), len(dest))
	}
	if errno := h.wait(ctx, p); errno != 0 {
		return nil, errno
	}
	if p.ahead && (p.err != nil || len(p.data) < len(dest) || h.n.writes.Load() != p.gen) {
		// Data read ahead serves only whole, and only if nothing was
		// written through the mount since: the file may have grown
		// or changed. Read afresh.
		putBuf(p.buf)
		p = h.startRead(len(dest), off, false)
		if errno := h.wait(ctx, p); errno != 0 {
			return nil, errno
		}
	}
	if p.err != nil {
		putBuf(p.buf)
		return nil, h.b.s.errno(p.err)
	}
	data := p.data
	if len(data) == len(dest) {
		h.streamed(off, len(dest))
	}
	if len(data) > len(dest) {
		// Read before with a larger buffer: keep the rest for the
		// read that continues where this one ends.
		rest := &pendingRead{off: off + int64(len(dest)), n: len(data) - len(dest), buf: p.buf, data: data[len(dest):], done: p.done,
			ahead: p.ahead, issued: p.issued, gen: p.gen}
		h.keep(rest)
		return fuse.ReadResultData(slices.Clone(data[:len(dest)])), 0
	}
	return &readResult{buf: p.buf, data: data}, 0
}

// wait waits for p (see session.await); a read interrupted and given up
// on is kept for the next read at its offset.
func (h *fileHandle) wait(ctx context.Context, p *pendingRead) syscall.Errno {
	errno := h.b.s.await(ctx, p.done)
	if errno == syscall.EINTR {
		h.keep(p)
	}
	return errno
}

// claim takes the pending read if it is at off and still usable, and
// discards all pending reads otherwise.
func (h *fileHandle) claim(off int64) *pendingRead {
	h.mu.Lock()
	var p *pendingRead
	if len(h.pending) > 0 {
		q := h.pending[0]
		if q.off == off && (!q.ahead || time.Since(q.issued) <= readAheadAge && h.n.writes.Load() == q.gen) {
			p = q
			h.pending = slices.Delete(h.pending, 0, 1)
		}
	}
	var stale []*pendingRead
	if p == nil {
		stale, h.pending = h.pending, nil
	}
	h.mu.Unlock()
	discardAll(stale)
	return p
}

// discardAll discards reads nobody will claim.
func discardAll(ps []*pendingRead) {
	for _, p := range ps {
		go p.discard()
	}
}

// streamed notes a whole read of n bytes at off: a second one that
// starts where the last ended means the program streams the file, and
// the reading ahead begins.
func (h *fileHandle) streamed(off int64, n int) {
	h.mu.Lock()
	sequential := off == h.lastEnd
	h.lastEnd = off + int64(n)
	h.mu.Unlock()
	if sequential {
		h.readAhead(off+int64(n), n)
	}
}

// readAhead makes sure that readAheadChunks reads of n bytes from off
// on are running before the kernel asks for them, if that is allowed
// and worth it: on a plain file of a mount without the page cache
// (which reads ahead by itself), for a program reading maxIO at a time
// (the kernel sends it one read at a time, so the next chunks come
// from the server while this one goes to the program), and with no
// read kept other than chunks read ahead from off.
func (h *fileHandle) readAhead(off int64, n int) {
	if !h.plain || h.b.cache || n != maxIO {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	next := off
	for _, p := range h.pending {
		if !p.ahead || p.off != next || p.n != n {
			return
		}
		next += int64(n)
	}
	for len(h.pending) < readAheadChunks {
		h.pending = append(h.pending, h.startRead(n, next, true))
		next += int64(n)
	}
}

// startRead starts a read of n bytes at off into a buffer of its own;
// ahead marks a read the kernel has not asked for.
func (h *fileHandle) startRead(n int, off int64, ahead bool) *pendingRead {
	p := &pendingRead{off: off, n: n, buf: getBuf(n), done: make(chan struct{}), ahead: ahead}
	if ahead {
		p.issued, p.gen = time.Now(), h.n.writes.Load()
	}
	go func() {
		var k int
		var err error
		if h.b.cache && n > h.b.chunk {
			k, err = h.readChunks(*p.buf, off)
		} else {
			k, err = h.f.ReadAt(*p.buf, off)
		}
		if err == io.EOF {
			// Only the bare io.EOF is the end of the file: a
			// p9.ConnError wrapping io.EOF also "is" io.EOF.
			err = nil
		}
		p.data, p.err = (*p.buf)[:k], err
		close(p.done)
	}()
	return p
}

// readChunks fills buf from off with one Tread per message-sized chunk,
// all at once rather than one after the other, so that the server works
// on the next chunk while this side copies the last. It is only for
// cached mounts: their files are real files, where a read of one part
// does not change another (on a synthetic file it might: an event
// stream ignores the offset). The data ends at the first short chunk.
func (h *fileHandle) readChunks(buf []byte, off int64) (int, error) {
	chunk := h.b.chunk
	nchunks := (len(buf) + chunk - 1) / chunk
	counts := make([]int, nchunks)
	errs := make([]error, nchunks)
	var wg sync.WaitGroup
	for i := range nchunks {
		lo, hi := i*chunk, min((i+1)*chunk, len(buf))
		wg.Go(func() {
			counts[i], errs[i] = h.f.ReadAt(buf[lo:hi], off+int64(lo))
		})
	}
	wg.Wait()
	total := 0
	for i := range nchunks {
		if errs[i] != nil && errs[i] != io.EOF {
			if total > 0 {
				return total, nil
			}
			return 0, errs[i]
		}
		total += counts[i]
		if counts[i] < min(chunk, len(buf)-i*chunk) {
			break
		}
	}
	return total, nil
}

// keep makes p the read that the next Read claims, discarding the
// others.
func (h *fileHandle) keep(p *pendingRead) {
	h.mu.Lock()
	old := h.pending
	h.pending = []*pendingRead{p}
	h.mu.Unlock()
	discardAll(old)
}

// discard waits for an unclaimed read to end and recycles its buffer.
func (p *pendingRead) discard() {
	<-p.done
	putBuf(p.buf)
}

// Write writes data at off, from a copy that the call owns.
func (h *fileHandle) Write(ctx context.Context, data []byte, off int64) (uint32, syscall.Errno) {
	defer h.n.written()()
	buf := getBuf(len(data))
	copy(*buf, data)
	var n int
	errno, abandoned := h.b.s.call(ctx, func() (err error) {
		n, err = h.f.WriteAt(*buf, off)
		return err
	}, func() { putBuf(buf) })
	if !abandoned {
		putBuf(buf)
	}
	if errno != 0 {
		return 0, errno
	}
	return uint32(n), 0
}

// Flush does nothing: 9P has no per-descriptor close, and the fid is
// clunked when the last descriptor goes (Release).
func (h *fileHandle) Flush(ctx context.Context) syscall.Errno { return 0 }

// Release clunks the open fid and drops the read kept or made ahead.
func (h *fileHandle) Release(ctx context.Context) syscall.Errno {
	h.mu.Lock()
	old := h.pending
	h.pending = nil
	h.mu.Unlock()
	discardAll(old)
	if h.b.s.isDead() {
		return 0
	}
	go h.f.Close()
	return 0
}
