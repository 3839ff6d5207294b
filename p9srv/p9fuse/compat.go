package p9fuse

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/user"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hugelgupf/p9/p9"

	"nsh.dev/nsh/p9srv"
)

// DefaultMsize is the message size a client asks for: a 1 MiB payload,
// the largest read or write FUSE hands over at once, plus room for the
// 9P header. Servers may grant less (diod grants 64 KiB).
const DefaultMsize = 1<<20 + 4096

// handshakeTimeout bounds connecting, version negotiation and attach, so
// that a server that accepts but never answers cannot hang a mount.
const handshakeTimeout = 10 * time.Second

// 9P message types and sizes the compatibility layer reads or rewrites.
const (
	msgRlerror  = 7
	msgTversion = 100
	msgRversion = 101
	msgTattach  = 104

	headerLen  = 7       // size[4] type[1] tag[2]
	noTag      = 0xFFFF  // the tag of Tversion
	maxMessage = 4 << 20 // the largest message hugelgupf/p9 accepts
)

// A Client is a 9P2000.L connection attached to one file tree.
type Client struct {
	// Root is the attached root of the tree.
	Root p9.File
	// Msize is the negotiated maximum message size; reads and writes are
	// split to fit it.
	Msize uint32
	// Version is the protocol version the server accepted.
	Version string

	conn   net.Conn
	client *p9.Client
}

// Close closes the connection; pending calls fail.
func (c *Client) Close() error {
	return c.client.Close()
}

// Conn returns the network connection the client runs on.
func (c *Client) Conn() net.Conn { return c.conn }

// Dial connects to the 9P server at addr (a posted socket path, unix!PATH
// or tcp!HOST!PORT) and attaches to aname as the calling user.
func Dial(addr, aname string, msize uint32) (*Client, error) {
	a, err := p9srv.ParseAddr(addr)
	if err != nil {
		return nil, err
	}
	conn, err := net.DialTimeout(a.Network, a.Address, handshakeTimeout)
	if err != nil {
		return nil, dialError(err)
	}
	c, err := NewClient(conn, aname, msize)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return c, nil
}

// dialError reduces a net.OpError ("dial unix /srv/ram: connect:
// connection refused") to its cause; the caller names the address.
func dialError(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		var sys *os.SyscallError
		if errors.As(op.Err, &sys) {
			return sys.Err
		}
		return op.Err
	}
	return err
}

// NewClient runs the 9P handshake on conn and attaches to aname as the
// calling user. It routes around three faults of the hugelgupf/p9 client
// that other servers reject: it offers only 9P2000.L.Google.N versions, it
// attaches with an empty user name and no uid, and it ignores the msize
// the server grants. NewClient negotiates first (falling back to plain
// 9P2000.L), creates the p9 client with the granted msize, and rewrites
// the client's Tversion and Tattach on their way to the server.
func NewClient(conn net.Conn, aname string, msize uint32) (*Client, error) {
	if msize == 0 {
		msize = DefaultMsize
	}
	conn.SetDeadline(time.Now().Add(handshakeTimeout))
	version, granted, err := negotiate(conn, msize)
	if err != nil {
		return nil, err
	}
	uname, uid := currentUser()
	w := wrapConn(conn, version, uname, uid)
	client, err := p9.NewClient(w, p9.WithMessageSize(granted))
	if err != nil {
		return nil, fmt.Errorf("version: %w", err)
	}
	root, err := client.Attach(aname)
	if err != nil {
		if aname == "" {
			return nil, fmt.Errorf("attach: %w", err)
		}
		return nil, fmt.Errorf("attach %s: %w", aname, err)
	}
	conn.SetDeadline(time.Time{})
	return &Client{Root: root, Msize: granted, Version: version, conn: conn, client: client}, nil
}

