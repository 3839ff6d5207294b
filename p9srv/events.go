package p9srv

import (
	"context"
	"sync"

	"github.com/hugelgupf/p9/linux"
	"github.com/hugelgupf/p9/p9"
)

// Events is a source of messages that clients read from event files
// (Events.File): each open of such a file receives every message sent
// after it was opened, one message per read (a message longer than the
// read continues in the next). A read waits until a message arrives, and
// returns EINTR when the client flushes it, clunks the fid or hangs up.
type Events struct {
	// Backlog bounds the messages kept for a reader that does not keep
	// up; the oldest are dropped beyond it. NewEvents sets 256.
	Backlog int

	mu      sync.Mutex
	readers map[*eventReader]struct{}
}

// NewEvents returns an Events with no readers.
func NewEvents() *Events {
	return &Events{Backlog: 256, readers: make(map[*eventReader]struct{})}
}

// Send delivers a copy of msg to every open reader.
func (e *Events) Send(msg []byte) {
	m := append([]byte(nil), msg...)
	e.mu.Lock()
	defer e.mu.Unlock()
	for r := range e.readers {
		r.push(m, e.Backlog)
	}
}

// Readers returns the number of opens reading the events.
func (e *Events) Readers() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.readers)
}

// File returns a read-only file (mode 0444) whose opens read the events.
func (e *Events) File() *File {
	return NewOpenFile(0444, func(_ context.Context, flags p9.OpenFlags) (Handle, error) {
		r := &eventReader{e: e, wake: make(chan struct{}, 1)}
		e.mu.Lock()
		e.readers[r] = struct{}{}
		e.mu.Unlock()
		return r, nil
	})
}

type eventReader struct {
	e    *Events
	wake chan struct{}

	mu    sync.Mutex
	queue [][]byte
}

func (r *eventReader) push(m []byte, backlog int) {
	r.mu.Lock()
	r.queue = append(r.queue, m)
	if backlog > 0 && len(r.queue) > backlog {
		r.queue = r.queue[len(r.queue)-backlog:]
	}
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (r *eventReader) Read(ctx context.Context, p []byte, _ int64) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		r.mu.Lock()
		if len(r.queue) > 0 {
			n := copy(p, r.queue[0])
			if n < len(r.queue[0]) {
				r.queue[0] = r.queue[0][n:]
			} else {
				r.queue = r.queue[1:]
			}
			r.mu.Unlock()
			return n, nil
		}
		r.mu.Unlock()
		select {
		case <-r.wake:
		case <-ctx.Done():
			return 0, linux.EINTR
		}
	}
}

func (r *eventReader) Write(context.Context, []byte, int64) (int, error) { return 0, linux.EBADF }

func (r *eventReader) Close() error {
	r.e.mu.Lock()
	delete(r.e.readers, r)
	r.e.mu.Unlock()
	return nil
}
