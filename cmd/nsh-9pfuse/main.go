// Command nsh-9pfuse is nsh's 9P-to-FUSE bridge: the process that nsh's
// mount starts to put a 9P server into a session's view, since the kernel
// may have no 9P client of its own. nsh looks for it beside its own
// program, then on $PATH. See package nsh.dev/nsh/p9srv/p9fuse ([p9fuse.Main])
// for its command line and what it does.
//
// It is a program of its own, not a mode of nsh, so that nsh, which every
// session starts, neither loads nor initialises a FUSE file system and a
// 9P client. It stays in the namespace it was started in.
package main

import (
	"os"

	"nsh.dev/nsh/p9srv/p9fuse"
)

func main() {
	os.Exit(p9fuse.Main(os.Args))
}
