package p9srv

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hugelgupf/p9/p9"
)

// Limits a Server applies to each connection unless told otherwise.
const (
	// DefaultMaxMsize is the largest message size the server agrees to:
	// a Tversion asking for more gets this. It is 1 MiB of data, the
	// largest read or write FUSE hands a bridge at once, plus room for
	// the headers, so that such a read takes one Tread, not two.
	DefaultMaxMsize = 1<<20 + 4096
	// DefaultMaxFids is how many fids one connection may hold; a walk
	// or attach beyond it fails with EMFILE.
	DefaultMaxFids = 16384
	// minMsize is the smallest msize the server accepts; below it not
	// even an Rgetattr fits.
	minMsize = 4096
)

// A Server serves one file tree (any p9.Attacher: a *Dir, ramfs,
// exportfs...) over 9P2000.L. It sits between each connection and
// github.com/hugelgupf/p9's server, and adds what that library lacks:
// limits on message size and fids, a -D style trace, Tauth answered so
// that diod's clients proceed, Tflush that cancels, and reads of blocking
// synthetic files served outside the library's locks and woken when the
// fid is clunked or the client hangs up.
type Server struct {
	lib      *p9.Server
	maxMsize uint32
	maxFids  int
	trace    *tracer

	connIDs atomic.Int64

	mu        sync.Mutex
	closed    bool
	conns     map[*conn]struct{}
	listeners map[net.Listener]struct{}
	wg        sync.WaitGroup
}

// An Option configures a Server.
type Option func(*Server)

// WithTrace prints every T- and R-message on w, one line each, in
// lib9p's style with the connection's number:
//
//	<-3- Twalk tag 1 fid 1 newfid 2 wnames [a b]
//	-3-> Rwalk tag 1 qids [(0000000000000005 0 d) (0000000000000007 0 )]
func WithTrace(w io.Writer) Option {
	return func(s *Server) {
		if w != nil {
			s.trace = &tracer{w: w}
		}
	}
}

// WithMaxMsize sets the largest message size agreed to (at least 4096).
func WithMaxMsize(n uint32) Option {
	return func(s *Server) { s.maxMsize = max(n, minMsize) }
}

// WithMaxFids sets how many fids one connection may hold.
func WithMaxFids(n int) Option {
	return func(s *Server) { s.maxFids = max(n, 1) }
}

// NewServer returns a server for the tree root.
func NewServer(root p9.Attacher, opts ...Option) *Server {
	s := &Server{
		lib:       p9.NewServer(root),
		maxMsize:  DefaultMaxMsize,
		maxFids:   DefaultMaxFids,
		conns:     make(map[*conn]struct{}),
		listeners: make(map[net.Listener]struct{}),
	}
	if debugEnv() {
		s.trace = &tracer{w: os.Stderr}
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// debugEnv reports whether NSHDEBUG asks for 9P traces (NSHDEBUG=9p, or
// a comma-separated list holding 9p), as -D does.
func debugEnv() bool {
	for _, w := range strings.Split(os.Getenv("NSHDEBUG"), ",") {
		if strings.TrimSpace(w) == "9p" {
			return true
		}
	}
	return false
}

// ErrServerClosed is returned by Serve and ServeConn after Close.
var ErrServerClosed = errors.New("p9srv: server closed")

// ServeConn speaks 9P on one connection (a socket, a pipe pair, stdin
// and stdout) until the client hangs up or the server is closed. It
// closes rwc before it returns.
func (s *Server) ServeConn(rwc io.ReadWriteCloser) error {
	c := newConn(s, rwc)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		rwc.Close()
		return ErrServerClosed
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		s.wg.Done()
	}()
	c.serve()
	return nil
}

// Serve accepts connections on ln and serves each until Close. It
// returns ErrServerClosed after Close, or the listener's error.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ln.Close()
		return ErrServerClosed
	}
	s.listeners[ln] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, ln)
		s.mu.Unlock()
	}()
	for {
		nc, err := ln.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			if closed {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return fmt.Errorf("p9srv: accept: %w", err)
		}
		go s.ServeConn(nc)
	}
}

// Close stops every listener, hangs up every connection (waking any
// blocked read), and waits for the connections to finish.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	for ln := range s.listeners {
		ln.Close()
	}
	for c := range s.conns {
		c.hangup()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

// tracer serialises trace lines from all connections.
type tracer struct {
	mu sync.Mutex
	w  io.Writer
}

func (t *tracer) printf(format string, args ...any) {
	t.mu.Lock()
	fmt.Fprintf(t.w, format, args...)
	t.mu.Unlock()
}
