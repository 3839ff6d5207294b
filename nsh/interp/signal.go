package interp

// Signals reach the interpreter through Notify: the program that embeds
// it catches them (with signal.Notify, never signal.Ignore, which
// children would inherit) and passes them on. The shell's own thread
// acts on them between commands: it runs the function named after the
// signal (fn sigint, fn sighup, fn sigterm) when there is one; otherwise
// an interrupt abandons the command in an interactive shell and ends a
// script, a hangup or termination ends the shell, and a quit is ignored.

const (
	sigHUP uint32 = 1 << iota
	sigINT
	sigTERM
	sigQUIT
)

var sigOrder = [...]struct {
	bit  uint32
	name string
}{
	{sigHUP, "sighup"},
	{sigINT, "sigint"},
	{sigTERM, "sigterm"},
	{sigQUIT, "sigquit"},
}

// Notify tells the shell that it received a signal, named as rc names
// the functions that handle them: sighup, sigint, sigterm or sigquit.
// Other names are ignored. It may be called from any goroutine.
func (in *Interp) Notify(sig string) {
	for _, s := range sigOrder {
		if s.name == sig {
			in.sh.sigs.Or(s.bit)
			select {
			case in.sh.sigWake <- struct{}{}:
			default:
			}
			return
		}
	}
}

// Discard forgets a pending signal, named as for Notify: an interactive
// shell discards the interrupt typed at its prompt, when no command ran
// that it was meant for.
func (in *Interp) Discard(sig string) {
	for _, s := range sigOrder {
		if s.name == sig {
			in.sh.sigs.And(^s.bit)
		}
	}
}

// checkSignals acts on pending signals. Threads other than the shell's
// own stop (ErrExit) for a signal their shell has no handler for, and
// leave the signal for the shell.
func (in *Interp) checkSignals() error {
	bits := in.sh.sigs.Load()
	if bits == 0 {
		return nil
	}
	if !in.main {
		for _, s := range sigOrder {
			if bits&s.bit != 0 && s.bit != sigQUIT && !in.IsFunc(s.name) {
				in.status = s.name
				return ErrExit
			}
		}
		return nil
	}
	in.sh.sigs.And(^bits)
	for _, s := range sigOrder {
		if bits&s.bit == 0 {
			continue
		}
		if fn, ok := in.fns[s.name]; ok {
			status := in.status
			if err := in.callFunc(fn, []string{s.name}, noPos); err != nil {
				return err
			}
			in.status = status
			continue
		}
		switch {
		case s.bit == sigQUIT:
		case s.bit == sigINT && in.sh.interactive:
			in.status = s.name
			return ErrAbort
		default:
			in.status = s.name
			in.sh.exitSignal = s.name
			return ErrExit
		}
	}
	return nil
}

// ExitSignal names the signal (sighup, sigint, sigterm) that made Run
// return ErrExit, or is "" when something else ended the shell. A shell
// that stops for a signal should die of it, so that its parent knows.
func (in *Interp) ExitSignal() string { return in.sh.exitSignal }

// Pending reports whether a signal is waiting to be acted on, and acts on
// it: the caller runs no more commands when it returns an error.
func (in *Interp) Pending() error {
	return in.checkSignals()
}
