//go:build !linux

package command

import (
	"fmt"
	"runtime"
)

// sessionHelper needs a private mount namespace, which only Linux has;
// only the Linux tests start it.
func sessionHelper() int {
	fmt.Printf("helper: sessions are not supported on %s\n", runtime.GOOS)
	return 1
}
