//go:build !linux

package command

import (
	"fmt"
	"runtime"
)

// watchPosted refuses: it watches a socket posted in a session's /srv,
// and p9srv.Post refuses on this system before anything is posted.
func watchPosted(path string) (<-chan struct{}, error) {
	return nil, fmt.Errorf("%s: watching a posted socket is not supported on %s", path, runtime.GOOS)
}
