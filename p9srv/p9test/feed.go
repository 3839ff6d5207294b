package p9test

import (
	"net"
	"testing"
	"time"

	"github.com/hugelgupf/p9/p9"

	"nsh.dev/nsh/p9srv"
	"nsh.dev/nsh/p9srv/internal/wire"
)

// Feed serves root on a fresh unix socket at sock with at most 64 fids
// per connection, writes input to it as one client's whole stream, and
// fails t unless the server then still answers a fresh Tversion and
// shuts down within 10 seconds (no handler wedged). The fuzz targets of
// the server and of each file system share it.
func Feed(t *testing.T, root p9.Attacher, sock string, input []byte) {
	t.Helper()
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := p9srv.NewServer(root, p9srv.WithMaxFids(64))
	served := make(chan struct{})
	go func() { srv.Serve(ln); close(served) }()

	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(5 * time.Second))
	// Read the replies while writing, as a client does: a server whose
	// replies nobody reads stops reading in turn.
	drained := make(chan struct{})
	go func() {
		buf := make([]byte, 64<<10)
		for {
			if _, err := c.Read(buf); err != nil {
				break
			}
		}
		close(drained)
	}()
	c.Write(input)
	c.(*net.UnixConn).CloseWrite()
	<-drained
	c.Close()

	r := DialRaw(t, sock)
	r.Send(&wire.Fcall{Type: wire.Tversion, Tag: wire.NoTag, Msize: 8192, Version: "9P2000.L"})
	if f, err := r.TryRecv(5 * time.Second); err != nil || f.Type != wire.Rversion {
		t.Fatalf("after the input, a fresh Tversion got %v, %v", f, err)
	}
	r.C.Close()

	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("server did not shut down within 10s: a handler is wedged")
	}
	<-served
}
