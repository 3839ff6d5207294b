package command

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hugelgupf/p9/p9"
	"golang.org/x/sys/unix"

	"nsh.dev/nsh/internal/testenv"
)

// sessionHelper runs in a private mount namespace, as root: it makes
// /srv a session's /srv (a tmpfs named nsh-srv) as nsh does, optionally
// leaves a stale socket at /srv/$P9SRV_TEST_STALE, runs p9srv with
// $P9SRV_TEST_CMD as uid $P9SRV_TEST_UID (its standard error a pipe, or
// the file $P9SRV_TEST_STDERR), passes SIGTERM on, and reports p9srv's
// exit status, whether its socket is there, and what p9srv said. It then
// stays, reaping what p9srv left running, until its standard input
// closes: it is the process that ran p9srv.
func sessionHelper() int {
	if err := unix.Mount("nsh-srv", "/srv", "tmpfs", 0, "mode=1777"); err != nil {
		fmt.Println("helper: mount:", err)
		return 1
	}
	if name := os.Getenv("P9SRV_TEST_STALE"); name != "" {
		l, err := net.ListenUnix("unix", &net.UnixAddr{Name: "/srv/" + name, Net: "unix"})
		if err != nil {
			fmt.Println("helper: stale:", err)
			return 1
		}
		l.SetUnlinkOnClose(false)
		l.Close()
	}
	// A background server p9srv leaves becomes this process's child when
	// p9srv exits, to be reaped here rather than by init.
	unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
	uid, _ := strconv.Atoi(os.Getenv("P9SRV_TEST_UID"))
	cmd := exec.Command("/proc/self/exe")
	cmd.Env = append(os.Environ(), "P9SRV_TEST_ARGS="+os.Getenv("P9SRV_TEST_CMD"))
	cmd.Env = append(cmd.Env, "P9SRV_TEST_SESSION=")
	// A pipe unless a file is asked for: p9srv must not leave it open in
	// a background server, or Wait would wait for that server's end.
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if name := os.Getenv("P9SRV_TEST_STDERR"); name != "" {
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o666)
		if err != nil {
			fmt.Println("helper: stderr:", err)
			return 1
		}
		defer f.Close()
		cmd.Stderr = f
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid)}}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, unix.SIGTERM)
	if err := cmd.Start(); err != nil {
		fmt.Println("helper: start:", err)
		return 1
	}
	fmt.Println("started")
	go func() {
		for s := range sigs {
			cmd.Process.Signal(s)
		}
	}()
	err := cmd.Wait()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	go func() {
		for {
			if _, err := unix.Wait4(-1, nil, 0, nil); err == unix.ECHILD {
				time.Sleep(10 * time.Millisecond)
			}
		}
	}()
	fmt.Println("exit", code)
	if name := strings.SplitN(os.Getenv("P9SRV_TEST_CMD"), "\n", 4); len(name) > 1 {
		posted := name[1]
		if name[0] != "-s" {
			posted = name[2]
		}
		if _, err := os.Lstat("/srv/" + posted); os.IsNotExist(err) {
			fmt.Println("socket removed")
		} else if err == nil {
			fmt.Println("socket present")
		} else {
			fmt.Println("socket:", err)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		if line != "" {
			fmt.Println("stderr:", line)
		}
	}
	fmt.Println("done")
	io.Copy(io.Discard, os.Stdin)
	return 0
}

// A srvSession is a sessionHelper running p9srv.
type srvSession struct {
	helper *exec.Cmd
	stdin  io.WriteCloser // closing it ends the helper
	report chan string    // the helper's report, a line at a time
	srv    string         // the session's /srv, as seen from the test
}

// srvOptions are the session's circumstances.
type srvOptions struct {
	uid    int
	stale  string // leave a stale socket of that name in /srv
	stderr string // p9srv's standard error is this file (else a pipe)
}

