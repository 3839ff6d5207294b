// Package termtest runs a program on a pseudo-terminal for the shell's
// tests: it types at the program and waits, with a deadline, for what the
// program shows, never for a fixed time.
package termtest

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

// Timeout bounds every wait for the terminal. It is long: the tests wait
// for what they expect, so a slow machine only makes them slower.
const Timeout = 60 * time.Second

// Size80x24 is an ordinary terminal size.
var Size80x24 = &pty.Winsize{Rows: 24, Cols: 80}

// Term is the master side of a pseudo-terminal with a program on the
// other side, as its controlling terminal.
type Term struct {
	t      testing.TB
	pty    *os.File
	cmd    *exec.Cmd
	mu     sync.Mutex
	out    []byte // everything the program wrote
	mark   int    // how much of out Expect has consumed
	notify chan struct{}
	closed chan struct{} // the program's side is gone
	exited chan struct{}
	err    error // from Wait, once exited is closed
}

// Start starts cmd on a new pseudo-terminal of the given size (nil
// leaves it unset: 0 columns), in a session of its own with the terminal
// as its controlling terminal; cmd.SysProcAttr may add to that (a
// Credential, say). The program is killed, if still running, when the
// test ends, and its output logged if the test failed.
func Start(t testing.TB, cmd *exec.Cmd, size *pty.Winsize) *Term {
	t.Helper()
	attr := cmd.SysProcAttr
	if attr == nil {
		attr = &syscall.SysProcAttr{}
	}
	attr.Setsid, attr.Setctty = true, true
	ptmx, err := pty.StartWithAttrs(cmd, size, attr)
	if err != nil {
		t.Fatal(err)
	}
	tm := &Term{t: t, pty: ptmx, cmd: cmd, notify: make(chan struct{}, 1),
		closed: make(chan struct{}), exited: make(chan struct{})}
	go tm.read()
	go func() {
		tm.err = cmd.Wait()
		close(tm.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-tm.exited:
		default:
			cmd.Process.Kill()
			<-tm.exited
		}
		ptmx.Close()
		if t.Failed() {
			t.Logf("terminal output:\n%q", tm.Output())
		}
	})
	return tm
}

func (tm *Term) read() {
	defer close(tm.closed)
	buf := make([]byte, 4096)
	for {
		n, err := tm.pty.Read(buf)
		if n > 0 {
			tm.mu.Lock()
			tm.out = append(tm.out, buf[:n]...)
			tm.mu.Unlock()
			select {
			case tm.notify <- struct{}{}:
			default:
			}
		}
		if err != nil {
			return
		}
	}
}

// PTY is the master side, for resizing the terminal.
func (tm *Term) PTY() *os.File { return tm.pty }

// Pid is the program's process id.
func (tm *Term) Pid() int { return tm.cmd.Process.Pid }

// Output is everything the program wrote so far.
func (tm *Term) Output() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return string(tm.out)
}

// Send types s at the terminal.
func (tm *Term) Send(s string) {
	tm.t.Helper()
	if _, err := tm.pty.WriteString(s); err != nil {
		tm.t.Fatalf("typing %q: %v", s, err)
	}
}

// Expect waits until the output not yet consumed holds s, consumes it
// and returns what came before it.
func (tm *Term) Expect(s string) string {
	tm.t.Helper()
	deadline := time.NewTimer(Timeout)
	defer deadline.Stop()
	for {
		tm.mu.Lock()
		rest := tm.out[tm.mark:]
		if i := bytes.Index(rest, []byte(s)); i >= 0 {
			before := string(rest[:i])
			tm.mark += i + len(s)
			tm.mu.Unlock()
			return before
		}
		tm.mu.Unlock()
		select {
		case <-tm.notify:
		case <-tm.closed:
			tm.mu.Lock()
			found := bytes.Contains(tm.out[tm.mark:], []byte(s))
			tm.mu.Unlock()
			if !found {
				tm.t.Fatalf("the terminal closed before showing %q; unread output: %q", s, tm.Output()[tm.mark:])
			}
		case <-deadline.C:
			tm.t.Fatalf("no %q within %v; unread output: %q", s, Timeout, tm.Output()[tm.mark:])
		}
	}
}

// Wait waits for the program to exit and returns its exit code (-1 when
// a signal killed it).
func (tm *Term) Wait() int {
	tm.t.Helper()
	select {
	case <-tm.exited:
	case <-time.After(Timeout):
		tm.t.Fatalf("the program did not exit; output: %q", tm.Output())
	}
	var ee *exec.ExitError
	if errors.As(tm.err, &ee) {
		return ee.ExitCode()
	}
	if tm.err != nil {
		tm.t.Fatal(tm.err)
	}
	return 0
}

// Exited reports whether the program has exited.
func (tm *Term) Exited() bool {
	select {
	case <-tm.exited:
		return true
	default:
		return false
	}
}
