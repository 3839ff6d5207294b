package command

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
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
// leaves a stale socket at /srv/$P9SRV_TEST_STALE, starts p9srv with
// $P9SRV_TEST_CMD as uid $P9SRV_TEST_UID, passes SIGTERM on, and reports
// p9srv's exit status and whether its socket is gone.
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
	uid, _ := strconv.Atoi(os.Getenv("P9SRV_TEST_UID"))
	cmd := exec.Command("/proc/self/exe")
	cmd.Env = append(os.Environ(), "P9SRV_TEST_ARGS="+os.Getenv("P9SRV_TEST_CMD"))
	cmd.Env = append(cmd.Env, "P9SRV_TEST_SESSION=")
	var stderr strings.Builder
	cmd.Stderr = &stderr
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
	fmt.Println("exit", code)
	if name := strings.SplitN(os.Getenv("P9SRV_TEST_CMD"), "\n", 3); len(name) > 1 {
		if _, err := os.Lstat("/srv/" + name[1]); os.IsNotExist(err) {
			fmt.Println("socket removed")
		} else {
			fmt.Println("socket left:", err)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		if line != "" {
			fmt.Println("stderr:", line)
		}
	}
	return 0
}

// session starts the helper in a new mount namespace running p9srv with
// args (the first two being -s NAME); it returns the helper, a reader of
// its report, and the socket's path as seen from this namespace.
func session(t *testing.T, uid int, stale string, args ...string) (*exec.Cmd, *bufio.Scanner, string) {
	t.Helper()
	testenv.NeedRoot(t)
	cmd := exec.Command("/proc/self/exe")
	cmd.Env = append(os.Environ(),
		"P9SRV_TEST_SESSION=1",
		"P9SRV_TEST_UID="+strconv.Itoa(uid),
		"P9SRV_TEST_STALE="+stale,
		"P9SRV_TEST_CMD="+strings.Join(args, "\n"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
	out, err := cmd.StdoutPipe()
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
	sc := bufio.NewScanner(out)
	if !sc.Scan() || sc.Text() != "started" {
		t.Fatalf("helper: %q", sc.Text())
	}
	sock := filepath.Join("/proc", strconv.Itoa(cmd.Process.Pid), "root/srv", args[1])
	for i := 0; ; i++ {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			break
		}
		if i > 500 {
			t.Fatalf("nothing answers at %s", sock)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return cmd, sc, sock
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

func expectReport(t *testing.T, sc *bufio.Scanner, lines ...string) {
	t.Helper()
	for _, want := range lines {
		if !sc.Scan() {
			t.Fatalf("helper report ended, want %q", want)
		}
		if sc.Text() != want {
			t.Errorf("helper reported %q, want %q", sc.Text(), want)
		}
	}
}

func TestPostInSession(t *testing.T) {
	for _, c := range []struct {
		name string
		uid  int
	}{{"root", 0}, {"rootless", 65534}} {
		t.Run(c.name, func(t *testing.T) {
			cmd, report, sock := session(t, c.uid, "", "-s", "ram", "ramfs")
			attachTo(t, sock)
			var st unix.Stat_t
			if err := unix.Stat(sock, &st); err != nil || int(st.Uid) != c.uid {
				t.Errorf("posted socket owner: %d (%v), want uid %d", st.Uid, err, c.uid)
			}
			cmd.Process.Signal(unix.SIGTERM)
			expectReport(t, report, "exit 0", "socket removed")
		})
	}
}

func TestPostReplacesStaleSocket(t *testing.T) {
	cmd, report, sock := session(t, 0, "ram", "-s", "ram", "ramfs")
	attachTo(t, sock)
	cmd.Process.Signal(unix.SIGTERM)
	expectReport(t, report, "exit 0", "socket removed", "stderr: p9srv: /srv/ram: stale socket replaced")
}

func TestPostRefusesLiveName(t *testing.T) {
	testenv.NeedRoot(t)
	cmd, report, sock := session(t, 0, "", "-s", "ram", "ramfs")
	// A second p9srv in the same session cannot take the live name.
	nsenter := testenv.NeedProgram(t, "nsenter", "util-linux")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	other := exec.Command(nsenter, "--mount=/proc/"+strconv.Itoa(cmd.Process.Pid)+"/ns/mnt", "--", exe)
	other.Env = append(os.Environ(), "P9SRV_TEST_ARGS=-s\nram\nramfs")
	outb, err := other.CombinedOutput()
	out, code := string(outb), 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	if code != 1 || !strings.Contains(out, "already posted") {
		t.Errorf("second p9srv -s ram: exit %d, %q; want exit 1, already posted", code, out)
	}
	attachTo(t, sock) // the first is unharmed
	cmd.Process.Signal(unix.SIGTERM)
	expectReport(t, report, "exit 0", "socket removed")
}
