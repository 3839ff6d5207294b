package p9fuse

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/hugelgupf/p9/linux"
	"github.com/hugelgupf/p9/p9"
)

// A session is the bridge's side of one 9P connection: it runs calls and
// records the moment the connection is lost.
type session struct {
	client *Client

	deadOnce sync.Once
	dead     chan struct{} // closed when the connection is lost
	deadErr  error         // why; set before dead is closed
}

func newSession(c *Client) *session {
	return &session{client: c, dead: make(chan struct{})}
}

// fail records that the connection is lost and closes it, so that every
// pending call returns at once and every later one fails with EIO.
func (s *session) fail(err error) {
	s.deadOnce.Do(func() {
		s.deadErr = err
		close(s.dead)
		s.client.Close()
	})
}

// isDead reports whether the connection is lost.
func (s *session) isDead() bool {
	select {
	case <-s.dead:
		return true
	default:
		return false
	}
}

// Call states, for the handover between a call's goroutine and its waiter.
const (
	callRunning int32 = iota
	callDone
	callAbandoned
)

// run runs fn, a 9P call, in its own goroutine and waits for it, for the
// FUSE request's cancellation or for the loss of the connection,
// whichever comes first. The p9 client cannot cancel a call (it has no
// Tflush), so an interrupted call is abandoned: the system call returns
// EINTR now, and when fn finally returns, abandon (if not nil) releases
// what fn produced. fn must therefore not write into memory the caller
// keeps: read into a buffer of its own.
func (s *session) run(ctx context.Context, fn func() error, abandon func()) syscall.Errno {
	errno, _ := s.call(ctx, fn, abandon)
	return errno
}

// call is run, also reporting whether the call was abandoned (and so
// whether abandon will run).
func (s *session) call(ctx context.Context, fn func() error, abandon func()) (errno syscall.Errno, abandoned bool) {
	if s.isDead() {
		return syscall.EIO, false
	}
	var state atomic.Int32
	done := make(chan error, 1)
	go func() {
		err := fn()
		done <- err
		if !state.CompareAndSwap(callRunning, callDone) && abandon != nil {
			abandon()
		}
	}()
	var why syscall.Errno
	select {
	case err := <-done:
		return s.errno(err), false
	case <-ctx.Done():
		why = syscall.EINTR
	case <-s.dead:
		why = syscall.EIO
	}
	if state.CompareAndSwap(callRunning, callAbandoned) {
		return why, true
	}
	// The call finished while we were giving up on it: use its result.
	return s.errno(<-done), false
}

// errno maps an error of the p9 client onto the errno FUSE returns. A
// broken connection is EIO, and it takes the whole session down.
func (s *session) errno(err error) syscall.Errno {
	if err == nil {
		return 0
	}
	var ce p9.ConnError
	if errors.As(err, &ce) {
		s.fail(err)
		return syscall.EIO
	}
	if s.isDead() {
		return syscall.EIO
	}
	var e linux.Errno
	if errors.As(err, &e) {
		return syscall.Errno(e)
	}
	return syscall.Errno(linux.ExtractErrno(err))
}
