// Command nsh is a Plan 9 style namespace shell speaking rc. See package
// nsh.dev/nsh/nsh for what it does with its arguments.
//
// The same program is also the reaper, the helper process that removes a
// session's overlay work directories when it ends, chosen by the
// environment variable NSH_HELPER=reaper; a helper stays in its parent's
// namespace. The 9P bridge that mount starts is a program of its own,
// nsh-9pfuse (cmd/nsh-9pfuse), installed beside nsh.
package main

import (
	"fmt"
	"os"

	"nsh.dev/nsh/bind"
	"nsh.dev/nsh/bind/session" // enters the session before the Go runtime starts
	"nsh.dev/nsh/nsh"
)

func main() {
	switch h := os.Getenv("NSH_HELPER"); h {
	case "":
		os.Exit(nsh.MainSession(os.Args, nsh.Session{Err: session.Err(), Created: session.Created()}))
	case "reaper":
		os.Exit(bind.ReaperMain(os.Args))
	default:
		fmt.Fprintf(os.Stderr, "nsh: NSH_HELPER=%s: no such helper (want reaper)\n", h)
		os.Exit(2)
	}
}
