package nsh

import (
	"path"

	"nsh.dev/nsh/nsh/interp"
	"nsh.dev/nsh/nsh/syntax"
)

// Start-up files: a login shell (-l, or a name starting with -) runs
// $home/lib/profile, as Plan 9's rc does; an interactive shell then runs
// $XDG_CONFIG_HOME/nsh/rc ($home/.config/nsh/rc by default). --norc skips
// both. Each runs in the shell, through its System, as . would run it; a
// missing file is no error.

// startupFiles runs the start-up files that apply. It returns done when
// the shell must stop (a file ran exit, or failed in a shell that is not
// interactive) with the exit code.
func (s *shell) startupFiles() (code int, done bool) {
	if s.o.norc {
		return 0, false
	}
	if s.o.has('l') {
		if home := s.in.Lookup("home"); len(home) > 0 {
			if code, done := s.source(home[0] + "/lib/profile"); done {
				return code, true
			}
		}
	}
	if s.interactive {
		if file := rcFile(s.in); file != "" {
			return s.source(file)
		}
	}
	return 0, false
}

// rcFile is the interactive start-up file: $XDG_CONFIG_HOME/nsh/rc, or
// $home/.config/nsh/rc when XDG_CONFIG_HOME is unset or not absolute (as
// the XDG base directory specification says).
func rcFile(in *interp.Interp) string {
	if c := in.Lookup("XDG_CONFIG_HOME"); len(c) > 0 && path.IsAbs(c[0]) {
		return path.Join(c[0], "nsh", "rc")
	}
	home := in.Lookup("home")
	if len(home) == 0 || !path.IsAbs(home[0]) {
		return ""
	}
	return path.Join(home[0], ".config", "nsh", "rc")
}

// source runs file with the . builtin when it exists.
func (s *shell) source(file string) (code int, done bool) {
	if _, err := s.in.System().Stat(file); err != nil {
		return 0, false
	}
	f, err := syntax.Parse("", []byte(". "+syntax.Quote(file)))
	if err != nil {
		return 0, false
	}
	err = s.in.Run(f, interp.RunOptions{})
	if err == interp.ErrExit || err != nil && !s.interactive {
		return s.finish(err), true
	}
	return 0, false
}
