package p9srv_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hugelgupf/p9/fsimpl/test"
	"github.com/hugelgupf/p9/linux"
	"github.com/hugelgupf/p9/p9"

	"nsh.dev/nsh/p9srv"
	"nsh.dev/nsh/p9srv/internal/wire"
	"nsh.dev/nsh/p9srv/p9test"

	"nsh.dev/nsh/internal/testenv"
)

// demo is a synthetic tree with one file of every kind.
type demo struct {
	root   *p9srv.Dir
	events *p9srv.Events

	mu   sync.Mutex
	cmds []string
}

func newDemo() *demo {
	d := &demo{events: p9srv.NewEvents()}
	d.root = p9srv.NewDir(
		p9srv.E("hello", p9srv.StaticFile("hello, world\n")),
		p9srv.E("gen", p9srv.ReadFile(func() ([]byte, error) { return []byte("generated\n"), nil })),
		p9srv.E("echo", p9srv.NewFile(p9srv.Funcs{
			Read: func(_ context.Context, p []byte, off int64) (int, error) {
				return p9srv.ReadString(p, off, "echo data")
			},
			Write: func(_ context.Context, p []byte, _ int64) (int, error) { return len(p), nil },
		})),
		p9srv.E("ctl", p9srv.CtlFile(d.exec, d.status)),
		p9srv.E("events", d.events.File()),
		p9srv.E("link", p9srv.NewSymlink("hello")),
		p9srv.E("sub", p9srv.NewDir(p9srv.E("deep", p9srv.StaticFile("deep\n")))),
		p9srv.E("tmp", p9srv.NewDir().Writable()),
	)
	return d
}

func (d *demo) exec(_ context.Context, cmd string) error {
	if cmd == "fail" {
		return errors.New("this command fails")
	}
	if cmd == "perm" {
		return linux.EPERM
	}
	d.mu.Lock()
	d.cmds = append(d.cmds, cmd)
	d.mu.Unlock()
	d.events.Send([]byte(cmd + "\n"))
	return nil
}

func (d *demo) status() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return fmt.Sprintf("commands %d\n", len(d.cmds))
}

func TestSyntheticAcceptance(t *testing.T) {
	d := newDemo()
	regular := func(perm p9.FileMode, size uint64) p9.Attr { return p9.Attr{Mode: p9.ModeRegular | perm, Size: size} }
	mask := p9.AttrMask{Mode: true, Size: true}
	p9test.ReadOnlyFS(t, d.root, 8,
		test.WithDir("", "hello", "gen", "echo", "ctl", "events", "link", "sub", "tmp"),
		test.WithDir("sub", "deep"),
		test.WithFile("hello", "hello, world\n", regular(0444, 13), mask),
		test.WithFile("sub/deep", "deep\n", regular(0444, 5), mask),
		test.WithFile("gen", "generated\n", regular(0444, 0), mask),
		test.WithFile("echo", "echo data", regular(0644, 0), mask),
		test.WithFile("ctl", "commands 0\n", regular(0644, 0), mask),
		test.WithSymlink("link", "hello", p9.Attr{Mode: p9.ModeSymlink | 0777, Size: 5}, mask),
	)
}

// serveRaw serves root and returns a raw connection with fid 0 on it.
func serveRaw(t *testing.T, root p9.Attacher, opts ...p9srv.Option) (*p9test.Raw, string) {
	t.Helper()
	sock := p9test.Serve(t, root, opts...)
	r := p9test.DialRaw(t, sock)
	r.Start(64 << 10)
	return r, sock
}

func TestLargeListingIsComplete(t *testing.T) {
	root := p9srv.NewDir()
	var want []string
	for i := 0; i < 2500; i++ {
		name := fmt.Sprintf("file-with-a-longish-name-%04d", i)
		want = append(want, name)
		if err := root.Add(name, p9srv.StaticFile(name)); err != nil {
			t.Fatal(err)
		}
	}
	r, _ := serveRaw(t, root)
	r.Walk(0, 1)
	r.Open(1, 0)
	for _, count := range []uint32{100, 1000, 8168, 60000} {
		ents, replies := r.ReadDir(1, count)
		if err := p9test.CheckNames(ents, want); err != nil {
			t.Errorf("count %d: %v", count, err)
		}
		if count <= 8168 && replies < 10 {
			t.Errorf("count %d: listing took %d replies; the test wants many", count, replies)
		}
	}
}

