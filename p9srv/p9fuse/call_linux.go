package p9fuse

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

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

// interruptGrace is how long an interrupted request may still finish
// normally. The kernel interrupts a FUSE request for any signal, and
// most signals are not meant to stop it: Go's runtime preempts its
// threads with SIGURG, shells get SIGCHLD. A call that finishes within
// the grace answers as if nothing happened; only one blocked for longer
// (a read waiting for an event) is given up with EINTR.
const interruptGrace = 250 * time.Millisecond

// await waits for done. It returns 0 when done is closed, EIO when the
// connection is lost, and EINTR when the request was interrupted and
// done did not follow within interruptGrace.
func (s *session) await(ctx context.Context, done <-chan struct{}) syscall.Errno {
	select {
	case <-done:
		return 0
	case <-s.dead:
		return syscall.EIO
	case <-ctx.Done():
	}
	grace := time.NewTimer(interruptGrace)
	defer grace.Stop()
	select {
	case <-done:
		return 0
	case <-s.dead:
		return syscall.EIO
	case <-grace.C:
		return syscall.EINTR
	}
}

// run runs fn, a 9P call, in its own goroutine and waits for it (see
// await). The p9 client cannot cancel a call (it has no Tflush), so a
// call given up is abandoned: the system call returns now, and when fn
// finally returns, abandon (if not nil) releases what fn produced. fn
// must therefore not write into memory the caller keeps: read into a
// buffer of its own.
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
	var (
		state  atomic.Int32
		result error
	)
	done := make(chan struct{})
	go func() {
		result = fn()
		close(done)
		if !state.CompareAndSwap(callRunning, callDone) && abandon != nil {
			abandon()
		}
	}()
	why := s.await(ctx, done)
	if why == 0 {
		return s.errno(result), false
	}
	if state.CompareAndSwap(callRunning, callAbandoned) {
		return why, true
	}
	// The call finished while we were giving up on it: use its result.
	<-done
	return s.errno(result), false
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
