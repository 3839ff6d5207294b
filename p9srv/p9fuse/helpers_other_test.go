//go:build !linux

package p9fuse

import (
	"os"
	"testing"
)

// mkdirAll makes dir, open to everyone, as the Linux helpers do.
func mkdirAll(t *testing.T, dir string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	return dir
}

// A server is a 9P server the tests started.
type server struct {
	addr string
}

// startDiod skips the test: the tests run diod on Linux only.
func startDiod(t *testing.T, base, dir string) *server {
	t.Helper()
	t.Skip("the tests run diod on Linux only")
	return nil
}