// session starts the helper in a new mount namespace running p9srv with
// args, one of them -s NAME; it returns once p9srv has started.
func session(t *testing.T, o srvOptions, args ...string) *srvSession {
	t.Helper()
	testenv.NeedRoot(t)
	cmd := exec.Command("/proc/self/exe")
	cmd.Env = append(os.Environ(),
		"P9SRV_TEST_SESSION=1",
		"P9SRV_TEST_UID="+strconv.Itoa(o.uid),
		"P9SRV_TEST_STALE="+o.stale,
		"P9SRV_TEST_STDERR="+o.stderr,
		"P9SRV_TEST_CMD="+strings.Join(args, "\n"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	s := &srvSession{helper: cmd, stdin: stdin, report: make(chan string, 100),
		srv: filepath.Join("/proc", strconv.Itoa(cmd.Process.Pid), "root/srv")}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			s.report <- sc.Text()
		}
		close(s.report)
	}()
	s.expect(t, "started")
	return s
}

// sock returns the path of the session's socket name.
func (s *srvSession) sock(name string) string { return filepath.Join(s.srv, name) }

// waitListening waits until a server answers on the socket: p9srv -f
// gives no sign of having posted.
func (s *srvSession) waitListening(t *testing.T, name string) string {
	t.Helper()
	sock := s.sock(name)
	for i := 0; ; i++ {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			return sock
		}
		if i > 500 {
			t.Fatalf("nothing answers at %s", sock)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// expect reads the next lines of the helper's report, each within 20
// seconds, and fails the test unless they are lines.
func (s *srvSession) expect(t *testing.T, lines ...string) {
	t.Helper()
	for _, want := range lines {
		select {
		case got, ok := <-s.report:
			if !ok {
				t.Fatalf("helper report ended, want %q", want)
			}
			if got != want {
				t.Errorf("helper reported %q, want %q", got, want)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("no report from the helper within 20s, want %q", want)
		}
	}
}

func attachTo(t *testing.T, sock string) {
	t.Helper()
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
	if _, err := root.Mkdir("made-over-the-posted-socket", 0755, p9.NoUID, p9.NoGID); err != nil {
		t.Fatal(err)
	}
}

var users = []struct {
	name string
	uid  int
}{{"root", 0}, {"rootless", 65534}}

// TestPostInSession: p9srv -f -s serves in the foreground until SIGTERM,
// and removes its socket.
func TestPostInSession(t *testing.T) {
	for _, c := range users {
		t.Run(c.name, func(t *testing.T) {
			s := session(t, srvOptions{uid: c.uid}, "-f", "-s", "ram", "ramfs")
			sock := s.waitListening(t, "ram")
			attachTo(t, sock)
			var st unix.Stat_t
			if err := unix.Stat(sock, &st); err != nil || int(st.Uid) != c.uid {
				t.Errorf("posted socket owner: %d (%v), want uid %d", st.Uid, err, c.uid)
			}
			s.helper.Process.Signal(unix.SIGTERM)
			s.expect(t, "exit 0", "socket removed", "done")
		})
	}
}

func TestPostReplacesStaleSocket(t *testing.T) {
	s := session(t, srvOptions{stale: "ram"}, "-f", "-s", "ram", "ramfs")
	attachTo(t, s.waitListening(t, "ram"))
	s.helper.Process.Signal(unix.SIGTERM)
	s.expect(t, "exit 0", "socket removed", "stderr: p9srv: /srv/ram: stale socket replaced", "done")
}

func TestPostRefusesLiveName(t *testing.T) {
	testenv.NeedRoot(t)
	s := session(t, srvOptions{}, "-f", "-s", "ram", "ramfs")
	sock := s.waitListening(t, "ram")
	// A second p9srv in the same session cannot take the live name.
	nsenter := testenv.NeedProgram(t, "nsenter", "util-linux")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	other := exec.Command(nsenter, "--mount=/proc/"+strconv.Itoa(s.helper.Process.Pid)+"/ns/mnt", "--", exe)
	other.Env = append(os.Environ(), "P9SRV_TEST_ARGS=-s\nram\nramfs")
	outb, err := other.CombinedOutput()
	out, code := string(outb), 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	if code != 1 || out != "p9srv: -s ram: /srv/ram: already posted: a server answers on it\n" {
		t.Errorf("second p9srv -s ram: exit %d, %q; want exit 1, already posted", code, out)
	}
	attachTo(t, sock) // the first is unharmed
	s.helper.Process.Signal(unix.SIGTERM)
	s.expect(t, "exit 0", "socket removed", "done")
}

// TestPostErrorsInBackground: what goes wrong before the background
// server has posted is p9srv -s's own error and status.
func TestPostErrorsInBackground(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-s", "ex", "export", "/nonexistent"}, "stderr: p9srv: export /nonexistent: no such file or directory"},
		{[]string{"-s", ".hidden", "ramfs"}, `stderr: p9srv: -s .hidden: ".hidden": a service name is one file name, not starting with a dot`},
	} {
		s := session(t, srvOptions{}, c.args...)
		s.expect(t, "exit 1", "socket removed", c.want, "done")
	}
}

// TestPostBackground: p9srv -s returns once its socket is posted and
// accepting, so that a client can connect at once, without waiting; the
// server runs on in a session of its own, with /dev/null for standard
// input and output (and for standard error, which was a pipe), and it
// ends, removing the socket if it is still its own, when told to stop,
// when the socket is removed or replaced, or when the process that ran
// p9srv -s (here the helper) exits.
func TestPostBackground(t *testing.T) {
	for _, u := range users {
		for _, end := range []string{"SIGTERM", "SIGINT", "SIGHUP", "rm", "replaced", "parent exits"} {
			t.Run(u.name+"/"+end, func(t *testing.T) {
				s := session(t, srvOptions{uid: u.uid}, "-s", "ram", "ramfs")
				s.expect(t, "exit 0", "socket present", "done")
				sock := s.sock("ram")
				attachTo(t, sock) // at once: no retry
				pid := serverPid(t, sock)
				checkDetached(t, pid)
				exited := pidfdOf(t, pid)
				srv, err := unix.Open(s.srv, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
				if err != nil {
					t.Fatal(err)
				}
				defer unix.Close(srv)
				switch end {
				case "SIGTERM":
					unix.Kill(pid, unix.SIGTERM)
				case "SIGINT":
					unix.Kill(pid, unix.SIGINT)
				case "SIGHUP":
					unix.Kill(pid, unix.SIGHUP)
				case "rm":
					must(t, os.Remove(sock))
				case "replaced":
					l, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock + ".new", Net: "unix"})
					if err != nil {
						t.Fatal(err)
					}
					defer l.Close()
					must(t, os.Rename(sock+".new", sock))
				case "parent exits":
					// Reap the server here once the helper is gone.
					unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
					defer unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
					s.stdin.Close()
					if err := s.helper.Wait(); err != nil {
						t.Errorf("helper: %v", err)
					}
				}
				if !exited(5 * time.Second) {
					t.Fatalf("the server did not end within 5s after %s", end)
				}
				if end == "parent exits" {
					unix.Wait4(pid, nil, 0, nil)
				} else {
					waitReaped(t, pid)
				}
				var st unix.Stat_t
				err = unix.Fstatat(srv, "ram", &st, unix.AT_SYMLINK_NOFOLLOW)
				switch {
				case end == "replaced" && err != nil:
					t.Errorf("the server removed the socket put in the place of its own: %v", err)
				case end != "replaced" && err != unix.ENOENT:
					t.Errorf("after %s, /srv/ram: %v, want it removed", end, err)
				}
			})
		}
	}
}

// TestPostBackgroundStderr: the background server keeps a file for its
// standard error (there -D traces), but not a pipe: then p9srv -D says
// that the trace is discarded. A stale socket is replaced with a notice,
// which p9srv -s prints.
func TestPostBackgroundStderr(t *testing.T) {
	t.Run("file", func(t *testing.T) {
		trace := filepath.Join(t.TempDir(), "trace")
		s := session(t, srvOptions{stderr: trace, stale: "ram"}, "-D", "-s", "ram", "ramfs")
		s.expect(t, "exit 0", "socket present", "done")
		attachTo(t, s.sock("ram"))
		b, err := os.ReadFile(trace)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"p9srv: /srv/ram: stale socket replaced\n", "<-1- Tattach tag ", "-1-> Rumkdir tag "} {
			if !strings.Contains(string(b), want) {
				t.Errorf("standard error lacks %q:\n%s", want, b)
			}
		}
		s.stopServer(t, "ram")
	})
	t.Run("pipe", func(t *testing.T) {
		s := session(t, srvOptions{stale: "ram"}, "-D", "-s", "ram", "ramfs")
		s.expect(t, "exit 0", "socket present",
			"stderr: p9srv: -D: standard error is not a terminal or a file, so the background server's trace is discarded (use -f, or send standard error to a file)",
			"stderr: p9srv: /srv/ram: stale socket replaced", "done")
		attachTo(t, s.sock("ram"))
		s.stopServer(t, "ram")
	})
}

