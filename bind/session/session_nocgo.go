//go:build linux && !cgo

package session

import "errors"

// Created reports whether this process started a new session.
func Created() bool { return false }

// Rootless reports whether the session runs in a user namespace of its own.
func Rootless() bool { return false }

// Shared reports whether the command line asked for --share.
func Shared() bool { return false }

// Helper reports whether NSH_HELPER was set.
func Helper() bool { return false }

// Err explains that sessions need cgo.
func Err() error {
	return errors.New("cannot create a session: nsh was built without cgo (CGO_ENABLED=0), which session creation needs")
}
