package nsh_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"nsh.dev/nsh/internal/testenv"
	"nsh.dev/nsh/nsh/internal/termtest"
)

// The interactive tests run the nsh program on a pseudo-terminal and type
// at it, as a person would, waiting for what it shows. Each runs twice:
// as the user running the tests and, from root, as nobody (65534), whose
// session is rootless.

// termUser is who an interactive nsh runs as.
type termUser struct {
	name string
	cred *syscall.Credential // nil: the user running the tests
}

// forEachUser runs f as the test's user and as nobody.
func forEachUser(t *testing.T, f func(t *testing.T, u termUser)) {
	t.Run("self", func(t *testing.T) {
		t.Parallel()
		f(t, termUser{name: "self"})
	})
	t.Run("nobody", func(t *testing.T) {
		testenv.NeedRoot(t)
		t.Parallel()
		f(t, termUser{name: "nobody", cred: &syscall.Credential{Uid: 65534, Gid: 65534}})
	})
}

// termEnv is a home and a working directory for an interactive nsh,
// both belonging to its user.
type termEnv struct {
	u    termUser
	home string
	work string
	env  []string // added to the environment
}

func newTermEnv(t *testing.T, u termUser) *termEnv {
	t.Helper()
	base := testenv.PublicTempDir(t, "nsh-work")
	e := &termEnv{u: u, home: filepath.Join(base, "home"), work: filepath.Join(base, "work")}
	for _, d := range []string{e.home, e.work} {
		e.mkdir(t, d)
	}
	return e
}

// mkdir makes a directory that belongs to the shell's user.
func (e *termEnv) mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	e.chown(t, dir)
}

// writeFile writes a file that belongs to the shell's user.
func (e *termEnv) writeFile(t *testing.T, name, content string) {
	t.Helper()
	e.mkdir(t, filepath.Dir(name))
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	e.chown(t, name)
}

func (e *termEnv) chown(t *testing.T, name string) {
	t.Helper()
	if e.u.cred == nil {
		return
	}
	if err := os.Chown(name, int(e.u.cred.Uid), int(e.u.cred.Gid)); err != nil {
		t.Fatal(err)
	}
}

// start starts nsh with args on an 80x24 terminal.
func (e *termEnv) start(t *testing.T, args ...string) *termtest.Term {
	t.Helper()
	cmd := exec.Command(nshBinary, args...)
	cmd.Dir = e.work
	cmd.Env = append([]string{"PATH=/usr/bin:/bin", "HOME=" + e.home, "TERM=xterm", "LANG=C.UTF-8"}, e.env...)
	if e.u.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: e.u.cred}
	}
	tm := termtest.Start(t, cmd, termtest.Size80x24)
	tm.Expect("; ")
	return tm
}

// The first-line prompt, as it shows after the line before it, and the
// continuation prompt the tests set (the default is empty, which cannot
// be told from the end of the line before it).
const (
	prompt1        = "\n; "
	prompt2        = "\n>> "
	continuationPS = "prompt=; \x01>> "
)

