package p9srv

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// fileID identifies a file, to tell our socket from one put in its place.
type fileID struct{ dev, ino uint64 }

func statID(path string) (fileID, error) {
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		return fileID{}, err
	}
	return fileID{st.Dev, st.Ino}, nil
}

// checkSessionSrv makes sure the directory is a session's /srv.
func checkSessionSrv(dir string) error {
	info, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return fmt.Errorf("checking %s: %w", dir, err)
	}
	dev, err := deviceOf(dir)
	if err != nil {
		return ErrNotSession
	}
	return sessionSrvIn(string(info), dir, dev)
}

// deviceOf returns the device of path as mountinfo writes it.
func deviceOf(path string) (string, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d:%d", unix.Major(st.Dev), unix.Minor(st.Dev)), nil
}

func isAddrInUse(err error) bool   { return errors.Is(err, syscall.EADDRINUSE) }
func isConnRefused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }
