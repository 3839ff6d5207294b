// Command sessiontrue starts an nsh session (package bind/session) and
// exits: the cost of session creation, for bench/ns to compare with
// unshare(1) and bwrap(1).
package main

import (
	"fmt"
	"os"

	"nsh.dev/nsh/bind/session"
)

func main() {
	if err := session.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
