//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package edit

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// IsTerminal reports whether f is a terminal. The shell is interactive
// (and should read commands through an Editor) when its standard input
// is one; other input must not go through liner, whose buffering would
// swallow what the next command was meant to read.
func IsTerminal(f *os.File) bool {
	// SyscallConn, unlike Fd, leaves the file's blocking mode alone.
	rc, err := f.SyscallConn()
	if err != nil {
		return false
	}
	var terr error
	if err := rc.Control(func(fd uintptr) {
		_, terr = unix.IoctlGetTermios(int(fd), ioctlGetTermios)
	}); err != nil {
		return false
	}
	return terr == nil
}

// termMode is a saved terminal mode.
type termMode struct {
	t unix.Termios
}

// getMode returns the mode of the terminal fd.
func getMode(fd int) (*termMode, error) {
	t, err := unix.IoctlGetTermios(fd, ioctlGetTermios)
	if err != nil {
		return nil, err
	}
	return &termMode{t: *t}, nil
}

// apply sets the terminal fd to m, retrying when a signal interrupts.
func (m *termMode) apply(fd int) error {
	for {
		err := unix.IoctlSetTermios(fd, ioctlSetTermios, &m.t)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// rawMode returns the mode liner edits in, derived from the cooked mode m
// as liner's NewLiner derives it: no echo, no canonical lines, no CR to
// NL translation, no flow control, 8-bit characters, reads that return
// each byte. And no signals from the keyboard: liner clears ISIG itself,
// but only after it has printed the prompt, so a Ctrl-C typed as soon as
// the prompt shows would raise SIGINT instead of reaching liner.
func (m *termMode) rawMode() *termMode {
	r := *m
	r.t.Iflag &^= unix.ICRNL | unix.INPCK | unix.ISTRIP | unix.IXON
	r.t.Cflag |= unix.CS8
	r.t.Lflag &^= unix.ECHO | unix.ICANON | unix.IEXTEN | unix.ISIG
	r.t.Cc[unix.VMIN] = 1
	r.t.Cc[unix.VTIME] = 0
	return &r
}

// columns returns the width of the terminal fd, 0 when unknown.
func columns(fd int) int {
	ws, err := unix.IoctlGetWinsize(fd, unix.TIOCGWINSZ)
	if err != nil {
		return 0
	}
	return int(ws.Col)
}
