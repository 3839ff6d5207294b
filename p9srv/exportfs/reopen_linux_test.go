package exportfs

import (
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hugelgupf/p9/p9"
	"golang.org/x/sys/unix"
)

// An open without O_TRUNC goes by name beneath the parent. Whatever the
// name holds by the time of the open — a link out, a FIFO, another
// file, nothing — the open reaches the file the client walked to, and
// never the outside; nor does it block.
func TestOpenReachesTheWalkedFile(t *testing.T) {
	for _, c := range []struct {
		name string
		swap func(t *testing.T, export, outside string)
	}{
		{"unchanged", func(t *testing.T, export, outside string) {}},
		{"link out", func(t *testing.T, export, outside string) {
			must(t, os.Rename(filepath.Join(export, "f"), filepath.Join(export, "f.old")))
			must(t, os.Symlink(filepath.Join(outside, "secret"), filepath.Join(export, "f")))
		}},
		{"fifo", func(t *testing.T, export, outside string) {
			must(t, os.Rename(filepath.Join(export, "f"), filepath.Join(export, "f.old")))
			must(t, unix.Mkfifo(filepath.Join(export, "f"), 0o666))
		}},
		{"another file", func(t *testing.T, export, outside string) {
			must(t, os.Rename(filepath.Join(export, "f"), filepath.Join(export, "f.old")))
			must(t, os.WriteFile(filepath.Join(export, "f"), []byte("imposter"), 0o644))
		}},
		{"removed", func(t *testing.T, export, outside string) {
			must(t, os.Remove(filepath.Join(export, "f")))
		}},
	} {
		for _, flags := range []p9.OpenFlags{p9.ReadOnly, p9.ReadWrite} {
			t.Run(c.name+"/"+map[p9.OpenFlags]string{p9.ReadOnly: "ro", p9.ReadWrite: "rw"}[flags], func(t *testing.T) {
				export, outside := layout(t)
				fs := newFS(t, export)
				root, _ := fs.Attach()
				defer root.Close()
				_, f, err := root.Walk([]string{"f"})
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				c.swap(t, export, outside)
				opened := make(chan error, 1)
				go func() {
					_, _, err := f.Open(flags)
					opened <- err
				}()
				select {
				case err = <-opened:
				case <-time.After(5 * time.Second):
					t.Fatal("open blocked")
				}
				if err != nil {
					t.Fatalf("open: %v", err)
				}
				buf := make([]byte, 64)
				n, err := f.ReadAt(buf, 0)
				if err != nil && err != io.EOF {
					t.Fatalf("read: %v", err)
				}
				if string(buf[:n]) != "inside" {
					t.Errorf("read %q, want the walked file's %q", buf[:n], "inside")
				}
				if flags == p9.ReadWrite {
					if _, err := f.WriteAt([]byte("INSIDE"), 0); err != nil {
						t.Errorf("write: %v", err)
					}
					if c.name == "another file" {
						if b, _ := os.ReadFile(filepath.Join(export, "f")); string(b) != "imposter" {
							t.Errorf("the file now named f holds %q: the write reached it", b)
						}
					}
				}
				checkOutside(t, outside)
			})
		}
	}
}

// A directory opens as the directory the client walked to, even when
// its name now leads outside.
func TestOpenDirectoryAfterSwap(t *testing.T) {
	export, outside := layout(t)
	must(t, os.WriteFile(filepath.Join(export, "d", "mine"), nil, 0o644))
	fs := newFS(t, export)
	root, _ := fs.Attach()
	defer root.Close()
	_, d, err := root.Walk([]string{"d"})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	must(t, os.Rename(filepath.Join(export, "d"), filepath.Join(export, "d.old")))
	must(t, os.Symlink(outside, filepath.Join(export, "d")))
	if _, _, err := d.Open(p9.ReadOnly); err != nil {
		t.Fatalf("open: %v", err)
	}
	ents, err := d.Readdir(0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name)
	}
	if len(names) != 2 || !contains(names, "mine") || !contains(names, "up") {
		t.Errorf("listing %v, want the walked directory's [mine up]", names)
	}
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}
