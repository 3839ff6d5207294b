package nsh_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"nsh.dev/nsh/internal/testenv"
	"nsh.dev/nsh/nsh/internal/nshtest"
)

// nshBinary is cmd/nsh, built once for these tests.
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

type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

func nshCommand(ctx context.Context, dir, stdin string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, nshBinary, args...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + dir, "LANG=C"}
	cmd.Stdin = strings.NewReader(stdin)
	cmd.WaitDelay = time.Second
	return cmd
}

// run runs nsh with args in dir.
func run(t *testing.T, dir, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := nshCommand(ctx, dir, stdin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("nsh %q did not finish", args)
	}
	r := result{out.String(), errb.String(), 0}
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("nsh %q: %v", args, err)
		}
		r.code = ee.ExitCode()
	}
	noPanic(t, r)
	return r
}

// noPanic fails the test if nsh crashed.
func noPanic(t *testing.T, r result) {
	t.Helper()
	if strings.Contains(r.stderr, "panic:") || strings.Contains(r.stderr, "goroutine ") {
		t.Fatalf("nsh crashed:\n%s", r)
	}
}

func writeFile(t *testing.T, name, text string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(name, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
}

func TestCommandLine(t *testing.T) {
	dir := testenv.PublicTempDir(t, "nsh-work")
	writeFile(t, filepath.Join(dir, "args.rc"), "echo $0 $#* $*\n", 0o644)
	writeFile(t, filepath.Join(dir, "notexec"), "echo x\n", 0o644)
	tests := []struct {
		name   string
		args   []string
		stdin  string
		stdout string
		stderr string // a prefix of standard error
		code   int
	}{
		{name: "-c", args: []string{"-c", "echo hello"}, stdout: "hello\n"},
		{name: "-c args", args: []string{"-c", "echo $#* $*", "a", "b c"}, stdout: "2 a b c\n"},
		{name: "-c $0", args: []string{"-c", "echo $0"}, stdout: nshBinary + "\n"},
		{name: "script args", args: []string{"args.rc", "x", "y"}, stdout: "args.rc 2 x y\n"},
		{name: "script absolute", args: []string{filepath.Join(dir, "args.rc")}, stdout: filepath.Join(dir, "args.rc") + " 0\n"},
		{name: "stdin", stdin: "echo one\nx=two\necho $x\n", stdout: "one\ntwo\n"},
		{name: "stdin dash", args: []string{"-"}, stdin: "echo dash\n", stdout: "dash\n"},
		{name: "stdin multi-line command", stdin: "for(i in a b) {\n\techo $i\n}\necho end\n", stdout: "a\nb\nend\n"},
		{name: "stdin if not across lines", stdin: "if(false) echo yes\nif not echo no\n", stdout: "no\n"},
		{name: "stdin no final newline", stdin: "echo last", stdout: "last\n"},
		{name: "stdin runs commands before a syntax error", stdin: "echo before\necho )\necho after\n",
			stdout: "before\n", stderr: "nsh: stdin:2: syntax error near ')'", code: 1},
		{name: "stdin error in later line number", stdin: "echo a\n\n{\necho b\n", stdout: "a\n",
			stderr: "nsh: stdin:4: syntax error near end of file: '{' on line 3 is not closed", code: 1},
		{name: "stdin runtime error stops", stdin: "x=()\necho a^$x\necho not reached\n",
			stderr: "nsh: stdin:2: null list in concatenation", code: 1},
		{name: "-e", args: []string{"-e", "-c", "false; echo not reached"}, code: 1},
		{name: "-e exit code", args: []string{"-e", "-c", "sh -c 'exit 3'; echo not reached"}, code: 3},
		{name: "-e conditions", args: []string{"-e", "-c", "if(false) echo x; false || echo or; ! true; echo end"}, stdout: "or\nend\n"},
		{name: "-e pipeline", args: []string{"-ec", "false | true; echo not reached"}, code: 1},
		{name: "-x", args: []string{"-x", "-c", "x=(a 'b c'); echo $x"}, stdout: "a b c\n", stderr: "echo a 'b c'\n"},
		{name: "-ex clustered", args: []string{"-ex", "-c", "echo a; false; echo b"}, stdout: "a\n", stderr: "echo a\nfalse\n", code: 1},
		{name: "-v", args: []string{"-v"}, stdin: "echo v\n", stdout: "v\n", stderr: "echo v\n"},
		{name: "-n", args: []string{"-n", "-c", "echo not run"}},
		{name: "-n syntax error", args: []string{"-n", "-c", "echo ("}, stderr: "nsh: -c:1: syntax error", code: 1},
		{name: "-s", args: []string{"-s", "-c", "false; true"}, stderr: "nsh: status 1\n"},
		{name: "-i survives errors", args: []string{"-i"}, stdin: "echo a\necho )\nx=()\necho a^$x\necho b\n",
			stdout: "a\nb\n", stderr: "; ; nsh: syntax error near ')'\n; ; nsh: null list in concatenation\n; ; "},
		{name: "-i continuation prompt", args: []string{"-i"}, stdin: "prompt=('> ' '+ ')\nfor(i in 1 2)\necho $i\n",
			stdout: "1\n2\n", stderr: "; > + > "},
		{name: "-i exit", args: []string{"-i"}, stdin: "exit 3\necho no\n", stderr: "; ", code: 3},
		{name: "-I reads stdin", args: []string{"-I"}, stdin: "echo i\n", stdout: "i\n"},
		{name: "--share", args: []string{"--share", "-c", "echo shared"}, stdout: "shared\n"},
		{name: "--ns without a session", args: []string{"--ns", "ns.txt", "-c", "echo not reached"},
			stderr: "nsh: --ns: ns.txt: no such file or directory\n", code: 1},
		{name: "--help", args: []string{"--help"}, stdout: "usage: nsh [-eilnsvxI]"},
		{name: "--version", args: []string{"--version"}, stdout: "nsh "},
		{name: "unknown flag", args: []string{"-q"}, stderr: "nsh: unknown flag -q\nusage: nsh", code: 2},
		{name: "-c without command", args: []string{"-c"}, stderr: "nsh: -c needs a command\n", code: 2},
		{name: "exit 0", args: []string{"-c", "exit 0"}},
		{name: "exit false", args: []string{"-c", "false"}, code: 1},
		{name: "exit number", args: []string{"-c", "exit 42"}, code: 42},
		{name: "exit string", args: []string{"-c", "exit 'went wrong'"}, code: 1},
		{name: "exit not found", args: []string{"-c", "nonexistent_cmd_x"}, stderr: "nsh: nonexistent_cmd_x: not found\n", code: 127},
		{name: "exit not executable", args: []string{"-c", "./notexec"}, stderr: "nsh: ./notexec: permission denied\n", code: 126},
		{name: "exit directory", args: []string{"-c", "/tmp"}, stderr: "nsh: /tmp: is a directory\n", code: 126},
		{name: "exit signal", args: []string{"-c", "sh -c 'kill -TERM $$'; fn f {}"}, stderr: "nsh: sh: terminated\n", code: 128 + 15},
		{name: "death reported", args: []string{"-c", "sh -c 'kill -SEGV $$'; echo $status"}, stdout: "sigsegv\n",
			stderr: "nsh: sh: segmentation violation\n", code: 0},
		{name: "broken pipe not reported", args: []string{"-c", "sh -c 'kill -PIPE $$'; echo $status"}, stdout: "sigpipe\n"},
		{name: "--norc", args: []string{"--norc", "-c", "echo norc"}, stdout: "norc\n"},
		{name: "exit pipeline", args: []string{"-c", "sh -c 'exit 5' | true"}, code: 5},
		{name: "sigexit", args: []string{"-c", "fn sigexit {echo bye $status}; echo hi; false"}, stdout: "hi\nbye 1\n", code: 1},
		{name: "sigexit on exit", args: []string{"-c", "fn sigexit {echo bye}; exit 3; echo no"}, stdout: "bye\n", code: 3},
		{name: "sigexit not inherited", args: []string{"-c", "fn sigexit {echo bye}; " + nshBinary + " -c 'echo child'"}, stdout: "child\nbye\n"},
		{name: "background block", args: []string{"-c", "x=1; {echo block $x $*} & wait", "arg"}, stdout: "block 1 arg\n"},
		{name: "background kill", args: []string{"-c", "{sleep 10} & kill $apid; wait; echo $status"}, stdout: "sigterm\n"},
		{name: "background function", args: []string{"-c", "fn f {echo f $1}; f a & wait"}, stdout: "f a\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := run(t, dir, tc.stdin, tc.args...)
			if !strings.HasPrefix(got.stdout, tc.stdout) || tc.name != "--help" && tc.name != "--version" && got.stdout != tc.stdout {
				t.Errorf("stdout %q, want %q\n%s", got.stdout, tc.stdout, got)
			}
			if !strings.HasPrefix(got.stderr, tc.stderr) || tc.stderr == "" && got.stderr != "" {
				t.Errorf("stderr %q, want %q", got.stderr, tc.stderr)
			}
			if got.code != tc.code {
				t.Errorf("exit %d, want %d\n%s", got.code, tc.code, got)
			}
		})
	}
}

