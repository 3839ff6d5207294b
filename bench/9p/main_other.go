//go:build !linux

package main

import (
	"fmt"
	"os"
)

// The benchmark mounts through Linux's FUSE.
func main() {
	fmt.Fprintln(os.Stderr, "9p bench: needs Linux")
	os.Exit(1)
}
