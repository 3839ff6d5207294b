package netfs

import (
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hugelgupf/p9/fsimpl/test"
	"github.com/hugelgupf/p9/linux"

	"nsh.dev/nsh/p9srv/internal/wire"
	"nsh.dev/nsh/p9srv/p9test"
)

func TestAcceptance(t *testing.T) {
	fs := New()
	defer fs.Close()
	p9test.ReadOnlyFS(t, fs, 1, test.WithDir("", "tcp"), test.WithDir("tcp", "clone"))
}

// echoServer accepts connections on a local port and echoes them; the
// channel reports each connection's end.
func echoServer(t *testing.T) (port string, ended chan struct{}) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	ended = make(chan struct{}, 10)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				io.Copy(c, c)
				c.Close()
				ended <- struct{}{}
			}()
		}
	}()
	_, port, _ = net.SplitHostPort(ln.Addr().String())
	return port, ended
}

func readAll(t *testing.T, r *p9test.Raw, fid uint32) string {
	t.Helper()
	rep := r.RPC(&wire.Fcall{Type: wire.Tread, Tag: 1, Fid: fid, Count: 1000})
	if rep.Type != wire.Rread {
		t.Fatalf("read fid %d: %v", fid, rep)
	}
	return string(rep.Data)
}

func openFile(t *testing.T, r *p9test.Raw, fid uint32, flags uint32, path ...string) {
	t.Helper()
	r.Walk(0, fid, path...)
	r.Open(fid, flags)
}

func TestConnect(t *testing.T) {
	port, ended := echoServer(t)
	fs := New()
	defer fs.Close()
	r := p9test.DialRaw(t, p9test.Serve(t, fs))
	r.Start(8192)

	openFile(t, r, 1, 2, "tcp", "clone")
	n := readAll(t, r, 1)
	if n != "0" {
		t.Fatalf("clone read %q, want the first conversation, 0", n)
	}
	if rep := r.RPC(&wire.Fcall{Type: wire.Twrite, Tag: 1, Fid: 1, Data: []byte("connect 127.0.0.1!" + port + "\n")}); rep.Type != wire.Rwrite {
		t.Fatalf("connect: %v", rep)
	}
	openFile(t, r, 2, 2, "tcp", n, "data")
	if rep := r.RPC(&wire.Fcall{Type: wire.Twrite, Tag: 1, Fid: 2, Data: []byte("hello")}); rep.Type != wire.Rwrite || rep.Count != 5 {
		t.Fatalf("write data: %v", rep)
	}
	if got := readAll(t, r, 2); got != "hello" {
		t.Errorf("echo: got %q", got)
	}
	for file, want := range map[string]string{"status": "Established\n", "remote": "127.0.0.1!" + port + "\n"} {
		openFile(t, r, 3, 0, "tcp", n, file)
		if got := readAll(t, r, 3); got != want {
			t.Errorf("%s: got %q, want %q", file, got, want)
		}
		r.RPC(&wire.Fcall{Type: wire.Tclunk, Tag: 1, Fid: 3})
	}
	openFile(t, r, 3, 0, "tcp", n, "local")
	if got := readAll(t, r, 3); !strings.HasPrefix(got, "127.0.0.1!") {
		t.Errorf("local: got %q", got)
	}
	r.RPC(&wire.Fcall{Type: wire.Tclunk, Tag: 1, Fid: 3})

	// A read waiting for data wakes when its fid is clunked.
	r.Send(&wire.Fcall{Type: wire.Tread, Tag: 20, Fid: 2, Count: 100})
	if f, err := r.TryRecv(200 * time.Millisecond); err == nil {
		t.Fatalf("read with nothing to read returned %v", f)
	}
	r.Send(&wire.Fcall{Type: wire.Tclunk, Tag: 21, Fid: 2})
	for i := 0; i < 2; i++ {
		f := r.Recv(2 * time.Second)
		if f.Tag == 20 && (f.Type != wire.Rlerror || linux.Errno(f.Ecode) != linux.EINTR) {
			t.Errorf("woken read: %v", f)
		}
	}

	// Closing the last file hangs up, as on Plan 9.
	select {
	case <-ended:
		t.Fatal("the connection ended while clone was still open")
	case <-time.After(100 * time.Millisecond):
	}
	r.RPC(&wire.Fcall{Type: wire.Tclunk, Tag: 1, Fid: 1})
	select {
	case <-ended:
	case <-time.After(2 * time.Second):
		t.Fatal("the connection outlived its last open file")
	}
	openFile(t, r, 1, 2, "tcp", "clone")
	if n := readAll(t, r, 1); n != "0" {
		t.Errorf("after hang-up, clone gave %q, want 0 reused", n)
	}
}

