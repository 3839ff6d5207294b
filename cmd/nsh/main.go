// Command nsh is a Plan 9 style namespace shell speaking rc. See package
// nsh.dev/nsh/nsh for what it does with its arguments.
//
// The same program is also nsh's helper processes, chosen by the
// environment variable NSH_HELPER: the 9P-to-FUSE bridge that mount starts
// (9pfuse) and the reaper that removes a session's overlay work
// directories when it ends (reaper). Helpers stay in their parent's
// namespace.
package main

import (
	"fmt"
	"os"

	"nsh.dev/nsh/bind"
	"nsh.dev/nsh/bind/session" // enters the session before the Go runtime starts
	"nsh.dev/nsh/nsh"
	"nsh.dev/nsh/p9srv/p9fuse"
)

func main() {
	switch h := os.Getenv("NSH_HELPER"); h {
	case "":
		os.Exit(nsh.MainSession(os.Args, nsh.Session{Err: session.Err(), Created: session.Created()}))
	case "9pfuse":
		os.Exit(p9fuse.Main(os.Args))
	case "reaper":
		os.Exit(bind.ReaperMain(os.Args))
	default:
		fmt.Fprintf(os.Stderr, "nsh: NSH_HELPER=%s: no such helper (want 9pfuse or reaper)\n", h)
		os.Exit(2)
	}
}
