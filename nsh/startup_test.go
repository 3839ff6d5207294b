package nsh_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"nsh.dev/nsh/internal/testenv"
)

// TestStartupFiles checks which start-up files run: $home/lib/profile
// for a login shell (-l, or a name starting with -), then
// $XDG_CONFIG_HOME/nsh/rc ($home/.config/nsh/rc) for an interactive one,
// neither with --norc.
func TestStartupFiles(t *testing.T) {
	dir := testenv.PublicTempDir(t, "nsh-work")
	for _, d := range []string{"lib", ".config/nsh", "xdg/nsh", "bad/lib", "exits/lib"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, filepath.Join(dir, "lib/profile"), "echo profile $#*\n", 0o644)
	writeFile(t, filepath.Join(dir, ".config/nsh/rc"), "echo rc\n", 0o644)
	writeFile(t, filepath.Join(dir, "xdg/nsh/rc"), "echo xdg rc\n", 0o644)
	writeFile(t, filepath.Join(dir, "bad/lib/profile"), "echo (\n", 0o644)
	writeFile(t, filepath.Join(dir, "exits/lib/profile"), "exit 3\n", 0o644)
	tests := []struct {
		name   string
		argv0  string
		args   []string
		env    []string
		stdin  string
		stdout string
		stderr string
		code   int
	}{
		{name: "login -c", args: []string{"-l", "-c", "echo cmd"}, stdout: "profile 0\ncmd\n"},
		{name: "login by name", argv0: "-nsh", args: []string{"-c", "echo cmd; flag l && echo login"}, stdout: "profile 0\ncmd\nlogin\n"},
		{name: "not login", args: []string{"-c", "echo cmd"}, stdout: "cmd\n"},
		{name: "interactive", args: []string{"-i"}, stdin: "echo cmd\n", stdout: "rc\ncmd\n", stderr: "; ; "},
		{name: "interactive login", args: []string{"-il"}, stdin: "echo cmd\n", stdout: "profile 0\nrc\ncmd\n", stderr: "; ; "},
		{name: "XDG_CONFIG_HOME", args: []string{"-i"}, env: []string{"XDG_CONFIG_HOME=" + filepath.Join(dir, "xdg")},
			stdin: "echo cmd\n", stdout: "xdg rc\ncmd\n", stderr: "; ; "},
		{name: "relative XDG_CONFIG_HOME is ignored", args: []string{"-i"}, env: []string{"XDG_CONFIG_HOME=xdg"},
			stdin: "echo cmd\n", stdout: "rc\ncmd\n", stderr: "; ; "},
		{name: "--norc", args: []string{"--norc", "-il"}, stdin: "echo cmd\n", stdout: "cmd\n", stderr: "; ; "},
		{name: "profile with a syntax error", args: []string{"-l", "-c", "echo cmd"}, env: []string{"HOME=" + filepath.Join(dir, "bad")},
			stderr: "bad/lib/profile:1: syntax error near newline\n", code: 1},
		{name: "interactive goes on after a bad profile", args: []string{"-il"}, env: []string{"HOME=" + filepath.Join(dir, "bad")},
			stdin: "echo cmd\n", stdout: "cmd\n"},
		{name: "profile exits", args: []string{"-il"}, env: []string{"HOME=" + filepath.Join(dir, "exits")},
			stdin: "echo not reached\n", code: 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cmd := nshCommand(ctx, dir, tc.stdin, tc.args...)
			if tc.argv0 != "" {
				cmd.Args[0] = tc.argv0
			}
			cmd.Env = append(cmd.Env, tc.env...)
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			err := cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if out.String() != tc.stdout || !bytes.Contains(errb.Bytes(), []byte(tc.stderr)) || code != tc.code {
				t.Errorf("exit %d, stdout %q, stderr %q\nwant exit %d, stdout %q, stderr containing %q",
					code, out.String(), errb.String(), tc.code, tc.stdout, tc.stderr)
			}
		})
	}
}
