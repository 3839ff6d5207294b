//go:build unix

package edit

import (
	"errors"
	"io"

	"golang.org/x/sys/unix"
)

var (
	// errWoken is returned by a read that wakeUp ended.
	errWoken = errors.New("woken")
	// errHangup is returned when the terminal has hung up: no byte will
	// ever come (unlike io.EOF on a terminal, which is one Ctrl-D).
	errHangup = errors.New("terminal hung up")
)

// readReady reads the byte a wait said is there. again reports a read
// to wait for and try again: it was interrupted, or another reader of
// the terminal took the byte. hungUp says the wait saw the terminal
// hang up, which makes an end of file errHangup rather than io.EOF.
func readReady(fd int, hungUp bool) (b byte, again bool, err error) {
	var buf [1]byte
	n, err := unix.Read(fd, buf[:])
	switch {
	case errors.Is(err, unix.EINTR), errors.Is(err, unix.EAGAIN):
		return 0, true, nil
	case errors.Is(err, unix.EIO):
		return 0, false, errHangup
	case err != nil:
		return 0, false, err
	case n == 0 && hungUp:
		return 0, false, errHangup
	case n == 0:
		return 0, false, io.EOF
	}
	return buf[0], false, nil
}
