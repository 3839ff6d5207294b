package netfs

import (
	"context"
	"io"
	"sync"

	"github.com/hugelgupf/p9/linux"
)

// stream pumps what a connection receives, so that readers can wait for
// it and still give up when their call is cancelled (a read on the
// socket itself cannot be abandoned without disturbing other readers).
type stream struct {
	chunks chan []byte
	quit   chan struct{}
	once   sync.Once

	mu   sync.Mutex
	rest []byte // what the last reader left of a chunk
	done bool
}

func newStream(r io.Reader) *stream {
	s := &stream{chunks: make(chan []byte, 8), quit: make(chan struct{})}
	go func() {
		defer close(s.chunks)
		for {
			buf := make([]byte, 32<<10)
			n, err := r.Read(buf)
			if n > 0 {
				select {
				case s.chunks <- buf[:n]:
				case <-s.quit:
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	return s
}

// stop ends the pump once the connection is closed, even if nobody
// reads what it holds.
func (s *stream) stop() { s.once.Do(func() { close(s.quit) }) }

// read waits for data; 0, nil means the stream ended.
func (s *stream) read(ctx context.Context, p []byte) (int, error) {
	s.mu.Lock()
	if len(s.rest) > 0 {
		n := copy(p, s.rest)
		s.rest = s.rest[n:]
		s.mu.Unlock()
		return n, nil
	}
	s.mu.Unlock()
	select {
	case b, ok := <-s.chunks:
		if !ok {
			s.mu.Lock()
			s.done = true
			s.mu.Unlock()
			return 0, nil
		}
		n := copy(p, b)
		if n < len(b) {
			s.mu.Lock()
			s.rest = append(s.rest, b[n:]...)
			s.mu.Unlock()
		}
		return n, nil
	case <-ctx.Done():
		return 0, linux.EINTR
	}
}

func (s *stream) ended() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.done
}
