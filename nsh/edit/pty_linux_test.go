package edit

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

// expectTimeout bounds every wait for the terminal's output. It is long:
// the tests wait for what they expect, never for a fixed time, so a slow
// machine only makes them slower.
const expectTimeout = 60 * time.Second

// term is the master side of a pseudo-terminal with the helper on the
// other side.
type term struct {
	t      *testing.T
	pty    *os.File
	cmd    *exec.Cmd
	mu     sync.Mutex
	out    []byte // everything the helper wrote
	mark   int    // how much of out expect has consumed
	notify chan struct{}
	closed chan struct{} // the helper's side is gone
	exited chan struct{}
	err    error // from Wait, once exited is closed
}

// helper says how to start the helper.
type helper struct {
	env     []string            // added to the environment
	dir     string              // its working directory
	size    *pty.Winsize        // the terminal size; nil leaves it unset (0x0)
	cred    *syscall.Credential // run as this user
	exe     string              // the test binary to run; "" for this one
	history string              // NSH_EDIT_HISTORY
}

var size80x24 = &pty.Winsize{Rows: 24, Cols: 80}

// startTerm starts the helper on a new pseudo-terminal.
func startTerm(t *testing.T, h helper) *term {
	t.Helper()
	exe := h.exe
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Dir = h.dir
	if cmd.Dir == "" {
		cmd.Dir = t.TempDir()
	}
	cmd.Env = append(os.Environ(),
		helperEnv+"=1",
		"TERM=xterm",
		"NSH_EDIT_PROMPT1=; ",
		"NSH_EDIT_PROMPT2=cont>\t",
		"NSH_EDIT_HISTORY="+h.history,
	)
	cmd.Env = append(cmd.Env, h.env...)
	ptmx, err := pty.StartWithAttrs(cmd, h.size, &syscall.SysProcAttr{Setsid: true, Setctty: true, Credential: h.cred})
	if err != nil {
		t.Fatal(err)
	}
	tm := &term{t: t, pty: ptmx, cmd: cmd, notify: make(chan struct{}, 1),
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
			t.Logf("terminal output:\n%q", tm.output())
		}
	})
	return tm
}

func (tm *term) read() {
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

func (tm *term) output() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return string(tm.out)
}

// send types s at the terminal.
func (tm *term) send(s string) {
	tm.t.Helper()
	if _, err := tm.pty.WriteString(s); err != nil {
		tm.t.Fatalf("typing %q: %v", s, err)
	}
}

// expect waits until the output not yet consumed holds s, consumes it and
// returns what came before it.
func (tm *term) expect(s string) string {
	tm.t.Helper()
	deadline := time.NewTimer(expectTimeout)
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
				tm.t.Fatalf("the terminal closed before showing %q; unread output: %q", s, tm.output()[tm.mark:])
			}
		case <-deadline.C:
			tm.t.Fatalf("no %q within %v; unread output: %q", s, expectTimeout, tm.output()[tm.mark:])
		}
	}
}

