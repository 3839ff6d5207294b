package ramfs

import (
	"fmt"
	"testing"

	"github.com/hugelgupf/p9/p9"

	"nsh.dev/nsh/p9srv/internal/wire"
	"nsh.dev/nsh/p9srv/p9test"
)

func TestAcceptance(t *testing.T) {
	p9test.WritableFS(t, func(*testing.T) p9.Attacher { return New() })
}

func TestLargeListingIsComplete(t *testing.T) {
	r := p9test.DialRaw(t, p9test.Serve(t, New()))
	r.Start(64 << 10)
	var want []string
	for i := 0; i < 2500; i++ {
		name := fmt.Sprintf("file-with-a-longish-name-%04d", i)
		want = append(want, name)
		r.Walk(0, 1)
		if rep := r.RPC(&wire.Fcall{Type: wire.Tlcreate, Tag: 1, Fid: 1, Name: name, Flags: 1, Mode: 0644}); rep.Type != wire.Rlcreate {
			t.Fatalf("create %s: %v", name, rep)
		}
		r.RPC(&wire.Fcall{Type: wire.Tclunk, Tag: 1, Fid: 1})
	}
	r.Walk(0, 1)
	r.Open(1, 0)
	for _, count := range []uint32{100, 1000, 8168} {
		ents, replies := r.ReadDir(1, count)
		if err := p9test.CheckNames(ents, want); err != nil {
			t.Errorf("count %d: %v", count, err)
		}
		if replies < 10 {
			t.Errorf("count %d: %d replies; the test wants many", count, replies)
		}
	}
}

// The tree supports what a scratch file system is used for.
func TestOperations(t *testing.T) {
	r := p9test.DialRaw(t, p9test.Serve(t, New()))
	r.Start(8192)
	ok := func(what string, f *wire.Fcall, want uint8) *wire.Fcall {
		t.Helper()
		rep := r.RPC(f)
		if rep.Type != want {
			t.Fatalf("%s: %v", what, rep)
		}
		return rep
	}
	ok("mkdir a", &wire.Fcall{Type: wire.Tmkdir, Tag: 1, Dfid: 0, Name: "a", Mode: 0700}, wire.Rmkdir)
	ok("mkdir b", &wire.Fcall{Type: wire.Tmkdir, Tag: 1, Dfid: 0, Name: "b", Mode: 0755}, wire.Rmkdir)
	r.Walk(0, 1, "a")
	ok("create", &wire.Fcall{Type: wire.Tlcreate, Tag: 1, Fid: 1, Name: "f", Flags: 2, Mode: 0600}, wire.Rlcreate)
	ok("write", &wire.Fcall{Type: wire.Twrite, Tag: 1, Fid: 1, Data: []byte("0123456789")}, wire.Rwrite)
	r.Walk(0, 2, "a")
	r.Walk(0, 3, "b")
	ok("symlink", &wire.Fcall{Type: wire.Tsymlink, Tag: 1, Dfid: 3, Name: "l", Target: "../a/f"}, wire.Rsymlink)
	r.Walk(0, 4, "a", "f")
	ok("link", &wire.Fcall{Type: wire.Tlink, Tag: 1, Dfid: 3, Fid: 4, Name: "hard"}, wire.Rlink)
	ok("rename across directories", &wire.Fcall{Type: wire.Trenameat, Tag: 1, Dfid: 2, Name: "f", NewDfid: 3, NewName: "moved"}, wire.Rrenameat)
	ok("truncate", &wire.Fcall{Type: wire.Tsetattr, Tag: 1, Fid: 4, Mask: 0x8, SetAttr: wire.SetAttr{Size: 4}}, wire.Rsetattr)
	ok("chmod and mtime", &wire.Fcall{Type: wire.Tsetattr, Tag: 1, Fid: 4, Mask: 0x1 | 0x20 | 0x100, SetAttr: wire.SetAttr{Mode: 0640, MTimeSec: 1234567890}}, wire.Rsetattr)
	ga := ok("getattr", &wire.Fcall{Type: wire.Tgetattr, Tag: 1, Fid: 4, Mask: 0x7ff}, wire.Rgetattr)
	if ga.Attr.Size != 4 || ga.Attr.Mode != 0o100640 || ga.Attr.NLink != 2 || ga.Attr.MTimeSec != 1234567890 {
		t.Errorf("attributes after truncate, chmod, link, touch: %s", &ga.Attr)
	}
	r.Walk(3, 5, "hard")
	r.Open(5, 0)
	if rep := r.RPC(&wire.Fcall{Type: wire.Tread, Tag: 1, Fid: 5, Count: 100}); string(rep.Data) != "0123" {
		t.Errorf("read through the hard link: %v", rep)
	}
	r.Walk(3, 6, "l")
	if rep := r.RPC(&wire.Fcall{Type: wire.Treadlink, Tag: 1, Fid: 6}); rep.Target != "../a/f" {
		t.Errorf("readlink: %v", rep)
	}
	for what, f := range map[string]*wire.Fcall{
		"rmdir of a non-empty directory": {Type: wire.Tunlinkat, Tag: 1, Dfid: 0, Name: "b", Flags: 0x200},
		"unlink of a directory":          {Type: wire.Tunlinkat, Tag: 1, Dfid: 0, Name: "a"},
		"rename into itself":             {Type: wire.Trenameat, Tag: 1, Dfid: 0, Name: "b", NewDfid: 3, NewName: "x"},
		"create over a name":             {Type: wire.Tmkdir, Tag: 1, Dfid: 3, Name: "l"},
		"huge write":                     {Type: wire.Twrite, Tag: 1, Fid: 1, Offset: 1 << 40, Data: []byte("x")},
	} {
		if rep := r.RPC(f); rep.Type != wire.Rlerror {
			t.Errorf("%s: %v, want an error", what, rep)
		}
	}
	ok("unlink", &wire.Fcall{Type: wire.Tunlinkat, Tag: 1, Dfid: 3, Name: "moved"}, wire.Runlinkat)
	if ga := ok("getattr", &wire.Fcall{Type: wire.Tgetattr, Tag: 1, Fid: 4, Mask: 0x7ff}, wire.Rgetattr); ga.Attr.NLink != 1 {
		t.Errorf("nlink after unlinking one of two names: %d", ga.Attr.NLink)
	}
}
