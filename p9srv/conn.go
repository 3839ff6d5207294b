package p9srv

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"github.com/hugelgupf/p9/linux"

	"nsh.dev/nsh/p9srv/internal/wire"
)

// hardMaxMessage bounds what the transport reads of a message larger
// than the agreed msize before giving up on the connection.
const hardMaxMessage = 16 << 20

// maxXattrSize bounds Txattrcreate: the library buffers the value until
// clunk, so an unbounded size would let a client fill memory.
const maxXattrSize = 64 << 10

// A request is a T-message the transport has seen and not yet answered.
type request struct {
	typ    uint8
	fid    uint32
	newfid uint32
	nwname int
	// newFid marks requests that may create newfid (attach, walks).
	newFid bool
	// flushes holds the tags of Tflushes waiting for this request.
	flushes []uint16
	// cancel is set for reads and writes the transport serves itself.
	cancel context.CancelFunc
	// suppress drops the reply of a flushed read or write.
	suppress bool
}

// conn is the transport of one connection: the io.ReadCloser and
// io.WriteCloser that the 9P library's server reads T-messages from and
// writes R-messages to. It passes messages whole, after looking at each.
type conn struct {
	s   *Server
	id  int64
	rwc io.ReadWriteCloser
	br  *bufio.Reader

	// Reader side: touched only by the library's receiving goroutine.
	rbuf    []byte
	pending []byte

	// Writer side: the library's output, collected into whole messages.
	outMu sync.Mutex
	out   []byte

	wmu sync.Mutex // serialises writes to rwc

	mu         sync.Mutex
	msize      uint32
	versioned  bool
	inflight   map[uint16]*request
	fids       map[uint32]struct{}
	pendingNew int
	opens      map[uint32]*openFile // fid -> open the transport serves
	hungup     bool

	ops       sync.WaitGroup // reads and writes served by the transport
	closeOnce sync.Once
}

// sendBuffer is the socket send buffer a connection asks for (the
// system caps it at net.core.wmem_max): a whole 1 MiB Rread, even
// several, fits, so a large read goes out in one system call and the
// client is woken once for it rather than once for each 200 KiB.
const sendBuffer = 4 << 20

func newConn(s *Server, rwc io.ReadWriteCloser) *conn {
	if wb, ok := rwc.(interface{ SetWriteBuffer(int) error }); ok {
		wb.SetWriteBuffer(sendBuffer)
	}
	return &conn{
		s:        s,
		id:       s.connIDs.Add(1),
		rwc:      rwc,
		br:       bufio.NewReaderSize(rwc, 64<<10),
		msize:    s.maxMsize,
		inflight: make(map[uint16]*request),
		fids:     make(map[uint32]struct{}),
		opens:    make(map[uint32]*openFile),
	}
}

// serve runs the library's server on the connection until it ends.
func (c *conn) serve() {
	c.s.lib.Handle(readSide{c}, writeSide{c})
	c.hangup()
	c.ops.Wait()
	c.close()
}

func (c *conn) close() {
	c.closeOnce.Do(func() { c.rwc.Close() })
}

// drainTime bounds how long a connection whose client stopped sending
// goes on writing the replies still due.
const drainTime = 10 * time.Second

// hangup wakes everything waiting on behalf of this connection and closes
// it.
func (c *conn) hangup() {
	c.cancelAll()
	// Closing the socket ends the read the library is blocked in.
	c.close()
}

// cancelAll cancels every call the connection is waiting for.
func (c *conn) cancelAll() {
	c.mu.Lock()
	c.hungup = true
	for fid, o := range c.opens {
		o.hangup()
		delete(c.opens, fid)
	}
	for _, r := range c.inflight {
		if r.cancel != nil {
			r.cancel()
		}
	}
	c.mu.Unlock()
}

type readSide struct{ c *conn }

func (r readSide) Read(p []byte) (int, error) { return r.c.read(p) }
func (r readSide) Close() error               { r.c.close(); return nil }

type writeSide struct{ c *conn }

func (w writeSide) Write(p []byte) (int, error) { return w.c.write(p) }
func (w writeSide) Close() error                { w.c.close(); return nil }

// read gives the library the next message worth its attention.
func (c *conn) read(p []byte) (int, error) {
	for len(c.pending) == 0 {
		msg, err := c.readMsg()
		if err != nil {
			// The client sent its last message; it may still read
			// the replies to what it sent (a script piping requests
			// into p9srv on stdin does), so the library finishes them
			// before the connection closes, but not for ever.
			c.cancelAll()
			time.AfterFunc(drainTime, c.close)
			return 0, err
		}
		if msg != nil {
			c.pending = c.filter(msg)
		}
	}
	n := copy(p, c.pending)
	c.pending = c.pending[n:]
	return n, nil
}

