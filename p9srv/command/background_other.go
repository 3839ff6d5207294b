//go:build !linux

package command

import (
	"fmt"
	"os"
	"runtime"
	"syscall"
)

// The background server of p9srv -s watches the process that ran it
// through a pidfd, which only Linux has (and -s posts to a session's
// /srv, which only Linux has either): openParent and inheritedDescriptors
// refuse, so that startBackground and a server started as one stop before
// anything else here is used.

// errNoBackground is what p9srv -s says on this system.
var errNoBackground = fmt.Errorf("a background server (p9srv -s) is not supported on %s: it watches its caller through a Linux pidfd", runtime.GOOS)

// openParent refuses: see errNoBackground.
func openParent() (*os.File, error) { return nil, errNoBackground }

// inheritedDescriptors refuses: see errNoBackground.
func inheritedDescriptors() (*os.File, <-chan struct{}, error) {
	return nil, nil, errNoBackground
}

// executable returns the path of the running program.
func executable() string {
	exe, err := os.Executable()
	if err != nil {
		return os.Args[0]
	}
	return exe
}

// closeInheritedOnExec does nothing here: it is never reached, since
// openParent refuses first, and what Go itself opens is close-on-exec.
func closeInheritedOnExec() {}

// detachedProcAttr makes the background server a session of its own.
func detachedProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setsid: true}
}
