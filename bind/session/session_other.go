//go:build !linux

package session

import (
	"errors"
	"fmt"
)

// Created reports whether this process started a new session.
func Created() bool { return false }

// Rootless reports whether the session runs in a user namespace of its own.
func Rootless() bool { return false }

// Shared reports whether the command line asked for --share.
func Shared() bool { return false }

// Helper reports whether NSH_HELPER was set.
func Helper() bool { return false }

// Err reports that sessions exist only on Linux.
func Err() error {
	return fmt.Errorf("cannot create a session: %w (sessions need Linux mount namespaces)", errors.ErrUnsupported)
}
