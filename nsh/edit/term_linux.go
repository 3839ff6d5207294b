package edit

import "golang.org/x/sys/unix"

// The ioctls that read and set a terminal's mode. TCSETS applies the
// mode at once, as tcsetattr(TCSANOW) does.
const (
	ioctlGetTermios = unix.TCGETS
	ioctlSetTermios = unix.TCSETS
)
