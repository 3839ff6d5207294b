package edit

import (
	"errors"

	"golang.org/x/sys/unix"
)

// byteReader reads a file descriptor one byte at a time, so that nothing
// is read beyond what a line needs, and can be woken from another
// goroutine while it waits. It never changes the descriptor's blocking
// mode, which the terminal's other processes share: it waits in poll(2)
// and reads only when poll says a byte is there.
type byteReader struct {
	fd   int
	wake int // an eventfd that ends a wait
}

func newByteReader(fd int) (*byteReader, error) {
	ev, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		return nil, err
	}
	return &byteReader{fd: fd, wake: ev}, nil
}

// readByte waits for a byte and reads it. It returns io.EOF at end of
// file (on a terminal: Ctrl-D at the start of a line), errHangup when the
// terminal has hung up, errWoken when wakeUp was called since the last
// clearWake.
func (r *byteReader) readByte() (byte, error) {
	fds := []unix.PollFd{
		{Fd: int32(r.fd), Events: unix.POLLIN},
		{Fd: int32(r.wake), Events: unix.POLLIN},
	}
	for {
		fds[0].Revents, fds[1].Revents = 0, 0
		if _, err := unix.Poll(fds, -1); err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			return 0, err
		}
		if fds[1].Revents != 0 {
			return 0, errWoken
		}
		if fds[0].Revents&unix.POLLNVAL != 0 {
			return 0, unix.EBADF
		}
		if fds[0].Revents == 0 {
			continue
		}
		b, again, err := readReady(r.fd, fds[0].Revents&unix.POLLHUP != 0)
		if again {
			continue
		}
		return b, err
	}
}

// wakeUp ends the current or next wait in readByte.
func (r *byteReader) wakeUp() {
	one := [8]byte{1}
	unix.Write(r.wake, one[:])
}

// clearWake forgets earlier calls of wakeUp.
func (r *byteReader) clearWake() {
	var buf [8]byte
	unix.Read(r.wake, buf[:])
}

func (r *byteReader) close() error {
	return unix.Close(r.wake)
}
