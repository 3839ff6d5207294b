package union

import (
	"os"
	"os/exec"
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
	dir := testenv.PublicTempDir(t, "nsh-union-test-")
	bin := testenv.CopyTestBinary(t, dir, "union.test")
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