// TestExecLast checks that the last command of -c replaces nsh when
// nothing is left to do, and only then: the command's parent is then
// this test.
func TestExecLast(t *testing.T) {
	dir := testenv.PublicTempDir(t, "nsh-work")
	me := fmt.Sprint(os.Getpid())
	tests := []struct {
		src  string
		exec bool
	}{
		{`sh -c 'echo $PPID'`, true},
		{`x=1 sh -c 'echo $PPID'`, true},
		{`true; sh -c 'echo $PPID'`, true},
		{`sh -c 'echo $PPID' >[2=1]`, true},
		{`sh -c 'echo $PPID'; true`, false},
		{`fn sigexit {}; sh -c 'echo $PPID'`, false},
		{`sh -c 'echo $PPID' | cat`, false},
		{`if(true) sh -c 'echo $PPID'`, false},
		{`cat <{sh -c 'echo $PPID'}`, false},
	}
	for _, tc := range tests {
		got := run(t, dir, "", "-c", tc.src)
		if exec := strings.TrimSpace(got.stdout) == me; exec != tc.exec {
			t.Errorf("%s: parent %q, test %s: exec=%v, want %v", tc.src, got.stdout, me, exec, tc.exec)
		}
	}
}

// TestBadInput checks the messages, statuses and positions for input
// that is wrong: nothing panics, and a script with a syntax error runs
// none of its commands.
func TestBadInput(t *testing.T) {
	dir := testenv.PublicTempDir(t, "nsh-work")
	if err := os.Mkdir(filepath.Join(dir, "adir"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		script string // written to bad.rc and run; or
		args   []string
		stdout string
		stderr string
		code   int
	}{
		{name: "unterminated quote", script: "echo before\necho 'abc\necho after\n",
			stderr: "nsh: bad.rc:2: syntax error near end of file: unterminated quote\n", code: 1},
		{name: "unterminated brace", script: "echo before\nfn f {\n\techo x\n",
			stderr: "nsh: bad.rc:3: syntax error near end of file: '{' on line 2 is not closed\n", code: 1},
		{name: "unterminated here document", script: "echo before\ncat <<EOF\nbody\n",
			stderr: "nsh: bad.rc:2: syntax error near end of file: here document 'EOF' is not terminated\n", code: 1},
		{name: "unterminated subscript", script: "echo $x(1\n",
			stderr: "nsh: bad.rc:1: syntax error near newline\n", code: 1},
		{name: "unterminated list", script: "echo (a b",
			stderr: "nsh: bad.rc:1: syntax error near end of file: '(' on line 1 is not closed\n", code: 1},
		{name: "misplaced if not", script: "echo before\nif not echo x\n",
			stderr: "nsh: bad.rc:2: syntax error near 'not': if not does not follow if\n", code: 1},
		{name: "if not after a command", script: "if(true) echo a\necho b\nif not echo c\n",
			stderr: "nsh: bad.rc:3: syntax error near 'not': if not does not follow if\n", code: 1},
		{name: "bad redirection descriptor", script: "echo before\necho x >[a]f\n",
			stderr: "nsh: bad.rc:2: syntax error near '>[': bad redirection descriptor\n", code: 1},
		{name: "redirection without file", script: "echo before\necho x >\n",
			stderr: "nsh: bad.rc:2: syntax error near newline\n", code: 1},
		{name: "append dup", script: "echo x >>[2=1]\n",
			stderr: "nsh: bad.rc:1: syntax error near '>>[2=1]': bad redirection\n", code: 1},
		{name: "redirection to a list", script: "f=(a b)\necho x >$f\necho not reached\n",
			stderr: "nsh: bad.rc:2: > file name not singleton\n", code: 1},
		{name: "redirection to a missing directory", script: "echo x >/nonexistent/f\necho not reached\n",
			stderr: "nsh: bad.rc:1: /nonexistent/f: no such file or directory\n", code: 1},
		{name: "redirection from a missing file", script: "cat <missing.txt\necho not reached\n",
			stderr: "nsh: bad.rc:1: missing.txt: no such file or directory\n", code: 1},
		{name: "bad subscript", script: "x=(a b)\necho $x(abc)\necho not reached\n",
			stderr: "nsh: bad.rc:2: bad subscript abc in $x(abc)\n", code: 1},
		{name: "bad subscript range", script: "x=(a b)\necho $x(1-z)\n",
			stderr: "nsh: bad.rc:2: bad subscript 1-z in $x(1-z)\n", code: 1},
		{name: "empty list concatenation", script: "x=()\necho a^$x\necho not reached\n",
			stderr: "nsh: bad.rc:2: null list in concatenation\n", code: 1},
		{name: "mismatched concatenation", script: "x=(a b)\ny=(1 2 3)\necho $x^$y\n",
			stderr: "nsh: bad.rc:3: mismatched list lengths in concatenation\n", code: 1},
		{name: "empty command", script: "x=()\n$x\necho not reached\n",
			stderr: "nsh: bad.rc:2: empty argument list\n", code: 1},
		{name: "variable name list", script: "x=(a b)\necho $$x\n",
			stderr: "nsh: bad.rc:2: variable name not singleton\n", code: 1},
		{name: "directory as command", script: "/tmp\necho after $status\n",
			stdout: "after not executable\n", stderr: "nsh: /tmp: is a directory\n"},
		{name: "directory as command by path", script: "adir\n",
			stderr: "nsh: adir: not found\n", code: 127},
		{name: "missing script", args: []string{"missing.rc"},
			stderr: "nsh: missing.rc: no such file or directory\n", code: 127},
		{name: "directory as script", args: []string{"adir"},
			stderr: "nsh: adir: is a directory\n", code: 126},
		{name: "fn without a name", script: "fn\n",
			stderr: "nsh: bad.rc:1: syntax error near newline\n", code: 1},
		{name: "case missing", script: "switch(a){echo x}\n",
			stderr: "nsh: bad.rc:1: syntax error near 'switch': case missing in switch\n", code: 1},
		{name: "equals in argument", script: "echo a=b\n",
			stderr: "nsh: bad.rc:1: syntax error near '='\n", code: 1},
		{name: "deep recursion", script: "fn f {f}\nf\necho not reached\n",
			stderr: "nsh: bad.rc:1: f: functions nested too deeply\n", code: 1},
		{name: "bad descriptor number", script: "echo x >[99999999]f\n",
			stderr: "nsh: bad.rc:1: bad file descriptor 9999999\n", code: 1},
		{name: "dot itself", script: ". ./bad.rc\n",
			stderr: "nsh: ./bad.rc:1: .: ./bad.rc: files and functions nested too deeply\n", code: 1},
		{name: "dot missing file", script: ". ./missing.rc\necho not reached\n",
			stderr: "nsh: bad.rc:1: .: ./missing.rc: no such file or directory\n", code: 1},
		{name: "dot syntax error", script: "echo 'echo (' >broken.rc\n. ./broken.rc\necho not reached\n",
			stderr: "nsh: ./broken.rc:1: syntax error near newline\n", code: 1},
		{name: "eval syntax error", script: "eval 'echo )'\necho not reached\n",
			stderr: "nsh: eval:1: syntax error near ')'\n", code: 1},
		{name: "shift too far", script: "shift 3\necho $status\n",
			stdout: "shift: not enough arguments\n", stderr: "nsh: shift: not enough arguments\n"},
		{name: "cd missing", script: "cd /nonexistent\necho $status\n",
			stdout: "can't cd\n", stderr: "nsh: cd: /nonexistent: no such file or directory\n"},
		{name: "cd file", script: "cd bad.rc\n",
			stderr: "nsh: cd: bad.rc: not a directory\n", code: 1},
		{name: "flag usage", script: "flag xy\n", stderr: "usage: flag f [+-]\n", code: 2},
		{name: "wait usage", script: "wait abc\n", stderr: "usage: wait [pid]\n", code: 2},
		{name: "exec missing", script: "exec nonexistent_x\necho not reached\n",
			stderr: "nsh: exec: nonexistent_x: not found\n", code: 127},
		{name: "NUL in an argument", script: "echo a\x00b\necho $status\n",
			stdout: "not executable\n", stderr: "nsh: echo: an argument holds a NUL byte\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if tc.script != "" {
				writeFile(t, filepath.Join(dir, "bad.rc"), tc.script, 0o644)
				args = []string{"bad.rc"}
			}
			got := run(t, dir, "", args...)
			if got.stdout != tc.stdout {
				t.Errorf("stdout %q, want %q", got.stdout, tc.stdout)
			}
			if got.stderr != tc.stderr {
				t.Errorf("stderr %q, want %q", got.stderr, tc.stderr)
			}
			if got.code != tc.code {
				t.Errorf("exit %d, want %d", got.code, tc.code)
			}
		})
	}
}