// readMsg reads one message. A message larger than msize is skipped
// and answered with EMSGSIZE (nil, nil); one too short or far too large
// ends the connection.
func (c *conn) readMsg() ([]byte, error) {
	var hdr [wire.HeaderSize]byte
	if _, err := io.ReadFull(c.br, hdr[:]); err != nil {
		return nil, err
	}
	size := binary.LittleEndian.Uint32(hdr[:])
	tag := binary.LittleEndian.Uint16(hdr[5:])
	if size < wire.HeaderSize || size > hardMaxMessage {
		c.tracef("<-%d- bad message size %d: hanging up\n", c.id, size)
		return nil, errors.New("9P message size out of range")
	}
	c.mu.Lock()
	msize := c.msize
	c.mu.Unlock()
	if size > msize {
		if _, err := c.br.Discard(int(size) - wire.HeaderSize); err != nil {
			return nil, err
		}
		c.tracef("<-%d- %s tag %d: size %d exceeds msize %d\n", c.id, wire.TypeName(hdr[4]), tag, size, msize)
		c.replyUntracked(wire.Lerror(tag, uint32(linux.EMSGSIZE)))
		return nil, nil
	}
	if cap(c.rbuf) < int(size) {
		c.rbuf = make([]byte, size)
	}
	b := c.rbuf[:size]
	copy(b, hdr[:])
	if _, err := io.ReadFull(c.br, b[wire.HeaderSize:]); err != nil {
		return nil, err
	}
	return b, nil
}

// filter looks at a T-message: it returns the message for the library,
// or nil when the transport answered it (or dropped it) itself.
func (c *conn) filter(msg []byte) []byte {
	tag := binary.LittleEndian.Uint16(msg[5:])
	f, err := wire.Unmarshal(msg)
	if c.s.trace != nil {
		if err != nil {
			c.tracef("<-%d- %s tag %d: malformed: %v\n", c.id, wire.TypeName(msg[4]), tag, err)
		} else {
			c.tracef("<-%d- %v\n", c.id, f)
		}
	}

	c.mu.Lock()
	if _, dup := c.inflight[tag]; dup {
		// The tag is in use: a reply could not say which request it
		// answers. The library drops such messages too.
		c.mu.Unlock()
		c.tracef("<-%d- tag %d already in use: message dropped\n", c.id, tag)
		return nil
	}
	r := &request{typ: msg[4]}
	c.inflight[tag] = r
	reply, forward := c.check(tag, f, err, r, msg)
	c.mu.Unlock()

	if reply != nil {
		c.reply(tag, reply, nil)
		return nil
	}
	if !forward {
		return nil
	}
	return msg
}