// TestPostBackgroundEnv: the mark of the background server is not in the
// environment it serves.
func TestPostBackgroundEnv(t *testing.T) {
	s := session(t, srvOptions{}, "-s", "env", "env")
	s.expect(t, "exit 0", "socket present", "done")
	nc, err := net.Dial("unix", s.sock("env"))
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
	if _, _, err := root.Open(p9.ReadOnly); err != nil {
		t.Fatal(err)
	}
	ents, err := root.Readdir(0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name)
	}
	if !slices.Contains(names, "P9SRV_TEST_CMD") {
		t.Fatalf("the env server's listing lacks the environment it was started with: %q", names)
	}
	if slices.Contains(names, backgroundEnv) {
		t.Errorf("the env server serves %s", backgroundEnv)
	}
	s.stopServer(t, "env")
}

// stopServer ends the background server posted as name with SIGTERM, and
// waits until the helper has reaped it.
func (s *srvSession) stopServer(t *testing.T, name string) {
	t.Helper()
	pid := serverPid(t, s.sock(name))
	exited := pidfdOf(t, pid)
	unix.Kill(pid, unix.SIGTERM)
	if !exited(5 * time.Second) {
		t.Fatalf("the server did not end within 5s of SIGTERM")
	}
	waitReaped(t, pid)
}

