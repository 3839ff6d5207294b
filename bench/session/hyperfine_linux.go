package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
)

// A result is hyperfine's summary of one command, in seconds.
type result struct {
	Command                   string
	Median, Min, Mean, Stddev float64
}

// hyperfine times the commands (run without a shell, in dir) as the user
// uid and returns their results in order.
func hyperfine(dir string, uid, runs int, commands []string) ([]result, error) {
	out := filepath.Join(dir, fmt.Sprintf("hyperfine-%d.json", uid))
	args := []string{"-N", "--warmup", "20", "--runs", fmt.Sprint(runs), "--export-json", out}
	cmd := exec.Command(mustLookPath("hyperfine"), append(args, commands...)...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "HOME=" + dir, "LANG=C"}
	if uid != 0 {
		// hyperfine writes its report as that user.
		if err := os.Chown(dir, uid, uid); err != nil {
			return nil, err
		}
		defer os.Chown(dir, 0, 0)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid)}}
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("hyperfine as uid %d: %v\n%s", uid, err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		return nil, err
	}
	var rep struct{ Results []result }
	if err := json.Unmarshal(b, &rep); err != nil {
		return nil, fmt.Errorf("hyperfine's report: %v", err)
	}
	if len(rep.Results) != len(commands) {
		return nil, fmt.Errorf("hyperfine reported %d commands, want %d", len(rep.Results), len(commands))
	}
	return rep.Results, nil
}

// build builds the package pkg at path with the toolchain running this
// program.
func build(path, pkg string) error {
	gotool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(gotool); err != nil {
		gotool = "go"
	}
	cmd := exec.Command(gotool, "build", "-o", path, pkg)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building %s (run from the repository): %v\n%s", pkg, err, b)
	}
	return nil
}

func lookPath(name string) (string, error) { return exec.LookPath(name) }

func mustLookPath(name string) string {
	p, err := exec.LookPath(name)
	if err != nil {
		return name
	}
	return p
}
