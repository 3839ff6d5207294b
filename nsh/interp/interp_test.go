package interp_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"nsh.dev/nsh/nsh/interp"
)

// TestBehaviour covers what the oracle cannot: where 9base and Plan 9
// are no guide (the environment's encoding, $home and $HOME, exec with
// only redirections) or where the answer depends on this process.
func TestBehaviour(t *testing.T) {
	tests := []struct {
		name   string
		src    string
		args   []string
		stdout string
		stderr string
		failed bool
	}{
		{name: "environment list encoding", src: `x=(a 'b c' d); env | grep '^x=' | od -An -c | tr -s ' '`,
			stdout: " x = a 001 b c 001 d \\n\n"},
		{name: "empty list not exported", src: `x=(); y=''; env | grep -c '^[xy]='`, stdout: "1\n"},
		{name: "private variables not exported", src: `env | grep -c '^(status|pid|apid|\*|0)='`, stdout: "0\n", failed: true},
		{name: "function encoding", src: "fn f {echo a; if(x) y\n}; env | grep -A1 '^fn#f='", stdout: "fn#f={echo a; if(x) y}\n\n"},
		{name: "function round trip", src: `fn f {echo f $*}; ` + nshPlaceholder + ` -c 'f from child; whatis f'`,
			stdout: "f from child\nfn f {echo f $*}\n"},
		{name: "list round trip", src: `x=(a 'b c' ''); ` + nshPlaceholder + ` -c 'echo $#x; whatis x'`,
			stdout: "3\nx=(a 'b c' '')\n"},
		{name: "home follows HOME", src: `HOME=/x; echo $home; home=/y; echo $HOME`, stdout: "/x\n/y\n"},
		{name: "local path", src: `path=/nonexistent ls; echo $status; ls >/dev/null; echo [$status]`,
			stdout: "not found\n[]\n", stderr: "nsh: ls: not found\n"},
		{name: "local PATH restores path", src: `PATH=/nonexistent true; echo $path`, stdout: "/usr/bin /bin\n",
			stderr: "nsh: true: not found\n"},
		{name: "exec with only redirections", src: `exec >out.t; echo into the file; exec >[1=2]; cat out.t >[1=2]`,
			stderr: "into the file\n"},
		{name: "dollar zero", src: `echo $0`, stdout: "script.rc\n"},
		{name: "pid", src: `~ $pid [1-9]* && echo yes`, stdout: "yes\n"},
		{name: "apid", src: `echo $#apid; sleep 0 & echo $#apid; wait`, stdout: "0\n1\n"},
		{name: "wait for one", src: `sh -c 'exit 3' & p=$apid; sleep 0 & wait $p; echo $status; wait; echo [$status]`,
			stdout: "3\n[]\n"},
		{name: "whatis program", src: `whatis ls`, stdout: "/usr/bin/ls\n"},
		{name: "whatis both", src: `fn f {x}; f=1; whatis f`, stdout: "f=1\nfn f {x}\n"},
		{name: "eval if not", src: "if(false) x\neval 'if not echo else'", stdout: "else\n"},
		{name: "dot with args restores star", src: "echo 'echo in $*' >s.rc; . ./s.rc x y; echo out $*", args: []string{"a"},
			stdout: "in x y\nout a\n"},
		{name: "dot searches path", src: "mkdir bin; echo 'echo found' >bin/s.rc; path=(bin /usr/bin /bin); . s.rc", stdout: "found\n"},
		{name: "dot reads process substitution", src: `. <{echo echo from psub}`, stdout: "from psub\n"},
		{name: "flag set and clear", src: `flag e +; flag e && echo set; flag e -; flag e || echo clear`, stdout: "set\nclear\n"},
		{name: "flag x traces", src: `flag x +; echo hi; flag x -`, stdout: "hi\n", stderr: "echo hi\nflag x -\n"},
		{name: "exit in pipeline stage", src: `{exit 3} | cat; echo $status`, stdout: "3|\n"},
		{name: "exit at end of pipeline", src: `echo | exit 4; echo not reached`, failed: true},
		{name: "backquote in loop", src: `for(i in 1 2 3) x=($x ‵{echo $i}); echo $x`, stdout: "1 2 3\n"},
		{name: "nested functions and locals", src: `fn a {x=inner b}; fn b {echo $x}; x=outer; a; b`, stdout: "inner\nouter\n"},
		{name: "large here document", src: "cat <<EOF | wc -c\n" + strings.Repeat("0123456789abcdef\n", 8000) + "EOF\n",
			stdout: "136000\n"},
		{name: "here document not read", src: "true <<EOF\n" + strings.Repeat("0123456789abcdef\n", 8000) + "EOF\necho done\n",
			stdout: "done\n"},
		{name: "many process substitutions", src: `cat <{echo a} <{echo b} <{echo c} <{echo d}`, stdout: "a\nb\nc\nd\n"},
		{name: "cd then program", src: `mkdir d; cd d; pwd | sed 's,.*/,,'; ls ..|grep -c '^d$'`, stdout: "d\n1\n"},
		{name: "relative program", src: `mkdir b; printf '#!/bin/sh\necho relative\n' >b/p; chmod +x b/p; b/p; ./b/p`, stdout: "relative\nrelative\n"},
		{name: "script without shebang", src: `echo 'echo x' >noshebang; chmod +x noshebang; ./noshebang`,
			stderr: "nsh: ./noshebang: not an executable program\n", failed: true},
		{name: "glob slash only dirs", src: `mkdir -p g/d; touch g/f; echo g/*/`, stdout: "g/d/\n"},
		{name: "glob no match keeps quotes out", src: `echo 'x'*.nomatch`, stdout: "x*.nomatch\n"},
		{name: "glob quoted part literal", src: `touch 'a*b' axb; echo 'a*'b`, stdout: "a*b\n"},
		{name: "null list error in function stops all", src: "fn f {x=(); echo a^$x}\nf\necho not reached",
			stderr: "nsh: SCRIPT:1: null list in concatenation\n", failed: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := scriptDir(t)
			src := strings.ReplaceAll(strings.ReplaceAll(tc.src, "‵", "`"), nshPlaceholder, nshBinary)
			got := runInProcess(t, dir, src, "", tc.args...)
			wantErr := strings.ReplaceAll(tc.stderr, "SCRIPT", filepath.Join(dir, "script.rc"))
			if got.stdout != tc.stdout || got.stderr != wantErr || (got.code != 0) != tc.failed {
				t.Errorf("got:\n%s\nwant stdout %q, stderr %q, failed %v", got, tc.stdout, wantErr, tc.failed)
			}
		})
	}
}

