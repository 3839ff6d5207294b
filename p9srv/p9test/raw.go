package p9test

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"

	"nsh.dev/nsh/p9srv/internal/wire"
)

// Raw is a bare 9P connection for tests that need to send exactly the
// messages they choose.
type Raw struct {
	t  testing.TB
	C  net.Conn
	br *bufio.Reader
}

// DialRaw connects to a unix socket; the connection closes at cleanup.
func DialRaw(t testing.TB, sock string) *Raw {
	t.Helper()
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &Raw{t: t, C: c, br: bufio.NewReader(c)}
}

// Send writes one message.
func (r *Raw) Send(f *wire.Fcall) {
	r.t.Helper()
	r.SendBytes(wire.Marshal(f))
}

// SendBytes writes raw bytes.
func (r *Raw) SendBytes(b []byte) {
	r.t.Helper()
	if _, err := r.C.Write(b); err != nil {
		r.t.Fatalf("send: %v", err)
	}
}

// Recv reads one message, failing the test after timeout.
func (r *Raw) Recv(timeout time.Duration) *wire.Fcall {
	r.t.Helper()
	f, err := r.TryRecv(timeout)
	if err != nil {
		r.t.Fatalf("recv: %v", err)
	}
	return f
}

// TryRecv reads one message or returns the error.
func (r *Raw) TryRecv(timeout time.Duration) (*wire.Fcall, error) {
	r.C.SetReadDeadline(time.Now().Add(timeout))
	defer r.C.SetReadDeadline(time.Time{})
	var hdr [4]byte
	if _, err := io.ReadFull(r.br, hdr[:]); err != nil {
		return nil, err
	}
	size := binary.LittleEndian.Uint32(hdr[:])
	if size < wire.HeaderSize || size > 64<<20 {
		return nil, io.ErrUnexpectedEOF
	}
	b := make([]byte, size)
	copy(b, hdr[:])
	if _, err := io.ReadFull(r.br, b[4:]); err != nil {
		return nil, err
	}
	return wire.Unmarshal(b)
}

// RPC sends f and returns the reply, which must carry f's tag.
func (r *Raw) RPC(f *wire.Fcall) *wire.Fcall {
	r.t.Helper()
	r.Send(f)
	rep := r.Recv(10 * time.Second)
	if rep.Tag != f.Tag {
		r.t.Fatalf("%v: reply %v has another tag", f, rep)
	}
	return rep
}

// Start negotiates msize and attaches fid 0 to the root.
func (r *Raw) Start(msize uint32) {
	r.t.Helper()
	rep := r.RPC(&wire.Fcall{Type: wire.Tversion, Tag: wire.NoTag, Msize: msize, Version: "9P2000.L"})
	if rep.Type != wire.Rversion || rep.Version != "9P2000.L" {
		r.t.Fatalf("Tversion: got %v", rep)
	}
	rep = r.RPC(&wire.Fcall{Type: wire.Tattach, Tag: 1, Fid: 0, Afid: wire.NoFid, NUname: 0})
	if rep.Type != wire.Rattach {
		r.t.Fatalf("Tattach: got %v", rep)
	}
}

// Walk walks fid to newfid through names and fails the test on error.
func (r *Raw) Walk(fid, newfid uint32, names ...string) {
	r.t.Helper()
	rep := r.RPC(&wire.Fcall{Type: wire.Twalk, Tag: 2, Fid: fid, Newfid: newfid, Wnames: names})
	if rep.Type != wire.Rwalk || len(rep.QIDs) != len(names) {
		r.t.Fatalf("walk %v: got %v", names, rep)
	}
}

// Open opens fid with flags and fails the test on error.
func (r *Raw) Open(fid uint32, flags uint32) *wire.Fcall {
	r.t.Helper()
	rep := r.RPC(&wire.Fcall{Type: wire.Tlopen, Tag: 3, Fid: fid, Flags: flags})
	if rep.Type != wire.Rlopen {
		r.t.Fatalf("open fid %d: got %v", fid, rep)
	}
	return rep
}
