package p9srv_test

import (
	"path/filepath"
	"sync"
	"testing"

	"nsh.dev/nsh/p9srv"
	"nsh.dev/nsh/p9srv/internal/wire"
	"nsh.dev/nsh/p9srv/p9test"
)

// seq encodes a sequence of messages as one input.
func seq(fs ...*wire.Fcall) []byte {
	var b []byte
	for _, f := range fs {
		b = append(b, wire.Marshal(f)...)
	}
	return b
}

func fuzzSeeds() [][]byte {
	version := &wire.Fcall{Type: wire.Tversion, Tag: wire.NoTag, Msize: 8192, Version: "9P2000.L"}
	attach := &wire.Fcall{Type: wire.Tattach, Tag: 1, Fid: 0, Afid: wire.NoFid, Uname: "glenda", Aname: "", NUname: 1000}
	walk := func(tag uint16, fid, nf uint32, names ...string) *wire.Fcall {
		return &wire.Fcall{Type: wire.Twalk, Tag: tag, Fid: fid, Newfid: nf, Wnames: names}
	}
	open := func(tag uint16, fid, flags uint32) *wire.Fcall {
		return &wire.Fcall{Type: wire.Tlopen, Tag: tag, Fid: fid, Flags: flags}
	}
	read := func(tag uint16, fid uint32, off uint64) *wire.Fcall {
		return &wire.Fcall{Type: wire.Tread, Tag: tag, Fid: fid, Offset: off, Count: 4096}
	}
	clunk := func(tag uint16, fid uint32) *wire.Fcall { return &wire.Fcall{Type: wire.Tclunk, Tag: tag, Fid: fid} }
	return [][]byte{
		seq(version, attach, walk(2, 0, 1, "hello"), open(3, 1, 0), read(4, 1, 0), read(5, 1, 13), clunk(6, 1)),
		seq(version, attach, walk(2, 0, 1, "sub", "deep"), &wire.Fcall{Type: wire.Tgetattr, Tag: 3, Fid: 1, Mask: 0x7ff}, clunk(4, 1)),
		seq(version, attach, walk(2, 0, 1), open(3, 1, 0), &wire.Fcall{Type: wire.Treaddir, Tag: 4, Fid: 1, Count: 300},
			&wire.Fcall{Type: wire.Treaddir, Tag: 5, Fid: 1, Offset: 3, Count: 300}),
		seq(version, attach, walk(2, 0, 1, "events"), open(3, 1, 0), read(4, 1, 0), &wire.Fcall{Type: wire.Tflush, Tag: 5, Oldtag: 4}),
		seq(version, attach, walk(2, 0, 1, "events"), open(3, 1, 0), read(4, 1, 0), clunk(5, 1)),
		seq(version, attach, walk(2, 0, 1, "ctl"), open(3, 1, 2),
			&wire.Fcall{Type: wire.Twrite, Tag: 4, Fid: 1, Data: []byte("hello\nfail\n")}, read(5, 1, 0)),
		seq(version, attach, walk(2, 0, 1, "tmp"),
			&wire.Fcall{Type: wire.Tlcreate, Tag: 3, Fid: 1, Name: "f", Flags: 2, Mode: 0644},
			&wire.Fcall{Type: wire.Twrite, Tag: 4, Fid: 1, Offset: 100, Data: []byte("data")},
			walk(5, 0, 2, "tmp"),
			&wire.Fcall{Type: wire.Tmkdir, Tag: 6, Dfid: 2, Name: "d", Mode: 0755},
			&wire.Fcall{Type: wire.Trenameat, Tag: 7, Dfid: 2, Name: "f", NewDfid: 2, NewName: "g"},
			&wire.Fcall{Type: wire.Tsymlink, Tag: 8, Dfid: 2, Name: "s", Target: "../hello"},
			&wire.Fcall{Type: wire.Tsetattr, Tag: 9, Fid: 2, Mask: 0x39, SetAttr: wire.SetAttr{Mode: 0700, Size: 3}},
			&wire.Fcall{Type: wire.Tunlinkat, Tag: 10, Dfid: 2, Name: "g"},
			&wire.Fcall{Type: wire.Tunlinkat, Tag: 11, Dfid: 2, Name: "d", Flags: 0x200}),
		seq(version, &wire.Fcall{Type: wire.Tauth, Tag: 1, Afid: 1, Uname: "u", Aname: "ctl", NUname: 0}, attach,
			&wire.Fcall{Type: wire.Txattrwalk, Tag: 2, Fid: 0, Newfid: 3, Name: "user.x"},
			&wire.Fcall{Type: wire.Txattrcreate, Tag: 3, Fid: 0, Name: "user.y", Size: 10},
			&wire.Fcall{Type: wire.Tstatfs, Tag: 4, Fid: 0},
			&wire.Fcall{Type: wire.Tlock, Tag: 5, Fid: 0, ClientID: "c"},
			&wire.Fcall{Type: wire.Twalkgetattr, Tag: 6, Fid: 0, Newfid: 7, Wnames: []string{"link"}},
			&wire.Fcall{Type: wire.Treadlink, Tag: 7, Fid: 7},
			&wire.Fcall{Type: wire.Tremove, Tag: 8, Fid: 7}),
		{7, 0, 0, 0, 0, 0, 0},
		{0xff, 0xff, 0xff, 0xff, 100, 0, 0},
	}
}

var fuzzTree = sync.OnceValue(newDemo)

// FuzzServer feeds random and mutated message streams to a whole server
// on a real socket, then checks that the server still answers a fresh
// Tversion, that the connection's blocked reads were woken, and that the
// server shuts down promptly (nothing wedged).
func FuzzServer(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	// Writes at huge offsets must be refused, not allocated.
	saved := p9srv.MaxMemFileSize
	p9srv.MaxMemFileSize = 1 << 20
	f.Cleanup(func() { p9srv.MaxMemFileSize = saved })
	dir := f.TempDir()
	n := 0
	f.Fuzz(func(t *testing.T, input []byte) {
		d := fuzzTree()
		n++
		sock := filepath.Join(dir, "s"+itoa(n))
		p9test.Feed(t, d.root, sock, input)
		if n := d.events.Readers(); n != 0 {
			t.Fatalf("%d event readers left open after the connection ended", n)
		}
	})
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
