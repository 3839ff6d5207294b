//go:build !linux

package p9fuse

import (
	"fmt"
	"os"
)

// HelperEnv is the environment variable, and HelperName its value, with
// which nsh starts itself as the bridge; nsh's main then calls [Main].
const (
	HelperEnv  = "NSH_HELPER"
	HelperName = "9pfuse"
)

// Main reports that the bridge needs Linux: it mounts through Linux's
// FUSE and mount(2).
func Main(args []string) int {
	f := os.NewFile(3, "ready")
	fmt.Fprintln(f, "error: 9P mounts need Linux")
	f.Close()
	return 1
}
