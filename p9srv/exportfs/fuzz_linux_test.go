package exportfs

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"nsh.dev/nsh/p9srv"
	"nsh.dev/nsh/p9srv/internal/wire"
	"nsh.dev/nsh/p9srv/p9test"
)

func seq(fs ...*wire.Fcall) []byte {
	var b []byte
	for _, f := range fs {
		b = append(b, wire.Marshal(f)...)
	}
	return b
}

// FuzzExportServer feeds random and mutated message streams to a server
// of an exported directory, whose reads and writes of regular files the
// transport serves itself (spliced or copied), then checks that the
// server still answers a fresh Tversion and shuts down promptly.
func FuzzExportServer(f *testing.F) {
	version := &wire.Fcall{Type: wire.Tversion, Tag: wire.NoTag, Msize: p9srv.DefaultMaxMsize, Version: "9P2000.L"}
	attach := &wire.Fcall{Type: wire.Tattach, Tag: 1, Fid: 0, Afid: wire.NoFid, NUname: 0}
	walk := func(tag uint16, fid, nf uint32, names ...string) *wire.Fcall {
		return &wire.Fcall{Type: wire.Twalk, Tag: tag, Fid: fid, Newfid: nf, Wnames: names}
	}
	open := func(tag uint16, fid, flags uint32) *wire.Fcall {
		return &wire.Fcall{Type: wire.Tlopen, Tag: tag, Fid: fid, Flags: flags}
	}
	read := func(tag uint16, fid uint32, off uint64, count uint32) *wire.Fcall {
		return &wire.Fcall{Type: wire.Tread, Tag: tag, Fid: fid, Offset: off, Count: count}
	}
	for _, s := range [][]byte{
		seq(version, attach, walk(2, 0, 1, "big"), open(3, 1, 0), read(4, 1, 0, 1<<20), read(5, 1, 100, 1<<20),
			read(6, 1, 1<<20, 4096), read(7, 1, 3<<20, 1<<20), &wire.Fcall{Type: wire.Tclunk, Tag: 8, Fid: 1}),
		seq(version, attach, walk(2, 0, 1, "big"), open(3, 1, 0), read(4, 1, 0, 1<<20),
			&wire.Fcall{Type: wire.Tflush, Tag: 5, Oldtag: 4}, read(4, 1, 7, 1<<20), &wire.Fcall{Type: wire.Tclunk, Tag: 6, Fid: 1}, read(7, 1, 0, 1<<20)),
		seq(version, attach, walk(2, 0, 1, "small"), open(3, 1, 2),
			&wire.Fcall{Type: wire.Twrite, Tag: 4, Fid: 1, Offset: 3, Data: []byte("data")}, read(5, 1, 0, 100),
			&wire.Fcall{Type: wire.Tsetattr, Tag: 6, Fid: 1, Mask: 0x8, SetAttr: wire.SetAttr{Size: 1}}, read(7, 1, 0, 100)),
		seq(version, attach, walk(2, 0, 1), open(3, 1, 0), &wire.Fcall{Type: wire.Treaddir, Tag: 4, Fid: 1, Count: 300}),
	} {
		f.Add(s)
	}
	dir := f.TempDir()
	export := filepath.Join(dir, "export")
	if err := os.Mkdir(export, 0o755); err != nil {
		f.Fatal(err)
	}
	big := make([]byte, 3<<20+123)
	for i := range big {
		big[i] = byte(i * 7)
	}
	if err := os.WriteFile(filepath.Join(export, "big"), big, 0o644); err != nil {
		f.Fatal(err)
	}
	fs, err := New(export)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { fs.Close() })
	n := 0
	f.Fuzz(func(t *testing.T, input []byte) {
		// Each input starts from the same small file.
		if err := os.WriteFile(filepath.Join(export, "small"), []byte("small file\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		n++
		sock := filepath.Join(dir, "s"+strconv.Itoa(n))
		p9test.Feed(t, fs, sock, input)
	})
}
