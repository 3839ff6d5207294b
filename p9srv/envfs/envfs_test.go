package envfs

import (
	"os"
	"testing"

	"github.com/hugelgupf/p9/fsimpl/test"
	"github.com/hugelgupf/p9/linux"
	"github.com/hugelgupf/p9/p9"

	"nsh.dev/nsh/p9srv/internal/wire"
	"nsh.dev/nsh/p9srv/p9test"
)

func TestAcceptanceReadOnly(t *testing.T) {
	t.Setenv("NSH_ENVFS_A", "alpha")
	t.Setenv("NSH_ENVFS_EMPTY", "")
	mask := p9.AttrMask{Mode: true, Size: true}
	p9test.ReadOnlyFS(t, New(), 2,
		test.WithFile("NSH_ENVFS_A", "alpha", p9.Attr{Mode: p9.ModeRegular | 0644, Size: 5}, mask),
		test.WithFile("NSH_ENVFS_EMPTY", "", p9.Attr{Mode: p9.ModeRegular | 0644}, mask),
	)
}

func TestAcceptanceWritable(t *testing.T) {
	// TestFile creates "file2", which must not exist when it starts.
	t.Cleanup(func() { os.Unsetenv("file2") })
	p9test.WritableFS(t, func(*testing.T) p9.Attacher {
		os.Unsetenv("file2")
		return New()
	})
}

func TestEnvThroughTheWire(t *testing.T) {
	t.Setenv("NSH_ENVFS_B", "one two")
	r := p9test.DialRaw(t, p9test.Serve(t, New()))
	r.Start(8192)

	r.Walk(0, 1, "NSH_ENVFS_B")
	r.Open(1, 2)
	if rep := r.RPC(&wire.Fcall{Type: wire.Twrite, Tag: 1, Fid: 1, Offset: 4, Data: []byte("2")}); rep.Type != wire.Rwrite {
		t.Fatalf("write: %v", rep)
	}
	if v := os.Getenv("NSH_ENVFS_B"); v != "one 2wo" {
		t.Errorf("after writing at offset 4: %q", v)
	}
	// Truncate, as a shell's > does through a bridge.
	r.Walk(0, 2, "NSH_ENVFS_B")
	if rep := r.RPC(&wire.Fcall{Type: wire.Tsetattr, Tag: 1, Fid: 2, Mask: 0x8, SetAttr: wire.SetAttr{Size: 3}}); rep.Type != wire.Rsetattr {
		t.Fatalf("setattr: %v", rep)
	}
	if v := os.Getenv("NSH_ENVFS_B"); v != "one" {
		t.Errorf("after truncating to 3: %q", v)
	}

	// Create, rename, remove.
	t.Cleanup(func() { os.Unsetenv("NSH_ENVFS_NEW"); os.Unsetenv("NSH_ENVFS_MOVED") })
	r.Walk(0, 3)
	if rep := r.RPC(&wire.Fcall{Type: wire.Tlcreate, Tag: 1, Fid: 3, Name: "NSH_ENVFS_NEW", Flags: 1, Mode: 0644}); rep.Type != wire.Rlcreate {
		t.Fatalf("create: %v", rep)
	}
	r.RPC(&wire.Fcall{Type: wire.Twrite, Tag: 1, Fid: 3, Data: []byte("fresh")})
	if v, ok := os.LookupEnv("NSH_ENVFS_NEW"); !ok || v != "fresh" {
		t.Errorf("created variable: %q %v", v, ok)
	}
	if rep := r.RPC(&wire.Fcall{Type: wire.Trenameat, Tag: 1, Dfid: 0, Name: "NSH_ENVFS_NEW", NewDfid: 0, NewName: "NSH_ENVFS_MOVED"}); rep.Type != wire.Rrenameat {
		t.Fatalf("rename: %v", rep)
	}
	if _, ok := os.LookupEnv("NSH_ENVFS_NEW"); ok || os.Getenv("NSH_ENVFS_MOVED") != "fresh" {
		t.Errorf("rename did not move the value")
	}
	if rep := r.RPC(&wire.Fcall{Type: wire.Tunlinkat, Tag: 1, Dfid: 0, Name: "NSH_ENVFS_MOVED"}); rep.Type != wire.Runlinkat {
		t.Fatalf("remove: %v", rep)
	}
	if _, ok := os.LookupEnv("NSH_ENVFS_MOVED"); ok {
		t.Errorf("remove did not unset the variable")
	}

	// Bad input gets an error, not a crash.
	for name, f := range map[string]*wire.Fcall{
		"create a=b":  {Type: wire.Tlcreate, Tag: 1, Fid: 0, Name: "a=b"},
		"write a NUL": {Type: wire.Twrite, Tag: 1, Fid: 1, Data: []byte{'x', 0}},
		"mkdir":       {Type: wire.Tmkdir, Tag: 1, Dfid: 0, Name: "d"},
	} {
		if rep := r.RPC(f); rep.Type != wire.Rlerror || rep.Ecode == 0 {
			t.Errorf("%s: got %v, want an error", name, rep)
		}
	}
	if rep := r.RPC(&wire.Fcall{Type: wire.Twalk, Tag: 1, Fid: 0, Newfid: 9, Wnames: []string{"NSH_ENVFS_NONE"}}); rep.Type != wire.Rlerror || linux.Errno(rep.Ecode) != linux.ENOENT {
		t.Errorf("walk to an unset variable: %v", rep)
	}
}