func TestQIDsStableAndUnique(t *testing.T) {
	d := newDemo()
	r, _ := serveRaw(t, d.root)
	names := d.root.Names()
	seen := make(map[uint64]string)
	for i, name := range names {
		rep1 := r.RPC(&wire.Fcall{Type: wire.Twalk, Tag: 1, Fid: 0, Newfid: uint32(10 + i), Wnames: []string{name}})
		rep2 := r.RPC(&wire.Fcall{Type: wire.Twalk, Tag: 1, Fid: 0, Newfid: 999, Wnames: []string{name}})
		r.RPC(&wire.Fcall{Type: wire.Tclunk, Tag: 1, Fid: 999})
		if rep1.Type != wire.Rwalk || rep2.Type != wire.Rwalk {
			t.Fatalf("walk %s: %v, %v", name, rep1, rep2)
		}
		q1, q2 := rep1.QIDs[0], rep2.QIDs[0]
		if q1 != q2 {
			t.Errorf("%s: QID changed between walks: %v then %v", name, q1, q2)
		}
		ga := r.RPC(&wire.Fcall{Type: wire.Tgetattr, Tag: 1, Fid: uint32(10 + i), Mask: 0x3fff})
		if ga.QID != q1 {
			t.Errorf("%s: getattr QID %v, walk QID %v", name, ga.QID, q1)
		}
		if other, dup := seen[q1.Path]; dup {
			t.Errorf("%s and %s share QID path %#x", name, other, q1.Path)
		}
		seen[q1.Path] = name
	}
	// A rename keeps the file's identity.
	r.Walk(0, 50, "tmp")
	rep := r.RPC(&wire.Fcall{Type: wire.Tlcreate, Tag: 1, Fid: 50, Name: "f", Flags: 2, Mode: 0644})
	if rep.Type != wire.Rlcreate {
		t.Fatalf("create: %v", rep)
	}
	r.Walk(0, 51, "tmp")
	if rep := r.RPC(&wire.Fcall{Type: wire.Trenameat, Tag: 1, Dfid: 51, Name: "f", NewDfid: 51, NewName: "g"}); rep.Type != wire.Rrenameat {
		t.Fatalf("rename: %v", rep)
	}
	r.Walk(51, 52, "g")
	if ga := r.RPC(&wire.Fcall{Type: wire.Tgetattr, Tag: 1, Fid: 52, Mask: 0x3fff}); ga.QID.Path != rep.QID.Path {
		t.Errorf("renamed file's QID path %#x, created as %#x", ga.QID.Path, rep.QID.Path)
	}
}

func TestReadEndsWithEOF(t *testing.T) {
	d := newDemo()
	r, _ := serveRaw(t, d.root)
	for _, name := range []string{"hello", "gen", "echo", "ctl"} {
		r.Walk(0, 1, name)
		r.Open(1, 0)
		var got []byte
		for off := uint64(0); ; {
			rep := r.RPC(&wire.Fcall{Type: wire.Tread, Tag: 1, Fid: 1, Offset: off, Count: 4})
			if rep.Type != wire.Rread {
				t.Fatalf("%s: read at %d: %v", name, off, rep)
			}
			if rep.Count == 0 {
				break
			}
			got = append(got, rep.Data...)
			off += uint64(rep.Count)
			if off > 1000 {
				t.Fatalf("%s: no end of file", name)
			}
		}
		if len(got) == 0 {
			t.Errorf("%s: read nothing", name)
		}
		r.RPC(&wire.Fcall{Type: wire.Tclunk, Tag: 1, Fid: 1})
	}
}

func TestCtlFile(t *testing.T) {
	d := newDemo()
	r, _ := serveRaw(t, d.root)
	r.Walk(0, 1, "ctl")
	r.Open(1, 2|0o1000) // O_RDWR|O_TRUNC, as a shell's > does
	w := r.RPC(&wire.Fcall{Type: wire.Twrite, Tag: 1, Fid: 1, Data: []byte("one\ntwo\n")})
	if w.Type != wire.Rwrite || w.Count != 8 {
		t.Fatalf("write: %v", w)
	}
	rd := r.RPC(&wire.Fcall{Type: wire.Tread, Tag: 1, Fid: 1, Count: 100})
	if string(rd.Data) != "commands 2\n" {
		t.Errorf("status: got %q", rd.Data)
	}
	for cmd, errno := range map[string]linux.Errno{"fail": linux.EINVAL, "perm": linux.EPERM} {
		rep := r.RPC(&wire.Fcall{Type: wire.Twrite, Tag: 1, Fid: 1, Data: []byte(cmd)})
		if rep.Type != wire.Rlerror || linux.Errno(rep.Ecode) != errno {
			t.Errorf("%s: got %v, want Rlerror %v", cmd, rep, errno)
		}
	}
	// A bridge turns O_TRUNC into a size change.
	r.Walk(0, 2, "ctl")
	if rep := r.RPC(&wire.Fcall{Type: wire.Tsetattr, Tag: 1, Fid: 2, Mask: 0x8}); rep.Type != wire.Rsetattr {
		t.Errorf("setattr size on ctl: %v", rep)
	}
	// Static files refuse it.
	r.Walk(0, 3, "hello")
	if rep := r.RPC(&wire.Fcall{Type: wire.Tsetattr, Tag: 1, Fid: 3, Mask: 0x8}); rep.Type != wire.Rlerror {
		t.Errorf("setattr size on a static file: %v", rep)
	}
}

