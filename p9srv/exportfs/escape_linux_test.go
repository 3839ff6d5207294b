package exportfs

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hugelgupf/p9/linux"
	"github.com/hugelgupf/p9/p9"

	"nsh.dev/nsh/p9srv/internal/wire"
	"nsh.dev/nsh/p9srv/p9test"
)

// layout makes an export with ways out planted in it, and a secret
// outside it.
func layout(t *testing.T) (export, outside string) {
	t.Helper()
	base := t.TempDir()
	export, outside = filepath.Join(base, "export"), filepath.Join(base, "outside")
	must(t, os.MkdirAll(filepath.Join(export, "d"), 0755))
	must(t, os.MkdirAll(outside, 0755))
	must(t, os.WriteFile(filepath.Join(outside, "secret"), []byte("secret"), 0644))
	must(t, os.WriteFile(filepath.Join(export, "f"), []byte("inside"), 0644))
	must(t, os.Symlink(outside, filepath.Join(export, "abs")))
	must(t, os.Symlink("../outside", filepath.Join(export, "rel")))
	must(t, os.Symlink("../../outside/secret", filepath.Join(export, "d", "up")))
	return export, outside
}

func TestNoEscapeInProcess(t *testing.T) {
	export, outside := layout(t)
	fs := newFS(t, export)
	root, _ := fs.Attach()
	defer root.Close()

	for _, path := range [][]string{{".."}, {"d", ".."}, {"abs", "secret"}, {"rel", "secret"}, {"d", "up", "x"}, {"/etc"}, {"a/b"}} {
		if _, f, err := root.Walk(path); err == nil {
			f.Close()
			t.Errorf("Walk(%q) succeeded", path)
		}
	}
	// Links are served as links, never followed.
	for _, name := range []string{"abs", "rel"} {
		_, f, err := root.Walk([]string{name})
		if err != nil {
			t.Fatalf("Walk(%s): %v", name, err)
		}
		_, _, a, _ := f.GetAttr(p9.AttrMaskAll)
		if !a.Mode.IsSymlink() {
			t.Errorf("%s: mode %v, want a symlink", name, a.Mode)
		}
		if _, _, err := f.Open(p9.ReadOnly); err == nil {
			t.Errorf("Open(%s) succeeded on a symlink", name)
		}
		if target, err := f.Readlink(); err != nil || !strings.Contains(target, "outside") {
			t.Errorf("Readlink(%s) = %q, %v", name, target, err)
		}
		f.Close()
	}
	// Creating over a link must not write where it points.
	must(t, os.Symlink(filepath.Join(outside, "planted"), filepath.Join(export, "trap")))
	_, dir, _ := root.Walk(nil)
	if _, _, _, err := dir.Create("trap", p9.ReadWrite, 0644, p9.NoUID, p9.NoGID); err == nil || linux.ExtractErrno(err) != linux.EEXIST {
		t.Errorf("Create over a symlink: %v, want EEXIST", err)
	}
	if _, err := dir.Mkdir("trap", 0755, p9.NoUID, p9.NoGID); err == nil {
		t.Error("Mkdir over a symlink succeeded")
	}
	dir.Close()
	// Setting attributes of a link does not touch its target.
	before, _ := os.Stat(filepath.Join(outside, "secret"))
	_, l, _ := root.Walk([]string{"abs"})
	l.SetAttr(p9.SetAttrMask{Permissions: true, MTime: true, MTimeNotSystemTime: true}, p9.SetAttr{Permissions: 0777, MTimeSeconds: 1})
	l.Close()
	_, l, _ = root.Walk([]string{"d", "up"})
	l.SetAttr(p9.SetAttrMask{Size: true}, p9.SetAttr{Size: 0})
	l.Close()
	after, _ := os.Stat(filepath.Join(outside, "secret"))
	if before.Mode() != after.Mode() || !before.ModTime().Equal(after.ModTime()) || after.Size() != 6 {
		t.Errorf("the secret outside changed: %v %v %d -> %v %v %d", before.Mode(), before.ModTime(), before.Size(), after.Mode(), after.ModTime(), after.Size())
	}
	// Hard-linking a link links the link.
	_, d, _ := root.Walk([]string{"d"})
	_, target, _ := root.Walk([]string{"abs"})
	if err := d.Link(target, "hard"); err != nil {
		t.Fatalf("Link: %v", err)
	}
	if fi, err := os.Lstat(filepath.Join(export, "d", "hard")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("d/hard: %v, %v; want a symlink", fi, err)
	}
	d.Close()
	target.Close()
	checkOutside(t, outside)
}

