//go:build !linux

package p9srv

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"syscall"
)

// fileID identifies a file, to tell our socket from one put in its place.
type fileID struct{ dev, ino uint64 }

func statID(path string) (fileID, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return fileID{}, err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}, fmt.Errorf("%s: no device and inode", path)
	}
	return fileID{uint64(st.Dev), uint64(st.Ino)}, nil
}

// checkSessionSrv refuses: a session's /srv is a tmpfs that nsh mounts in
// a Linux mount namespace, so there is none on this system. ListenUnix
// works here; Post does not.
func checkSessionSrv(dir string) error {
	return fmt.Errorf("%w: nsh sessions are not supported on %s", ErrNotSession, runtime.GOOS)
}

func isAddrInUse(err error) bool   { return errors.Is(err, syscall.EADDRINUSE) }
func isConnRefused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }
