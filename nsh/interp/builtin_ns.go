package interp

import (
	"io"
	"os"
	"strings"

	"nsh.dev/nsh/nsh/syntax"
)

// The namespace builtins parse their flags, make paths absolute and call
// the System's Namespace methods, whose errors complete a message that
// starts with the builtin's name.

// nsFlags reads single-letter flags from the front of args: -abc, -a -b,
// up to -- or the first argument that is not a flag.
func nsFlags(args []string, allowed string) (set string, rest []string, ok bool) {
	for len(args) > 0 {
		a := args[0]
		if a == "--" {
			return set, args[1:], true
		}
		if len(a) < 2 || a[0] != '-' {
			break
		}
		for i := 1; i < len(a); i++ {
			if !strings.ContainsRune(allowed, rune(a[i])) {
				return "", nil, false
			}
			set += a[i : i+1]
		}
		args = args[1:]
	}
	return set, args, true
}

func mountFlags(set string) MountFlags {
	var f MountFlags
	for _, c := range set {
		switch c {
		case 'b':
			f |= MountBefore
		case 'a':
			f |= MountAfter
		case 'c':
			f |= MountCreate
		case 'C':
			f |= MountCache
		}
	}
	return f
}

// nsResult finishes a namespace builtin: on error, a message unless -q
// was given, in which case the status is true (Plan 9's bind -q).
func (in *Interp) nsResult(name string, quiet bool, err error) error {
	if err == nil || quiet {
		in.status = ""
		return nil
	}
	return in.fail(name, err.Error(), "")
}

// bind [-abcq] new old
func bBind(in *Interp, argv []string, pos syntax.Pos) error {
	const use = "bind [-abcq] new old"
	set, rest, ok := nsFlags(argv[1:], "abcq")
	if !ok || len(rest) != 2 || strings.Contains(set, "a") && strings.Contains(set, "b") {
		return in.usage(use)
	}
	err := in.sys.Bind(in.abs(rest[0]), in.abs(rest[1]), mountFlags(set))
	return in.nsResult("bind", strings.Contains(set, "q"), err)
}

// mount [-abcCq] addr old [aname]
func bMount(in *Interp, argv []string, pos syntax.Pos) error {
	const use = "mount [-abcCq] addr old [aname]"
	set, rest, ok := nsFlags(argv[1:], "abcCq")
	if !ok || len(rest) < 2 || len(rest) > 3 || strings.Contains(set, "a") && strings.Contains(set, "b") {
		return in.usage(use)
	}
	quiet := strings.Contains(set, "q")
	if in.noMount {
		return in.nsResult("mount", quiet, constError("mount/attach disallowed"))
	}
	addr := rest[0]
	if !strings.Contains(addr, "!") {
		addr = in.abs(addr) // a posted socket
	}
	aname := ""
	if len(rest) == 3 {
		aname = rest[2]
	}
	err := in.sys.Mount(addr, in.abs(rest[1]), aname, mountFlags(set))
	return in.nsResult("mount", quiet, err)
}

// unmount [new] old
func bUnmount(in *Interp, argv []string, pos syntax.Pos) error {
	args := argv[1:]
	var err error
	switch len(args) {
	case 1:
		err = in.sys.Unmount("", in.abs(args[0]))
	case 2:
		newArg := args[0]
		if !strings.Contains(newArg, "!") {
			newArg = in.abs(newArg) // a path, or a posted socket
		}
		err = in.sys.Unmount(newArg, in.abs(args[1]))
	default:
		return in.usage("unmount [new] old")
	}
	return in.nsResult("unmount", false, err)
}

// ns prints the namespace as nsh commands that rebuild it, ending with
// a cd to the current directory.
func bNs(in *Interp, argv []string, pos syntax.Pos) error {
	if len(argv) != 1 {
		return in.usage("ns")
	}
	w := in.fd(1)
	if w == nil {
		return in.fail("ns", "standard output is closed", "")
	}
	if err := in.sys.WriteNamespace(w); err != nil {
		return in.fail("ns", err.Error(), "")
	}
	if _, err := io.WriteString(w, "cd "+syntax.Quote(in.dir)+"\n"); err != nil {
		return in.fail("ns", err.Error(), "")
	}
	in.status = ""
	return nil
}

// rfork [nNeEsfFm] changes what this shell shares with the others:
//
//	n  a private copy of the namespace
//	N  a clean namespace (the session's changes undone)
//	e  a private environment: a no-op, as the shell's variables are its own
//	E  an empty environment: every variable and function but the
//	   shell's own ($*, $0, $pid, $apid, $status, $ifs, $prompt) goes
//	s  later programs start in a process group of their own
//	f  a private copy of the descriptors: a no-op, they are already
//	F  only descriptors 0, 1 and 2 stay open
//	m  later mounts are refused (binds still work)
//
// Without letters it means ens.
func bRfork(in *Interp, argv []string, pos syntax.Pos) error {
	const use = "rfork [nNeEsfFm]"
	if len(argv) > 2 {
		return in.usage(use)
	}
	letters := "ens"
	if len(argv) == 2 {
		letters = argv[1]
		if letters == "" || strings.Trim(letters, "nNeEsfFm") != "" {
			return in.usage(use)
		}
	}
	in.status = ""
	for _, c := range letters {
		switch c {
		case 'n':
			sys, err := in.sys.ForkNamespace()
			if err != nil {
				return in.fail("rfork", err.Error(), "")
			}
			if in.ownSys {
				in.sys.Close()
			}
			in.sys = sys
			in.ownSys = true
		case 'N':
			if err := in.sys.ClearNamespace(); err != nil {
				return in.fail("rfork", err.Error(), "")
			}
		case 'E':
			for name := range in.vars {
				if !private(name) && name != "ifs" && name != "prompt" {
					delete(in.vars, name)
				}
			}
			for name := range in.fns {
				delete(in.fns, name)
			}
			in.envDirty = true
		case 's':
			in.newPgrp = true
		case 'F':
			in.fds = append([]*os.File(nil), in.fds[:min(len(in.fds), 3)]...)
		case 'm':
			in.noMount = true
		}
	}
	return nil
}
