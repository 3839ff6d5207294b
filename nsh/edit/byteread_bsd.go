//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package edit

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// byteReader reads a file descriptor one byte at a time, so that nothing
// is read beyond what a line needs, and can be woken from another
// goroutine while it waits. It never changes the descriptor's blocking
// mode, which the terminal's other processes share: it waits in
// select(2) and reads only when select says a byte is there.
//
// It differs from the Linux one in two ways. There is no eventfd: a
// wake-up is a byte in a pipe. And it waits in select, not poll, because
// macOS's poll does not support devices, terminals among them. Select
// has no POLLHUP, so a terminal that hangs up without failing reads with
// EIO reads as end of file, as Ctrl-D does; the SIGHUP the hangup brings
// is what ends the shell then.
type byteReader struct {
	fd    int
	wake  int // the read end of the wake-up pipe
	wakeW int // its write end
}

func newByteReader(fd int) (*byteReader, error) {
	var p [2]int
	if err := unix.Pipe(p[:]); err != nil {
		return nil, err
	}
	for _, q := range p {
		unix.CloseOnExec(q)
		if err := unix.SetNonblock(q, true); err != nil {
			unix.Close(p[0])
			unix.Close(p[1])
			return nil, err
		}
	}
	if fd >= unix.FD_SETSIZE || p[0] >= unix.FD_SETSIZE {
		unix.Close(p[0])
		unix.Close(p[1])
		return nil, fmt.Errorf("descriptor beyond select's limit of %d", unix.FD_SETSIZE)
	}
	return &byteReader{fd: fd, wake: p[0], wakeW: p[1]}, nil
}

// readByte waits for a byte and reads it. It returns io.EOF at end of
// file (on a terminal: Ctrl-D at the start of a line), errHangup when the
// terminal has hung up, errWoken when wakeUp was called since the last
// clearWake.
func (r *byteReader) readByte() (byte, error) {
	nfd := max(r.fd, r.wake) + 1
	for {
		var set unix.FdSet
		set.Set(r.fd)
		set.Set(r.wake)
		if _, err := unix.Select(nfd, &set, nil, nil, nil); err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			return 0, err
		}
		if set.IsSet(r.wake) {
			return 0, errWoken
		}
		if !set.IsSet(r.fd) {
			continue
		}
		b, again, err := readReady(r.fd, false)
		if again {
			continue
		}
		return b, err
	}
}

// wakeUp ends the current or next wait in readByte. A full pipe already
// holds a wake-up, so a failed write loses nothing.
func (r *byteReader) wakeUp() {
	unix.Write(r.wakeW, []byte{1})
}

// clearWake forgets earlier calls of wakeUp: it empties the pipe.
func (r *byteReader) clearWake() {
	var buf [64]byte
	for {
		n, err := unix.Read(r.wake, buf[:])
		if n <= 0 && !errors.Is(err, unix.EINTR) {
			return
		}
	}
}

func (r *byteReader) close() error {
	unix.Close(r.wakeW)
	return unix.Close(r.wake)
}
