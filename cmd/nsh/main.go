// Command nsh is a Plan 9 style namespace shell speaking rc. See package
// nsh.dev/nsh/nsh for what it does with its arguments.
package main

import (
	"os"

	"nsh.dev/nsh/nsh"
)

func main() {
	os.Exit(nsh.Main(os.Args))
}
