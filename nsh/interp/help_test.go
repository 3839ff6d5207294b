package interp_test

import (
	"strings"
	"testing"

	"nsh.dev/nsh/nsh/interp"
)

// TestHelp runs the help builtin: the list, one builtin, several, and
// names that are no builtin.
func TestHelp(t *testing.T) {
	tests := []struct {
		name   string
		src    string
		stdout []string // each in the output, in order
		stderr string
		status string
	}{
		{name: "list", src: "help; echo status $status",
			stdout: []string{"Builtins", "  . [-i] file [arg ...]", "  bind [-abcq] new old", "make a file or directory appear",
				"  help [name ...]", "  whatis name ...", "status \n"}},
		{name: "one", src: "help bind",
			stdout: []string{"usage: bind [-abcq] new old\n\nMakes old show new", "Examples:\n\tbind -b $home/bin /usr/bin"}},
		{name: "several", src: "help rfork ns",
			stdout: []string{"usage: rfork [nNeEsfFm]\n", "\n\nusage: ns\n"}},
		{name: "unknown", src: "help nosuchthing; echo status $status",
			stdout: []string{"status help: nosuchthing: not a builtin\n"},
			stderr: "nsh: help: nosuchthing: not a builtin\n"},
		{name: "a function", src: "fn f {}; help f",
			stderr: "nsh: help: f: not a builtin but a function (whatis f shows it)\n", status: "help: f: not a builtin"},
		{name: "a program", src: "help ls",
			stderr: "nsh: help: ls: not a builtin but a program (try man ls)\n", status: "help: ls: not a builtin"},
		{name: "good after bad", src: "help nosuchthing cd",
			stdout: []string{"usage: cd [dir]\n"}, stderr: "nsh: help: nosuchthing: not a builtin\n", status: "help: nosuchthing: not a builtin"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := scriptDir(t)
			got := runInProcess(t, dir, tc.src+"\nexit $status", "")
			rest := got.stdout
			for _, s := range tc.stdout {
				i := strings.Index(rest, s)
				if i < 0 {
					t.Fatalf("no %q in the rest of stdout %q\n%s", s, rest, got)
				}
				rest = rest[i+len(s):]
			}
			if got.stderr != tc.stderr {
				t.Errorf("stderr %q, want %q", got.stderr, tc.stderr)
			}
			if want := interp.ExitCode(tc.status); got.code != want {
				t.Errorf("exit %d, want %d (status %q)", got.code, want, tc.status)
			}
		})
	}
}
