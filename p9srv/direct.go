package p9srv

import (
	"context"
	"encoding/binary"
	"io"
	"os"
	"sync"

	"github.com/hugelgupf/p9/linux"
	"github.com/hugelgupf/p9/p9"

	"nsh.dev/nsh/p9srv/internal/wire"
)

// A DirectOpen is an opened regular file of a p9.File implementation
// (such as exportfs) whose reads and writes a Server's transport serves
// itself, straight from the file's descriptor, instead of passing them
// through the 9P library: a large read is spliced from the file into the
// connection without being copied, and no read waits for a goroutine of
// the library.
//
// The p9.File's Open makes one with [NewDirectOpen] and returns its
// [DirectOpen.Version] as the version of the QID it answers with (that
// is how the transport learns which fid holds the open, as the library
// never tells a File its fid) and [DirectOpen.IOUnit] as the iounit.
// The File's own ReadAt and WriteAt (which the library still calls for
// a read sent before the open's reply was seen) use [DirectOpen.File].
// Its Close calls [DirectOpen.Close].
type DirectOpen struct {
	o    *openFile
	file *os.File
}

// NewDirectOpen makes f, a regular file opened with flags, the open of
// a file whose QID path is qidPath. The DirectOpen owns f from now on:
// f is closed once Close has been called and no read or write of the
// transport still uses it.
func NewDirectOpen(f *os.File, flags p9.OpenFlags, qidPath uint64) *DirectOpen {
	o := newOpenFile(fileHandle{f}, flags, qidPath, true)
	o.file = f
	return &DirectOpen{o: o, file: f}
}

// Version is the QID version the reply to the open must carry.
func (d *DirectOpen) Version() uint32 { return d.o.token }

// IOUnit is the iounit the reply to the open carries. With the QID
// version it tells a client that knows the convention (nsh's bridge,
// through [IsPlainOpen]) that the open is a plain file: its reads at
// any offset are independent and have no side effects, so the client
// may read ahead. The value is at least 1 GiB, which other clients take
// as no limit beyond the message size.
func (d *DirectOpen) IOUnit() uint32 { return plainIOUnit(d.o.token) }

func plainIOUnit(version uint32) uint32 { return ^version | 1<<30 }

// IsPlainOpen reports whether the QID version and iounit of the reply
// to an open are those of a [DirectOpen]: the server vouches that the
// file is a plain file. Other servers' replies do not match by chance:
// the iounit must be the complement of a version with its high bit set.
func IsPlainOpen(version, iounit uint32) bool {
	return version&tokenBit != 0 && iounit == plainIOUnit(version)
}

// File returns the open file, for the calls the library makes.
func (d *DirectOpen) File() *os.File { return d.file }

// Close ends the open for its fid (the fid was clunked).
func (d *DirectOpen) Close() error {
	d.o.hangup()
	d.o.release()
	return nil
}

// fileHandle is the Handle of a DirectOpen: plain positioned I/O.
type fileHandle struct{ f *os.File }

func (h fileHandle) Read(_ context.Context, p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, linux.EINVAL
	}
	return h.f.ReadAt(p, off)
}

func (h fileHandle) Write(_ context.Context, p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, linux.EINVAL
	}
	return h.f.WriteAt(p, off)
}

func (h fileHandle) Close() error { return h.f.Close() }

// ioBufs recycles the buffers of reads served from files; a buffer is
// back in the pool once its reply is written.
var ioBufs = sync.Pool{New: func() any { return new([]byte) }}

// readFile answers a Tread of a direct open: spliced from the file when
// the connection allows it, else read into a buffer and written with
// the header in one system call.
func (c *conn) readFile(tag uint16, f *os.File, off int64, count uint32) {
	if off < 0 {
		c.reply(tag, lerrorOf(tag, linux.EINVAL), nil)
		return
	}
	if c.spliceRead(tag, f, off, int(count)) {
		return
	}
	bp := ioBufs.Get().(*[]byte)
	if cap(*bp) < int(count) {
		*bp = make([]byte, count)
	}
	buf := (*bp)[:count]
	n, err := f.ReadAt(buf, off)
	if err != nil && err != io.EOF {
		c.reply(tag, lerrorOf(tag, err), nil)
	} else {
		c.reply(tag, rreadHeader(tag, n), buf[:n])
	}
	ioBufs.Put(bp)
}

// rreadHeader is the start of an Rread carrying n bytes: the header and
// the count, which the data follows.
func rreadHeader(tag uint16, n int) []byte {
	var b [wire.IOHeaderSize]byte
	binary.LittleEndian.PutUint32(b[0:], uint32(wire.IOHeaderSize+n))
	b[4] = wire.Rread
	binary.LittleEndian.PutUint16(b[5:], tag)
	binary.LittleEndian.PutUint32(b[7:], uint32(n))
	return b[:]
}

// lerrorOf is the Rlerror answering tag with err.
func lerrorOf(tag uint16, err error) []byte {
	return wire.Lerror(tag, uint32(errnoOf(err, linux.EIO)))
}