// waitForChild waits for a process running the command line cmd (its
// arguments joined by spaces) whose parent is ppid, and returns its pid:
// the command the shell started is running.
func waitForChild(t *testing.T, ppid int, cmd string) int {
	t.Helper()
	deadline := time.Now().Add(termtest.Timeout)
	for time.Now().Before(deadline) {
		ents, _ := os.ReadDir("/proc")
		for _, e := range ents {
			pid, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
			if err != nil {
				continue
			}
			s := string(stat)
			f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
			if len(f) < 2 || f[1] != strconv.Itoa(ppid) || f[0] == "Z" {
				continue
			}
			args, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
			if err == nil && strings.Join(strings.Split(strings.TrimSuffix(string(args), "\x00"), "\x00"), " ") == cmd {
				return pid
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no %q started by %d within %v", cmd, ppid, termtest.Timeout)
	return 0
}

// alive reports whether process pid exists and has not exited.
func alive(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(f) > 0 && f[0] != "Z"
}

// waitBusy waits until process pid has used a fifth of a second of CPU
// time more than when called: a loop of builtins is running.
func waitBusy(t *testing.T, pid int) {
	t.Helper()
	cpu := func() int {
		data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			t.Fatal(err)
		}
		s := string(data)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		utime, _ := strconv.Atoi(f[11])
		stime, _ := strconv.Atoi(f[12])
		return utime + stime
	}
	start := cpu()
	deadline := time.Now().Add(termtest.Timeout)
	for time.Now().Before(deadline) {
		if cpu() >= start+20 { // clock ticks, 100 a second
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("process %d is not busy", pid)
}

// noDump fails the test if the shell printed Go's goroutine dump.
func noDump(t *testing.T, tm *termtest.Term) {
	t.Helper()
	if out := tm.Output(); strings.Contains(out, "goroutine ") || strings.Contains(out, "SIGQUIT") {
		t.Errorf("the shell printed a goroutine dump: %q", out)
	}
}

// exitShell types Ctrl-D at an empty prompt and returns nsh's exit code.
func exitShell(t *testing.T, tm *termtest.Term) int {
	t.Helper()
	tm.Send("\x04")
	return tm.Wait()
}

func TestInteractiveLoop(t *testing.T) {
	forEachUser(t, func(t *testing.T, u termUser) {
		e := newTermEnv(t, u)
		e.env = append(e.env, continuationPS)
		tm := e.start(t)
		tm.Send("for(i in a b c){\r")
		tm.Expect(prompt2)
		tm.Send("echo item^$i\r")
		tm.Expect(prompt2)
		tm.Send("}\r")
		tm.Expect("itema\r\nitemb\r\nitemc\r\n;")
		if code := exitShell(t, tm); code != 0 {
			t.Errorf("exit code %d, want 0", code)
		}
		data, err := os.ReadFile(filepath.Join(e.home, ".local/state/nsh/history"))
		if err != nil {
			t.Fatal(err)
		}
		if want := "for(i in a b c){\\necho item^$i\\n}\n"; string(data) != want {
			t.Errorf("history holds %q, want %q", data, want)
		}
	})
}

// TestInteractiveDefaults checks the variables an interactive shell
// starts with, and the help builtin on a terminal.
func TestInteractiveDefaults(t *testing.T) {
	forEachUser(t, func(t *testing.T, u termUser) {
		e := newTermEnv(t, u)
		tm := e.start(t)
		tm.Send("whatis prompt history\r")
		tm.Expect("prompt=('; ' '')\r\nhistory=" + e.home + "/.local/state/nsh/history")
		tm.Expect(prompt1)
		tm.Send("help rfork\r")
		tm.Expect("usage: rfork [nNeEsfFm]")
		tm.Expect(prompt1)
		tm.Send("help nosuch; echo st^$status\r")
		tm.Expect("nsh: help: nosuch: not a builtin\r\nsthelp: nosuch: not a builtin")
		tm.Expect(prompt1)
		exitShell(t, tm)
	})
}

func TestInteractiveInterrupt(t *testing.T) {
	forEachUser(t, func(t *testing.T, u termUser) {
		e := newTermEnv(t, u)
		e.env = append(e.env, continuationPS)
		tm := e.start(t)

		// Ctrl-C during a program kills it, not the shell.
		tm.Send("sleep 30\r")
		sleep := waitForChild(t, tm.Pid(), "sleep 30")
		tm.Send("\x03")
		tm.Expect("^C")
		tm.Expect(prompt1)
		if alive(sleep) {
			t.Errorf("sleep %d survived Ctrl-C", sleep)
		}
		tm.Send("echo st^$status\r")
		tm.Expect("stsigint")
		tm.Expect(prompt1)

		// Ctrl-C at a half-typed continuation line discards it all.
		tm.Send("for(i in a){\r")
		tm.Expect(prompt2)
		tm.Send("echo no^pe")
		tm.Expect("no^pe")
		tm.Send("\x03")
		tm.Expect(prompt1)
		tm.Send("echo st^$status\r")
		tm.Expect("stsigint")
		tm.Expect(prompt1)

		// Ctrl-C stops a loop of builtins too.
		tm.Send("while(~ a a) x=1\r")
		tm.Expect("x=1")
		waitBusy(t, tm.Pid())
		tm.Send("\x03")
		tm.Expect(prompt1)
		tm.Send("echo st^$status\r")
		tm.Expect("stsigint")
		tm.Expect(prompt1)

		// Ctrl-C at an empty prompt sets the status too, which Ctrl-D
		// then exits with.
		tm.Send("\x03")
		tm.Expect(prompt1)
		if code := exitShell(t, tm); code != 128+int(syscall.SIGINT) {
			t.Errorf("exit code %d after status sigint, want %d", code, 128+int(syscall.SIGINT))
		}
		if strings.Contains(tm.Output(), "nope") {
			t.Errorf("the discarded command ran: %q", tm.Output())
		}
	})
}

func TestInteractiveEOF(t *testing.T) {
	forEachUser(t, func(t *testing.T, u termUser) {
		e := newTermEnv(t, u)
		e.env = append(e.env, continuationPS)
		tm := e.start(t)
		tm.Send("false\r")
		tm.Expect(prompt1)
		// Ctrl-D at a continuation prompt is a syntax error, not the end.
		tm.Send("for(i in a){\r")
		tm.Expect(prompt2)
		tm.Send("\x04")
		tm.Expect("nsh: syntax error near end of file")
		tm.Expect(prompt1)
		if code := exitShell(t, tm); code != 1 {
			t.Errorf("false, then Ctrl-D: exit code %d, want 1", code)
		}

		tm = e.start(t)
		if code := exitShell(t, tm); code != 0 {
			t.Errorf("Ctrl-D at once: exit code %d, want 0", code)
		}
	})
}

func TestInteractiveQuit(t *testing.T) {
	forEachUser(t, func(t *testing.T, u termUser) {
		e := newTermEnv(t, u)
		tm := e.start(t)
		// At the prompt Ctrl-\ is a key.
		tm.Send("\x1c")
		tm.Send("echo al^ive\r")
		tm.Expect("alive")
		tm.Expect(prompt1)
		// During a command it kills the command, and says so.
		tm.Send("sleep 30\r")
		sleep := waitForChild(t, tm.Pid(), "sleep 30")
		tm.Send("\x1c")
		tm.Expect("nsh: sleep: quit")
		tm.Expect(prompt1)
		if alive(sleep) {
			t.Errorf("sleep %d survived Ctrl-\\", sleep)
		}
		tm.Send("echo st^$status\r")
		tm.Expect("stsigquit")
		tm.Expect(prompt1)
		noDump(t, tm)
		if tm.Exited() {
			t.Fatal("nsh exited")
		}
		exitShell(t, tm)
	})
}

func TestInteractiveHistory(t *testing.T) {
	forEachUser(t, func(t *testing.T, u termUser) {
		e := newTermEnv(t, u)
		tm := e.start(t)
		tm.Send("echo remem^bered\r")
		tm.Expect("remembered")
		tm.Expect(prompt1)
		exitShell(t, tm)

		// A new shell recalls it with Up.
		tm = e.start(t)
		tm.Send("\x1b[A")
		tm.Expect("echo remem^bered")
		tm.Send("\r")
		tm.Expect("remembered")
		tm.Expect(prompt1)
		// history=() turns it off; another file takes over.
		tm.Send("history=()\r")
		tm.Expect(prompt1)
		tm.Send("echo not^kept\r")
		tm.Expect("notkept")
		tm.Expect(prompt1)
		tm.Send("history=elsewhere\r")
		tm.Expect(prompt1)
		tm.Send("echo in^elsewhere\r")
		tm.Expect("inelsewhere")
		tm.Expect(prompt1)
		exitShell(t, tm)

		hist := filepath.Join(e.home, ".local/state/nsh/history")
		data, err := os.ReadFile(hist)
		if err != nil {
			t.Fatal(err)
		}
		if want := "echo remem^bered\nhistory=()\n"; string(data) != want {
			t.Errorf("history holds %q, want %q", data, want)
		}
		fi, err := os.Stat(hist)
		if err != nil {
			t.Fatal(err)
		}
		if st := fi.Sys().(*syscall.Stat_t); fi.Mode().Perm() != 0o600 || u.cred != nil && st.Uid != u.cred.Uid {
			t.Errorf("%s: mode %v, owner %d", hist, fi.Mode().Perm(), st.Uid)
		}
		// A relative $history is taken from the shell's directory.
		data, err = os.ReadFile(filepath.Join(e.work, "elsewhere"))
		if err != nil {
			t.Fatal(err)
		}
		if want := "echo in^elsewhere\n"; string(data) != want {
			t.Errorf("elsewhere holds %q, want %q", data, want)
		}
	})
}

func TestInteractiveCompletion(t *testing.T) {
	forEachUser(t, func(t *testing.T, u termUser) {
		e := newTermEnv(t, u)
		e.writeFile(t, filepath.Join(e.work, "my file.txt"), "inside my file\n")
		e.writeFile(t, filepath.Join(e.work, "a", "alpha-only"), "")
		e.mkdir(t, filepath.Join(e.work, "b"))
		tm := e.start(t)

		// A file name with a space is quoted.
		tm.Send("cat my\t")
		tm.Expect("cat 'my file.txt' ")
		tm.Send("\r")
		tm.Expect("inside my file")
		tm.Expect(prompt1)

		// Functions and variables.
		tm.Send("fn zzuniquefn {echo fn^ran}; zzuniquevar=1\r")
		tm.Expect(prompt1)
		tm.Send("zzunique\t")
		tm.Expect("zzuniquefn ")
		tm.Send("\r")
		tm.Expect("fnran")
		tm.Expect(prompt1)
		tm.Send("echo $zzuniq\t")
		tm.Expect("$zzuniquevar")
		tm.Send("\r")
		tm.Expect("1")
		tm.Expect(prompt1)

		// Services in the session's /srv.
		tm.Send("touch /srv/zzservice\r")
		tm.Expect(prompt1)
		tm.Send("mount zzserv\t")
		tm.Expect("mount /srv/zzservice ")
		tm.Send("\x03")
		tm.Expect(prompt1)

		// After rfork n the bind exists only on the shell's own
		// namespace thread; completion lists files through the shell.
		tm.Send("rfork n; bind a b\r")
		tm.Expect(prompt1)
		tm.Send("ls b/al\t")
		tm.Expect("ls b/alpha-only ")
		tm.Send("\r")
		tm.Expect("b/alpha-only")
		tm.Expect(prompt1)
		exitShell(t, tm)
	})
}

func TestInteractivePromptFunction(t *testing.T) {
	forEachUser(t, func(t *testing.T, u termUser) {
		e := newTermEnv(t, u)
		tm := e.start(t)
		// fn prompt runs before each prompt and may set $prompt; it
		// leaves $status alone.
		tm.Send("fn prompt {n=($n x); true; prompt=('P'^$#n^'; ' '')}\r")
		tm.Expect("\nP1; ")
		tm.Send("false\r")
		tm.Expect("\nP2; ")
		tm.Send("echo st^$status\r")
		tm.Expect("st1\r\nP3; ")
		// A prompt with a tab and a colour still shows.
		tm.Send("ifs=() {tab=`{printf '\\t'}}; esc=`{printf '\\033[1m'}; fn prompt {}; prompt=($esc^x^$tab^'; ' '')\r")
		tm.Expect("\nx       ; ")
		exitShell(t, tm)
	})
}

func TestInteractiveChildReadsTerminal(t *testing.T) {
	forEachUser(t, func(t *testing.T, u termUser) {
		e := newTermEnv(t, u)
		tm := e.start(t)
		tm.Send("head -n1; echo af^ter\r")
		waitForChild(t, tm.Pid(), "head -n1")
		// head reads a cooked line: the terminal echoes it and Enter
		// ends it; it reads no more than that line.
		tm.Send("hello\r")
		tm.Expect("hello\r\nhello\r\nafter")
		tm.Expect(prompt1)
		// A mode set by stty sticks for the next commands.
		tm.Send("stty -echo\r")
		tm.Expect(prompt1)
		tm.Send("head -n1\r")
		waitForChild(t, tm.Pid(), "head -n1")
		tm.Send("secret\r")
		if got := tm.Expect(prompt1); strings.Count(got, "secret") != 1 {
			t.Errorf("after stty -echo the line was echoed: %q", got)
		}
		tm.Send("stty echo\r")
		tm.Expect(prompt1)
		exitShell(t, tm)
	})
}

func TestInteractiveBackground(t *testing.T) {
	forEachUser(t, func(t *testing.T, u termUser) {
		e := newTermEnv(t, u)
		tm := e.start(t)
		tm.Send("sleep 31 &; echo pid^$apid\r")
		tm.Expect("\npid")
		pid, err := strconv.Atoi(strings.TrimSpace(tm.Expect(prompt1)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
		// Ctrl-C at the prompt, and during a foreground command,
		// reach neither.
		tm.Send("\x03")
		tm.Expect(prompt1)
		tm.Send("sleep 30\r")
		waitForChild(t, tm.Pid(), "sleep 30")
		tm.Send("\x03")
		tm.Expect(prompt1)
		tm.Send("echo st^$status\r")
		tm.Expect("stsigint")
		tm.Expect(prompt1)
		if !alive(pid) {
			t.Fatalf("the background sleep %d died", pid)
		}
		tm.Send("kill $apid; wait; echo st^$status\r")
		tm.Expect("stsigterm")
		tm.Expect(prompt1)
		exitShell(t, tm)
	})
}

func TestInteractiveDeath(t *testing.T) {
	forEachUser(t, func(t *testing.T, u termUser) {
		e := newTermEnv(t, u)
		tm := e.start(t)
		tm.Send("sh -c 'kill -SEGV $$'\r")
		tm.Expect("nsh: sh: segmentation violation")
		tm.Expect(prompt1)
		tm.Send("sh -c 'kill -TERM $$'; echo st^$status\r")
		tm.Expect("nsh: sh: terminated\r\nstsigterm")
		tm.Expect(prompt1)
		// A program that dies with the terminal raw leaves it cooked
		// for the next one.
		tm.Send("sh -c 'stty raw -echo; kill -KILL $$'\r")
		tm.Expect("nsh: sh: killed")
		tm.Expect(prompt1)
		tm.Send("head -n1\r")
		waitForChild(t, tm.Pid(), "head -n1")
		tm.Send("cooked\r")
		tm.Expect("cooked\r\ncooked")
		tm.Expect(prompt1)
		noDump(t, tm)
		exitShell(t, tm)
	})
}

func TestInteractiveStartupFiles(t *testing.T) {
	forEachUser(t, func(t *testing.T, u termUser) {
		e := newTermEnv(t, u)
		e.writeFile(t, filepath.Join(e.home, "lib/profile"), "echo profile^ran\nfromprofile=1\n")
		e.writeFile(t, filepath.Join(e.home, ".config/nsh/rc"), "echo rc^ran $#fromprofile\nfn fromrc {}\n")
		xdg := filepath.Join(e.work, "xdg")
		e.writeFile(t, filepath.Join(xdg, "nsh/rc"), "echo xdg^ran\n")

		// A login shell runs the profile, then the interactive rc file.
		tm := e.start(t, "-l")
		tm.Send("whatis fromrc\r")
		tm.Expect("fn fromrc")
		tm.Expect(prompt1)
		exitShell(t, tm)
		if out := tm.Output(); !strings.HasPrefix(out, "profileran\r\nrcran 1\r\n; ") {
			t.Errorf("nsh -l began with %q", out)
		}

		tm = e.start(t)
		exitShell(t, tm)
		if out := tm.Output(); !strings.HasPrefix(out, "rcran 0\r\n; ") {
			t.Errorf("nsh began with %q", out)
		}

		tm = e.start(t, "-l", "--norc")
		tm.Send("whatis fromrc fromprofile\r")
		tm.Expect("nsh: whatis: fromrc: not found")
		tm.Expect(prompt1)
		exitShell(t, tm)
		if out := tm.Output(); strings.Contains(out, "ran") {
			t.Errorf("nsh -l --norc ran a start-up file: %q", out)
		}

		e.env = append(e.env, "XDG_CONFIG_HOME="+xdg)
		tm = e.start(t)
		exitShell(t, tm)
		if out := tm.Output(); !strings.HasPrefix(out, "xdgran\r\n; ") {
			t.Errorf("with XDG_CONFIG_HOME, nsh began with %q", out)
		}
	})
}
