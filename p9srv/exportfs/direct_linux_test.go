package exportfs

import (
	"bytes"
	"crypto/rand"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hugelgupf/p9/linux"

	"nsh.dev/nsh/p9srv"
	"nsh.dev/nsh/p9srv/internal/wire"
	"nsh.dev/nsh/p9srv/p9test"
)

// bigFile writes a file of random bytes (not a whole number of pages)
// and returns its contents.
func bigFile(t *testing.T, dir, name string) []byte {
	t.Helper()
	data := make([]byte, 3<<20+123)
	rand.Read(data)
	must(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	return data
}

// wantRead checks the reply to a read of count bytes at off.
func wantRead(t *testing.T, what string, rep *wire.Fcall, data []byte, off, count int) {
	t.Helper()
	end := min(off+count, len(data))
	want := []byte{}
	if off < len(data) {
		want = data[off:end]
	}
	if rep.Type != wire.Rread {
		t.Errorf("%s: got %v", what, rep)
		return
	}
	if !bytes.Equal(rep.Data, want) {
		t.Errorf("%s: got %d bytes, want %d (equal prefix: %d)", what, len(rep.Data), len(want), commonPrefix(rep.Data, want))
	}
}

func commonPrefix(a, b []byte) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// readCases are reads that take each way a served read can go: spliced
// whole, spliced with the part the pipe cannot hold copied after it
// (a read that does not start on a page boundary), copied (small reads,
// reads larger than a pipe), and reads that end at or start beyond the
// end of the file.
var readCases = []struct {
	name       string
	off, count int
}{
	{"1 MiB at 0", 0, 1 << 20},
	{"1 MiB at 100", 100, 1 << 20},
	{"1 MiB at 1 MiB+4095", 1<<20 + 4095, 1 << 20},
	{"4 KiB at 5", 5, 4096},
	{"64 KiB at 3", 3, 64 << 10},
	{"64 KiB less one", 0, 64<<10 - 1},
	{"more than a pipe holds", 7, 1<<20 + 4000},
	{"across the end", 3 << 20, 1 << 20},
	{"at the end", 3<<20 + 123, 1 << 20},
	{"beyond the end", 10 << 20, 1 << 20},
	{"nothing", 10, 0},
}

func TestServedReads(t *testing.T) {
	dir := t.TempDir()
	data := bigFile(t, dir, "big")
	for _, mode := range []struct {
		name string
		sock func(t *testing.T) string
	}{
		{"socket", func(t *testing.T) string { return p9test.Serve(t, newFS(t, dir)) }},
		{"traced", func(t *testing.T) string {
			return p9test.Serve(t, newFS(t, dir), p9srv.WithTrace(&strings.Builder{}))
		}},
		{"no descriptor", func(t *testing.T) string { return servePlain(t, newFS(t, dir)) }},
	} {
		t.Run(mode.name, func(t *testing.T) {
			r := p9test.DialRaw(t, mode.sock(t))
			r.Start(p9srv.DefaultMaxMsize)
			r.Walk(0, 1, "big")
			if rep := r.Open(1, 0); !p9srv.IsPlainOpen(rep.QID.Version, rep.IOUnit) {
				t.Fatalf("Rlopen %v: the open of a regular file is not a plain file served by the transport", rep)
			}
			for _, c := range readCases {
				rep := r.RPC(&wire.Fcall{Type: wire.Tread, Tag: 5, Fid: 1, Offset: uint64(c.off), Count: uint32(c.count)})
				wantRead(t, c.name, rep, data, c.off, c.count)
			}

			// Many reads in flight at once come back whole, each
			// under its own tag.
			const n = 24
			for i := range n {
				r.Send(&wire.Fcall{Type: wire.Tread, Tag: uint16(10 + i), Fid: 1, Offset: uint64(i * 131072), Count: 300000})
			}
			seen := map[uint16]bool{}
			for range n {
				rep := r.Recv(10 * time.Second)
				i := int(rep.Tag) - 10
				if i < 0 || i >= n || seen[rep.Tag] {
					t.Fatalf("reply with unexpected tag: %v", rep)
				}
				seen[rep.Tag] = true
				wantRead(t, "concurrent read", rep, data, i*131072, 300000)
			}

			// A clunked fid reads no more.
			r.RPC(&wire.Fcall{Type: wire.Tclunk, Tag: 6, Fid: 1})
			rep := r.RPC(&wire.Fcall{Type: wire.Tread, Tag: 7, Fid: 1, Count: 1 << 20})
			if rep.Type != wire.Rlerror {
				t.Errorf("read of a clunked fid: %v", rep)
			}
		})
	}
}

// servePlain serves a over a unix socket whose connections hide their
// descriptor, like a server on stdin and stdout: nothing can be spliced.
func servePlain(t *testing.T, fs *FS) string {
	sock := filepath.Join(t.TempDir(), "plain.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := p9srv.NewServer(fs)
	done := make(chan struct{})
	go func() {
		srv.Serve(plainListener{ln})
		close(done)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return sock
}

type plainListener struct{ net.Listener }

// plainConn has the methods of a net.Conn and no SyscallConn.
type plainConn struct{ net.Conn }

func (l plainListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return plainConn{c}, nil
}

func TestServedWritesAndModes(t *testing.T) {
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "f"), []byte("0123456789"), 0o644))
	r := p9test.DialRaw(t, p9test.Serve(t, newFS(t, dir)))
	r.Start(64 << 10)

	r.Walk(0, 1, "f")
	r.Open(1, 2) // O_RDWR
	if rep := r.RPC(&wire.Fcall{Type: wire.Twrite, Tag: 1, Fid: 1, Offset: 8, Data: []byte("abcdef")}); rep.Type != wire.Rwrite || rep.Count != 6 {
		t.Fatalf("write: %v", rep)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "f")); string(b) != "01234567abcdef" {
		t.Errorf("after the write the file holds %q", b)
	}
	if rep := r.RPC(&wire.Fcall{Type: wire.Tread, Tag: 1, Fid: 1, Offset: 6, Count: 100}); string(rep.Data) != "67abcdef" {
		t.Errorf("read back: %v", rep)
	}

	r.Walk(0, 2, "f")
	r.Open(2, 0) // O_RDONLY
	if rep := r.RPC(&wire.Fcall{Type: wire.Twrite, Tag: 1, Fid: 2, Data: []byte("x")}); rep.Type != wire.Rlerror {
		t.Errorf("write to a read-only open: %v", rep)
	}
	r.Walk(0, 4)
	if rep := r.Open(4, 0); p9srv.IsPlainOpen(rep.QID.Version, rep.IOUnit) {
		t.Errorf("the open of a directory claims to be a plain file: %v", rep)
	}
	r.Walk(0, 3, "f")
	r.Open(3, 1) // O_WRONLY
	if rep := r.RPC(&wire.Fcall{Type: wire.Tread, Tag: 1, Fid: 3, Count: 100}); rep.Type != wire.Rlerror || linux.Errno(rep.Ecode) != linux.EBADF {
		t.Errorf("read of a write-only open: %v", rep)
	}
	// Offsets beyond what a file can have are refused, not wrapped.
	if rep := r.RPC(&wire.Fcall{Type: wire.Tread, Tag: 1, Fid: 1, Offset: 1 << 63, Count: 100}); rep.Type != wire.Rlerror || linux.Errno(rep.Ecode) != linux.EINVAL {
		t.Errorf("read at offset 2^63: %v", rep)
	}
	if rep := r.RPC(&wire.Fcall{Type: wire.Twrite, Tag: 1, Fid: 1, Offset: 1 << 63, Data: []byte("x")}); rep.Type != wire.Rlerror || linux.Errno(rep.Ecode) != linux.EINVAL {
		t.Errorf("write at offset 2^63: %v", rep)
	}
}

