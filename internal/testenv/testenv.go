// Package testenv is what the project's tests share. It lets tests state
// their prerequisites: outside CI a test whose prerequisite is missing is
// skipped with the reason; in CI (CI=true) it fails, so a machine that
// lacks something never passes by silently running less. It also makes
// the places tests that run programs as another user need (PublicTempDir,
// CopyTestBinary), and holds SyncBuffer, for a background program's
// output.
package testenv

import (
	"os"
	"os/exec"
	"strconv"
	"testing"
)

// InCI reports whether the tests run in CI, where missing prerequisites
// are failures.
func InCI() bool {
	v, err := strconv.ParseBool(os.Getenv("CI"))
	return err == nil && v
}

// Need skips t (or fails it in CI) unless ok holds; what names the
// prerequisite and how to get it.
func Need(t testing.TB, ok bool, what string) {
	t.Helper()
	if ok {
		return
	}
	if InCI() {
		t.Fatalf("missing prerequisite in CI: %s", what)
	}
	t.Skipf("missing prerequisite: %s", what)
}

// NeedRoot requires the test to run as root.
func NeedRoot(t testing.TB) {
	t.Helper()
	Need(t, os.Geteuid() == 0, "root (run the tests as root)")
}

// NeedProgram requires an executable, by absolute path or on $PATH, and
// returns its path; pkg names the Debian package that provides it.
func NeedProgram(t testing.TB, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	Need(t, err == nil, name+" (apt-get install "+pkg+")")
	return p
}
