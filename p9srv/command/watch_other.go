//go:build !linux

package command

import (
	"errors"
	"os"
	"time"
)

// statInterval is how often the socket is looked at: there is no
// inotify here.
const statInterval = time.Second

// watchPosted closes the returned channel when the socket at path, as it
// is now, is removed or replaced. It looks once every statInterval.
func watchPosted(path string) (<-chan struct{}, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, errors.New(path + ": gone as soon as posted")
	}
	gone := make(chan struct{})
	go func() {
		defer close(gone)
		for {
			time.Sleep(statInterval)
			now, err := os.Lstat(path)
			if err != nil || !os.SameFile(fi, now) {
				return
			}
		}
	}()
	return gone, nil
}