// A flushed read is answered by the Rflush, after the read's own reply
// if that was already on its way; a clunk during reads, or the client
// hanging up, leaves nothing behind.
func TestServedReadFlushAndHangup(t *testing.T) {
	dir := t.TempDir()
	data := bigFile(t, dir, "big")
	sock := p9test.Serve(t, newFS(t, dir))
	r := p9test.DialRaw(t, sock)
	r.Start(p9srv.DefaultMaxMsize)
	r.Walk(0, 1, "big")
	r.Open(1, 0)
	for i := range 20 {
		r.Send(&wire.Fcall{Type: wire.Tread, Tag: 5, Fid: 1, Offset: uint64(i) << 16, Count: 1 << 20})
		r.Send(&wire.Fcall{Type: wire.Tflush, Tag: 6, Oldtag: 5})
		rep := r.Recv(10 * time.Second)
		if rep.Tag == 5 {
			wantRead(t, "read before its flush", rep, data, i<<16, 1<<20)
			rep = r.Recv(10 * time.Second)
		}
		if rep.Type != wire.Rflush || rep.Tag != 6 {
			t.Fatalf("flush %d: got %v", i, rep)
		}
	}
	// The connection is still in step.
	rep := r.RPC(&wire.Fcall{Type: wire.Tread, Tag: 7, Fid: 1, Offset: 100, Count: 1 << 20})
	wantRead(t, "read after the flushes", rep, data, 100, 1<<20)

	for i := range 8 {
		r.Send(&wire.Fcall{Type: wire.Tread, Tag: uint16(20 + i), Fid: 1, Offset: uint64(i) << 20, Count: 1 << 20})
	}
	r.Send(&wire.Fcall{Type: wire.Tclunk, Tag: 8, Fid: 1})
	for range 9 {
		rep := r.Recv(10 * time.Second)
		switch {
		case rep.Tag == 8 && rep.Type == wire.Rclunk:
		case rep.Tag >= 20 && rep.Tag < 28 && rep.Type == wire.Rread:
			wantRead(t, "read racing a clunk", rep, data, int(rep.Tag-20)<<20, 1<<20)
		case rep.Tag >= 20 && rep.Tag < 28 && rep.Type == wire.Rlerror:
		default:
			t.Fatalf("reply to reads and a clunk: %v", rep)
		}
	}

	// A client that sends reads and hangs up without reading the
	// replies does not wedge the server (its cleanup checks that it
	// stops within 10 seconds).
	r2 := p9test.DialRaw(t, sock)
	r2.Start(p9srv.DefaultMaxMsize)
	r2.Walk(0, 1, "big")
	r2.Open(1, 0)
	for i := range 32 {
		r2.Send(&wire.Fcall{Type: wire.Tread, Tag: uint16(i), Fid: 1, Offset: uint64(i) << 16, Count: 1 << 20})
	}
	r2.C.Close()
}