// check decides what becomes of a message; c.mu is held. It returns a
// reply to send in the library's stead, or whether to forward.
func (c *conn) check(tag uint16, f *wire.Fcall, decodeErr error, r *request, msg []byte) (reply []byte, forward bool) {
	lerror := func(e linux.Errno) ([]byte, bool) { return wire.Lerror(tag, uint32(e)), false }
	if decodeErr != nil {
		return lerror(linux.EINVAL)
	}
	if c.hungup {
		return lerror(linux.ECONNRESET)
	}
	if !c.versioned && f.Type != wire.Tversion {
		return lerror(linux.EPROTO)
	}
	switch f.Type {
	case wire.Tversion:
		if len(c.inflight) > 1 {
			return lerror(linux.EBUSY)
		}
		if f.Msize < minMsize {
			return lerror(linux.EINVAL)
		}
		if f.Msize > c.s.maxMsize {
			binary.LittleEndian.PutUint32(msg[7:], c.s.maxMsize)
		}
		return nil, true

	case wire.Tauth:
		// No authentication. diod's clients take ENOENT to mean "not
		// required" and go on to attach; ENOSYS, the library's
		// answer, makes them give up.
		return lerror(linux.ENOENT)

	case wire.Tflush:
		old := c.inflight[f.Oldtag]
		if old == nil || old == r || old.typ == wire.Tflush {
			return wire.Marshal(&wire.Fcall{Type: wire.Rflush, Tag: tag}), false
		}
		old.flushes = append(old.flushes, tag)
		if old.cancel != nil {
			old.suppress = true
			old.cancel()
		}
		return nil, false

	case wire.Tattach, wire.Twalk, wire.Twalkgetattr, wire.Txattrwalk:
		nf := f.Newfid
		if f.Type == wire.Tattach {
			nf = f.Fid
		}
		if _, live := c.fids[nf]; !live && len(c.fids)+c.pendingNew >= c.s.maxFids {
			return lerror(linux.EMFILE)
		}
		r.newfid, r.newFid, r.nwname = nf, true, len(f.Wnames)
		c.pendingNew++
		return nil, true

	case wire.Txattrcreate:
		if f.Size > maxXattrSize {
			return lerror(linux.E2BIG)
		}
		return nil, true

	case wire.Tread, wire.Treaddir:
		if maxCount := c.msize - wire.IOHeaderSize; f.Count > maxCount {
			f.Count = maxCount
			binary.LittleEndian.PutUint32(msg[19:], maxCount)
		}
		if o := c.opens[f.Fid]; o != nil && f.Type == wire.Tread {
			c.serveOp(tag, r, o, f, nil)
			return nil, false
		}
		r.fid = f.Fid
		return nil, true

	case wire.Twrite:
		if o := c.opens[f.Fid]; o != nil {
			c.serveOp(tag, r, o, f, append([]byte(nil), f.Data...))
			return nil, false
		}
		return nil, true

	case wire.Tclunk, wire.Tremove:
		if o := c.opens[f.Fid]; o != nil {
			o.hangup()
			delete(c.opens, f.Fid)
		}
		r.fid = f.Fid
		return nil, true

	case wire.Tlopen:
		r.fid = f.Fid
		return nil, true

	case wire.Tstatfs, wire.Tlcreate, wire.Tsymlink, wire.Tmknod, wire.Trename,
		wire.Treadlink, wire.Tgetattr, wire.Tsetattr, wire.Tfsync, wire.Tlock,
		wire.Tlink, wire.Tmkdir, wire.Trenameat, wire.Tunlinkat,
		wire.Tucreate, wire.Tumkdir, wire.Tumknod, wire.Tusymlink:
		return nil, true
	}
	return lerror(linux.EOPNOTSUPP)
}

// serveOp runs a read or write of a blocking file or a DirectOpen in its
// own goroutine, outside the library; c.mu is held.
func (c *conn) serveOp(tag uint16, r *request, o *openFile, f *wire.Fcall, data []byte) {
	ctx, end, err := o.begin()
	if err == nil {
		switch {
		case f.Type == wire.Tread && !o.canRead(), f.Type == wire.Twrite && !o.canWrite():
			end()
			err = linux.EBADF
		}
	}
	var cancel context.CancelFunc
	if err == nil {
		ctx, cancel = context.WithCancel(ctx)
		r.cancel = cancel
	}
	count, off, typ := f.Count, int64(f.Offset), f.Type
	c.ops.Add(1)
	go func() {
		defer c.ops.Done()
		var reply []byte
		switch {
		case err != nil:
			reply = wire.Lerror(tag, uint32(errnoOf(err, linux.EIO)))
		case typ == wire.Tread && o.file != nil:
			c.readFile(tag, o.file, off, count)
			cancel()
			end()
			return
		case typ == wire.Tread:
			buf := make([]byte, count)
			n, rerr := o.read(ctx, buf, off)
			if rerr != nil && rerr != io.EOF {
				reply = wire.Lerror(tag, uint32(errnoOf(rerr, linux.EIO)))
			} else {
				reply = wire.Marshal(&wire.Fcall{Type: wire.Rread, Tag: tag, Data: buf[:n]})
			}
		default:
			n, werr := o.write(ctx, data, off)
			if werr != nil {
				c.tracef("-%d- tag %d: write failed: %v\n", c.id, tag, werr)
				reply = wire.Lerror(tag, uint32(errnoOf(werr, linux.EIO)))
			} else {
				reply = wire.Marshal(&wire.Fcall{Type: wire.Rwrite, Tag: tag, Count: uint32(n)})
			}
		}
		if cancel != nil {
			cancel()
			end()
		}
		c.reply(tag, reply, nil)
	}()
}

// reply sends the answer to tag, unless the request was flushed, and
// then the Rflush of every Tflush that waited for it. The answer is msg
// followed by tail (which may be nil): the library's large payloads are
// passed on without being copied.
func (c *conn) reply(tag uint16, msg, tail []byte) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	send, flushes := c.settle(tag, msg, tail)
	if send {
		c.send(msg, tail)
	}
	c.answerFlushes(flushes)
}

