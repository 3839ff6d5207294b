package edit

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/creack/pty"

	"nsh.dev/nsh/internal/testenv"
	"nsh.dev/nsh/nsh/internal/termtest"
)

// helper says how to start the helper.
type helper struct {
	env     []string            // added to the environment
	dir     string              // its working directory
	size    *pty.Winsize        // the terminal size; nil leaves it unset (0x0)
	cred    *syscall.Credential // run as this user
	exe     string              // the test binary to run; "" for this one
	history string              // NSH_EDIT_HISTORY
}

var size80x24 = termtest.Size80x24

// startTerm starts the helper on a new pseudo-terminal.
func startTerm(t *testing.T, h helper) *termtest.Term {
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
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: h.cred}
	return termtest.Start(t, cmd, h.size)
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
	tm.Expect("\x1b[32mnsh\x1b[0m\r\n; ")
	tm.Send("for(i in a b){\r")
	tm.Expect(prompt2)
	tm.Send("echo $i\r")
	tm.Expect(prompt2)
	tm.Send("}\r")
	tm.Expect(`[got "for(i in a b){\necho $i\n}\n"]`)
	tm.Expect(prompt1)
	tm.Send("echo 'a\r")
	tm.Expect(prompt2)
	tm.Send("b'\r")
	tm.Expect(`[got "echo 'a\nb'\n"]`)
	tm.Expect(prompt1)
	tm.Send("\x04")
	tm.Expect("[eof]")
	if code := tm.Wait(); code != 0 {
		t.Errorf("exit code %d", code)
	}
}

func TestTerminalInterrupt(t *testing.T) {
	tm := startTerm(t, helper{size: size80x24})
	tm.Expect("; ")
	tm.Send("echo {\r")
	tm.Expect(prompt2)
	tm.Send("half typed")
	tm.Expect("half typed")
	tm.Send("\x03")
	shown := tm.Expect("[interrupted]")
	if n := strings.Count(shown, "^C"); n != 1 {
		t.Errorf("^C shown %d times: %q", n, shown)
	}
	tm.Expect(prompt1)
	// A Ctrl-C typed the moment the prompt shows is liner's key too,
	// not a SIGINT that liner never sees (liner clears ISIG only after
	// printing the prompt).
	for range 20 {
		tm.Send("\x03")
		tm.Expect("[interrupted]")
		tm.Expect(prompt1)
	}
	tm.Send("echo ok\r")
	tm.Expect(`[got "echo ok\n"]`) // nothing of the discarded command
	tm.Expect(prompt1)
	// Ctrl-\ at the prompt is a key, not SIGQUIT.
	tm.Send("\x1cecho alive\r")
	if got := tm.Expect(`[got "echo alive\n"]`); strings.Contains(got, "[sigquit]") {
		t.Errorf("Ctrl-\\ at an editing prompt raised SIGQUIT: %q", got)
	}
	tm.Expect(prompt1)
	tm.Send("\x04")
	tm.Expect("[eof]")
	tm.Wait()
}

func TestTerminalEOF(t *testing.T) {
	tm := startTerm(t, helper{size: size80x24})
	tm.Expect("; ")
	tm.Send("echo {\r")
	tm.Expect(prompt2)
	tm.Send("\x04")
	tm.Expect("nsh: syntax error near end of file")
	tm.Expect(prompt1)
	tm.Send("x\x04\x7f") // Ctrl-D on a line that is not empty does not end it
	tm.Send("\x04")
	tm.Expect("[eof]")
	if code := tm.Wait(); code != 0 {
		t.Errorf("exit code %d", code)
	}
	if strings.Contains(tm.Output(), "[got") {
		t.Errorf("a discarded command was returned: %q", tm.Output())
	}
}

func TestTerminalChildReadsLine(t *testing.T) {
	tm := startTerm(t, helper{size: size80x24})
	tm.Expect("; ")
	tm.Send("run head -n1\r")
	tm.Expect(`[got "run head -n1\n"]`)
	// head reads a cooked line: the terminal echoes it, Enter ends it.
	tm.Send("hello\r")
	tm.Expect("hello\r\nhello\r\n[ran]")
	tm.Expect(prompt1)

	// What is typed ahead of the next command stays for that command.
	tm.Send("run head -n1\rtypeahead\n")
	tm.Expect(`[got "run head -n1\n"]`)
	tm.Expect("typeahead\r\n[ran]")
	tm.Expect(prompt1)
	tm.Send("echo after\r")
	tm.Expect(`[got "echo after\n"]`)
	tm.Expect(prompt1)

	// A mode set by a command sticks: after stty -echo, head's line is
	// not echoed, though the prompts in between set modes of their own.
	tm.Send("run stty -echo\r")
	tm.Expect("[ran]")
	tm.Expect(prompt1)
	tm.Send("run head -n1\r")
	tm.Expect(`[got "run head -n1\n"]`)
	tm.Send("secret\r")
	if got := tm.Expect("[ran]"); strings.Count(got, "secret") != 1 {
		t.Errorf("after stty -echo the line was echoed: %q", got)
	}
	// Keys typed before the prompt shows meet the cooked terminal (as in
	// any shell): wait for it.
	tm.Expect(prompt1)
	tm.Send("\x04")
	tm.Expect("[eof]")
	tm.Wait()
}

