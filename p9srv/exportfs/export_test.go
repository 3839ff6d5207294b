package exportfs

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hugelgupf/p9/fsimpl/test"
	"github.com/hugelgupf/p9/p9"

	"nsh.dev/nsh/p9srv/p9test"
)

func newFS(t *testing.T, dir string) *FS {
	t.Helper()
	fs, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fs.Close() })
	return fs
}

func TestAcceptanceWritable(t *testing.T) {
	p9test.WritableFS(t, func(t *testing.T) p9.Attacher { return newFS(t, t.TempDir()) })
}

func TestAcceptanceReadOnly(t *testing.T) {
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "a"), []byte("alpha\n"), 0644))
	must(t, os.Mkdir(filepath.Join(dir, "sub"), 0755))
	must(t, os.WriteFile(filepath.Join(dir, "sub", "b"), []byte("beta"), 0600))
	must(t, os.Symlink("../a", filepath.Join(dir, "sub", "up")))
	must(t, os.Symlink("/etc/passwd", filepath.Join(dir, "abs")))
	mask := p9.AttrMask{Mode: true, Size: true}
	p9test.ReadOnlyFS(t, newFS(t, dir), 3,
		test.WithDir("", "a", "sub", "abs"),
		test.WithDir("sub", "b", "up"),
		test.WithFile("a", "alpha\n", p9.Attr{Mode: p9.ModeRegular | 0644, Size: 6}, mask),
		test.WithFile("sub/b", "beta", p9.Attr{Mode: p9.ModeRegular | 0600, Size: 4}, mask),
		test.WithSymlink("sub/up", "../a", p9.Attr{Mode: p9.ModeSymlink | 0777}, p9.AttrMask{Mode: true}),
		test.WithSymlink("abs", "/etc/passwd", p9.Attr{Mode: p9.ModeSymlink | 0777}, p9.AttrMask{Mode: true}),
	)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
