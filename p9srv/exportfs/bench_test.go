package exportfs

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/hugelgupf/p9/p9"

	"nsh.dev/nsh/p9srv"
)

// benchRead reads a 64 MiB file through a client of msize over sock.
func benchRead(b *testing.B, sock string, msize uint32) {
	nc, err := net.Dial("unix", sock)
	if err != nil {
		b.Fatal(err)
	}
	c, err := p9.NewClient(nc, p9.WithMessageSize(msize))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	root, err := c.Attach("")
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 1<<20)
	b.SetBytes(64 << 20)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, f, err := root.Walk([]string{"big"})
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := f.Open(p9.ReadOnly); err != nil {
			b.Fatal(err)
		}
		var off int64
		for {
			n, err := f.ReadAt(buf, off)
			off += int64(n)
			if err == io.EOF || n == 0 {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		if off != 64<<20 {
			b.Fatalf("read %d bytes", off)
		}
		f.Close()
	}
}

func benchDir(b *testing.B) string {
	dir := b.TempDir()
	f, err := os.Create(filepath.Join(dir, "big"))
	if err != nil {
		b.Fatal(err)
	}
	f.Truncate(64 << 20)
	f.Close()
	return dir
}

func BenchmarkReadServer(b *testing.B) {
	for _, msize := range []uint32{64 << 10, 1 << 20} {
		b.Run(map[uint32]string{64 << 10: "64K", 1 << 20: "1M"}[msize], func(b *testing.B) {
			fs, _ := New(benchDir(b))
			sock := filepath.Join(b.TempDir(), "s")
			ln, _ := net.Listen("unix", sock)
			srv := p9srv.NewServer(fs)
			go srv.Serve(ln)
			defer srv.Close()
			benchRead(b, sock, msize)
		})
	}
}

func BenchmarkReadLibraryOnly(b *testing.B) {
	for _, msize := range []uint32{64 << 10, 1 << 20} {
		b.Run(map[uint32]string{64 << 10: "64K", 1 << 20: "1M"}[msize], func(b *testing.B) {
			fs, _ := New(benchDir(b))
			sock := filepath.Join(b.TempDir(), "s")
			ln, _ := net.Listen("unix", sock)
			go p9.NewServer(fs).Serve(ln)
			defer ln.Close()
			benchRead(b, sock, msize)
		})
	}
}

func benchGetattr(b *testing.B, sock string) {
	nc, err := net.Dial("unix", sock)
	if err != nil {
		b.Fatal(err)
	}
	c, err := p9.NewClient(nc)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	root, err := c.Attach("")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, _, err := root.GetAttr(p9.AttrMaskAll); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetattrServer(b *testing.B) {
	fs, _ := New(b.TempDir())
	sock := filepath.Join(b.TempDir(), "s")
	ln, _ := net.Listen("unix", sock)
	srv := p9srv.NewServer(fs)
	go srv.Serve(ln)
	defer srv.Close()
	benchGetattr(b, sock)
}

func BenchmarkGetattrLibraryOnly(b *testing.B) {
	fs, _ := New(b.TempDir())
	sock := filepath.Join(b.TempDir(), "s")
	ln, _ := net.Listen("unix", sock)
	go p9.NewServer(fs).Serve(ln)
	defer ln.Close()
	benchGetattr(b, sock)
}