// settle takes tag off the requests in flight and records what its
// reply does to the fid and open tables. It reports whether the reply
// is to be sent (not if the request was flushed) and the tags of the
// Tflushes to answer once it is. wmu is held.
func (c *conn) settle(tag uint16, msg, tail []byte) (send bool, flushes []uint16) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.inflight[tag]
	if r == nil {
		return true, nil
	}
	delete(c.inflight, tag)
	for _, ft := range r.flushes {
		delete(c.inflight, ft)
	}
	c.account(r, msg, tail)
	return !r.suppress, r.flushes
}

// answerFlushes sends an Rflush for each tag; wmu is held.
func (c *conn) answerFlushes(tags []uint16) {
	for _, ft := range tags {
		c.send(wire.Marshal(&wire.Fcall{Type: wire.Rflush, Tag: ft}), nil)
	}
}

// replyUntracked answers a message that never entered inflight.
func (c *conn) replyUntracked(msg []byte) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.send(msg, nil)
}

// joined returns msg and tail as one message.
func joined(msg, tail []byte) []byte {
	if len(tail) == 0 {
		return msg
	}
	return append(msg[:len(msg):len(msg)], tail...)
}

// account updates the fid and open tables from a reply; c.mu is held.
func (c *conn) account(r *request, msg, tail []byte) {
	typ := msg[4]
	switch r.typ {
	case wire.Tversion, wire.Twalk, wire.Tlopen:
		// These replies are small; the ones that carry data are not.
		msg = joined(msg, tail)
	}
	ok := typ == r.typ+1
	if r.newFid {
		c.pendingNew--
	}
	switch r.typ {
	case wire.Tversion:
		if typ == wire.Rversion {
			if f, err := wire.Unmarshal(msg); err == nil && f.Version != "unknown" {
				c.msize, c.versioned = f.Msize, true
			}
		}
	case wire.Tattach, wire.Twalk, wire.Twalkgetattr, wire.Txattrwalk:
		if !ok {
			return
		}
		if r.typ == wire.Twalk {
			// A partial walk does not create newfid.
			if f, err := wire.Unmarshal(msg); err != nil || len(f.QIDs) != r.nwname {
				return
			}
		}
		if o := c.opens[r.newfid]; o != nil {
			// The walk replaced an open fid.
			o.hangup()
			delete(c.opens, r.newfid)
		}
		c.fids[r.newfid] = struct{}{}
	case wire.Tclunk, wire.Tremove:
		delete(c.fids, r.fid)
	case wire.Tlopen:
		if ok {
			if f, err := wire.Unmarshal(msg); err == nil {
				if o := lookupOpen(qidOf(f.QID)); o != nil && !c.hungup {
					c.opens[r.fid] = o
				}
			}
		}
	}
}

// send writes one message, msg followed by tail; wmu is held.
func (c *conn) send(msg, tail []byte) {
	if c.s.trace != nil {
		if f, err := wire.Unmarshal(joined(msg, tail)); err == nil {
			c.tracef("-%d-> %v\n", c.id, f)
		}
	}
	if len(tail) == 0 {
		c.rwc.Write(msg)
		return
	}
	bufs := net.Buffers{msg, tail}
	bufs.WriteTo(c.rwc)
}

// write collects the library's output into whole messages and passes
// each on. The library writes a message in pieces (header, fixed part,
// payload); the last piece is passed on as it is, so a large payload is
// never copied.
func (c *conn) write(p []byte) (int, error) {
	c.outMu.Lock()
	defer c.outMu.Unlock()
	n := len(p)
	for len(p) > 0 || len(c.out) >= wire.HeaderSize {
		if len(c.out) < wire.HeaderSize {
			k := min(wire.HeaderSize-len(c.out), len(p))
			c.out = append(c.out, p[:k]...)
			p = p[k:]
			continue
		}
		size := int(binary.LittleEndian.Uint32(c.out))
		if size < wire.HeaderSize {
			c.out = c.out[:0]
			return 0, errors.New("p9srv: library wrote a malformed message")
		}
		need := size - len(c.out)
		if len(p) < need {
			c.out = append(c.out, p...)
			break
		}
		c.reply(binary.LittleEndian.Uint16(c.out[5:]), c.out, p[:need])
		c.out = c.out[:0]
		p = p[need:]
	}
	return n, nil
}

func (c *conn) tracef(format string, args ...any) {
	if c.s.trace != nil {
		c.s.trace.printf(format, args...)
	}
}
