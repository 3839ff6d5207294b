package testenv

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

// PublicTempDir makes a temporary directory that every user may enter
// and read (mode 0755), whose name starts with prefix, and removes it when
// the test ends, failing the test if it cannot. Tests that run programs
// as another user need it: t.TempDir's directories lie in one that only
// the test's own user may enter.
func PublicTempDir(t testing.TB, prefix string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.RemoveAll(dir); err != nil {
			t.Errorf("removing %s: %v", dir, err)
		}
	})
	if err := os.Chmod(dir, 0o755); err != nil { // past the umask
		t.Fatal(err)
	}
	return dir
}

// CopyTestBinary copies the running test binary into dir (a new file,
// mode 0755) under name, and returns the copy's path. Another user can
// run the copy in a directory it may enter (see PublicTempDir), where it
// cannot run the original: go test builds that in a directory only its
// own user may enter.
func CopyTestBinary(t testing.TB, dir, name string) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(self)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	exe := filepath.Join(dir, name)
	out, err := os.OpenFile(exe, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(exe, 0o755); err != nil { // past the umask
		t.Fatal(err)
	}
	return exe
}