// negotiate exchanges Tversion with the server, offering the newest
// 9P2000.L dialect first and plain 9P2000.L if that is refused (diod
// answers the Google dialect with Rlerror).
func negotiate(rw io.ReadWriter, msize uint32) (string, uint32, error) {
	var last string
	for _, want := range []string{p9.HighestVersionString(), "9P2000.L"} {
		got, granted, err := exchangeVersion(rw, want, msize)
		if err != nil {
			return "", 0, err
		}
		if strings.HasPrefix(got, "9P2000.L") {
			if granted > msize {
				granted = msize
			}
			if granted < 4096 {
				return "", 0, fmt.Errorf("version: server grants msize %d, too small", granted)
			}
			return got, granted, nil
		}
		last = got
	}
	return "", 0, fmt.Errorf("version: server does not speak 9P2000.L (%s)", last)
}

// exchangeVersion sends one Tversion and returns the version and msize of
// the reply; an Rlerror reply is reported as the version "refused".
func exchangeVersion(rw io.ReadWriter, version string, msize uint32) (string, uint32, error) {
	m := make([]byte, 0, headerLen+4+2+len(version))
	m = binary.LittleEndian.AppendUint32(m, uint32(headerLen+4+2+len(version)))
	m = append(m, msgTversion)
	m = binary.LittleEndian.AppendUint16(m, noTag)
	m = binary.LittleEndian.AppendUint32(m, msize)
	m = appendString(m, version)
	if _, err := rw.Write(m); err != nil {
		return "", 0, fmt.Errorf("version: %w", handshakeError(err))
	}
	var hdr [headerLen]byte
	if _, err := io.ReadFull(rw, hdr[:]); err != nil {
		return "", 0, fmt.Errorf("version: %w", handshakeError(err))
	}
	size := binary.LittleEndian.Uint32(hdr[:])
	if size < headerLen || size > 64<<10 {
		return "", 0, fmt.Errorf("version: bad reply size %d", size)
	}
	body := make([]byte, size-headerLen)
	if _, err := io.ReadFull(rw, body); err != nil {
		return "", 0, fmt.Errorf("version: %w", handshakeError(err))
	}
	switch hdr[4] {
	case msgRlerror:
		return "refused", 0, nil
	case msgRversion:
		if len(body) < 6 {
			return "", 0, errors.New("version: short Rversion")
		}
		granted := binary.LittleEndian.Uint32(body)
		s, ok := readString(body[4:])
		if !ok {
			return "", 0, errors.New("version: malformed Rversion")
		}
		return s, granted, nil
	default:
		return "", 0, fmt.Errorf("version: unexpected reply type %d", hdr[4])
	}
}

// handshakeError names what went wrong talking to the server in words
// a user reads: a closed connection is the server hanging up.
func handshakeError(err error) error {
	for _, hup := range append([]error{io.EOF, io.ErrUnexpectedEOF, io.ErrClosedPipe, net.ErrClosed}, hangupErrnos...) {
		if errors.Is(err, hup) {
			return errors.New("server hung up")
		}
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return errors.New("server does not answer")
	}
	return dialError(err)
}

func appendString(b []byte, s string) []byte {
	b = binary.LittleEndian.AppendUint16(b, uint16(len(s)))
	return append(b, s...)
}

func readString(b []byte) (string, bool) {
	if len(b) < 2 {
		return "", false
	}
	n := int(binary.LittleEndian.Uint16(b))
	if len(b) < 2+n {
		return "", false
	}
	return string(b[2 : 2+n]), true
}

// currentUser names the user the bridge attaches as: the login name of
// the real uid, or the uid in decimal when it has no name.
func currentUser() (string, uint32) {
	uid := os.Getuid()
	name := strconv.Itoa(uid)
	if u, err := user.LookupId(name); err == nil {
		name = u.Username
	}
	return name, uint32(uid)
}

// compatConn frames the p9 client's writes into whole messages, fixes
// Tversion and Tattach, and sends each message with one writev. (The p9
// client writes a message as up to three pieces; sent one by one they
// would cost three system calls and wake the server up to three times.)
// Reads pass through untouched.
type compatConn struct {
	net.Conn
	version string
	uname   string
	uid     uint32

	mu  sync.Mutex
	msg []byte // the start of the message being assembled
}