// waitReaped waits until the process pid, which has exited, is reaped by
// its parent (the helper).
func waitReaped(t *testing.T, pid int) {
	t.Helper()
	for i := 0; ; i++ {
		if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); err != nil {
			return
		}
		if i > 500 {
			t.Fatalf("process %d was not reaped", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// serverPid returns the pid of the process listening on sock, from the
// peer credentials of a connection to it.
func serverPid(t *testing.T, sock string) int {
	t.Helper()
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	raw, err := c.(*net.UnixConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var cred *unix.Ucred
	raw.Control(func(fd uintptr) { cred, err = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED) })
	if err != nil {
		t.Fatal(err)
	}
	return int(cred.Pid)
}

// checkDetached checks that the server pid runs p9srv -s ram ramfs, leads
// a session of its own, and has /dev/null for standard input, output and
// error (a pipe before).
func checkDetached(t *testing.T, pid int) {
	t.Helper()
	proc := "/proc/" + strconv.Itoa(pid)
	cmdline, err := os.ReadFile(proc + "/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.ReplaceAll(strings.TrimSuffix(string(cmdline), "\x00"), "\x00", " "); got != "p9srv -s ram ramfs" {
		t.Errorf("the server's command line: %q", got)
	}
	if sid, err := unix.Getsid(pid); err != nil || sid != pid {
		t.Errorf("the server's session: %d (%v), want its own (%d)", sid, err, pid)
	}
	for fd := range 3 {
		if target, err := os.Readlink(fmt.Sprintf("%s/fd/%d", proc, fd)); err != nil || target != "/dev/null" {
			t.Errorf("the server's descriptor %d: %q (%v), want /dev/null", fd, target, err)
		}
	}
}

// pidfdOf returns a function that waits up to a duration for process pid
// to exit and says whether it did.
func pidfdOf(t *testing.T, pid int) func(time.Duration) bool {
	t.Helper()
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	return func(d time.Duration) bool {
		p := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(p, int(d/time.Millisecond))
		return err == nil && n > 0
	}
}