// wait waits for the helper to exit and returns its exit code.
func (tm *term) wait() int {
	tm.t.Helper()
	select {
	case <-tm.exited:
	case <-time.After(expectTimeout):
		tm.t.Fatalf("the helper did not exit; output: %q", tm.output())
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

// The first-line prompt and the continuation prompt (cont> and a TAB,
// which reaches column 8), as they appear when a prompt starts: after the
// newline that ended the line before.
const (
	prompt1 = "\n; "
	prompt2 = "\ncont>   "
)

func TestTerminalContinuation(t *testing.T) {
	tm := startTerm(t, helper{size: size80x24,
		env: []string{"NSH_EDIT_PROMPT1=\x1b[32mnsh\x1b[0m\n; "}})
	// The lines before the last are printed as they are, colours and all.
	tm.expect("\x1b[32mnsh\x1b[0m\r\n; ")
	tm.send("for(i in a b){\r")
	tm.expect(prompt2)
	tm.send("echo $i\r")
	tm.expect(prompt2)
	tm.send("}\r")
	tm.expect(`[got "for(i in a b){\necho $i\n}\n"]`)
	tm.expect(prompt1)
	tm.send("echo 'a\r")
	tm.expect(prompt2)
	tm.send("b'\r")
	tm.expect(`[got "echo 'a\nb'\n"]`)
	tm.expect(prompt1)
	tm.send("\x04")
	tm.expect("[eof]")
	if code := tm.wait(); code != 0 {
		t.Errorf("exit code %d", code)
	}
}

func TestTerminalInterrupt(t *testing.T) {
	tm := startTerm(t, helper{size: size80x24})
	tm.expect("; ")
	tm.send("echo {\r")
	tm.expect(prompt2)
	tm.send("half typed")
	tm.expect("half typed")
	tm.send("\x03")
	shown := tm.expect("[interrupted]")
	if n := strings.Count(shown, "^C"); n != 1 {
		t.Errorf("^C shown %d times: %q", n, shown)
	}
	tm.expect(prompt1)
	tm.send("echo ok\r")
	tm.expect(`[got "echo ok\n"]`) // nothing of the discarded command
	tm.expect(prompt1)
	// Ctrl-\ at the prompt is a key, not SIGQUIT.
	tm.send("\x1cecho alive\r")
	if got := tm.expect(`[got "echo alive\n"]`); strings.Contains(got, "[sigquit]") {
		t.Errorf("Ctrl-\\ at an editing prompt raised SIGQUIT: %q", got)
	}
	tm.expect(prompt1)
	tm.send("\x04")
	tm.expect("[eof]")
	tm.wait()
}

func TestTerminalEOF(t *testing.T) {
	tm := startTerm(t, helper{size: size80x24})
	tm.expect("; ")
	tm.send("echo {\r")
	tm.expect(prompt2)
	tm.send("\x04")
	tm.expect("nsh: syntax error near end of file")
	tm.expect(prompt1)
	tm.send("x\x04\x7f") // Ctrl-D on a line that is not empty does not end it
	tm.send("\x04")
	tm.expect("[eof]")
	if code := tm.wait(); code != 0 {
		t.Errorf("exit code %d", code)
	}
	if strings.Contains(tm.output(), "[got") {
		t.Errorf("a discarded command was returned: %q", tm.output())
	}
}

func TestTerminalChildReadsLine(t *testing.T) {
	tm := startTerm(t, helper{size: size80x24})
	tm.expect("; ")
	tm.send("run head -n1\r")
	tm.expect(`[got "run head -n1\n"]`)
	// head reads a cooked line: the terminal echoes it, Enter ends it.
	tm.send("hello\r")
	tm.expect("hello\r\nhello\r\n[ran]")
	tm.expect(prompt1)

	// What is typed ahead of the next command stays for that command.
	tm.send("run head -n1\rtypeahead\n")
	tm.expect(`[got "run head -n1\n"]`)
	tm.expect("typeahead\r\n[ran]")
	tm.expect(prompt1)
	tm.send("echo after\r")
	tm.expect(`[got "echo after\n"]`)
	tm.expect(prompt1)

	// A mode set by a command sticks: after stty -echo, head's line is
	// not echoed, though the prompts in between set modes of their own.
	tm.send("run stty -echo\r")
	tm.expect("[ran]")
	tm.expect(prompt1)
	tm.send("run head -n1\r")
	tm.expect(`[got "run head -n1\n"]`)
	tm.send("secret\r")
	if got := tm.expect("[ran]"); strings.Count(got, "secret") != 1 {
		t.Errorf("after stty -echo the line was echoed: %q", got)
	}
	// Keys typed before the prompt shows meet the cooked terminal (as in
	// any shell): wait for it.
	tm.expect(prompt1)
	tm.send("\x04")
	tm.expect("[eof]")
	tm.wait()
}

func TestTerminalHistoryAcrossSessions(t *testing.T) {
	hist := filepath.Join(t.TempDir(), "state", "history")
	tm := startTerm(t, helper{size: size80x24, history: hist})
	tm.expect("; ")
	tm.send("echo one\r")
	tm.expect(`[got "echo one\n"]`)
	tm.expect(prompt1)
	tm.send("for(i in a b){\r")
	tm.expect(prompt2)
	tm.send("echo $i\r")
	tm.expect(prompt2)
	tm.send("}\r")
	tm.expect(`[got "for(i in a b){\necho $i\n}\n"]`)
	tm.expect(prompt1)
	tm.send("\x04")
	tm.expect("[eof]")
	tm.wait()
	data, err := os.ReadFile(hist)
	if err != nil {
		t.Fatal(err)
	}
	if want := "echo one\nfor(i in a b){\\necho $i\\n}\n"; string(data) != want {
		t.Fatalf("history file holds %q, want %q", data, want)
	}

	tm = startTerm(t, helper{size: size80x24, history: hist})
	tm.expect("; ")
	// Up recalls the last command of the last session, whole.
	tm.send("\x1b[A")
	tm.expect("for(i in a b){⏎echo $i⏎}")
	tm.send("\r")
	tm.expect(`[got "for(i in a b){\necho $i\n}\n"]`)
	tm.expect(prompt1)
	// Up searches by the prefix typed.
	tm.send("ec\x1b[A")
	tm.expect("; echo one")
	tm.send("\r")
	tm.expect(`[got "echo one\n"]`)
	tm.expect(prompt1)
	// Ctrl-R searches for a substring.
	tm.send("\x12in a")
	tm.expect("(reverse-i-search)`in a': for(i in a b){⏎echo $i⏎}")
	tm.send("\r")
	tm.expect(`[got "for(i in a b){\necho $i\n}\n"]`)
	tm.expect(prompt1)
	tm.send("\x04")
	tm.expect("[eof]")
	tm.wait()
	data, err = os.ReadFile(hist)
	if err != nil {
		t.Fatal(err)
	}
	// The first recall repeated the last command, so it was not stored again.
	want := "echo one\nfor(i in a b){\\necho $i\\n}\necho one\nfor(i in a b){\\necho $i\\n}\n"
	if string(data) != want {
		t.Errorf("history file holds %q, want %q", data, want)
	}
}

func TestTerminalCompletion(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"my file.txt", "other", "plain.c", "plain.go"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tm := startTerm(t, helper{size: size80x24, dir: dir})
	tm.expect("; ")
	tm.send("cat my\t")
	tm.expect("; cat 'my file.txt' ")
	tm.send("\r")
	tm.expect(`[got "cat 'my file.txt' \n"]`)
	tm.expect(prompt1)
	// The first Tab inserts the common prefix, the second lists.
	tm.send("cat pla\t")
	tm.expect("; cat plain.")
	tm.send("\t")
	tm.expect("plain.c")
	tm.expect("plain.go")
	tm.send("go\r")
	tm.expect(`[got "cat plain.go\n"]`)
	tm.expect(prompt1)
	tm.send("\x04")
	tm.expect("[eof]")
	tm.wait()
}

// TestTerminalDumb checks the fallback without liner on a terminal liner
// does not support: prompts (as they are) and continuation still work, and
// Ctrl-C and Ctrl-D keep their meaning.
func TestTerminalDumb(t *testing.T) {
	tm := startTerm(t, helper{size: size80x24, env: []string{"TERM=dumb"}})
	tm.expect("; ")
	tm.send("for(i in a b){\r")
	tm.expect("\ncont>\t")
	tm.send("echo $i\r")
	tm.expect("\ncont>\t")
	tm.send("}\r")
	tm.expect(`[got "for(i in a b){\necho $i\n}\n"]`)
	tm.expect(prompt1)
	tm.send("echo {\r")
	tm.expect("\ncont>\t")
	tm.send("half\x03")
	tm.expect("[interrupted]")
	tm.expect(prompt1)
	tm.send("\x1c") // SIGQUIT, which the shell catches
	tm.expect("[sigquit]")
	tm.send("echo alive\r")
	tm.expect(`[got "echo alive\n"]`)
	tm.expect(prompt1)
	tm.send("run head -n1\r")
	tm.expect(`[got "run head -n1\n"]`)
	tm.send("hello\r")
	tm.expect("hello\r\nhello\r\n[ran]")
	tm.expect(prompt1)
	tm.send("echo {\r")
	tm.expect("\ncont>\t")
	tm.send("\x04")
	tm.expect("nsh: syntax error near end of file")
	tm.expect(prompt1)
	tm.send("\x04")
	tm.expect("[eof]")
	if code := tm.wait(); code != 0 {
		t.Errorf("exit code %d", code)
	}
}

// TestTerminalUnsized checks a terminal whose size was never set (0
// columns, where liner silently stops editing): lines are read without
// editing until the terminal gets a size, and with liner after.
func TestTerminalUnsized(t *testing.T) {
	tm := startTerm(t, helper{})
	tm.expect("; ")
	tm.send("echo a\r")
	tm.expect(`[got "echo a\n"]`)
	tm.expect(prompt1)
	if err := pty.Setsize(tm.pty, size80x24); err != nil {
		t.Fatal(err)
	}
	tm.send("\r") // the prompt showing was chosen before the size was set
	tm.expect(`[got "\n"]`)
	tm.expect(prompt1)
	tm.send("\x1b[A") // liner edits now: Up recalls
	tm.expect("; echo a")
	tm.send("\r")
	tm.expect(`[got "echo a\n"]`)
	tm.expect(prompt1)
	tm.send("\x04")
	tm.expect("[eof]")
	tm.wait()
}

// TestTerminalRootless runs the helper as an unprivileged user with the
// default history file, which it must create with private modes.
func TestTerminalRootless(t *testing.T) {
	needRoot(t)
	const uid, gid = 65534, 65534
	// t.TempDir's parent is private to root: make a directory the user
	// can reach.
	base, err := os.MkdirTemp("", "nsh-edit-rootless-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(base, "edit.test")
	copyExecutable(t, exe)
	home := filepath.Join(base, "home")
	if err := os.Mkdir(home, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(home, uid, gid); err != nil {
		t.Fatal(err)
	}
	tm := startTerm(t, helper{size: size80x24, exe: exe, dir: home, history: "default",
		cred: &syscall.Credential{Uid: uid, Gid: gid},
		env:  []string{"HOME=" + home, "XDG_STATE_HOME="}})
	tm.expect("; ")
	tm.send("echo rootless\r")
	tm.expect(`[got "echo rootless\n"]`)
	tm.expect(prompt1)
	tm.send("\x04")
	tm.expect("[eof]")
	if code := tm.wait(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	hist := filepath.Join(home, ".local", "state", "nsh", "history")
	data, err := os.ReadFile(hist)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != "echo rootless\n" {
		t.Errorf("history holds %q", data)
	}
	for p, mode := range map[string]os.FileMode{
		hist:                                   0o600,
		filepath.Dir(hist):                     0o700,
		filepath.Join(home, ".local", "state"): 0o700,
		filepath.Join(home, ".local"):          0o700,
	} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		if fi.Mode().Perm() != mode || st.Uid != uid {
			t.Errorf("%s: mode %v owner %d, want %v owner %d", p, fi.Mode().Perm(), st.Uid, mode, uid)
		}
	}
}

// TestPipeInput reads commands from a pipe, as nsh -i < file would: the
// Editor must read no further than each command, so that a command run
// in between gets its own input.
func TestPipeInput(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	hist := filepath.Join(t.TempDir(), "history")
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=1", "NSH_EDIT_PROMPT1=; ", "NSH_EDIT_PROMPT2=cont> ", "NSH_EDIT_HISTORY="+hist)
	// sh's read reads a pipe a byte at a time, as the Editor does.
	cmd.Stdin = strings.NewReader("echo {\na\n}\nrun read x; echo child read $x\nfor the child\necho after\n\necho {\n")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v; stderr: %s", err, stderr.String())
	}
	want := `[got "echo {\na\n}\n"]
[got "run read x; echo child read $x\n"]
child read for the child
[ran]
[got "echo after\n"]
[got "\n"]
nsh: syntax error near end of file
[eof]
`
	if stdout.String() != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", stdout.String(), want)
	}
	if want := "; cont> cont> ; ; ; ; cont> "; stderr.String() != want {
		t.Errorf("prompts on stderr %q, want %q", stderr.String(), want)
	}
	data, err := os.ReadFile(hist)
	if err != nil {
		t.Fatal(err)
	}
	if want := "echo {\\na\\n}\nrun read x; echo child read $x\necho after\n"; string(data) != want {
		t.Errorf("history holds %q, want %q", data, want)
	}
}

// copyExecutable copies this test binary to dst, where another user can
// run it (go test keeps it in a directory only its owner can read).
func copyExecutable(t *testing.T, dst string) {
	t.Helper()
	src, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
