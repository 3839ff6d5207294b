package p9srv

import (
	"context"
	"io"

	"github.com/hugelgupf/p9/linux"
	"github.com/hugelgupf/p9/p9"
)

// A Handle is one open file: the state behind an opened fid. Read and
// Write get a context that is cancelled when the client flushes the
// request, clunks the fid or hangs up, or the server shuts down, so a
// Read that waits for something to happen must also wait on ctx.Done.
//
// Read returns 0, nil or io.EOF at the end of the data; the framework
// turns either into the end-of-file answer the protocol wants.
//
// A Server serves reads and writes of files that may block outside the
// 9P library. Calls that reach a file through the library instead (a
// tree served by a bare p9.Server, or a read a client sent before the
// reply to its open) get a context that also expires after a second,
// because the library holds its locks for the call and cannot cancel it.
type Handle interface {
	Read(ctx context.Context, p []byte, off int64) (int, error)
	Write(ctx context.Context, p []byte, off int64) (int, error)
	Close() error
}

// A File is a file of a synthetic tree whose contents come from Go code.
// Make one with StaticFile, ReadFile, NewFile, CtlFile, MemFile,
// NewOpenFile or Events.File.
type File struct {
	meta
	open     func(ctx context.Context, flags p9.OpenFlags) (Handle, error)
	size     func() int64
	truncate func(size int64) error

	// blocking marks files whose reads or writes may wait (callbacks
	// that take a context). A Server serves their reads and writes
	// itself, outside the locks of the 9P library, and cancels them on
	// Tflush, Tclunk and hang-up.
	blocking bool
}

func newFile(perm p9.FileMode) *File {
	f := &File{}
	f.init(p9.ModeRegular | perm.Permissions())
	return f
}

// WithPerm sets the permission bits and returns f.
func (f *File) WithPerm(perm uint32) *File {
	f.setPerm(p9.FileMode(perm))
	return f
}

// Size reports the file's size as clients see it: the length of its
// contents where it is known, 0 for synthetic files.
func (f *File) Size() int64 {
	if f.size == nil {
		return 0
	}
	return f.size()
}

// StaticFile returns a read-only file (mode 0444) holding content.
func StaticFile(content string) *File {
	b := []byte(content)
	f := newFile(0444)
	f.size = func() int64 { return int64(len(b)) }
	f.open = func(context.Context, p9.OpenFlags) (Handle, error) { return bytesHandle(b), nil }
	return f
}

// ReadFile returns a read-only file (mode 0444) whose contents gen
// produces each time the file is opened, so one open reads one
// consistent snapshot however many reads it takes.
func ReadFile(gen func() ([]byte, error)) *File {
	f := newFile(0444)
	f.open = func(context.Context, p9.OpenFlags) (Handle, error) {
		b, err := gen()
		if err != nil {
			return nil, err
		}
		return bytesHandle(b), nil
	}
	return f
}

// Funcs are the callbacks of a file made by NewFile. A nil Read or
// Write makes the file write-only or read-only.
type Funcs struct {
	Read  func(ctx context.Context, p []byte, off int64) (int, error)
	Write func(ctx context.Context, p []byte, off int64) (int, error)
	// Truncate, if set, is called for O_TRUNC opens and size changes;
	// without it they succeed and do nothing, so `echo x > file` works.
	Truncate func(size int64) error
}

// NewFile returns a file whose reads and writes call fn, lib9p style:
// the callbacks see every request's offset and count. The mode is 0444,
// 0200 or 0644 depending on which callbacks are set.
func NewFile(fn Funcs) *File {
	perm := p9.FileMode(0)
	if fn.Read != nil {
		perm |= 0444
	}
	if fn.Write != nil {
		perm |= 0200
	}
	f := newFile(perm)
	f.blocking = true
	f.truncate = fn.Truncate
	if f.truncate == nil {
		f.truncate = func(int64) error { return nil }
	}
	h := funcsHandle{fn}
	f.open = func(context.Context, p9.OpenFlags) (Handle, error) { return h, nil }
	return f
}

// NewOpenFile returns a file with mode perm whose open calls open, for
// files that keep state per open (a clone file that allocates a
// connection, a reader's position in an event stream). ctx is cancelled
// when the fid is clunked or the client goes away; the Handle's Close is
// called once the fid is gone and no call is running.
func NewOpenFile(perm uint32, open func(ctx context.Context, flags p9.OpenFlags) (Handle, error)) *File {
	f := newFile(p9.FileMode(perm))
	f.blocking = true
	f.open = open
	f.truncate = func(int64) error { return nil }
	return f
}

// bytesHandle reads a fixed byte slice.
type bytesHandle []byte

func (b bytesHandle) Read(_ context.Context, p []byte, off int64) (int, error) {
	return ReadBytes(p, off, b)
}

func (bytesHandle) Write(context.Context, []byte, int64) (int, error) { return 0, linux.EBADF }
func (bytesHandle) Close() error                                      { return nil }

type funcsHandle struct{ fn Funcs }

func (h funcsHandle) Read(ctx context.Context, p []byte, off int64) (int, error) {
	if h.fn.Read == nil {
		return 0, linux.EBADF
	}
	return h.fn.Read(ctx, p, off)
}

func (h funcsHandle) Write(ctx context.Context, p []byte, off int64) (int, error) {
	if h.fn.Write == nil {
		return 0, linux.EBADF
	}
	return h.fn.Write(ctx, p, off)
}

func (funcsHandle) Close() error { return nil }

// ReadBytes copies data from offset off into p, for Read callbacks that
// serve a byte slice; it returns io.EOF at the end.
func ReadBytes(p []byte, off int64, data []byte) (int, error) {
	if off < 0 {
		return 0, linux.EINVAL
	}
	if off >= int64(len(data)) {
		return 0, io.EOF
	}
	return copy(p, data[off:]), nil
}

// ReadString is ReadBytes for a string.
func ReadString(p []byte, off int64, s string) (int, error) {
	if off < 0 {
		return 0, linux.EINVAL
	}
	if off >= int64(len(s)) {
		return 0, io.EOF
	}
	return copy(p, s[off:]), nil
}

// A Symlink is a symbolic link in a synthetic tree. The server never
// follows it; clients read its target.
type Symlink struct {
	meta
	target string
}

// NewSymlink returns a symbolic link to target.
func NewSymlink(target string) *Symlink {
	s := &Symlink{target: target}
	s.init(p9.ModeSymlink | 0777)
	return s
}

// Target returns the link's target.
func (s *Symlink) Target() string { return s.target }
