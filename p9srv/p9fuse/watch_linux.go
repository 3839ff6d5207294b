package p9fuse

import (
	"errors"
	"fmt"
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// pollUntil blocks until fd reports one of events (or an error or
// hang-up), or until stop is closed; it reports whether fd did. It runs
// poll(2) on a thread of its own, so that it costs nothing while it
// waits: a socket polled only for POLLRDHUP is not woken by the data
// that arrives on it.
func pollUntil(fd int, events int16, stop <-chan struct{}) (bool, error) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return false, err
	}
	defer unix.Close(p[0])
	quit := make(chan struct{})
	defer close(quit)
	go func() {
		select {
		case <-stop:
			unix.Write(p[1], []byte{0})
		case <-quit:
		}
		unix.Close(p[1])
	}()
	fds := []unix.PollFd{{Fd: int32(fd), Events: events}, {Fd: int32(p[0]), Events: unix.POLLIN}}
	for {
		_, err := unix.Poll(fds, -1)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return false, err
		}
		if fds[0].Revents != 0 {
			return true, nil
		}
		if fds[1].Revents != 0 {
			return false, nil
		}
	}
}

// watchHangup closes the returned channel when the peer of conn hangs
// up (a server that dies closes its end at once), or when stop closes.
// It polls a duplicate of the socket, leaving conn to the 9P client.
func watchHangup(conn net.Conn, stop <-chan struct{}) (<-chan struct{}, error) {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return nil, fmt.Errorf("%T has no file descriptor", conn)
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil, err
	}
	dup := -1
	var dupErr error
	if err := rc.Control(func(fd uintptr) {
		dup, dupErr = unix.FcntlInt(fd, unix.F_DUPFD_CLOEXEC, 0)
	}); err != nil {
		return nil, err
	}
	if dupErr != nil {
		return nil, dupErr
	}
	hup := make(chan struct{})
	go func() {
		defer unix.Close(dup)
		if ok, _ := pollUntil(dup, unix.POLLRDHUP, stop); ok {
			close(hup)
		}
	}()
	return hup, nil
}

// watchProcess closes the returned channel when process pid exits, or
// when stop closes.
func watchProcess(pid int, stop <-chan struct{}) (<-chan struct{}, error) {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return nil, fmt.Errorf("process %d: %w", pid, err)
	}
	exited := make(chan struct{})
	go func() {
		defer unix.Close(fd)
		if ok, _ := pollUntil(fd, unix.POLLIN, stop); ok {
			close(exited)
		}
	}()
	return exited, nil
}
