package p9fuse

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"nsh.dev/nsh/p9srv"

	"nsh.dev/nsh/internal/testenv"
)

// streamSize is the size of streamTree's stream as its reads see it.
const streamSize = 8 << 20

// streamTree is a synthetic tree with one file, stream, whose reads
// return 'z' up to streamSize: a synthetic file that reads like a long
// plain one, which the bridge must still never read ahead.
func streamTree() *p9srv.Dir {
	return p9srv.NewDir(p9srv.E("stream", p9srv.NewFile(p9srv.Funcs{
		Read: func(_ context.Context, p []byte, off int64) (int, error) {
			if off >= streamSize {
				return 0, io.EOF
			}
			n := copy(p, bytes.Repeat([]byte("z"), int(min(int64(len(p)), streamSize-off))))
			return n, nil
		},
	})))
}

// treadOffsets lists the offsets of the Treads in a server's trace.
func treadOffsets(t *testing.T, trace string) []int64 {
	t.Helper()
	b, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	var offs []int64
	for _, m := range regexp.MustCompile(`Tread tag \d+ fid \S+ offset (\d+)`).FindAllSubmatch(b, -1) {
		off, _ := strconv.ParseInt(string(m[1]), 10, 64)
		offs = append(offs, off)
	}
	return offs
}

// readChunks reads n chunks of maxIO from the start of f, as a program
// streaming the file does, and returns what it read.
func readChunks(t *testing.T, f *os.File, n int) []byte {
	t.Helper()
	var out []byte
	buf := make([]byte, maxIO)
	for range n {
		k, err := f.Read(buf)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		out = append(out, buf[:k]...)
	}
	return out
}

// On a mount without caching, a program streaming a plain file of an
// export gets the next chunk read ahead; what it reads is the file,
// whole, and a write made meanwhile — through the mount, or on the
// server once the data read ahead has aged — is seen.
func TestReadAhead(t *testing.T) {
	needFUSE(t)
	base := testenv.PublicTempDir(t, "p9fuse-test-")
	dir := mkdirAll(t, filepath.Join(base, "export"))
	data := make([]byte, 6<<20+100)
	rand.Read(data)
	big := filepath.Join(dir, "big")
	must(t, os.WriteFile(big, data, 0o666))
	trace := filepath.Join(base, "trace")
	srv := startServer(t, base, "export-traced", dir, trace)
	mnt := mkdirAll(t, filepath.Join(base, "mnt"))
	startBridge(t, srv.addr, mnt)

	t.Run("whole and ahead", func(t *testing.T) {
		got, err := os.ReadFile(filepath.Join(mnt, "big"))
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("read %d bytes (%v), equal prefix %d of %d", len(got), err, commonPrefix(got, data), len(data))
		}
		f, err := os.Open(filepath.Join(mnt, "big"))
		if err != nil {
			t.Fatal(err)
		}
		os.Truncate(trace, 0)
		readChunks(t, f, 3)
		f.Close()
		// The second read starts the read ahead, of readAheadChunks
		// chunks, and the third tops it up: the Treads go out before
		// the third read returns, but may reach the trace a little
		// later.
		last := int64(2+readAheadChunks-1) << 20
		ahead := func() bool {
			for _, off := range treadOffsets(t, trace) {
				if off >= last {
					return true
				}
			}
			return false
		}
		deadline := time.Now().Add(5 * time.Second)
		for !ahead() && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if !ahead() {
			t.Errorf("reading 3 MiB of a plain file, the bridge did not read ahead to %d: %v", last, treadOffsets(t, trace))
		}
	})

	t.Run("write through the mount", func(t *testing.T) {
		must(t, os.WriteFile(big, data, 0o666))
		r, err := os.Open(filepath.Join(mnt, "big"))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		w, err := os.OpenFile(filepath.Join(mnt, "big"), os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		readChunks(t, r, 2) // the third chunk is read ahead
		patch := bytes.Repeat([]byte("W"), 4096)
		if _, err := w.WriteAt(patch, 2<<20+10); err != nil {
			t.Fatal(err)
		}
		got := readChunks(t, r, 1)
		if !bytes.Equal(got[10:10+len(patch)], patch) {
			t.Errorf("a write through the mount before the read is not seen: %q...", got[10:20])
		}
	})

	t.Run("write on the server", func(t *testing.T) {
		must(t, os.WriteFile(big, data, 0o666))
		r, err := os.Open(filepath.Join(mnt, "big"))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		readChunks(t, r, 2)
		time.Sleep(10 * readAheadAge)
		f, err := os.OpenFile(big, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		patch := bytes.Repeat([]byte("S"), 4096)
		_, err = f.WriteAt(patch, 2<<20+10)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		got := readChunks(t, r, 1)
		if !bytes.Equal(got[10:10+len(patch)], patch) {
			t.Errorf("a write on the server %v before the read is not seen: %q...", 10*readAheadAge, got[10:20])
		}
	})

	t.Run("file grows", func(t *testing.T) {
		// Data read ahead that came back short is not the end of a
		// file that has grown since.
		must(t, os.WriteFile(big, data[:2<<20+5], 0o666))
		r, err := os.Open(filepath.Join(mnt, "big"))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		readChunks(t, r, 2)
		time.Sleep(50 * time.Millisecond)
		f, err := os.OpenFile(big, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.Write(data[2<<20+5 : 3<<20])
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got := readChunks(t, r, 1); !bytes.Equal(got, data[2<<20:3<<20]) {
			t.Errorf("after the file grew, read %d bytes, want %d", len(got), 1<<20)
		}
	})
}

// A synthetic file is never read ahead, however much it reads like a
// long plain file: the server sees only the reads the program made.
func TestNoReadAheadOnSyntheticFiles(t *testing.T) {
	needFUSE(t)
	base := testenv.PublicTempDir(t, "p9fuse-test-")
	trace := filepath.Join(base, "trace")
	srv := startServer(t, base, "stream-traced", trace)
	mnt := mkdirAll(t, filepath.Join(base, "mnt"))
	startBridge(t, srv.addr, mnt)
	f, err := os.Open(filepath.Join(mnt, "stream"))
	if err != nil {
		t.Fatal(err)
	}
	got := readChunks(t, f, 3)
	f.Close()
	if !bytes.Equal(got, bytes.Repeat([]byte("z"), 3<<20)) {
		t.Fatalf("read %d bytes, not the stream's", len(got))
	}
	// Give a read ahead, were there one, the time to reach the trace.
	time.Sleep(100 * time.Millisecond)
	offs := treadOffsets(t, trace)
	for _, off := range offs {
		if off >= 3<<20 {
			t.Fatalf("the bridge read the synthetic file at %d, beyond what was asked: %v", off, offs)
		}
	}
	if len(offs) == 0 {
		t.Fatal("no Tread in the trace: the test sees nothing")
	}
}

func commonPrefix(a, b []byte) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
