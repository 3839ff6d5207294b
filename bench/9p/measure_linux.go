package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// results are one configuration's figures (the best run of each).
type results struct {
	seqMiBps   float64 // sequential read, MiB/s
	statPerSec float64 // stat calls per second
	openPerSec float64 // open + 4 KiB read + close per second
}

// The contenders: the data read natively, and through the bridge from
// p9srv's exportfs and from diod.
const (
	native = iota
	viaP9srv
	viaDiod
)

var names = [3]string{"native", "p9srv", "diod"}

// measureAll runs each measurement on the three copies of the data in
// dirs, runs times in turn, and keeps each contender's best.
func measureAll(cfg config, dirs [3]string) ([3]results, error) {
	var r [3]results
	buf := make([]byte, 1<<20)
	paths := make([][]string, 3)
	for who, dir := range dirs {
		for i := range cfg.files {
			paths[who] = append(paths[who], smallPath(dir, i))
		}
	}
	for range cfg.runs {
		for who, dir := range dirs {
			v, err := seqRead(filepath.Join(dir, "big"), int64(cfg.sizeMiB)<<20, buf)
			if err != nil {
				return r, fmt.Errorf("%s: %w", names[who], err)
			}
			r[who].seqMiBps = max(r[who].seqMiBps, v)
		}
		for who := range dirs {
			v, err := perSecond(paths[who], statOne)
			if err != nil {
				return r, fmt.Errorf("%s: %w", names[who], err)
			}
			r[who].statPerSec = max(r[who].statPerSec, v)
		}
		for who := range dirs {
			v, err := perSecond(paths[who], func(p string) error { return openReadClose(p, buf[:4096]) })
			if err != nil {
				return r, fmt.Errorf("%s: %w", names[who], err)
			}
			r[who].openPerSec = max(r[who].openPerSec, v)
		}
	}
	return r, nil
}

// seqRead reads the file with 1 MiB reads and returns MiB/s. It first
// drops the file's pages from the page cache (on tmpfs that keeps them:
// they are the file), so a cached mount reads through the bridge.
func seqRead(path string, size int64, buf []byte) (float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
	start := time.Now()
	var total int64
	for {
		n, err := f.Read(buf)
		total += int64(n)
		if err != nil || n == 0 {
			break
		}
	}
	elapsed := time.Since(start)
	if total != size {
		return 0, fmt.Errorf("%s: read %d bytes, want %d", path, total, size)
	}
	return float64(size) / (1 << 20) / elapsed.Seconds(), nil
}

func perSecond(paths []string, op func(string) error) (float64, error) {
	start := time.Now()
	for _, p := range paths {
		if err := op(p); err != nil {
			return 0, err
		}
	}
	return float64(len(paths)) / time.Since(start).Seconds(), nil
}

func statOne(p string) error {
	var st unix.Stat_t
	if err := unix.Stat(p, &st); err != nil {
		return fmt.Errorf("stat %s: %w", p, err)
	}
	return nil
}

func openReadClose(p string, buf []byte) error {
	fd, err := unix.Open(p, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", p, err)
	}
	n, err := unix.Read(fd, buf)
	unix.Close(fd)
	if err != nil || n != len(buf) {
		return fmt.Errorf("read %s: %d bytes, %v", p, n, err)
	}
	return nil
}
