package nsh

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"nsh.dev/nsh/bind/nsfile"
	"nsh.dev/nsh/nsh/interp"
)

// applyNamespaceFile performs the directives of a namespace file (see
// package nsfile) through the System, in order, stopping at the first
// error that is not silenced with -q. cd changes the shell's directory;
// . applies another file.
func applyNamespaceFile(sys interp.System, in *interp.Interp, file string) error {
	return applyNS(sys, in, file, 0)
}

func applyNS(sys interp.System, in *interp.Interp, file string, depth int) error {
	if depth > 32 {
		return fmt.Errorf("%s: namespace files nested too deeply", file)
	}
	abs := file
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(in.Dir(), abs)
	}
	f, err := sys.Open(abs, os.O_RDONLY, 0)
	if err != nil {
		return fmt.Errorf("%s: %s", file, reason(err))
	}
	src, err := io.ReadAll(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %s", file, reason(err))
	}
	ops, err := nsfile.Parse(file, src, in.Lookup)
	if err != nil {
		return err
	}
	for _, op := range ops {
		a := op.Args
		path := func(p string) string {
			if filepath.IsAbs(p) {
				return filepath.Clean(p)
			}
			return filepath.Join(in.Dir(), p)
		}
		var err error
		switch op.Cmd {
		case "bind":
			err = sys.Bind(path(a[0]), path(a[1]), nsMountFlags(op))
		case "mount":
			aname := ""
			if len(a) == 3 {
				aname = a[2]
			}
			err = sys.Mount(a[0], path(a[1]), aname, nsMountFlags(op))
		case "unmount":
			if len(a) == 1 {
				err = sys.Unmount("", path(a[0]))
			} else {
				err = sys.Unmount(path(a[0]), path(a[1]))
			}
		case "cd":
			err = in.Chdir(a[0])
		case "clear":
			err = sys.ClearNamespace()
		case ".":
			if err = applyNS(sys, in, a[0], depth+1); err != nil && !op.Quiet() {
				return err
			}
			continue
		}
		if err != nil && !op.Quiet() {
			return fmt.Errorf("%s:%d: %s: %v", file, op.Line, op.Cmd, err)
		}
	}
	return nil
}

func nsMountFlags(op nsfile.Op) interp.MountFlags {
	var f interp.MountFlags
	if op.Has('b') {
		f |= interp.MountBefore
	}
	if op.Has('a') {
		f |= interp.MountAfter
	}
	if op.Has('c') {
		f |= interp.MountCreate
	}
	if op.Has('C') {
		f |= interp.MountCache
	}
	return f
}
