//go:build !linux

package main

import (
	"fmt"
	"os"
)

// Sessions are Linux mount namespaces.
func main() {
	fmt.Fprintln(os.Stderr, "session bench: needs Linux")
	os.Exit(1)
}
