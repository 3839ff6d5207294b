// Command p9srv serves a built-in file system over 9P2000.L:
//
//	p9srv [-D] [-f] [-s NAME | -l ADDR] FS [ARG ...]
//
// See package nsh.dev/nsh/p9srv/command and p9srv(1).
package main

import (
	"os"

	"nsh.dev/nsh/p9srv/command"
)

func main() {
	os.Exit(command.Main())
}
