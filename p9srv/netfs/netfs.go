// Package netfs serves TCP as files, after Plan 9's ip(3), so that any
// program that can open files can make and take connections:
//
//	tcp/clone        open it to get a new conversation; reading it
//	                 gives its number N (no newline, as on Plan 9), and
//	                 writes to it are commands for N/ctl
//	tcp/N/ctl        commands: "connect HOST!PORT", "announce PORT",
//	                 "announce HOST!PORT" ("*" for every address),
//	                 "hangup"; reading gives N
//	tcp/N/data       the byte stream: reads wait for data (0 bytes at
//	                 the end of the stream), writes send
//	tcp/N/listen     after announce: each read waits for a call and
//	                 gives the number M of a new conversation holding
//	                 it; the opened listen file then holds M as M/ctl
//	                 would (Plan 9 blocks in the open instead)
//	tcp/N/local      local address, HOST!PORT
//	tcp/N/remote     remote address, HOST!PORT
//	tcp/N/status     Closed, Established, Announced or Hungup
//
// As on Plan 9, a conversation lives while one of its clone, ctl, data
// or listen files is open: when the last is closed the connection is
// hung up and the number can be reused. So a script keeps the ctl file
// open while it uses the connection, e.g. in rc:
//
//	{
//		n=`{cat <[0=3]}
//		echo connect 127.0.0.1!8080 >[1=3]
//		cat /n/net/tcp/$n/data
//	} <>[3]/n/net/tcp/clone
//
// A read that waits returns when the client flushes it, clunks the fid,
// or hangs up.
package netfs

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hugelgupf/p9/linux"
	"github.com/hugelgupf/p9/p9"

	"nsh.dev/nsh/p9srv"
)

// MaxConversations bounds the conversations one FS holds at once.
const MaxConversations = 256

// dialTimeout bounds a connect that nobody interrupts.
const dialTimeout = 30 * time.Second

// FS is the network file tree. It implements p9.Attacher.
type FS struct {
	root *p9srv.Dir
	tcp  *proto
}

// New returns the tree, with tcp at its root.
func New() *FS {
	fs := &FS{tcp: &proto{name: "tcp"}}
	fs.tcp.dir = p9srv.NewDir(p9srv.E("clone", p9srv.NewOpenFile(0666, fs.tcp.openClone)))
	fs.root = p9srv.NewDir(p9srv.E("tcp", fs.tcp.dir))
	return fs
}

// Attach implements p9.Attacher.
func (fs *FS) Attach() (p9.File, error) { return fs.root.Attach() }

// Close hangs up every conversation.
func (fs *FS) Close() error {
	fs.tcp.mu.Lock()
	convs := append([]*conv(nil), fs.tcp.convs...)
	fs.tcp.mu.Unlock()
	for _, c := range convs {
		c.hangup()
	}
	return nil
}

// proto is one protocol directory (tcp).
type proto struct {
	name string
	dir  *p9srv.Dir

	mu    sync.Mutex
	convs []*conv
}

// alloc returns an unused conversation, held once.
func (p *proto) alloc() (*conv, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.convs {
		if c.tryReuse() {
			return c, nil
		}
	}
	if len(p.convs) >= MaxConversations {
		return nil, linux.ENFILE
	}
	c := newConv(p, len(p.convs))
	if err := p.dir.Add(strconv.Itoa(c.n), c.dir); err != nil {
		return nil, err
	}
	p.convs = append(p.convs, c)
	return c, nil
}

func (p *proto) openClone(context.Context, p9.OpenFlags) (p9srv.Handle, error) {
	c, err := p.alloc()
	if err != nil {
		return nil, err
	}
	return &ctlHandle{c: c, waiting: make(chan struct{}, 1)}, nil
}

// conv is one conversation: a connection or an announcement.
type conv struct {
	p   *proto
	n   int
	dir *p9srv.Dir

	mu       sync.Mutex
	refs     int
	state    string
	conn     net.Conn
	ln       net.Listener
	in       *stream
	calls    chan net.Conn
	stopCall chan struct{}
}

func newConv(p *proto, n int) *conv {
	c := &conv{p: p, n: n, refs: 1, state: "Closed"}
	c.dir = p9srv.NewDir(
		p9srv.E("ctl", p9srv.NewOpenFile(0666, c.openCtl)),
		p9srv.E("data", p9srv.NewOpenFile(0666, c.openData)),
		p9srv.E("listen", p9srv.NewOpenFile(0666, c.openListen)),
		p9srv.E("local", p9srv.ReadFile(func() ([]byte, error) { return []byte(c.addr(true) + "\n"), nil })),
		p9srv.E("remote", p9srv.ReadFile(func() ([]byte, error) { return []byte(c.addr(false) + "\n"), nil })),
		p9srv.E("status", p9srv.ReadFile(func() ([]byte, error) { return []byte(c.status() + "\n"), nil })),
	)
	return c
}

