package interp_test

import (
	"os"
	"testing"

	"nsh.dev/nsh/nsh"
	"nsh.dev/nsh/nsh/interp"
	"nsh.dev/nsh/nsh/syntax"
)

// BenchmarkLoop runs the language benchmark's loop (bench/lang/loop.rc:
// 100000 iterations of assignments, list building, ~ and function calls)
// in process. bench/lang/run compares the nsh program with 9base rc.
func BenchmarkLoop(b *testing.B) {
	src, err := os.ReadFile("../../bench/lang/loop.rc")
	if err != nil {
		b.Fatal(err)
	}
	f, err := syntax.Parse("loop.rc", src)
	if err != nil {
		b.Fatal(err)
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer devnull.Close()
	b.ReportAllocs()
	for b.Loop() {
		in, err := interp.New(interp.Config{
			System: nsh.OSSystem{},
			Stdout: devnull,
			Stderr: devnull,
			Env:    []string{"PATH=/usr/bin:/bin"},
			Dir:    "/",
		})
		if err != nil {
			b.Fatal(err)
		}
		if err := in.Run(f, interp.RunOptions{}); err != nil {
			b.Fatal(err)
		}
		if in.Status() != "" {
			b.Fatalf("status %q", in.Status())
		}
		in.Close()
	}
}
