// Package p9test runs 9P file systems through their paces in tests: it
// connects a p9srv.Server to a hugelgupf/p9 client over a real unix
// socket, and runs that library's acceptance suite (fsimpl/test) both in
// process and over the wire, checking that the suite's walk subtests,
// which its one short Readdir would otherwise silently skip, really ran.
package p9test

import (
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hugelgupf/p9/p9"

	"nsh.dev/nsh/p9srv"
)

// Serve serves a on a fresh unix socket through a p9srv.Server with
// opts, and returns the socket's path. The server stops at cleanup.
func Serve(t testing.TB, a p9.Attacher, opts ...p9srv.Option) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "9p.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := p9srv.NewServer(a, opts...)
	done := make(chan struct{})
	go func() {
		srv.Serve(ln)
		close(done)
	}()
	t.Cleanup(func() {
		srv.Close()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Errorf("server did not stop within 10s of Close")
		}
	})
	return sock
}

// Dial connects a hugelgupf/p9 client to the socket and attaches to
// aname; it returns the client and the root. Both close at cleanup.
func Dial(t testing.TB, sock, aname string) (*p9.Client, p9.File) {
	t.Helper()
	nc, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	c, err := p9.NewClient(nc, p9.WithMessageSize(64<<10))
	if err != nil {
		nc.Close()
		t.Fatalf("NewClient: %v", err)
	}
	root, err := c.Attach(aname)
	if err != nil {
		c.Close()
		t.Fatalf("Attach(%q): %v", aname, err)
	}
	t.Cleanup(func() {
		root.Close()
		c.Close()
	})
	return c, root
}

// Wire serves a through a p9srv.Server and returns an Attacher whose
// roots are client files on the other end of a real socket, so that a
// suite written for in-process Files runs over the wire.
func Wire(t testing.TB, a p9.Attacher, opts ...p9srv.Option) p9.Attacher {
	t.Helper()
	sock := Serve(t, a, opts...)
	return attacherFunc(func() (p9.File, error) {
		_, root := Dial(t, sock, "")
		_, f, err := root.Walk(nil)
		return f, err
	})
}

type attacherFunc func() (p9.File, error)

func (f attacherFunc) Attach() (p9.File, error) { return f() }

// ReaddirBytes is the count Watch's files use for every Readdir: over
// the wire the count is in bytes, and the suite's 10 would fit no entry.
const ReaddirBytes = 60 << 10

// A Watch wraps an Attacher so that every Readdir asks for ReaddirBytes,
// and records which names were listed and which were walked to.
type Watch struct {
	a p9.Attacher

	mu     sync.Mutex
	listed map[string]bool
	walked map[string]bool
}

// NewWatch wraps a.
func NewWatch(a p9.Attacher) *Watch {
	return &Watch{a: a, listed: make(map[string]bool), walked: make(map[string]bool)}
}

// Attach implements p9.Attacher.
func (w *Watch) Attach() (p9.File, error) {
	f, err := w.a.Attach()
	if err != nil {
		return nil, err
	}
	return &watchFile{File: f, w: w}, nil
}

// Unwalked returns the names a Readdir returned that no Walk visited.
func (w *Watch) Unwalked() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for n := range w.listed {
		if !w.walked[n] {
			out = append(out, n)
		}
	}
	return out
}

// Listed returns how many distinct names Readdir returned.
func (w *Watch) Listed() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.listed)
}

type watchFile struct {
	p9.File
	w *Watch
}

func (f *watchFile) wrap(nf p9.File) p9.File {
	if nf == nil {
		return nil
	}
	return &watchFile{File: nf, w: f.w}
}

func (f *watchFile) Walk(names []string) ([]p9.QID, p9.File, error) {
	q, nf, err := f.File.Walk(names)
	if err == nil && len(names) == 1 {
		f.w.mu.Lock()
		f.w.walked[names[0]] = true
		f.w.mu.Unlock()
	}
	return q, f.wrap(nf), err
}

func (f *watchFile) WalkGetAttr(names []string) ([]p9.QID, p9.File, p9.AttrMask, p9.Attr, error) {
	q, nf, m, a, err := f.File.WalkGetAttr(names)
	return q, f.wrap(nf), m, a, err
}

func (f *watchFile) Create(name string, flags p9.OpenFlags, perm p9.FileMode, uid p9.UID, gid p9.GID) (p9.File, p9.QID, uint32, error) {
	nf, q, iounit, err := f.File.Create(name, flags, perm, uid, gid)
	return f.wrap(nf), q, iounit, err
}

func (f *watchFile) Readdir(offset uint64, count uint32) (p9.Dirents, error) {
	ents, err := f.File.Readdir(offset, max(count, ReaddirBytes))
	f.w.mu.Lock()
	for _, e := range ents {
		f.w.listed[e.Name] = true
	}
	f.w.mu.Unlock()
	return ents, err
}
