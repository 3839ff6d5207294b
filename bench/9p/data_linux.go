package main

import (
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// makeData writes the large file (random bytes, so that nothing can
// compress or share pages) and the small files.
func makeData(dir string, sizeMiB, files int) error {
	if err := os.MkdirAll(filepath.Join(dir, "small"), 0o777); err != nil {
		return err
	}
	for _, d := range []string{dir, filepath.Join(dir, "small")} {
		if err := os.Chmod(d, 0o777); err != nil {
			return err
		}
	}
	f, err := os.Create(filepath.Join(dir, "big"))
	if err != nil {
		return err
	}
	if _, err := io.CopyN(f, rand.Reader, int64(sizeMiB)<<20); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	block := make([]byte, 4096)
	for i := range files {
		rand.Read(block)
		if err := os.WriteFile(smallPath(dir, i), block, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func smallPath(dir string, i int) string {
	return filepath.Join(dir, "small", fmt.Sprintf("f%05d", i))
}
