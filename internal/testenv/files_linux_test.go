package testenv

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestPublicTempDir(t *testing.T) {
	old := syscall.Umask(0o077) // the mode must not depend on the umask
	defer syscall.Umask(old)
	var dir string
	t.Run("make", func(t *testing.T) {
		dir = PublicTempDir(t, "testenv-")
		if !strings.HasPrefix(filepath.Base(dir), "testenv-") {
			t.Errorf("%s does not start with the prefix", dir)
		}
		fi, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if !fi.IsDir() || fi.Mode().Perm() != 0o755 {
			t.Errorf("%s: mode %v, want a directory of mode 0755", dir, fi.Mode())
		}
		if err := os.WriteFile(filepath.Join(dir, "f"), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	})
	if _, err := os.Lstat(dir); !os.IsNotExist(err) {
		t.Errorf("%s is still there after the test: %v", dir, err)
	}
}

func TestCopyTestBinary(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	dir := PublicTempDir(t, "testenv-")
	exe := CopyTestBinary(t, dir, "copy.test")
	if exe != filepath.Join(dir, "copy.test") {
		t.Errorf("copy at %s, want it in %s", exe, dir)
	}
	fi, err := os.Stat(exe)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o755 {
		t.Errorf("%s: mode %v, want 0755", exe, fi.Mode().Perm())
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the copy (%d bytes) differs from the test binary (%d bytes)", len(got), len(want))
	}
	cmd := exec.Command(exe, "-test.run=^TestInCI$", "-test.v")
	cmd.Dir = "/"
	if os.Geteuid() == 0 {
		// What the copy is for: another user runs it.
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	}
	out, err := cmd.CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("--- PASS: TestInCI")) {
		t.Errorf("running the copy: %v\n%s", err, out)
	}
}