// tryReuse takes a free conversation.
func (c *conv) tryReuse() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.refs > 0 || c.conn != nil || c.ln != nil {
		return false
	}
	c.refs = 1
	c.state = "Closed"
	c.in = nil
	return true
}

func (c *conv) hold() {
	c.mu.Lock()
	c.refs++
	c.mu.Unlock()
}

// release drops a hold; the last one hangs up, as closing the last
// file of a conversation does on Plan 9.
func (c *conv) release() {
	c.mu.Lock()
	c.refs--
	last := c.refs == 0
	c.mu.Unlock()
	if last {
		c.hangup()
	}
}

func (c *conv) hangup() {
	c.mu.Lock()
	conn, ln, stop, in := c.conn, c.ln, c.stopCall, c.in
	c.conn, c.ln, c.stopCall = nil, nil, nil
	if conn != nil || ln != nil {
		c.state = "Closed"
	}
	c.mu.Unlock()
	if conn != nil {
		conn.Close()
	}
	if in != nil {
		in.stop()
	}
	if ln != nil {
		ln.Close()
	}
	if stop != nil {
		close(stop)
	}
}

func (c *conv) status() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.in != nil && c.state == "Established" && c.in.ended() {
		return "Hungup"
	}
	return c.state
}

// addr formats the local or remote address as Plan 9 does.
func (c *conv) addr(local bool) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var a net.Addr
	switch {
	case c.conn != nil && local:
		a = c.conn.LocalAddr()
	case c.conn != nil:
		a = c.conn.RemoteAddr()
	case c.ln != nil && local:
		a = c.ln.Addr()
	}
	if a == nil {
		return "::!0"
	}
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host + "!" + port
}

// parseAddr turns HOST!PORT (or tcp!HOST!PORT, or a bare PORT when
// announcing) into host:port; "*" means every address.
func parseAddr(s string, announce bool) (string, error) {
	f := strings.Split(s, "!")
	if len(f) == 3 && f[0] == "tcp" {
		f = f[1:]
	}
	switch {
	case len(f) == 1 && announce:
		f = []string{"*", f[0]}
	case len(f) != 2:
		return "", fmt.Errorf("%q: want HOST!PORT", s)
	}
	host, port := f[0], f[1]
	if host == "*" && announce {
		host = ""
	}
	if port == "" || (host == "" && !announce) {
		return "", fmt.Errorf("%q: want HOST!PORT", s)
	}
	return net.JoinHostPort(host, port), nil
}

// exec runs a ctl command.
func (c *conv) exec(ctx context.Context, cmd string) error {
	f := strings.Fields(cmd)
	switch {
	case len(f) == 2 && f[0] == "connect":
		return c.connect(ctx, f[1])
	case len(f) == 2 && f[0] == "announce":
		return c.announce(f[1])
	case len(f) == 1 && f[0] == "hangup":
		c.hangup()
		return nil
	}
	return fmt.Errorf("%q: unknown command (want connect HOST!PORT, announce [HOST!]PORT or hangup): %w", cmd, linux.EINVAL)
}

func (c *conv) busy() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.conn != nil || c.ln != nil
}

func (c *conv) connect(ctx context.Context, arg string) error {
	addr, err := parseAddr(arg, false)
	if err != nil {
		return fmt.Errorf("connect %w: %w", err, linux.EINVAL)
	}
	if c.busy() {
		return linux.EISCONN
	}
	ctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	c.setConn(conn)
	return nil
}

func (c *conv) setConn(conn net.Conn) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn != nil || c.ln != nil || c.refs == 0 {
		conn.Close()
		return false
	}
	c.conn = conn
	c.in = newStream(conn)
	c.state = "Established"
	return true
}

func (c *conv) announce(arg string) error {
	addr, err := parseAddr(arg, true)
	if err != nil {
		return fmt.Errorf("announce %w: %w", err, linux.EINVAL)
	}
	if c.busy() {
		return linux.EISCONN
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	c.mu.Lock()
	if c.conn != nil || c.ln != nil {
		c.mu.Unlock()
		ln.Close()
		return linux.EISCONN
	}
	c.ln = ln
	c.state = "Announced"
	c.calls = make(chan net.Conn)
	c.stopCall = make(chan struct{})
	calls, stop := c.calls, c.stopCall
	c.mu.Unlock()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			select {
			case calls <- conn:
			case <-stop:
				conn.Close()
				return
			}
		}
	}()
	return nil
}

