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
	if err := build(dir, "nsh.dev/nsh/cmd/nsh", "nsh.dev/nsh/cmd/nsh-9pfuse"); err != nil {
		return "", err
	}
	return filepath.Join(dir, "nsh"), nil
}

// BuildP9srv compiles cmd/p9srv into dir and returns the program's path,
// as Build does for nsh.
func BuildP9srv(dir string) (string, error) {
	if err := build(dir, "nsh.dev/nsh/cmd/p9srv"); err != nil {
		return "", err
	}
	return filepath.Join(dir, "p9srv"), nil
}

// build compiles the command packages pkgs, in one go command, into dir,
// each program named after the last element of its package's path.
func build(dir string, pkgs ...string) error {
	if err := os.Chmod(dir, 0o755); err != nil {
		return err
	}
	args := append([]string{"build", "-o", dir + string(filepath.Separator)}, pkgs...)
	if out, err := exec.Command(goTool(), args...).CombinedOutput(); err != nil {
		return fmt.Errorf("building %v: %v\n%s", pkgs, err, out)
	}
	return nil
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
