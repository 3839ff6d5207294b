package union

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"nsh.dev/nsh/internal/testenv"
)

// rootlessEnv marks the run of this test binary as uid 65534 that
// TestRootless starts.
const rootlessEnv = "NSH_TEST_ROOTLESS"

func rootless() bool { return os.Getenv(rootlessEnv) != "" }

// TestRootless runs every test of the package again as uid 65534, in a
// rootless session of its own (the test binary imports bind/session), the
// way an ordinary user's nsh runs.
func TestRootless(t *testing.T) {
	if rootless() {
		return // this is that run
	}
	testenv.NeedRoot(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := publicTempDir(t)
	bin := filepath.Join(dir, filepath.Base(exe))
	copyFile(t, exe, bin)
	args := []string{"-test.count=1", "-test.timeout=10m"}
	if testing.Verbose() {
		args = append(args, "-test.v")
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), rootlessEnv+"=1", "HOME=/", "TMPDIR=/tmp")
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	t.Logf("tests as uid 65534:\n%s", out)
	if err != nil {
		t.Fatalf("tests as uid 65534 failed: %v", err)
	}
}

// publicTempDir is a temporary directory every user can enter.
func publicTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "nsh-union-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
