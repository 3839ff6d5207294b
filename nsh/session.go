package nsh

import (
	"fmt"
	"os"
)

// Session describes the namespace the nsh process started in, as the
// program's main learns it from the session package (which enters the
// namespace before the Go runtime starts, so only main may import it).
type Session struct {
	// Err is why a session could not be made; the shell reports it and
	// exits rather than run without the isolation it was asked for.
	Err error
	// Created says that this process made a new session (no --share).
	Created bool
}

// MainSession runs nsh in the session s, with the namespace builtins
// acting on the process's mount namespace.
func MainSession(args []string, s Session) int {
	if s.Err != nil {
		fmt.Fprintf(os.Stderr, "nsh: %v\n", s.Err)
		return 1
	}
	sys, err := sessionSystem(s.Created)
	if err != nil {
		// The session works without its /srv; say what is missing.
		fmt.Fprintf(os.Stderr, "nsh: warning: %v\n", err)
	}
	return Run(args, Options{System: sys})
}
