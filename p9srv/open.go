package p9srv

import (
	"context"
	"errors"
	"io"
	"os"
	"sync"
	"sync/atomic"

	"github.com/hugelgupf/p9/linux"
	"github.com/hugelgupf/p9/p9"

	"nsh.dev/nsh/p9srv/internal/wire"
)

// An openFile is the server side of one opened fid of a File.
//
// Opens of blocking files and DirectOpens get a token, which the Rlopen
// carries as its QID version (high bit set). The transport of a Server reads it off the
// wire to learn which fid holds which open, because the 9P library never
// tells a File its fid: with that, the transport serves the fid's reads
// and writes itself (a read that waits for an event must not hold the
// library's rename lock, or one rename would wedge the whole server),
// and cancels them when the client flushes the request, clunks the fid
// or hangs up — the library can do neither.
type openFile struct {
	h Handle
	// file is set for a DirectOpen: its reads are served from the file.
	file    *os.File
	flags   p9.OpenFlags
	token   uint32
	qidPath uint64
	ctx     context.Context
	cancel  context.CancelFunc

	mu   sync.Mutex
	refs int // one for the fid, one per running call
}

// opens maps tokens to the opens the transport serves.
var (
	opens     sync.Map // uint32 -> *openFile
	openCount atomic.Uint32
)

const tokenBit = 1 << 31

// newOpenFile makes an open; served marks the opens whose reads and
// writes the transport serves itself.
func newOpenFile(h Handle, flags p9.OpenFlags, path uint64, served bool) *openFile {
	ctx, cancel := context.WithCancel(context.Background())
	o := &openFile{h: h, flags: flags, qidPath: path, ctx: ctx, cancel: cancel, refs: 1}
	if served {
		o.token = tokenBit | openCount.Add(1)&^tokenBit
		opens.Store(o.token, o)
	}
	return o
}

// lookupOpen finds the open a Rlopen's QID names.
func lookupOpen(q p9.QID) *openFile {
	if q.Version&tokenBit == 0 {
		return nil
	}
	v, ok := opens.Load(q.Version)
	if !ok {
		return nil
	}
	o := v.(*openFile)
	if o.qidPath != q.Path {
		return nil
	}
	return o
}

func (o *openFile) canRead() bool  { return o.flags.Mode() != p9.WriteOnly }
func (o *openFile) canWrite() bool { return o.flags.Mode() != p9.ReadOnly }

// begin starts a call: it returns the call's context and a function to
// end it, or an error if the open is gone.
func (o *openFile) begin() (context.Context, context.CancelFunc, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.refs == 0 {
		return nil, nil, linux.EBADF
	}
	o.refs++
	if o.token == 0 {
		return o.ctx, func() { o.release() }, nil
	}
	ctx, cancel := context.WithCancel(o.ctx)
	return ctx, func() { cancel(); o.release() }, nil
}

// read calls the handle's Read and speaks the library's dialect: io.EOF
// at the end, errno values otherwise.
func (o *openFile) read(ctx context.Context, p []byte, off int64) (int, error) {
	n, err := o.h.Read(ctx, p, off)
	if n < 0 || n > len(p) {
		return 0, linux.EIO
	}
	if err == nil && n == 0 && len(p) > 0 {
		err = io.EOF
	}
	if err != nil && err != io.EOF {
		return n, errnoOf(err, linux.EIO)
	}
	return n, err
}

func (o *openFile) write(ctx context.Context, p []byte, off int64) (int, error) {
	n, err := o.h.Write(ctx, p, off)
	if n < 0 || n > len(p) {
		return 0, linux.EIO
	}
	if err != nil {
		var ce *cmdError
		if errors.As(err, &ce) {
			return n, errnoOf(err, linux.EINVAL)
		}
		return n, errnoOf(err, linux.EIO)
	}
	return n, nil
}

// hangup cancels every call, running or to come: the fid was clunked or
// its connection is gone.
func (o *openFile) hangup() { o.cancel() }

// release drops a reference; the last one closes the handle.
func (o *openFile) release() {
	o.mu.Lock()
	o.refs--
	last := o.refs == 0
	o.mu.Unlock()
	if last {
		o.cancel()
		if o.token != 0 {
			opens.Delete(o.token)
		}
		o.h.Close()
	}
}

// errnoOf turns an error from Go code into the errno a client sees;
// errors that carry none become def, and cancellation becomes EINTR.
func errnoOf(err error, def linux.Errno) linux.Errno {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return linux.EINTR
	}
	var e linux.Errno
	if errors.As(err, &e) {
		return e
	}
	if x := linux.ExtractErrno(err); x != linux.EIO {
		return x
	}
	return def
}

func qidOf(q wire.QID) p9.QID {
	return p9.QID{Type: p9.QIDType(q.Type), Version: q.Version, Path: q.Path}
}
