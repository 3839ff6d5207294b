package bind

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"nsh.dev/nsh/internal/testenv"
)

// TestRootless runs every test of the package again as uid 65534: the test
// binary then starts a rootless session of its own, as an ordinary user's
// nsh does. /dev/fuse is root's only here, so the run gets a FUSE device
// node it may open, for the 9P mount tests.
func TestRootless(t *testing.T) {
	if rootless() {
		return // this is that run
	}
	testenv.NeedRoot(t)
	dir := testenv.PublicTempDir(t, "nsh-bind-test-")
	bin := testenv.CopyTestBinary(t, dir, "bind.test")
	fuseDev := filepath.Join(dir, "fuse")
	if err := unix.Mknod(fuseDev, unix.S_IFCHR|0o666, int(unix.Mkdev(10, 229))); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(fuseDev, 0o666); err != nil {
		t.Fatal(err)
	}
	args := []string{"-test.count=1", "-test.timeout=15m"}
	if testing.Verbose() {
		args = append(args, "-test.v")
	}
	if testing.Short() {
		args = append(args, "-test.short")
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), rootlessEnv+"=1", "HOME=/", "TMPDIR=/tmp",
		"NSH_TEST_FUSE_DEV="+fuseDev, "NSH_TEST_HOST_PID="+strconv.Itoa(hostPid()))
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	t.Logf("tests as uid 65534:\n%s", out)
	if err != nil {
		t.Fatalf("tests as uid 65534 failed: %v", err)
	}
}

// hostPid is a process in the namespace the tests started from (outside
// their session), whose mountinfo must not change.
func hostPid() int {
	if p, err := strconv.Atoi(os.Getenv("NSH_TEST_HOST_PID")); err == nil {
		return p
	}
	return os.Getppid()
}
