package p9srv

import (
	"context"
	"sync"

	"github.com/hugelgupf/p9/linux"
	"github.com/hugelgupf/p9/p9"
)

// MaxMemFileSize bounds a file kept in memory, so that one write at a
// huge offset cannot exhaust the server's memory. Set it before serving.
var MaxMemFileSize int64 = 1 << 30

// Open flags of 9P2000.L beyond the access mode, as Linux numbers them.
const (
	openTrunc  = 0o1000
	openAppend = 0o2000
)

// MemFile returns a readable and writable file (mode 0644) that keeps its
// contents in memory, starting with a copy of content. Clients create
// such files in writable directories.
func MemFile(content []byte) *File {
	f := newFile(0644)
	d := &memData{b: append([]byte(nil), content...)}
	f.size = d.len
	f.truncate = func(n int64) error {
		if err := d.truncate(n); err != nil {
			return err
		}
		f.touch()
		return nil
	}
	f.open = func(_ context.Context, flags p9.OpenFlags) (Handle, error) {
		return &memHandle{f: f, d: d, append: flags&openAppend != 0}, nil
	}
	return f
}

type memData struct {
	mu sync.RWMutex
	b  []byte
}

func (d *memData) len() int64 {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return int64(len(d.b))
}

func (d *memData) truncate(n int64) error {
	if n < 0 {
		return linux.EINVAL
	}
	if n > MaxMemFileSize {
		return linux.EFBIG
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if n <= int64(len(d.b)) {
		clear(d.b[n:])
		d.b = d.b[:n]
		return nil
	}
	d.b = append(d.b, make([]byte, int(n)-len(d.b))...)
	return nil
}

type memHandle struct {
	f      *File
	d      *memData
	append bool
}

func (h *memHandle) Read(_ context.Context, p []byte, off int64) (int, error) {
	h.d.mu.RLock()
	defer h.d.mu.RUnlock()
	return ReadBytes(p, off, h.d.b)
}

func (h *memHandle) Write(_ context.Context, p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, linux.EINVAL
	}
	h.d.mu.Lock()
	if h.append {
		off = int64(len(h.d.b))
	}
	end := off + int64(len(p))
	if end > MaxMemFileSize {
		h.d.mu.Unlock()
		return 0, linux.EFBIG
	}
	if end > int64(len(h.d.b)) {
		if end > int64(cap(h.d.b)) {
			nb := make([]byte, end, max(end, 2*int64(cap(h.d.b))))
			copy(nb, h.d.b)
			h.d.b = nb
		} else {
			h.d.b = h.d.b[:end]
		}
	}
	n := copy(h.d.b[off:], p)
	h.d.mu.Unlock()
	h.f.touch()
	return n, nil
}

func (h *memHandle) Close() error { return nil }
