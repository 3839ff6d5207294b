package p9fuse

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hugelgupf/p9/fsimpl/localfs"
	"github.com/hugelgupf/p9/fsimpl/staticfs"
	"github.com/hugelgupf/p9/p9"

	"nsh.dev/nsh/internal/mountinfo"
	"nsh.dev/nsh/internal/testenv"
	"nsh.dev/nsh/p9srv"
	"nsh.dev/nsh/p9srv/exportfs"
	"nsh.dev/nsh/p9srv/ramfs"
)

// maxNodeFidsEnv sets maxNodeFids in a bridge started by a test.
const maxNodeFidsEnv = "P9FUSE_TEST_MAX_NODE_FIDS"

// testHelperEnv selects what a re-executed test binary does: serve a
// test 9P server ("serve KIND SOCKET [DIR]") or run the rootless checks.
const testHelperEnv = "P9FUSE_TEST_HELPER"

// TestMain lets the test binary act as the bridge (as nsh's main does)
// and as the test helpers.
func TestMain(m *testing.M) {
	if os.Getenv(HelperEnv) == HelperName {
		if n, err := strconv.Atoi(os.Getenv(maxNodeFidsEnv)); err == nil {
			maxNodeFids = n
		}
		os.Exit(Main(os.Args))
	}
	switch os.Getenv(testHelperEnv) {
	case "serve":
		os.Exit(serveMain(os.Args[1:]))
	case "rootless":
		os.Exit(rootlessMain(os.Args[1:]))
	case "readsignalled":
		os.Exit(readSignalledMain(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// serveMain serves a test 9P server on a unix socket until killed:
// synth (synthFS), localfs DIR or staticfs on hugelgupf/p9's server;
// ramfs, export DIR, p9srv (p9srvTree), export-traced DIR TRACE or
// stream-traced TRACE (streamTree) on p9srv's. It prints "ready" once
// it listens.
func serveMain(args []string) int {
	if len(args) < 2 {
		fmt.Fprintln(os.Stderr, "serve: want KIND SOCKET [DIR]")
		return 2
	}
	var a p9.Attacher
	switch args[0] {
	case "synth":
		a = &synthFS{}
	case "localfs":
		a = localfs.Attacher(args[2])
	case "ramfs":
		a = ramfs.New()
	case "export", "export-fewfids":
		fs, err := exportfs.New(args[2])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		a = fs
	case "p9srv":
		a = p9srvTree()
	case "export-traced", "stream-traced":
		// export-traced DIR TRACE, stream-traced TRACE: served with
		// every message traced to the file TRACE.
		if args[0] == "stream-traced" {
			a = streamTree()
			break
		}
		fs, err := exportfs.New(args[2])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		a = fs
	case "staticfs":
		var err error
		a, err = staticfs.New(staticfs.WithFile("hello", "hello, world\n"), staticfs.WithFile("empty", ""))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	default:
		fmt.Fprintf(os.Stderr, "serve: unknown kind %q\n", args[0])
		return 2
	}
	l, err := net.Listen("unix", args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	os.Chmod(args[1], 0o777)
	fmt.Println("ready")
	switch args[0] {
	case "synth", "localfs", "staticfs":
		p9.NewServer(a).Serve(l)
	case "export-fewfids":
		p9srv.NewServer(a, p9srv.WithMaxFids(fewFids)).Serve(l)
	case "export-traced", "stream-traced":
		trace, err := os.Create(args[len(args)-1])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		p9srv.NewServer(a, p9srv.WithTrace(trace)).Serve(l)
	default:
		p9srv.NewServer(a).Serve(l)
	}
	return 0
}

// needFUSE requires root and /dev/fuse.
func needFUSE(t *testing.T) {
	t.Helper()
	testenv.NeedRoot(t)
	_, err := os.Stat("/dev/fuse")
	testenv.Need(t, err == nil, "/dev/fuse")
}

// mkdirAll makes a world-writable directory.
func mkdirAll(t *testing.T, dir string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	return dir
}

// A server is a 9P server running in a child process, so that a test
// can kill it.
type server struct {
	addr string
	cmd  *exec.Cmd
}

// kill kills the server and waits for it.
func (s *server) kill() {
	s.cmd.Process.Kill()
	s.cmd.Wait()
}

// startServer starts a test 9P server (see serveMain) in base.
func startServer(t *testing.T, base, kind string, args ...string) *server {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(base, kind+".sock")
	cmd := exec.Command(exe, append([]string{kind, sock}, args...)...)
	cmd.Env = append(os.Environ(), testHelperEnv+"=serve")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{addr: sock, cmd: cmd}
	t.Cleanup(s.kill)
	line, err := readLine(out, 10*time.Second)
	if err != nil || line != "ready" {
		t.Fatalf("test server %s: %q, %v", kind, line, err)
	}
	return s
}

// startDiod starts diod exporting dir, without authentication and with
// every user squashed to nobody, on a unix socket in base.
func startDiod(t *testing.T, base, dir string) *server {
	t.Helper()
	diod := testenv.NeedProgram(t, "diod", "diod")
	sock := filepath.Join(base, "diod.sock")
	cmd := exec.Command(diod, "-f", "-n", "-S", "-l", sock, "-e", dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{addr: sock, cmd: cmd}
	t.Cleanup(s.kill)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("diod did not listen on %s: %s", sock, stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	os.Chmod(sock, 0o777)
	return s
}

// readLine reads one line from r within d.
func readLine(r interface{ Read([]byte) (int, error) }, d time.Duration) (string, error) {
	type result struct {
		line string
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		line, err := bufio.NewReader(r).ReadString('\n')
		ch <- result{strings.TrimSuffix(line, "\n"), err}
	}()
	select {
	case r := <-ch:
		return r.line, r.err
	case <-time.After(d):
		return "", errors.New("timed out")
	}
}

// A bridgeProc is a bridge started through the process protocol.
type bridgeProc struct {
	cmd    *exec.Cmd
	ready  string // the readiness line
	stderr *testenv.SyncBuffer
	exited chan struct{}
	err    error // from Wait, once exited is closed
}

// bridgeCommand builds the command that starts the bridge as nsh does:
// the binary itself with NSH_HELPER=9pfuse, the readiness pipe on fd 3,
// in a session of its own.
func bridgeCommand(args []string, ready *os.File) (*exec.Cmd, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := &exec.Cmd{
		Path:        exe,
		Args:        append([]string{"nsh-9pfuse"}, args...),
		Env:         append(os.Environ(), HelperEnv+"="+HelperName),
		ExtraFiles:  []*os.File{ready},
		SysProcAttr: &syscall.SysProcAttr{Setsid: true},
	}
	return cmd, nil
}

// startBridgeProc starts a bridge and reads its readiness line.
func startBridgeProc(args ...string) (*bridgeProc, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	cmd, err := bridgeCommand(args, w)
	if err != nil {
		w.Close()
		return nil, err
	}
	b := &bridgeProc{cmd: cmd, stderr: &testenv.SyncBuffer{}, exited: make(chan struct{})}
	cmd.Stderr = b.stderr
	err = cmd.Start()
	w.Close()
	if err != nil {
		return nil, err
	}
	go func() {
		b.err = cmd.Wait()
		close(b.exited)
	}()
	b.ready, err = readLine(r, 20*time.Second)
	if err != nil && b.ready == "" {
		b.stop()
		return nil, fmt.Errorf("no readiness line: %v; stderr: %s", err, b.stderr.String())
	}
	return b, nil
}

// stop sends SIGTERM and waits for the bridge to exit (SIGKILL after 10
// seconds); it reports whether the bridge exited by itself in time.
func (b *bridgeProc) stop() bool {
	select {
	case <-b.exited:
		return true
	default:
	}
	b.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-b.exited:
		return true
	case <-time.After(10 * time.Second):
		b.cmd.Process.Kill()
		<-b.exited
		return false
	}
}

// waitExit waits up to d for the bridge to exit by itself.
func (b *bridgeProc) waitExit(d time.Duration) bool {
	select {
	case <-b.exited:
		return true
	case <-time.After(d):
		return false
	}
}

// startBridge starts a bridge that must mount; its cleanup stops it and
// checks that it left no mount behind.
func startBridge(t *testing.T, args ...string) *bridgeProc {
	t.Helper()
	b, err := startBridgeProc(args...)
	if err != nil {
		t.Fatal(err)
	}
	mnt := args[len(args)-1]
	t.Cleanup(func() {
		if !b.stop() {
			t.Errorf("bridge did not exit on SIGTERM; stderr: %s", b.stderr.String())
		}
		if strings.Contains(b.stderr.String(), "DATA RACE") {
			t.Errorf("the race detector found a race in the bridge:\n%s", b.stderr.String())
		}
		if ps := mountsUnder(mnt); len(ps) > 0 {
			t.Errorf("bridge left mounts behind: %v", ps)
			for _, p := range ps {
				syscall.Unmount(p, syscall.MNT_DETACH)
			}
		}
	})
	if b.ready != "ok" {
		t.Fatalf("bridge readiness: %q; stderr: %s", b.ready, b.stderr.String())
	}
	return b
}

// A mountEntry is one line of /proc/self/mountinfo.
type mountEntry struct {
	point, fstype, source string
}

// mounts lists this namespace's mounts.
func mounts() []mountEntry {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	var ms []mountEntry
	for _, line := range strings.Split(string(data), "\n") {
		pre, post, ok := strings.Cut(line, " - ")
		if !ok {
			continue
		}
		f, g := strings.Fields(pre), strings.Fields(post)
		if len(f) < 5 || len(g) < 2 {
			continue
		}
		ms = append(ms, mountEntry{point: mountinfo.Unescape(f[4]), fstype: g[0], source: mountinfo.Unescape(g[1])})
	}
	return ms
}

// mountsUnder lists the mount points at or below dir.
func mountsUnder(dir string) []string {
	var ps []string
	for _, m := range mounts() {
		if m.point == dir || strings.HasPrefix(m.point, dir+"/") {
			ps = append(ps, m.point)
		}
	}
	return ps
}

// mountAt returns the topmost mount on point.
func mountAt(point string) (mountEntry, bool) {
	var found mountEntry
	ok := false
	for _, m := range mounts() {
		if m.point == point {
			found, ok = m, true
		}
	}
	return found, ok
}

// waitUnmounted waits up to d for point to stop being a mount point.
func waitUnmounted(point string, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		if len(mountsUnder(point)) == 0 {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// within runs f and reports an error if it takes longer than d: an
// operation on a broken mount must fail, not hang.
func within(d time.Duration, f func() error) error {
	ch := make(chan error, 1)
	go func() { ch <- f() }()
	select {
	case err := <-ch:
		return err
	case <-time.After(d):
		return fmt.Errorf("still blocked after %v", d)
	}
}