// checkOutside fails if anything new appeared outside the export.
func checkOutside(t *testing.T, outside string) {
	t.Helper()
	ents, _ := os.ReadDir(outside)
	if len(ents) != 1 || ents[0].Name() != "secret" {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("outside the export now holds %v", names)
	}
	if b, _ := os.ReadFile(filepath.Join(outside, "secret")); string(b) != "secret" {
		t.Errorf("the secret outside now reads %q", b)
	}
}

func TestNoEscapeOverTheWire(t *testing.T) {
	export, outside := layout(t)
	r := p9test.DialRaw(t, p9test.Serve(t, newFS(t, export)))
	r.Start(8192)
	for _, names := range [][]string{{".."}, {"abs", "secret"}, {"rel", "secret"}, {"d", "up", "x"}} {
		if rep := r.RPC(&wire.Fcall{Type: wire.Twalk, Tag: 1, Fid: 0, Newfid: 9, Wnames: names}); rep.Type == wire.Rwalk && len(rep.QIDs) == len(names) {
			t.Errorf("walk %q succeeded", names)
		}
	}
	if rep := r.RPC(&wire.Fcall{Type: wire.Tattach, Tag: 1, Fid: 8, Afid: wire.NoFid, Aname: "/../outside"}); rep.Type != wire.Rlerror {
		t.Errorf("attach to /../outside: %v", rep)
	}
	if rep := r.RPC(&wire.Fcall{Type: wire.Tattach, Tag: 1, Fid: 8, Afid: wire.NoFid, Aname: "/abs"}); rep.Type == wire.Rattach {
		if rep := r.RPC(&wire.Fcall{Type: wire.Twalk, Tag: 1, Fid: 8, Newfid: 10, Wnames: []string{"secret"}}); rep.Type != wire.Rlerror {
			t.Errorf("walk from an attach to a symlink: %v", rep)
		}
	}
	r.Walk(0, 1, "abs")
	if rep := r.RPC(&wire.Fcall{Type: wire.Tlopen, Tag: 1, Fid: 1}); rep.Type != wire.Rlerror {
		t.Errorf("open of a symlink: %v", rep)
	}
	rep := r.RPC(&wire.Fcall{Type: wire.Treadlink, Tag: 1, Fid: 1})
	if rep.Type != wire.Rreadlink || rep.Target != outside {
		t.Errorf("readlink abs: %v", rep)
	}
	// Open flags a client must not pass on: O_CREAT|O_TRUNC|O_PATH on f.
	r.Walk(0, 2, "f")
	r.RPC(&wire.Fcall{Type: wire.Tlopen, Tag: 1, Fid: 2, Flags: 0o100 | 0o10000000})
	if b, _ := os.ReadFile(filepath.Join(export, "f")); string(b) != "inside" {
		t.Errorf("f changed: %q", b)
	}
	checkOutside(t, outside)
}

