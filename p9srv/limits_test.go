package p9srv_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/hugelgupf/p9/linux"

	"nsh.dev/nsh/p9srv"
	"nsh.dev/nsh/p9srv/internal/wire"
	"nsh.dev/nsh/p9srv/p9test"
)

func wantErrno(t *testing.T, what string, f *wire.Fcall, e linux.Errno) {
	t.Helper()
	if f.Type != wire.Rlerror || linux.Errno(f.Ecode) != e {
		t.Errorf("%s: got %v, want Rlerror %d (%v)", what, f, e, e)
	}
}

func TestMsizeIsClamped(t *testing.T) {
	sock := p9test.Serve(t, newDemo().root)
	r := p9test.DialRaw(t, sock)
	rep := r.RPC(&wire.Fcall{Type: wire.Tversion, Tag: wire.NoTag, Msize: 8 << 20, Version: "9P2000.L"})
	if rep.Type != wire.Rversion || rep.Msize != p9srv.DefaultMaxMsize {
		t.Fatalf("Tversion 8 MiB: got %v, want msize %d", rep, p9srv.DefaultMaxMsize)
	}
	r2 := p9test.DialRaw(t, sock)
	wantErrno(t, "Tversion msize 100", r2.RPC(&wire.Fcall{Type: wire.Tversion, Tag: wire.NoTag, Msize: 100, Version: "9P2000.L"}), linux.EINVAL)

	r3 := p9test.DialRaw(t, sock)
	rep = r3.RPC(&wire.Fcall{Type: wire.Tversion, Tag: wire.NoTag, Msize: 2 << 20, Version: "9P2000.L"})
	if rep.Msize != p9srv.DefaultMaxMsize {
		t.Fatalf("Tversion 2 MiB: msize %d", rep.Msize)
	}
	// A 1 MiB read, the largest a FUSE bridge makes, fits one message.
	if p9srv.DefaultMaxMsize < 1<<20+wire.IOHeaderSize {
		t.Errorf("DefaultMaxMsize %d cannot carry 1 MiB of data", p9srv.DefaultMaxMsize)
	}
	small := p9test.DialRaw(t, p9test.Serve(t, newDemo().root, p9srv.WithMaxMsize(16<<10)))
	if rep := small.RPC(&wire.Fcall{Type: wire.Tversion, Tag: wire.NoTag, Msize: 64 << 10, Version: "9P2000.L"}); rep.Msize != 16<<10 {
		t.Errorf("WithMaxMsize(16K): Rversion msize %d", rep.Msize)
	}
}

func TestOversizeMessageIsRefused(t *testing.T) {
	d := newDemo()
	r, _ := serveRaw(t, d.root, p9srv.WithMaxMsize(8192))
	r.Walk(0, 1, "tmp")
	if rep := r.RPC(&wire.Fcall{Type: wire.Tlcreate, Tag: 1, Fid: 1, Name: "big", Flags: 2, Mode: 0644}); rep.Type != wire.Rlcreate {
		t.Fatalf("create: %v", rep)
	}
	big := bytes.Repeat([]byte("x"), 10000)
	wantErrno(t, "Twrite larger than msize", r.RPC(&wire.Fcall{Type: wire.Twrite, Tag: 9, Fid: 1, Data: big}), linux.EMSGSIZE)
	// The connection goes on, and reads are cut to fit msize.
	if rep := r.RPC(&wire.Fcall{Type: wire.Twrite, Tag: 9, Fid: 1, Data: big[:8000]}); rep.Type != wire.Rwrite || rep.Count != 8000 {
		t.Fatalf("write within msize: %v", rep)
	}
	rep := r.RPC(&wire.Fcall{Type: wire.Tread, Tag: 9, Fid: 1, Count: 1 << 30})
	if rep.Type != wire.Rread || int(rep.Count) > 8192-wire.IOHeaderSize || rep.Count == 0 {
		t.Fatalf("read of 1 GiB at msize 8192: %v", rep)
	}
}

