package shelltest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"nsh.dev/nsh/internal/testenv"
)

// The 9P bridge is a program of its own: mount runs the nsh-9pfuse
// beside nsh, else the one on $PATH, and says so when there is none.
func TestMountFindsTheBridge(t *testing.T) {
	testenv.NeedRoot(t)
	dir := t.TempDir()
	lone := filepath.Join(dir, "nsh")
	data, err := os.ReadFile(nshPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(lone, data, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "m"), 0o755); err != nil {
		t.Fatal(err)
	}
	run := func(path string) (string, error) {
		cmd := exec.Command(lone, "-c", "mount unix!/nonexistent/sock m")
		cmd.Dir = dir
		cmd.Env = []string{"PATH=" + path, "HOME=" + dir}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	out, err := run("/usr/bin:/bin")
	if err == nil || !strings.Contains(out, "nsh-9pfuse is neither beside nsh nor on $PATH") {
		t.Errorf("mount without a bridge: %v, said %q; want a failure naming nsh-9pfuse", err, out)
	}
	// With the bridge on $PATH, mount gets as far as dialling.
	out, err = run(binDir + ":/usr/bin:/bin")
	if err == nil || !strings.Contains(out, "/nonexistent/sock") || strings.Contains(out, "neither beside") {
		t.Errorf("mount with the bridge on $PATH: %v, said %q; want the bridge's failure to dial", err, out)
	}
}
