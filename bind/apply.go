package bind

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"nsh.dev/nsh/bind/nsfile"
)

// maxIncludeDepth bounds ". file" nesting, so that a file including itself
// fails instead of looping.
const maxIncludeDepth = 16

// ApplyFile applies the namespace file src (read from name, which errors
// mention) to n (nsh --ns FILE). lookup gives variables ($home); nil means
// none. Relative paths are taken from the directory of the last cd, or the
// process's working directory. It returns the directory of the last cd
// line ("" if none) for the caller to change to; an error stops the file
// and reads FILE:LINE: reason, unless the line has -q.
func ApplyFile(n *Namespace, name string, src io.Reader, lookup func(string) []string) (cwd string, err error) {
	a := &applier{n: n, lookup: lookup}
	if err := a.apply(name, src, 0); err != nil {
		return a.cwd, err
	}
	return a.cwd, nil
}

type applier struct {
	n      *Namespace
	lookup func(string) []string
	cwd    string
}

func (a *applier) apply(name string, src io.Reader, depth int) error {
	text, err := io.ReadAll(src)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	ops, err := nsfile.Parse(name, text, a.lookup)
	if err != nil {
		return err
	}
	for _, op := range ops {
		err := a.do(op, depth)
		if err == nil || op.Quiet() {
			continue
		}
		if _, nested := err.(*nsfile.Error); nested {
			return err
		}
		return &nsfile.Error{File: name, Line: op.Line, Msg: op.Cmd + ": " + err.Error()}
	}
	return nil
}

// abs makes a path from a namespace file absolute.
func (a *applier) abs(p string) (string, error) {
	if filepath.IsAbs(p) {
		return filepath.Clean(p), nil
	}
	dir := a.cwd
	if dir == "" {
		var err error
		if dir, err = a.n.getwd(); err != nil {
			return "", err
		}
	}
	return filepath.Join(dir, p), nil
}

func (a *applier) do(op nsfile.Op, depth int) error {
	var flags Flag
	for _, c := range op.Flags {
		switch c {
		case 'a':
			flags |= After
		case 'b':
			flags |= Before
		case 'c':
			flags |= Create
		case 'C':
			flags |= Cache
		}
	}
	paths := func(args ...string) ([]string, error) {
		var out []string
		for _, p := range args {
			ap, err := a.abs(p)
			if err != nil {
				return nil, err
			}
			out = append(out, ap)
		}
		return out, nil
	}
	switch op.Cmd {
	case "bind":
		p, err := paths(op.Args...)
		if err != nil {
			return err
		}
		return a.n.Bind(p[0], p[1], flags)
	case "mount":
		addr := op.Args[0]
		if !strings.Contains(addr, "!") {
			var err error
			if addr, err = a.abs(addr); err != nil {
				return err
			}
		}
		old, err := a.abs(op.Args[1])
		if err != nil {
			return err
		}
		aname := ""
		if len(op.Args) == 3 {
			aname = op.Args[2]
		}
		return a.n.Mount(addr, old, aname, flags)
	case "unmount":
		p, err := paths(op.Args...)
		if err != nil {
			return err
		}
		if len(p) == 1 {
			return a.n.Unmount("", p[0])
		}
		return a.n.Unmount(p[0], p[1])
	case "cd":
		dir, err := a.abs(op.Args[0])
		if err != nil {
			return err
		}
		if err := a.n.checkDir(dir); err != nil {
			return err
		}
		a.cwd = dir
		return nil
	case "clear":
		return a.n.Clear()
	case ".":
		if depth >= maxIncludeDepth {
			return fmt.Errorf("%s: files included %d deep", op.Args[0], maxIncludeDepth)
		}
		file, err := a.abs(op.Args[0])
		if err != nil {
			return err
		}
		text, err := a.n.readFile(file)
		if err != nil {
			return err
		}
		return a.apply(file, strings.NewReader(string(text)), depth+1)
	}
	return fmt.Errorf("unknown directive %q", op.Cmd)
}
