//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package edit

import "golang.org/x/sys/unix"

// The ioctls that read and set a terminal's mode: the BSDs, macOS among
// them, name Linux's TCGETS and TCSETS TIOCGETA and TIOCSETA. TIOCSETA
// applies the mode at once, as tcsetattr(TCSANOW) does.
const (
	ioctlGetTermios = unix.TIOCGETA
	ioctlSetTermios = unix.TIOCSETA
)
