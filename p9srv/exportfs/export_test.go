package exportfs

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/hugelgupf/p9/fsimpl/test"
	"github.com/hugelgupf/p9/p9"

	"nsh.dev/nsh/p9srv/internal/wire"
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

func TestLargeListingIsComplete(t *testing.T) {
	dir := t.TempDir()
	var want []string
	for i := 0; i < 2500; i++ {
		name := fmt.Sprintf("file-with-a-longish-name-%04d", i)
		want = append(want, name)
		must(t, os.WriteFile(filepath.Join(dir, name), nil, 0644))
	}
	r := p9test.DialRaw(t, p9test.Serve(t, newFS(t, dir)))
	r.Start(64 << 10)
	r.Walk(0, 1)
	r.Open(1, 0)
	for _, count := range []uint32{100, 1000, 8168, 60000} {
		ents, replies := r.ReadDir(1, count)
		if err := p9test.CheckNames(ents, want); err != nil {
			t.Errorf("count %d: %v", count, err)
		}
		if count <= 8168 && replies < 10 {
			t.Errorf("count %d: %d replies; the test wants many", count, replies)
		}
	}
	// Entries carry the walk's QIDs and d_type.
	ents, _ := r.ReadDir(1, 8168)
	r.Walk(0, 2, ents[7].Name)
	if ga := r.RPC(&wire.Fcall{Type: wire.Tgetattr, Tag: 1, Fid: 2, Mask: 0x7ff}); ga.QID != ents[7].QID || ents[7].Type != 8 {
		t.Errorf("entry %v: getattr QID %v", ents[7], ga.QID)
	}
}

func TestReadWriteTruncateRename(t *testing.T) {
	dir := t.TempDir()
	must(t, os.Mkdir(filepath.Join(dir, "a"), 0755))
	must(t, os.Mkdir(filepath.Join(dir, "b"), 0755))
	r := p9test.DialRaw(t, p9test.Serve(t, newFS(t, dir)))
	r.Start(8192)
	r.Walk(0, 1, "a")
	if rep := r.RPC(&wire.Fcall{Type: wire.Tlcreate, Tag: 1, Fid: 1, Name: "f", Flags: 2, Mode: 0640}); rep.Type != wire.Rlcreate {
		t.Fatalf("create: %v", rep)
	}
	if fi, _ := os.Stat(filepath.Join(dir, "a", "f")); fi == nil || fi.Mode().Perm() != 0640 {
		t.Errorf("created mode: %v, want exactly 0640 whatever the umask", fi)
	}
	r.RPC(&wire.Fcall{Type: wire.Twrite, Tag: 1, Fid: 1, Data: []byte("hello world")})
	if rep := r.RPC(&wire.Fcall{Type: wire.Tread, Tag: 1, Fid: 1, Offset: 6, Count: 100}); string(rep.Data) != "world" {
		t.Errorf("read back: %v", rep)
	}
	if rep := r.RPC(&wire.Fcall{Type: wire.Tread, Tag: 1, Fid: 1, Offset: 11, Count: 100}); rep.Type != wire.Rread || rep.Count != 0 {
		t.Errorf("read at the end: %v", rep)
	}
	r.Walk(0, 2, "a", "f")
	if rep := r.RPC(&wire.Fcall{Type: wire.Tsetattr, Tag: 1, Fid: 2, Mask: 0x8, SetAttr: wire.SetAttr{Size: 5}}); rep.Type != wire.Rsetattr {
		t.Fatalf("truncate: %v", rep)
	}
	r.Walk(0, 3, "a")
	r.Walk(0, 4, "b")
	if rep := r.RPC(&wire.Fcall{Type: wire.Trenameat, Tag: 1, Dfid: 3, Name: "f", NewDfid: 4, NewName: "g"}); rep.Type != wire.Rrenameat {
		t.Fatalf("rename across directories: %v", rep)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "b", "g")); err != nil || string(b) != "hello" {
		t.Errorf("b/g: %q, %v", b, err)
	}
	// The fid of the renamed file still works.
	if rep := r.RPC(&wire.Fcall{Type: wire.Tgetattr, Tag: 1, Fid: 2, Mask: 0x7ff}); rep.Type != wire.Rgetattr || rep.Attr.Size != 5 {
		t.Errorf("getattr after rename: %v", rep)
	}
	if rep := r.RPC(&wire.Fcall{Type: wire.Tunlinkat, Tag: 1, Dfid: 4, Name: "g"}); rep.Type != wire.Runlinkat {
		t.Errorf("unlink: %v", rep)
	}
	if rep := r.RPC(&wire.Fcall{Type: wire.Tunlinkat, Tag: 1, Dfid: 0, Name: "a", Flags: 0x200}); rep.Type != wire.Runlinkat {
		t.Errorf("rmdir: %v", rep)
	}
}
