package command

import (
	"errors"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// watchProcess closes the returned channel when the process of the pidfd
// fd exits. A thread waits in poll(2) for it, all the server's life.
func watchProcess(fd int) <-chan struct{} {
	gone := make(chan struct{})
	go func() {
		defer close(gone)
		p := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		for {
			_, err := unix.Poll(p, -1)
			if !errors.Is(err, unix.EINTR) && (err != nil || p[0].Revents != 0) {
				return
			}
		}
	}()
	return gone
}

// fileID identifies a file: the socket p9srv posted, not another put in
// its place.
type fileID struct{ dev, ino uint64 }

func statID(path string) (fileID, bool) {
	var st unix.Stat_t
	if unix.Lstat(path, &st) != nil {
		return fileID{}, false
	}
	return fileID{st.Dev, st.Ino}, true
}

// statInterval is how often the socket is looked at where inotify is not
// to be had.
const statInterval = time.Second

// watchPosted closes the returned channel when the socket at path, as it
// is now, is removed or replaced. inotify on its directory wakes it for
// every change there; without inotify (the user's limit reached), it
// looks once every statInterval.
func watchPosted(path string) (<-chan struct{}, error) {
	id, ok := statID(path)
	if !ok {
		return nil, errors.New(path + ": gone as soon as posted")
	}
	still := func() bool {
		now, ok := statID(path)
		return ok && now == id
	}
	gone := make(chan struct{})
	poll := func() {
		defer close(gone)
		for still() {
			time.Sleep(statInterval)
		}
	}
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		go poll()
		return gone, nil
	}
	const events = unix.IN_CREATE | unix.IN_DELETE | unix.IN_MOVED_FROM | unix.IN_MOVED_TO |
		unix.IN_DELETE_SELF | unix.IN_MOVE_SELF | unix.IN_ONLYDIR
	if _, err := unix.InotifyAddWatch(fd, filepath.Dir(path), events); err != nil {
		unix.Close(fd)
		go poll()
		return gone, nil
	}
	// Non-blocking, so that a read waits in the runtime's poller, not on
	// a thread.
	f := os.NewFile(uintptr(fd), "inotify")
	go func() {
		buf := make([]byte, 4096)
		for still() {
			if _, err := f.Read(buf); err != nil {
				f.Close()
				poll()
				return
			}
		}
		f.Close()
		close(gone)
	}()
	return gone, nil
}