// A directory a client holds is swapped for a link to the outside: the
// client keeps working in the directory it walked to, wherever it is
// now, and never reaches the outside.
func TestSwappedDirectory(t *testing.T) {
	export, outside := layout(t)
	fs := newFS(t, export)
	root, _ := fs.Attach()
	defer root.Close()
	_, d, err := root.Walk([]string{"d"})
	if err != nil {
		t.Fatal(err)
	}
	must(t, os.Rename(filepath.Join(export, "d"), filepath.Join(export, "d.old")))
	must(t, os.Symlink(outside, filepath.Join(export, "d")))
	if _, _, _, err := d.Create("x", p9.ReadWrite, 0644, p9.NoUID, p9.NoGID); err != nil {
		t.Fatalf("create in the held directory: %v", err)
	}
	if _, err := os.Stat(filepath.Join(export, "d.old", "x")); err != nil {
		t.Errorf("x is not in the directory the fid held: %v", err)
	}
	d.Close()
	checkOutside(t, outside)
}

// A file a client walked to is swapped for a link to the outside before
// the client opens it: the open reaches the walked file or fails.
func TestSwappedFileBeforeOpen(t *testing.T) {
	for _, proc := range []bool{true, false} {
		name := map[bool]string{true: "via /proc", false: "without /proc"}[proc]
		t.Run(name, func(t *testing.T) {
			export, outside := layout(t)
			if !proc {
				saved := procSelfFD
				procSelfFD = "/nonexistent/"
				t.Cleanup(func() { procSelfFD = saved })
			}
			fs := newFS(t, export)
			root, _ := fs.Attach()
			defer root.Close()
			_, f, err := root.Walk([]string{"f"})
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			must(t, os.Rename(filepath.Join(export, "f"), filepath.Join(export, "f.old")))
			must(t, os.Symlink(filepath.Join(outside, "secret"), filepath.Join(export, "f")))
			_, _, err = f.Open(p9.ReadWrite | 0o1000) // O_TRUNC
			switch {
			case proc && err != nil:
				t.Fatalf("open through /proc: %v", err)
			case !proc && err == nil:
				t.Fatal("open by name found a swapped file and did not refuse it")
			}
			if proc {
				f.WriteAt([]byte("written"), 0)
				if b, _ := os.ReadFile(filepath.Join(export, "f.old")); string(b) != "written" {
					t.Errorf("the walked file reads %q", b)
				}
			}
			checkOutside(t, outside)
		})
	}
}

// A name flips between a directory and a link to the outside while a
// client walks through it and creates files as fast as it can.
func TestRacingSwaps(t *testing.T) {
	export, outside := layout(t)
	fs := newFS(t, export)
	root, _ := fs.Attach()
	defer root.Close()
	must(t, os.Mkdir(filepath.Join(export, "real"), 0755))
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		link := filepath.Join(export, "flip.link")
		os.Symlink(outside, link)
		for !stop.Load() {
			os.Rename(filepath.Join(export, "real"), filepath.Join(export, "flip"))
			os.Rename(filepath.Join(export, "flip"), filepath.Join(export, "real"))
			os.Rename(link, filepath.Join(export, "flip"))
			os.Symlink(outside, link)
			os.Remove(filepath.Join(export, "flip"))
		}
	}()
	deadline := time.Now().Add(time.Second)
	walked := 0
	for i := 0; time.Now().Before(deadline); i++ {
		_, d, err := root.Walk([]string{"flip"})
		if err != nil {
			continue
		}
		name := "c" + string(rune('a'+i%26))
		if nf, _, _, err := d.Create(name, p9.WriteOnly, 0644, p9.NoUID, p9.NoGID); err == nil {
			nf.Close()
			walked++
		}
		d.Mkdir("m"+name, 0755, p9.NoUID, p9.NoGID)
		d.Symlink("x", "s"+name, p9.NoUID, p9.NoGID)
		if _, sf, err := d.Walk([]string{"secret"}); err == nil {
			sf.Close()
			t.Error("walked to the secret through a swapped name")
		}
		d.Close()
	}
	stop.Store(true)
	wg.Wait()
	checkOutside(t, outside)
	t.Logf("%d creates landed inside during the race", walked)
}