func TestTerminalHistoryAcrossSessions(t *testing.T) {
	hist := filepath.Join(t.TempDir(), "state", "history")
	tm := startTerm(t, helper{size: size80x24, history: hist})
	tm.Expect("; ")
	tm.Send("echo one\r")
	tm.Expect(`[got "echo one\n"]`)
	tm.Expect(prompt1)
	tm.Send("for(i in a b){\r")
	tm.Expect(prompt2)
	tm.Send("echo $i\r")
	tm.Expect(prompt2)
	tm.Send("}\r")
	tm.Expect(`[got "for(i in a b){\necho $i\n}\n"]`)
	tm.Expect(prompt1)
	tm.Send("\x04")
	tm.Expect("[eof]")
	tm.Wait()
	data, err := os.ReadFile(hist)
	if err != nil {
		t.Fatal(err)
	}
	if want := "echo one\nfor(i in a b){\\necho $i\\n}\n"; string(data) != want {
		t.Fatalf("history file holds %q, want %q", data, want)
	}

	tm = startTerm(t, helper{size: size80x24, history: hist})
	tm.Expect("; ")
	// Up recalls the last command of the last session, whole.
	tm.Send("\x1b[A")
	tm.Expect("for(i in a b){⏎echo $i⏎}")
	tm.Send("\r")
	tm.Expect(`[got "for(i in a b){\necho $i\n}\n"]`)
	tm.Expect(prompt1)
	// Up searches by the prefix typed.
	tm.Send("ec\x1b[A")
	tm.Expect("; echo one")
	tm.Send("\r")
	tm.Expect(`[got "echo one\n"]`)
	tm.Expect(prompt1)
	// Ctrl-R searches for a substring.
	tm.Send("\x12in a")
	tm.Expect("(reverse-i-search)`in a': for(i in a b){⏎echo $i⏎}")
	tm.Send("\r")
	tm.Expect(`[got "for(i in a b){\necho $i\n}\n"]`)
	tm.Expect(prompt1)
	tm.Send("\x04")
	tm.Expect("[eof]")
	tm.Wait()
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
	tm.Expect("; ")
	tm.Send("cat my\t")
	tm.Expect("; cat 'my file.txt' ")
	tm.Send("\r")
	tm.Expect(`[got "cat 'my file.txt' \n"]`)
	tm.Expect(prompt1)
	// The first Tab inserts the common prefix, the second lists.
	tm.Send("cat pla\t")
	tm.Expect("; cat plain.")
	tm.Send("\t")
	tm.Expect("plain.c")
	tm.Expect("plain.go")
	tm.Send("go\r")
	tm.Expect(`[got "cat plain.go\n"]`)
	tm.Expect(prompt1)
	tm.Send("\x04")
	tm.Expect("[eof]")
	tm.Wait()
}

// TestTerminalDumb checks the fallback without liner on a terminal liner
// does not support: prompts (as they are) and continuation still work, and
// Ctrl-C and Ctrl-D keep their meaning.
func TestTerminalDumb(t *testing.T) {
	tm := startTerm(t, helper{size: size80x24, env: []string{"TERM=dumb"}})
	tm.Expect("; ")
	tm.Send("for(i in a b){\r")
	tm.Expect("\ncont>\t")
	tm.Send("echo $i\r")
	tm.Expect("\ncont>\t")
	tm.Send("}\r")
	tm.Expect(`[got "for(i in a b){\necho $i\n}\n"]`)
	tm.Expect(prompt1)
	tm.Send("echo {\r")
	tm.Expect("\ncont>\t")
	tm.Send("half\x03")
	tm.Expect("[interrupted]")
	tm.Expect(prompt1)
	tm.Send("\x1c") // SIGQUIT, which the shell catches
	tm.Expect("[sigquit]")
	tm.Send("echo alive\r")
	tm.Expect(`[got "echo alive\n"]`)
	tm.Expect(prompt1)
	tm.Send("run head -n1\r")
	tm.Expect(`[got "run head -n1\n"]`)
	tm.Send("hello\r")
	tm.Expect("hello\r\nhello\r\n[ran]")
	tm.Expect(prompt1)
	tm.Send("echo {\r")
	tm.Expect("\ncont>\t")
	tm.Send("\x04")
	tm.Expect("nsh: syntax error near end of file")
	tm.Expect(prompt1)
	tm.Send("\x04")
	tm.Expect("[eof]")
	if code := tm.Wait(); code != 0 {
		t.Errorf("exit code %d", code)
	}
}

// TestTerminalUnsized checks a terminal whose size was never set (0
// columns, where liner silently stops editing): lines are read without
// editing until the terminal gets a size, and with liner after.
func TestTerminalUnsized(t *testing.T) {
	tm := startTerm(t, helper{})
	tm.Expect("; ")
	tm.Send("echo a\r")
	tm.Expect(`[got "echo a\n"]`)
	tm.Expect(prompt1)
	if err := pty.Setsize(tm.PTY(), size80x24); err != nil {
		t.Fatal(err)
	}
	tm.Send("\r") // the prompt showing was chosen before the size was set
	tm.Expect(`[got "\n"]`)
	tm.Expect(prompt1)
	tm.Send("\x1b[A") // liner edits now: Up recalls
	tm.Expect("; echo a")
	tm.Send("\r")
	tm.Expect(`[got "echo a\n"]`)
	tm.Expect(prompt1)
	tm.Send("\x04")
	tm.Expect("[eof]")
	tm.Wait()
}

// TestTerminalRootless runs the helper as an unprivileged user with the
// default history file, which it must create with private modes.
func TestTerminalRootless(t *testing.T) {
	needRoot(t)
	const uid, gid = 65534, 65534
	base := testenv.PublicTempDir(t, "nsh-edit-rootless-")
	exe := testenv.CopyTestBinary(t, base, "edit.test")
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
	tm.Expect("; ")
	tm.Send("echo rootless\r")
	tm.Expect(`[got "echo rootless\n"]`)
	tm.Expect(prompt1)
	tm.Send("\x04")
	tm.Expect("[eof]")
	if code := tm.Wait(); code != 0 {
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
