//go:build linux && cgo

package session

/*
#include "session.h"
#include <stdlib.h>
*/
import "C"

import (
	"syscall"
	"unsafe"
)

// Created reports whether this process started a new session.
func Created() bool { return C.nsh_session_created != 0 }

// Rootless reports whether the session runs in a user namespace of its own
// (an ordinary user's session, or root's where root lacks CAP_SYS_ADMIN).
func Rootless() bool { return C.nsh_session_rootless != 0 }

// Shared reports whether the command line asked for --share, so that no
// session was made on purpose.
func Shared() bool { return C.nsh_session_skip == C.NSH_SKIP_SHARE }

// Helper reports whether NSH_HELPER was set, so that no session was made on
// purpose.
func Helper() bool { return C.nsh_session_skip == C.NSH_SKIP_HELPER }

// Err returns why the session could not be created, or nil if it was (or was
// not wanted).
func Err() error {
	if C.nsh_session_stage == C.NSH_STAGE_NONE {
		return nil
	}
	return explain(stage(C.nsh_session_stage), syscall.Errno(C.nsh_session_errno))
}

// wantsShare runs the constructor's command-line scan on args (args[0] is
// the program name), for tests.
func wantsShare(args []string) bool {
	argv := make([]*C.char, len(args)+1)
	for i, a := range args {
		argv[i] = C.CString(a)
	}
	defer func() {
		for _, p := range argv[:len(args)] {
			C.free(unsafe.Pointer(p))
		}
	}()
	return C.nsh_wants_share(C.int(len(args)), &argv[0]) != 0
}