// openEvents opens the events file on fid and starts a read with tag.
func openEvents(t *testing.T, r *p9test.Raw, fid uint32, tag uint16) {
	t.Helper()
	r.Walk(0, fid, "events")
	rep := r.Open(fid, 0)
	if rep.QID.Version&(1<<31) == 0 {
		t.Fatalf("events open QID %v carries no open token", rep.QID)
	}
	r.Send(&wire.Fcall{Type: wire.Tread, Tag: tag, Fid: fid, Count: 100})
}

func expectQuiet(t *testing.T, r *p9test.Raw, d time.Duration) {
	t.Helper()
	if f, err := r.TryRecv(d); err == nil {
		t.Fatalf("unexpected message %v", f)
	}
}

func TestEventReadGetsEvent(t *testing.T) {
	d := newDemo()
	r, _ := serveRaw(t, d.root)
	openEvents(t, r, 1, 10)
	expectQuiet(t, r, 200*time.Millisecond)
	waitReaders(t, d.events, 1)
	d.events.Send([]byte("ping\n"))
	rep := r.Recv(5 * time.Second)
	if rep.Tag != 10 || rep.Type != wire.Rread || string(rep.Data) != "ping\n" {
		t.Fatalf("got %v, want Rread tag 10 \"ping\\n\"", rep)
	}
}

func TestBlockedReadWakesOnClunk(t *testing.T) {
	d := newDemo()
	r, _ := serveRaw(t, d.root)
	openEvents(t, r, 1, 10)
	expectQuiet(t, r, 200*time.Millisecond)
	start := time.Now()
	r.Send(&wire.Fcall{Type: wire.Tclunk, Tag: 11, Fid: 1})
	got := map[uint16]*wire.Fcall{}
	for len(got) < 2 {
		f := r.Recv(2 * time.Second)
		got[f.Tag] = f
	}
	if f := got[10]; f == nil || f.Type != wire.Rlerror || linux.Errno(f.Ecode) != linux.EINTR {
		t.Errorf("blocked read: got %v, want Rlerror EINTR", got[10])
	}
	if f := got[11]; f == nil || f.Type != wire.Rclunk {
		t.Errorf("clunk: got %v", got[11])
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("read woke %v after the clunk", el)
	}
	waitReaders(t, d.events, 0)
}

func TestBlockedReadWakesOnHangup(t *testing.T) {
	d := newDemo()
	r, _ := serveRaw(t, d.root)
	openEvents(t, r, 1, 10)
	waitReaders(t, d.events, 1)
	r.C.Close()
	waitReaders(t, d.events, 0)
}

func TestFlushCancelsBlockedRead(t *testing.T) {
	d := newDemo()
	r, _ := serveRaw(t, d.root)
	openEvents(t, r, 1, 10)
	expectQuiet(t, r, 100*time.Millisecond)
	r.Send(&wire.Fcall{Type: wire.Tflush, Tag: 11, Oldtag: 10})
	f := r.Recv(2 * time.Second)
	if f.Type != wire.Rflush || f.Tag != 11 {
		t.Fatalf("got %v, want Rflush tag 11 (and no reply to the flushed read)", f)
	}
	expectQuiet(t, r, 100*time.Millisecond)
	// The fid still reads after the flush.
	r.Send(&wire.Fcall{Type: wire.Tread, Tag: 10, Fid: 1, Count: 100})
	expectQuiet(t, r, 100*time.Millisecond)
	d.events.Send([]byte("after\n"))
	if f := r.Recv(2 * time.Second); f.Tag != 10 || string(f.Data) != "after\n" {
		t.Fatalf("read after flush: got %v", f)
	}
}