func TestConnectErrors(t *testing.T) {
	fs := New()
	defer fs.Close()
	r := p9test.DialRaw(t, p9test.Serve(t, fs))
	r.Start(8192)
	openFile(t, r, 1, 2, "tcp", "clone")

	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closedPort := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	for cmd, want := range map[string]linux.Errno{
		"connect 127.0.0.1!" + closedPort: linux.ECONNREFUSED,
		"connect nowhere":                 linux.EINVAL,
		"dance":                           linux.EINVAL,
		"announce a!b!c!d":                linux.EINVAL,
	} {
		rep := r.RPC(&wire.Fcall{Type: wire.Twrite, Tag: 1, Fid: 1, Data: []byte(cmd)})
		if rep.Type != wire.Rlerror || linux.Errno(rep.Ecode) != want {
			t.Errorf("%q: got %v, want %v", cmd, rep, want)
		}
	}
	openFile(t, r, 2, 0, "tcp", "0", "data")
	if rep := r.RPC(&wire.Fcall{Type: wire.Tread, Tag: 1, Fid: 2, Count: 10}); rep.Type != wire.Rlerror || linux.Errno(rep.Ecode) != linux.ENOTCONN {
		t.Errorf("read of an unconnected conversation: %v", rep)
	}
}

func TestAnnounceAndListen(t *testing.T) {
	fs := New()
	defer fs.Close()
	r := p9test.DialRaw(t, p9test.Serve(t, fs))
	r.Start(8192)
	openFile(t, r, 1, 2, "tcp", "clone")
	n := readAll(t, r, 1)
	if rep := r.RPC(&wire.Fcall{Type: wire.Twrite, Tag: 1, Fid: 1, Data: []byte("announce 127.0.0.1!0")}); rep.Type != wire.Rwrite {
		t.Fatalf("announce: %v", rep)
	}
	openFile(t, r, 2, 0, "tcp", n, "local")
	local := strings.TrimSpace(readAll(t, r, 2))
	addr := strings.Replace(local, "!", ":", 1)
	openFile(t, r, 3, 0, "tcp", n, "status")
	if s := readAll(t, r, 3); s != "Announced\n" {
		t.Errorf("status %q", s)
	}

	openFile(t, r, 4, 2, "tcp", n, "listen")
	r.Send(&wire.Fcall{Type: wire.Tread, Tag: 30, Fid: 4, Count: 100})
	if f, err := r.TryRecv(200 * time.Millisecond); err == nil {
		t.Fatalf("listen read returned %v before any call", f)
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("ring ring"))
	f := r.Recv(5 * time.Second)
	if f.Tag != 30 || f.Type != wire.Rread {
		t.Fatalf("listen: %v", f)
	}
	m := string(f.Data)
	if m == n {
		t.Fatalf("the call got the announcing conversation %s", m)
	}
	openFile(t, r, 5, 0, "tcp", m, "data")
	if got := readAll(t, r, 5); got != "ring ring" {
		t.Errorf("call data: %q", got)
	}
	// Closing the listen file (now holding M) and M's data hangs up.
	r.RPC(&wire.Fcall{Type: wire.Tclunk, Tag: 1, Fid: 5})
	r.RPC(&wire.Fcall{Type: wire.Tclunk, Tag: 1, Fid: 4})
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("caller's read after hang-up: %v, want EOF", err)
	}
}
