// Command exectrue only replaces itself with true(1): the least a Go
// program that runs a command can cost, for bench/session to show how much
// of nsh's start is Go's own.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

func main() {
	path, err := exec.LookPath("true")
	if err == nil {
		err = syscall.Exec(path, []string{"true"}, os.Environ())
	}
	fmt.Fprintln(os.Stderr, "exectrue:", err)
	os.Exit(1)
}