func newCompatConn(conn net.Conn, version, uname string, uid uint32) *compatConn {
	return &compatConn{Conn: conn, version: version, uname: uname, uid: uid}
}

// Write takes any part of the message stream. Small pieces are copied
// until a message is complete; the piece that completes a message (for
// Twrite, the payload) is sent from the caller's buffer without a copy.
func (c *compatConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	total := len(p)
	for len(p) > 0 {
		if len(c.msg) < headerLen {
			k := min(headerLen-len(c.msg), len(p))
			c.msg = append(c.msg, p[:k]...)
			p = p[k:]
		} else {
			size := int(binary.LittleEndian.Uint32(c.msg))
			if size < headerLen || size > maxMessage {
				// Not a frame this layer understands: pass it on.
				if err := c.send(p); err != nil {
					return 0, err
				}
				return total, nil
			}
			need := size - len(c.msg)
			rewrite := c.msg[4] == msgTversion || c.msg[4] == msgTattach
			if len(p) >= need && !rewrite {
				if err := c.send(p[:need]); err != nil {
					return total - len(p), err
				}
				p = p[need:]
				continue
			}
			k := min(need, len(p))
			c.msg = append(c.msg, p[:k]...)
			p = p[k:]
		}
		if err := c.sendIfComplete(); err != nil {
			return total - len(p), err
		}
	}
	return total, nil
}

// sendIfComplete sends the assembled message once it is whole. A header
// announcing a size the protocol cannot have is passed on as it is: the
// server will report the error.
func (c *compatConn) sendIfComplete() error {
	if len(c.msg) < headerLen {
		return nil
	}
	size := int(binary.LittleEndian.Uint32(c.msg))
	if len(c.msg) < size && size <= maxMessage {
		return nil
	}
	switch c.msg[4] {
	case msgTversion:
		c.msg = rewriteVersion(c.msg, c.version)
	case msgTattach:
		c.msg = rewriteAttach(c.msg, c.uname, c.uid)
	}
	return c.send(nil)
}

// send writes the assembled message followed by tail in one system call.
func (c *compatConn) send(tail []byte) error {
	bufs := net.Buffers{c.msg}
	if len(tail) > 0 {
		bufs = append(bufs, tail)
	}
	_, err := bufs.WriteTo(c.Conn)
	c.msg = c.msg[:0]
	return err
}

// rewriteVersion replaces the version string of a Tversion with the one
// the server accepted during negotiation.
func rewriteVersion(m []byte, version string) []byte {
	if version == "" || len(m) < headerLen+4 {
		return m
	}
	out := make([]byte, 0, headerLen+4+2+len(version))
	out = append(out, m[:headerLen+4]...)
	out = appendString(out, version)
	binary.LittleEndian.PutUint32(out, uint32(len(out)))
	return out
}

// rewriteAttach fills in the user of a Tattach that names none: the p9
// client sends an empty uname and n_uname NoUID, and diod refuses both.
func rewriteAttach(m []byte, uname string, uid uint32) []byte {
	// fid[4] afid[4] uname[s] aname[s] n_uname[4]
	body := m[headerLen:]
	if len(body) < 8 {
		return m
	}
	oldUname, ok := readString(body[8:])
	if !ok {
		return m
	}
	rest := body[8+2+len(oldUname):]
	aname, ok := readString(rest)
	if !ok || len(rest) < 2+len(aname)+4 {
		return m
	}
	nUname := binary.LittleEndian.Uint32(rest[2+len(aname):])
	if oldUname != "" && nUname != uint32(p9.NoUID) {
		return m
	}
	if oldUname == "" {
		oldUname = uname
	}
	if nUname == uint32(p9.NoUID) {
		nUname = uid
	}
	out := make([]byte, 0, len(m)+len(oldUname))
	out = append(out, m[:headerLen+8]...)
	out = appendString(out, oldUname)
	out = appendString(out, aname)
	out = binary.LittleEndian.AppendUint32(out, nUname)
	binary.LittleEndian.PutUint32(out, uint32(len(out)))
	return out
}
