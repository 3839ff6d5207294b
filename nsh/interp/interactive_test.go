package interp_test

import (
	"os"
	"slices"
	"testing"

	"nsh.dev/nsh/nsh"
	"nsh.dev/nsh/nsh/interp"
	"nsh.dev/nsh/nsh/syntax"
)

// TestInteractiveHooks checks what an interactive shell asks of the
// interpreter between commands: the names to complete, the System after
// rfork, and fn prompt run with $status kept.
func TestInteractiveHooks(t *testing.T) {
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	in, err := interp.New(interp.Config{System: nsh.OSSystem{}, Dir: "/", Stdout: devnull, Stderr: devnull, Interactive: true})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	run := func(src string) error {
		t.Helper()
		f, err := syntax.Parse("t", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return in.Run(f, interp.RunOptions{})
	}

	if ran, err := in.CallHook("prompt"); ran || err != nil {
		t.Errorf("CallHook without fn prompt: ran %v, %v", ran, err)
	}
	run("fn zz {}; fn aa {}; myvar=1; emptied=1; emptied=()")
	if got := in.Functions(); !slices.Equal(got, []string{"aa", "zz"}) {
		t.Errorf("Functions() = %q", got)
	}
	vars := in.Variables()
	if !slices.IsSorted(vars) || !slices.Contains(vars, "myvar") || !slices.Contains(vars, "status") ||
		!slices.Contains(vars, "prompt") || slices.Contains(vars, "emptied") {
		t.Errorf("Variables() = %q", vars)
	}
	if got := interp.Builtins(); !slices.Contains(got, "help") || !slices.Contains(got, "rfork") || !slices.IsSorted(got) {
		t.Errorf("Builtins() = %q", got)
	}
	if _, ok := in.System().(nsh.OSSystem); !ok {
		t.Errorf("System() is %T, want the System given", in.System())
	}

	run("fn prompt {n=($n x); true}; status=before")
	for i := 1; i <= 2; i++ {
		ran, err := in.CallHook("prompt")
		if !ran || err != nil {
			t.Fatalf("CallHook: ran %v, %v", ran, err)
		}
		if got := len(in.Lookup("n")); got != i {
			t.Errorf("after %d calls $n has %d elements", i, got)
		}
		if in.Status() != "before" {
			t.Errorf("fn prompt changed $status to %q", in.Status())
		}
	}
	run("fn prompt {exit 3}")
	if _, err := in.CallHook("prompt"); err != interp.ErrExit || in.ExitCode() != 3 {
		t.Errorf("fn prompt {exit 3}: %v, exit code %d", err, in.ExitCode())
	}
}
