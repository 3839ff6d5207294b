package interp

import (
	"sort"

	"nsh.dev/nsh/nsh/syntax"
)

// What an interactive shell asks of its interpreter between commands:
// the names a line editor completes, the System that completion must
// list files through, and the prompt hook.

// Builtins lists the names of the builtin commands, sorted.
func Builtins() []string {
	names := make([]string, 0, len(helpTexts))
	for name := range helpTexts {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Functions lists the names of the defined functions, sorted.
func (in *Interp) Functions() []string {
	names := make([]string, 0, len(in.fns))
	for name := range in.fns {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Variables lists the names of the set variables, $status among them,
// sorted.
func (in *Interp) Variables() []string {
	names := make([]string, 0, len(in.vars)+1)
	for name, v := range in.vars {
		if len(v) > 0 {
			names = append(names, name)
		}
	}
	if _, ok := in.vars["status"]; !ok {
		names = append(names, "status")
	}
	sort.Strings(names)
	return names
}

// System is the System the shell acts through now: after rfork n it is
// the private namespace's, so that what the shell lists (for completion,
// say) is what its commands would see.
func (in *Interp) System() System { return in.sys }

// CallHook runs the function name with args when it is defined, as the
// shell runs fn prompt before each prompt, and reports whether there was
// one. $status is kept: the hook's own commands do not change it. An
// error is as for Run: ErrExit when the function ended the shell.
func (in *Interp) CallHook(name string, args ...string) (ran bool, err error) {
	fn, ok := in.fns[name]
	if !ok {
		return false, nil
	}
	status := in.status
	argv := append([]string{name}, args...)
	err = in.callFunc(fn, argv, syntax.Pos{})
	if err != ErrExit {
		in.status = status
	}
	return true, err
}
