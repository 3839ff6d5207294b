package command

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hugelgupf/p9/p9"

	"nsh.dev/nsh/internal/testenv"
	"nsh.dev/nsh/p9srv/internal/wire"
)

// The test binary doubles as the p9srv command (and, on Linux, as a
// session helper, and as the background server of p9srv -s) when
// re-executed with these variables set.
func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv("P9SRV_TEST_ARGS"); ok {
		os.Args = append([]string{"p9srv"}, strings.Split(args, "\n")...)
		os.Exit(Main())
	}
	if os.Getenv("P9SRV_TEST_SESSION") != "" {
		os.Exit(sessionHelper())
	}
	// The background server that p9srv -s, run by a test, starts.
	if _, ok := os.LookupEnv(backgroundEnv); ok {
		os.Exit(Main())
	}
	os.Exit(m.Run())
}

func TestUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{nil, 2, "no file system named"},
		{[]string{"-x", "ramfs"}, 2, "flag provided but not defined: -x"},
		{[]string{"-s", "a", "-l", "unix!/x", "ramfs"}, 2, "-s and -l cannot be used together"},
		{[]string{"nofs"}, 2, `unknown file system "nofs"`},
		{[]string{"export"}, 2, "export takes 1 argument(s): export DIR"},
		{[]string{"ramfs", "extra"}, 2, "ramfs takes 0 argument(s)"},
		{[]string{"-l", "udp!h!1", "ramfs"}, 2, "unknown network"},
		{[]string{"-l", "tcp!h", "ramfs"}, 2, "want tcp!HOST!PORT"},
		{[]string{"export", "/nonexistent/dir"}, 1, "p9srv: export /nonexistent/dir: no such file or directory"},
	} {
		var stderr bytes.Buffer
		code := Run(context.Background(), c.args, strings.NewReader(""), io.Discard, &stderr)
		if code != c.code || !strings.Contains(stderr.String(), c.msg) {
			t.Errorf("p9srv %q: exit %d, stderr %q; want exit %d and %q", c.args, code, stderr.String(), c.code, c.msg)
		}
		if c.code == 2 && !strings.Contains(stderr.String(), usageLine) {
			t.Errorf("p9srv %q: usage error without the usage line: %q", c.args, stderr.String())
		}
	}
	var stdout bytes.Buffer
	if code := Run(context.Background(), []string{"-h"}, nil, &stdout, io.Discard); code != 0 || !strings.Contains(stdout.String(), "export DIR") {
		t.Errorf("-h: exit %d, %q", code, stdout.String())
	}
}

type pipeConn struct {
	io.Reader
	io.WriteCloser
}

func TestStdioAndTrace(t *testing.T) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	var stderr testenv.SyncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(context.Background(), []string{"-D", "ramfs"}, inR, outW, &stderr)
		outW.Close()
	}()
	c, err := p9.NewClient(pipeConn{outR, inW}, p9.WithMessageSize(8192))
	if err != nil {
		t.Fatal(err)
	}
	root, err := c.Attach("")
	if err != nil {
		t.Fatal(err)
	}
	_, dir, _ := root.Walk(nil)
	if _, _, _, err := dir.Create("hello", p9.ReadWrite, 0644, p9.NoUID, p9.NoGID); err != nil {
		t.Fatal(err)
	}
	if _, err := dir.WriteAt([]byte("hi"), 0); err != nil {
		t.Fatal(err)
	}
	dir.Close()
	root.Close()
	c.Close()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d after the client hung up", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("p9srv on stdio did not end when the client hung up")
	}
	trace := stderr.String()
	for _, re := range []string{
		`(?m)^<-1- Tversion tag \d+ msize 8192 version "9P2000.L.Google.7"$`,
		`(?m)^-1-> Rversion tag \d+ msize 8192 version "9P2000.L.Google.7"$`,
		`(?m)^<-1- Tucreate tag \d+ fid \d+ name "hello" flags 02 mode 0644 gid -1 uid -1$`,
		`(?m)^-1-> Rucreate tag \d+ qid \([0-9a-f]{16} 0 \) iounit 0$`,
		`(?m)^<-1- Twrite tag \d+ fid \d+ offset 0 count 2 "hi"$`,
		`(?m)^-1-> Rwrite tag \d+ count 2$`,
	} {
		if !regexp.MustCompile(re).MatchString(trace) {
			t.Errorf("trace lacks %s:\n%s", re, trace)
		}
	}
}