const nshPlaceholder = "NSH"

// TestRCEnvironment checks that nsh and plan9port's rc read each
// other's variables and functions from the environment.
func TestRCEnvironment(t *testing.T) {
	rc := needRC(t)
	dir := scriptDir(t)
	const define = "fn greet {echo hello $1; for(i in a b) echo $i}\nx=(1 '2 3' '')\n"
	const use = "greet child; echo $#x; whatis x"
	const want = "hello child\na\nb\n3\nx=(1 '2 3' '')\n"

	got := runInProcess(t, dir, define+rc+" -c '"+strings.ReplaceAll(use, "'", "''")+"'", "")
	if got.stdout != want || got.stderr != "" {
		t.Errorf("nsh to rc:\n%s\nwant stdout %q", got, want)
	}
	got = runProgram(t, rc, dir, define+nshBinary+" -c '"+strings.ReplaceAll(use, "'", "''")+"'", "")
	if got.stdout != want || got.stderr != "" {
		t.Errorf("rc to nsh:\n%s\nwant stdout %q", got, want)
	}
}

// TestNew checks the interpreter's start: the variables rc starts with.
func TestNew(t *testing.T) {
	if _, err := interp.New(interp.Config{Dir: "/"}); err == nil {
		t.Error("New without a System succeeded")
	}
	in, err := interp.New(interp.Config{System: execEmulator{}, Dir: "relative"})
	if err == nil {
		in.Close()
		t.Error("New with a relative directory succeeded")
	}
	in, err = interp.New(interp.Config{
		System: execEmulator{},
		Dir:    "/",
		Env:    []string{"PATH=/a::/b", "x=1\x012", "fn#f={echo}", "fn#sigexit={echo bye}", "status=7", "bad"},
		Args:   []string{"p", "q"},
		Pid:    42,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	for name, want := range map[string][]string{
		"path":   {"/a", ".", "/b"},
		"x":      {"1", "2"},
		"*":      {"p", "q"},
		"pid":    {"42"},
		"ifs":    {" \t\n"},
		"prompt": {"; ", ""},
		"home":   {"/"},
		"status": {""},
	} {
		if got := in.Lookup(name); !equal(got, want) {
			t.Errorf("$%s = %q, want %q", name, got, want)
		}
	}
	if !in.IsFunc("f") {
		t.Error("fn#f not imported")
	}
	if in.IsFunc("sigexit") {
		t.Error("sigexit imported: it belongs to the shell that exported it")
	}
	if in.Dir() != "/" {
		t.Errorf("Dir %q", in.Dir())
	}
	if err := in.Chdir("/tmp"); err != nil || in.Dir() != "/tmp" {
		t.Errorf("Chdir /tmp: %v, %s", err, in.Dir())
	}
	if err := in.Chdir("/nonexistent"); err == nil {
		t.Error("Chdir to a missing directory succeeded")
	}
	if err := in.Chdir("/etc/passwd"); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("Chdir to a file: %v", err)
	}
	f, _ := os.CreateTemp(t.TempDir(), "x")
	f.Close()
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
