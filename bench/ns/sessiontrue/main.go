// Command sessiontrue starts an nsh session (package bind/session) and
// exits: the cost of session creation, for bench/ns to compare with
// unshare(1) and bwrap(1). With -setup it also prepares the session as nsh
// does (bind.SetupSession: the session's /srv).
package main

import (
	"fmt"
	"os"

	"nsh.dev/nsh/bind"
	"nsh.dev/nsh/bind/session"
)

func main() {
	if err := session.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if len(os.Args) > 1 && os.Args[1] == "-setup" {
		if err := bind.SetupSession(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