// serveFS runs the command on a unix socket until the test ends.
func serveFS(t *testing.T, args ...string) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "9p")
	ctx, cancel := context.WithCancel(context.Background())
	var stderr testenv.SyncBuffer
	done := make(chan int, 1)
	go func() { done <- Run(ctx, append([]string{"-l", "unix!" + sock}, args...), nil, io.Discard, &stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("p9srv %q: exit %d: %s", args, code, stderr.String())
			}
		case <-time.After(10 * time.Second):
			t.Errorf("p9srv %q did not stop", args)
		}
		if _, err := os.Lstat(sock); !os.IsNotExist(err) {
			t.Errorf("p9srv %q left its socket: %v", args, err)
		}
	})
	for i := 0; ; i++ {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			return sock
		}
		if i > 500 {
			t.Fatalf("p9srv %q did not listen: %s", args, stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func diod(t *testing.T, prog string, args ...string) string {
	t.Helper()
	path := testenv.NeedProgram(t, prog, "diod")
	out, err := exec.Command(path, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %q: %v\n%s", prog, args, err, out)
	}
	return string(out)
}

func sortedLines(s string) []string {
	l := strings.Fields(s)
	sort.Strings(l)
	return l
}

func TestDiodClients(t *testing.T) {
	t.Run("export", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "hello"), []byte("hello, diod\n"), 0644)
		os.Mkdir(filepath.Join(dir, "sub"), 0755)
		big := bytes.Repeat([]byte("0123456789abcdef"), 50000) // spans many reads
		os.WriteFile(filepath.Join(dir, "sub", "big"), big, 0644)
		for i := 0; i < 300; i++ {
			os.WriteFile(filepath.Join(dir, "sub", "f"+strings.Repeat("x", 40)+strconv.Itoa(i)), nil, 0644)
		}
		sock := serveFS(t, "export", dir)
		if got := sortedLines(diod(t, "diodls", "-s", sock, "-a", "/")); strings.Join(got, " ") != "hello sub" {
			t.Errorf("diodls /: %q", got)
		}
		if n := len(strings.Fields(diod(t, "diodls", "-m", "8192", "-s", sock, "-a", "/", "sub"))); n != 301 {
			t.Errorf("diodls sub at msize 8192: %d entries, want 301", n)
		}
		long := diod(t, "diodls", "-l", "-s", sock, "-a", "/")
		if !regexp.MustCompile(`(?m)^-rw-r--r--\. +1 \S+ +\S+ +12 .* hello$`).MatchString(long) {
			t.Errorf("diodls -l: %q", long)
		}
		if got := diod(t, "diodcat", "-s", sock, "-a", "/", "hello"); got != "hello, diod\n" {
			t.Errorf("diodcat hello: %q", got)
		}
		if got := diod(t, "diodcat", "-m", "4096", "-s", sock, "-a", "/sub", "big"); got != string(big) {
			t.Errorf("diodcat sub/big at msize 4096: %d bytes, want %d", len(got), len(big))
		}
	})
	t.Run("env", func(t *testing.T) {
		t.Setenv("NSH_DIOD_VAR", "value for diod")
		sock := serveFS(t, "env")
		if !strings.Contains("\n"+diod(t, "diodls", "-s", sock, "-a", "/"), "\nNSH_DIOD_VAR\n") {
			t.Error("diodls of env lacks NSH_DIOD_VAR")
		}
		if got := diod(t, "diodcat", "-s", sock, "-a", "/", "NSH_DIOD_VAR"); got != "value for diod" {
			t.Errorf("diodcat NSH_DIOD_VAR: %q", got)
		}
	})
	t.Run("net", func(t *testing.T) {
		sock := serveFS(t, "net")
		if got := diod(t, "diodls", "-s", sock, "-a", "/"); got != "tcp\n" {
			t.Errorf("diodls of net: %q", got)
		}
		if got := diod(t, "diodls", "-s", sock, "-a", "/tcp"); got != "clone\n" {
			t.Errorf("diodls of net/tcp: %q", got)
		}
	})
	t.Run("ramfs", func(t *testing.T) {
		sock := serveFS(t, "ramfs")
		nc, err := net.Dial("unix", sock)
		if err != nil {
			t.Fatal(err)
		}
		c, err := p9.NewClient(nc)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		root, err := c.Attach("")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := root.Mkdir("d", 0755, p9.NoUID, p9.NoGID); err != nil {
			t.Fatal(err)
		}
		_, d, _ := root.Walk([]string{"d"})
		if _, _, _, err := d.Create("note", p9.WriteOnly, 0644, p9.NoUID, p9.NoGID); err != nil {
			t.Fatal(err)
		}
		d.WriteAt([]byte("kept in memory\n"), 0)
		d.Close()
		if got := diod(t, "diodls", "-s", sock, "-a", "/d"); got != "note\n" {
			t.Errorf("diodls of ramfs /d: %q", got)
		}
		if got := diod(t, "diodcat", "-s", sock, "-a", "/d", "note"); got != "kept in memory\n" {
			t.Errorf("diodcat of ramfs d/note: %q", got)
		}
	})
}