func TestFidLimit(t *testing.T) {
	d := newDemo()
	r, _ := serveRaw(t, d.root, p9srv.WithMaxFids(4)) // fid 0 is the root
	for fid := uint32(1); fid <= 3; fid++ {
		r.Walk(0, fid, "hello")
	}
	wantErrno(t, "fifth fid", r.RPC(&wire.Fcall{Type: wire.Twalk, Tag: 1, Fid: 0, Newfid: 4, Wnames: []string{"hello"}}), linux.EMFILE)
	// Reusing a fid number is no new fid.
	r.Walk(0, 3, "gen")
	r.RPC(&wire.Fcall{Type: wire.Tclunk, Tag: 1, Fid: 3})
	r.Walk(0, 4, "hello")
	wantErrno(t, "attach beyond the limit", r.RPC(&wire.Fcall{Type: wire.Tattach, Tag: 1, Fid: 9, Afid: wire.NoFid}), linux.EMFILE)
}

func TestProtocolAbuse(t *testing.T) {
	d := newDemo()
	sock := p9test.Serve(t, d.root)

	r := p9test.DialRaw(t, sock)
	wantErrno(t, "attach before version", r.RPC(&wire.Fcall{Type: wire.Tattach, Tag: 1, Fid: 0, Afid: wire.NoFid}), linux.EPROTO)
	r.Start(64 << 10)
	wantErrno(t, "Tauth", r.RPC(&wire.Fcall{Type: wire.Tauth, Tag: 1, Afid: 5, Aname: "/"}), linux.ENOENT)
	wantErrno(t, "unknown type", r.RPC(&wire.Fcall{Type: 200, Tag: 1}), linux.EOPNOTSUPP)
	wantErrno(t, "R-message from a client", r.RPC(&wire.Fcall{Type: wire.Rread, Tag: 1}), linux.EOPNOTSUPP)
	wantErrno(t, "huge xattr", r.RPC(&wire.Fcall{Type: wire.Txattrcreate, Tag: 1, Fid: 0, Name: "user.x", Size: 1 << 40}), linux.E2BIG)
	r.SendBytes([]byte{7, 0, 0, 0, wire.Tgetattr, 1, 0}) // no fid, no mask
	wantErrno(t, "truncated Tgetattr", r.Recv(2*time.Second), linux.EINVAL)
	if f := r.RPC(&wire.Fcall{Type: wire.Tflush, Tag: 3, Oldtag: 3}); f.Type != wire.Rflush {
		t.Errorf("flush of itself: %v", f)
	}
	if f := r.RPC(&wire.Fcall{Type: wire.Tflush, Tag: 3, Oldtag: 77}); f.Type != wire.Rflush {
		t.Errorf("flush of nothing: %v", f)
	}
	wantErrno(t, "walk through ..", r.RPC(&wire.Fcall{Type: wire.Twalk, Tag: 1, Fid: 0, Newfid: 1, Wnames: []string{".."}}), linux.EINVAL)

	// A tag in use: the second message is dropped, the first answered.
	openEvents(t, r, 5, 10)
	r.Send(&wire.Fcall{Type: wire.Tgetattr, Tag: 10, Fid: 0, Mask: 1})
	expectQuiet(t, r, 200*time.Millisecond)
	d.events.Send([]byte("x"))
	if f := r.Recv(2 * time.Second); f.Tag != 10 || f.Type != wire.Rread {
		t.Errorf("first request of tag 10: got %v", f)
	}

	// A message too short to be one ends the connection, not the server.
	r.SendBytes([]byte{3, 0, 0, 0, 100, 0, 0})
	if f, err := r.TryRecv(2 * time.Second); err == nil {
		t.Errorf("got %v after a 3-byte message, want the connection closed", f)
	}
	fresh := p9test.DialRaw(t, sock)
	fresh.Start(8192)
}

// Only a DirectOpen claims to be a plain file, which a client may read
// ahead: never a synthetic file, whose reads may have side effects.
func TestSyntheticOpensAreNotPlain(t *testing.T) {
	r, _ := serveRaw(t, newDemo().root)
	for i, name := range []string{"hello", "gen", "echo", "ctl", "events"} {
		fid := uint32(10 + i)
		r.Walk(0, fid, name)
		rep := r.Open(fid, 0)
		if p9srv.IsPlainOpen(rep.QID.Version, rep.IOUnit) {
			t.Errorf("%s: Rlopen %v claims a plain file", name, rep)
		}
	}
	if p9srv.IsPlainOpen(0xFFFFFFFF, 0) || p9srv.IsPlainOpen(0x12345678, ^uint32(0x12345678)|1<<30) {
		t.Error("IsPlainOpen accepts a reply no DirectOpen makes")
	}
}
