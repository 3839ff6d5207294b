// Package nshtest helps the shell's tests run the nsh program itself.
package nshtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// Build compiles cmd/nsh into dir, with the 9P bridge nsh-9pfuse beside
// it where nsh's mount looks for it, and returns nsh's path. dir is made
// readable by everyone, so that tests can run the programs as an
// unprivileged user.
func Build(dir string) (string, error) {
	if _, err := build(dir, "nsh-9pfuse", "nsh.dev/nsh/cmd/nsh-9pfuse"); err != nil {
		return "", err
	}
	return build(dir, "nsh", "nsh.dev/nsh/cmd/nsh")
}

// BuildP9srv compiles cmd/p9srv into dir and returns the program's path,
// as Build does for nsh.
func BuildP9srv(dir string) (string, error) {
	return build(dir, "p9srv", "nsh.dev/nsh/cmd/p9srv")
}

// build compiles the package pkg into dir/name.
func build(dir, name, pkg string) (string, error) {
	if err := os.Chmod(dir, 0o755); err != nil {
		return "", err
	}
	bin := filepath.Join(dir, name)
	cmd := exec.Command(goTool(), "build", "-o", bin, pkg)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building %s: %v\n%s", name, err, out)
	}
	return bin, nil
}

// goTool is the go command of the toolchain running the tests, or the
// one on $PATH.
func goTool() string {
	if root := runtime.GOROOT(); root != "" {
		p := filepath.Join(root, "bin", "go")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return "go"
}