// ctlHandle is an open clone, ctl or listen file: it holds a
// conversation, reads as its number and takes its commands.
type ctlHandle struct {
	// waiting admits one read at a time to wait for a call.
	waiting chan struct{}

	mu sync.Mutex
	c  *conv
	// listener is the announced conversation of an open listen file,
	// until a call arrives.
	listener *conv
}

func (h *ctlHandle) current() *conv {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.c
}

func (h *ctlHandle) Read(ctx context.Context, p []byte, off int64) (int, error) {
	if err := h.awaitCall(ctx); err != nil {
		return 0, err
	}
	return p9srv.ReadString(p, off, strconv.Itoa(h.current().n))
}

func (h *ctlHandle) Write(ctx context.Context, p []byte, _ int64) (int, error) {
	if err := h.awaitCall(ctx); err != nil {
		return 0, err
	}
	c := h.current()
	for _, line := range strings.Split(string(p), "\n") {
		if cmd := strings.TrimSpace(line); cmd != "" {
			if err := c.exec(ctx, cmd); err != nil {
				return 0, err
			}
		}
	}
	return len(p), nil
}

// awaitCall, for an open listen file, waits for a call and makes the
// handle hold the conversation that answers it.
func (h *ctlHandle) awaitCall(ctx context.Context) error {
	select {
	case h.waiting <- struct{}{}:
		defer func() { <-h.waiting }()
	case <-ctx.Done():
		return linux.EINTR
	}
	h.mu.Lock()
	l := h.listener
	h.mu.Unlock()
	if l == nil {
		return nil
	}
	l.mu.Lock()
	calls := l.calls
	l.mu.Unlock()
	if calls == nil {
		return linux.EINVAL
	}
	var conn net.Conn
	select {
	case conn = <-calls:
	case <-ctx.Done():
		return linux.EINTR
	}
	m, err := l.p.alloc()
	if err != nil {
		conn.Close()
		return err
	}
	m.setConn(conn)
	h.mu.Lock()
	h.c, h.listener = m, nil
	h.mu.Unlock()
	l.release()
	return nil
}

func (h *ctlHandle) Close() error {
	h.mu.Lock()
	c, l := h.c, h.listener
	h.mu.Unlock()
	if l != nil {
		l.release()
		return nil
	}
	c.release()
	return nil
}

func (c *conv) openCtl(context.Context, p9.OpenFlags) (p9srv.Handle, error) {
	c.hold()
	return &ctlHandle{c: c, waiting: make(chan struct{}, 1)}, nil
}

func (c *conv) openListen(context.Context, p9.OpenFlags) (p9srv.Handle, error) {
	c.mu.Lock()
	announced := c.ln != nil
	c.mu.Unlock()
	if !announced {
		return nil, fmt.Errorf("listen: conversation %d is not announced: %w", c.n, linux.EINVAL)
	}
	c.hold()
	return &ctlHandle{listener: c, waiting: make(chan struct{}, 1)}, nil
}

func (c *conv) openData(context.Context, p9.OpenFlags) (p9srv.Handle, error) {
	c.hold()
	return &dataHandle{c: c}, nil
}

// dataHandle is an open data file.
type dataHandle struct{ c *conv }

func (h *dataHandle) conn() (net.Conn, *stream) {
	h.c.mu.Lock()
	defer h.c.mu.Unlock()
	return h.c.conn, h.c.in
}

func (h *dataHandle) Read(ctx context.Context, p []byte, _ int64) (int, error) {
	conn, in := h.conn()
	if conn == nil {
		if in != nil {
			return 0, nil // hung up: end of stream
		}
		return 0, linux.ENOTCONN
	}
	return in.read(ctx, p)
}

func (h *dataHandle) Write(ctx context.Context, p []byte, _ int64) (int, error) {
	conn, _ := h.conn()
	if conn == nil {
		return 0, linux.ENOTCONN
	}
	stop := context.AfterFunc(ctx, func() { conn.SetWriteDeadline(time.Unix(1, 0)) })
	defer stop()
	n, err := conn.Write(p)
	if err != nil && ctx.Err() != nil {
		return n, linux.EINTR
	}
	if errors.Is(err, net.ErrClosed) {
		return n, linux.EPIPE
	}
	return n, err
}

func (h *dataHandle) Close() error {
	h.c.release()
	return nil
}