func TestListenTCP(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var stderr testenv.SyncBuffer
	done := make(chan int, 1)
	go func() { done <- Run(ctx, []string{"-l", "tcp!127.0.0.1!0", "ramfs"}, nil, io.Discard, &stderr) }()
	var addr string
	for i := 0; addr == ""; i++ {
		if m := regexp.MustCompile(`listening on tcp!127\.0\.0\.1!(\d+)`).FindStringSubmatch(stderr.String()); m != nil {
			addr = "127.0.0.1:" + m[1]
		}
		if i > 500 {
			t.Fatalf("no listening line: %q", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c, err := p9.NewClient(nc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Attach(""); err != nil {
		t.Fatal(err)
	}
	c.Close()
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit %d", code)
	}
}

// A client may close its side as soon as it has sent its last request
// (a script piping requests into p9srv does): the replies still due are
// written before the connection closes.
func TestStdioRepliesAfterEOF(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "hello"), []byte("hello from a pipe\n"), 0644)
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- Run(context.Background(), []string{"export", dir}, inR, outW, io.Discard)
		outW.Close()
	}()
	recv := func() *wire.Fcall {
		t.Helper()
		var hdr [4]byte
		if _, err := io.ReadFull(outR, hdr[:]); err != nil {
			t.Fatalf("reply: %v", err)
		}
		size := int(hdr[0]) | int(hdr[1])<<8 | int(hdr[2])<<16 | int(hdr[3])<<24
		b := make([]byte, size)
		copy(b, hdr[:])
		if _, err := io.ReadFull(outR, b[4:]); err != nil {
			t.Fatalf("reply: %v", err)
		}
		f, err := wire.Unmarshal(b)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	for _, f := range []*wire.Fcall{
		{Type: wire.Tversion, Tag: wire.NoTag, Msize: 8192, Version: "9P2000.L"},
		{Type: wire.Tattach, Tag: 1, Fid: 0, Afid: wire.NoFid},
		{Type: wire.Twalk, Tag: 2, Fid: 0, Newfid: 1, Wnames: []string{"hello"}},
		{Type: wire.Tlopen, Tag: 3, Fid: 1},
	} {
		inW.Write(wire.Marshal(f))
		if r := recv(); r.Type != f.Type+1 {
			t.Fatalf("%v: %v", f, r)
		}
	}
	inW.Write(wire.Marshal(&wire.Fcall{Type: wire.Tread, Tag: 4, Fid: 1, Count: 100}))
	inW.Close()
	if r := recv(); r.Type != wire.Rread || string(r.Data) != "hello from a pipe\n" {
		t.Errorf("read sent just before EOF: %v", r)
	}
	if code := <-done; code != 0 {
		t.Errorf("exit %d", code)
	}
}
