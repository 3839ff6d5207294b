package p9fuse

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// The checks below run against a mounted tree and return the first thing
// that is wrong. They serve both the tests run as root and the rootless
// helper, which has no *testing.T.

// checkSynth checks the synthetic server's files through a mount.
func checkSynth(mnt string) error {
	// time reports size 0 and must read anyway, afresh on each open.
	st, err := os.Stat(filepath.Join(mnt, "time"))
	if err != nil {
		return err
	}
	if st.Size() != 0 {
		return fmt.Errorf("time: size %d, want 0 (the test server reports none)", st.Size())
	}
	a, err := os.ReadFile(filepath.Join(mnt, "time"))
	if err != nil {
		return err
	}
	b, err := os.ReadFile(filepath.Join(mnt, "time"))
	if err != nil {
		return err
	}
	if !strings.HasPrefix(string(a), "tick ") || string(a) == string(b) {
		return fmt.Errorf("time read %q then %q; want two different ticks", a, b)
	}

	// echo cmd > ctl: open with O_TRUNC (a SETATTR of size 0), write.
	ctl := filepath.Join(mnt, "ctl")
	for _, cmd := range []string{"start 1\n", "stop\n"} {
		if err := os.WriteFile(ctl, []byte(cmd), 0o666); err != nil {
			return fmt.Errorf("echo %q > ctl: %w", strings.TrimSpace(cmd), err)
		}
		got, err := os.ReadFile(ctl)
		if err != nil {
			return err
		}
		if string(got) != cmd {
			return fmt.Errorf("ctl reads %q after writing %q", got, cmd)
		}
	}
	var want []string
	for i := range manyFiles {
		want = append(want, fmt.Sprintf("f%05d", i))
	}
	return checkList(filepath.Join(mnt, "many"), want)
}

// checkList checks that dir lists exactly want, through getdents with a
// small buffer (many FUSE READDIRs, each resuming at an offset) and
// through a plain read of the whole directory.
func checkList(dir string, want []string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	var got []string
	for {
		names, err := f.Readdirnames(7)
		got = append(got, names...)
		if err != nil {
			break
		}
	}
	if err := sameNames(dir, got, want); err != nil {
		return err
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	got = got[:0]
	for _, e := range ents {
		got = append(got, e.Name())
	}
	return sameNames(dir, got, want)
}

func sameNames(dir string, got, want []string) error {
	got = slices.Clone(got)
	want = slices.Clone(want)
	slices.Sort(got)
	slices.Sort(want)
	if slices.Equal(got, want) {
		return nil
	}
	missing, extra := 0, 0
	for _, w := range want {
		if _, ok := slices.BinarySearch(got, w); !ok {
			missing++
		}
	}
	for _, g := range got {
		if _, ok := slices.BinarySearch(want, g); !ok {
			extra++
		}
	}
	return fmt.Errorf("%s lists %d names, want %d (%d missing, %d unexpected)", dir, len(got), len(want), missing, extra)
}

// rwFeatures says what a writable server supports beyond reading and
// writing files.
type rwFeatures struct {
	chmod, links bool
}

// checkRW exercises a writable tree through a mount: write and read
// back (larger than any message), create, truncate, append, rename
// within and across directories, mkdir, rmdir, symlink, hard link,
// chmod and remove.
func checkRW(mnt string, feat rwFeatures) error {
	big := make([]byte, 3<<20+12345)
	rand.Read(big)
	p := filepath.Join(mnt, "big")
	if err := os.WriteFile(p, big, 0o666); err != nil {
		return err
	}
	got, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	if !bytes.Equal(got, big) {
		return fmt.Errorf("big: read %d bytes back, not the %d written", len(got), len(big))
	}
	if st, err := os.Stat(p); err != nil || st.Size() != int64(len(big)) {
		return fmt.Errorf("big: stat %v, %v; want size %d", st, err, len(big))
	}

	f := filepath.Join(mnt, "f")
	if err := os.WriteFile(f, []byte("hello, world\n"), 0o666); err != nil {
		return err
	}
	if err := os.WriteFile(f, []byte("bye\n"), 0o666); err != nil { // O_TRUNC
		return err
	}
	if err := expect(f, "bye\n"); err != nil {
		return err
	}
	if err := os.Truncate(f, 2); err != nil {
		return err
	}
	if err := expect(f, "by"); err != nil {
		return err
	}
	af, err := os.OpenFile(f, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	_, err = af.WriteString("e!\n")
	af.Close()
	if err != nil {
		return err
	}
	if err := expect(f, "bye!\n"); err != nil {
		return err
	}

	g := filepath.Join(mnt, "g")
	if err := os.Rename(f, g); err != nil {
		return err
	}
	if _, err := os.Stat(f); !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("after rename, old name: %v, want not exist", err)
	}
	if err := expect(g, "bye!\n"); err != nil {
		return err
	}

	d := filepath.Join(mnt, "d")
	if err := os.Mkdir(d, 0o777); err != nil {
		return err
	}
	if err := os.Rename(g, filepath.Join(d, "g2")); err != nil {
		return err
	}
	if err := expect(filepath.Join(d, "g2"), "bye!\n"); err != nil {
		return err
	}
	if err := os.Remove(d); !errors.Is(err, syscall.ENOTEMPTY) && !errors.Is(err, syscall.EEXIST) {
		return fmt.Errorf("rmdir of a full directory: %v, want ENOTEMPTY", err)
	}

	if err := os.Symlink("d/g2", filepath.Join(mnt, "s")); err != nil {
		return err
	}
	if target, err := os.Readlink(filepath.Join(mnt, "s")); err != nil || target != "d/g2" {
		return fmt.Errorf("readlink s: %q, %v", target, err)
	}
	if err := expect(filepath.Join(mnt, "s"), "bye!\n"); err != nil {
		return err
	}
	if feat.links {
		if err := os.Link(filepath.Join(d, "g2"), filepath.Join(mnt, "h")); err != nil {
			return err
		}
		if err := expect(filepath.Join(mnt, "h"), "bye!\n"); err != nil {
			return err
		}
		if err := os.Remove(filepath.Join(mnt, "h")); err != nil {
			return err
		}
	}
	if feat.chmod {
		if err := os.Chmod(filepath.Join(d, "g2"), 0o640); err != nil {
			return err
		}
		if st, err := os.Stat(filepath.Join(d, "g2")); err != nil || st.Mode().Perm() != 0o640 {
			return fmt.Errorf("after chmod 640: %v, %v", st, err)
		}
	}
	if err := checkList(mnt, []string{"big", "d", "s"}); err != nil {
		return err
	}

	for _, name := range []string{"s", "d/g2", "d", "big"} {
		if err := os.Remove(filepath.Join(mnt, name)); err != nil {
			return err
		}
	}
	return checkList(mnt, nil)
}

func expect(path, want string) error {
	got, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if string(got) != want {
		return fmt.Errorf("%s: read %q, want %q", path, got, want)
	}
	return nil
}
