package interp_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"nsh.dev/nsh/internal/testenv"
	"nsh.dev/nsh/nsh"
	"nsh.dev/nsh/nsh/internal/nshtest"
	"nsh.dev/nsh/nsh/interp"
	"nsh.dev/nsh/nsh/syntax"
)

// rcPath is Plan 9 rc as Debian's 9base package installs it.
const rcPath = "/usr/lib/plan9/bin/rc"

// nshBinary is cmd/nsh, built once by TestMain for the tests that run
// the real program (and for {...} &, which starts it).
var nshBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "nsh-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	nshBinary, err = nshtest.Build(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is what running a script gave.
type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// testEnv is the environment every shell in these tests starts with.
func testEnv(home string) []string {
	return []string{"PATH=/usr/bin:/bin", "HOME=" + home, "LANG=C", "LC_ALL=C"}
}

// scriptDir makes a directory for a script to run in, readable by all.
func scriptDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// runInProcess runs src with an interpreter in this process, on the
// plain-OS System, in dir, with stdin as standard input.
func runInProcess(t *testing.T, dir, src, stdin string, args ...string) result {
	t.Helper()
	return runWith(t, execEmulator{nsh.OSSystem{}}, dir, src, stdin, args...)
}

// execEmulator is the plain-OS System, except that Exec, which would
// replace the test process, runs the program to its end and then ends
// the interpreter's goroutine as the process would have ended.
type execEmulator struct{ nsh.OSSystem }

// execEnded carries the exit code of a program run by Exec.
type execEnded struct{ code int }

func (s execEmulator) Exec(attr *interp.ProcAttr) error {
	p, err := s.Start(attr)
	if err != nil {
		return err
	}
	ps, err := p.Wait()
	if err != nil {
		return err
	}
	code := ps.ExitCode()
	if code < 0 {
		code = 128 + 9
	}
	panic(execEnded{code})
}

func runWith(t *testing.T, sys interp.System, dir, src, stdin string, args ...string) result {
	t.Helper()
	inFile := filepath.Join(dir, ".stdin")
	if err := os.WriteFile(inFile, []byte(stdin), 0o644); err != nil {
		t.Fatal(err)
	}
	inF, err := os.Open(inFile)
	if err != nil {
		t.Fatal(err)
	}
	defer inF.Close()
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var out, errb bytes.Buffer
	wg.Add(2)
	go func() { defer wg.Done(); io.Copy(&out, outR); outR.Close() }()
	go func() { defer wg.Done(); io.Copy(&errb, errR); errR.Close() }()

	code := func() int {
		defer outW.Close()
		defer errW.Close()
		in, err := interp.New(interp.Config{
			System: sys,
			Stdin:  inF,
			Stdout: outW,
			Stderr: errW,
			Env:    testEnv(dir),
			Dir:    dir,
			Name:   "script.rc",
			Args:   args,
			Pid:    os.Getpid(),
			Self:   nshBinary,
		})
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		f, err := syntax.Parse(filepath.Join(dir, "script.rc"), []byte(src))
		if err != nil {
			fmt.Fprintf(errW, "nsh: %v\n", err)
			return 1
		}
		done := make(chan int, 1)
		go func() {
			defer func() {
				if r := recover(); r != nil {
					e, ok := r.(execEnded)
					if !ok {
						panic(r)
					}
					done <- e.code
				}
			}()
			in.Run(f, interp.RunOptions{})
			done <- in.Exit()
		}()
		select {
		case c := <-done:
			return c
		case <-time.After(20 * time.Second):
			t.Fatalf("script did not finish in 20s:\n%s", src)
			return -1
		}
	}()
	wg.Wait()
	return result{out.String(), errb.String(), code}
}

// runProgram runs a shell program on the script, written to a file in
// dir, with stdin as standard input.
func runProgram(t *testing.T, prog, dir, src, stdin string, args ...string) result {
	t.Helper()
	script := filepath.Join(dir, "script.rc")
	if !strings.HasSuffix(src, "\n") {
		src += "\n" // 9base rc wants the last line ended
	}
	if err := os.WriteFile(script, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog, append([]string{script}, args...)...)
	cmd.Dir = dir
	cmd.Env = testEnv(dir)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errb
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok || ctx.Err() != nil {
			t.Fatalf("%s: %v\n%s", prog, err, errb.String())
		}
		code = ee.ExitCode()
		if code < 0 {
			code = 128 + 9 // killed
		}
	}
	return result{out.String(), errb.String(), code}
}

// needRC returns the path of 9base's rc, failing in CI without it.
func needRC(t *testing.T) string {
	t.Helper()
	_, err := os.Stat(rcPath)
	testenv.Need(t, err == nil, rcPath+" (apt-get install 9base)")
	return rcPath
}