// A blocked read must not hold the library's rename lock: a rename (which
// takes it exclusively) and everything after it would wait for the read.
func TestBlockedReadDoesNotWedgeRenames(t *testing.T) {
	d := newDemo()
	sock := p9test.Serve(t, d.root)
	r1 := p9test.DialRaw(t, sock)
	r1.Start(64 << 10)
	openEvents(t, r1, 1, 10)

	r2 := p9test.DialRaw(t, sock)
	r2.Start(64 << 10)
	r2.Walk(0, 1, "tmp")
	if rep := r2.RPC(&wire.Fcall{Type: wire.Tlcreate, Tag: 1, Fid: 1, Name: "a", Flags: 1, Mode: 0644}); rep.Type != wire.Rlcreate {
		t.Fatalf("create: %v", rep)
	}
	r2.Walk(0, 2, "tmp")
	done := make(chan *wire.Fcall, 1)
	r2.Send(&wire.Fcall{Type: wire.Trenameat, Tag: 5, Dfid: 2, Name: "a", NewDfid: 2, NewName: "b"})
	go func() {
		f, _ := r2.TryRecv(5 * time.Second)
		done <- f
	}()
	select {
	case f := <-done:
		if f == nil || f.Type != wire.Rrenameat {
			t.Fatalf("rename: %v", f)
		}
	case <-time.After(6 * time.Second):
		t.Fatal("rename wedged behind a blocked read")
	}
}

func waitReaders(t *testing.T, e *p9srv.Events, want int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for e.Readers() != want {
		if time.Now().After(deadline) {
			t.Fatalf("event readers: %d, want %d within 2s", e.Readers(), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestServerCloseWakesReads(t *testing.T) {
	d := newDemo()
	srv := p9srv.NewServer(d.root)
	sock := t.TempDir() + "/s"
	ln, err := p9srv.Listen("unix!" + sock)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	r := p9test.DialRaw(t, sock)
	r.Start(64 << 10)
	openEvents(t, r, 1, 10)
	waitReaders(t, d.events, 1)
	done := make(chan struct{})
	go func() { srv.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return while a read was blocked")
	}
	waitReaders(t, d.events, 0)
}

func TestTrace(t *testing.T) {
	var buf testenv.SyncBuffer
	d := newDemo()
	r, _ := serveRaw(t, d.root, p9srv.WithTrace(&buf))
	r.Walk(0, 1, "sub", "deep")
	r.RPC(&wire.Fcall{Type: wire.Tclunk, Tag: 7, Fid: 1})
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	want := []string{
		`<-\d+- Tversion tag 65535 msize 65536 version "9P2000.L"`,
		`-\d+-> Rversion tag 65535 msize 65536 version "9P2000.L"`,
		`<-\d+- Tattach tag 1 fid 0 afid -1 uname "" aname "" n_uname 0`,
		`-\d+-> Rattach tag 1 qid \([0-9a-f]{16} \d+ d\)`,
		`<-\d+- Twalk tag 2 fid 0 newfid 1 wnames \[sub deep\]`,
		`-\d+-> Rwalk tag 2 qids \[\([0-9a-f]{16} \d+ d\) \([0-9a-f]{16} 0 \)\]`,
		`<-\d+- Tclunk tag 7 fid 1`,
		`-\d+-> Rclunk tag 7`,
	}
	if len(lines) != len(want) {
		t.Fatalf("trace has %d lines, want %d:\n%s", len(lines), len(want), buf.String())
	}
	for i, w := range want {
		if !matches(w, lines[i]) {
			t.Errorf("trace line %d: %q does not match %q", i, lines[i], w)
		}
	}
}

// A read that reaches a blocking file through the 9P library — served
// without a Server, or sent before the reply to its open came back — is
// held under the library's locks, which nothing can cancel: it must end
// by itself within a bound.
func TestLibraryPathReadIsBounded(t *testing.T) {
	d := newDemo()
	sc, cc := net.Pipe()
	go p9.NewServer(d.root).Handle(sc, sc)
	c, err := p9.NewClient(cc)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	root, err := c.Attach("")
	if err != nil {
		t.Fatal(err)
	}
	_, f, err := root.Walk([]string{"events"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.Open(p9.ReadOnly); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = f.ReadAt(make([]byte, 10), 0)
	if !errors.Is(err, linux.EINTR) {
		t.Errorf("read with no event: %v, want EINTR", err)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("read took %v", el)
	}
	f.Close()
	waitReaders(t, d.events, 0)
}
