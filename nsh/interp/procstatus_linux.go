package interp

import (
	"errors"
	"os"
	"syscall"
)

// processStatus is the rc status of a program that ended: its exit code
// as a number ("" for 0), or sigNAME when a signal killed it.
func processStatus(ps *os.ProcessState) string {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return SignalStatus(int(ws.Signal()))
	}
	return exitStatus(ps.ExitCode())
}

// deathNote describes the death of a program killed by a signal, for
// the message the shell prints ("segmentation violation", "quit (core
// dumped)"). It is "" when the program exited, and for SIGINT and
// SIGPIPE: the user typed the one, and the other is how a pipeline's
// writer normally ends when its reader stops early.
func deathNote(ps *os.ProcessState) string {
	ws, ok := ps.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() {
		return ""
	}
	sig := ws.Signal()
	if sig == syscall.SIGINT || sig == syscall.SIGPIPE {
		return ""
	}
	msg := signalDescription(int(sig))
	if ws.CoreDump() {
		msg += " (core dumped)"
	}
	return msg
}

// isExecFormat reports whether starting a program failed because the
// file is not a program the kernel can run.
func isExecFormat(err error) bool { return errors.Is(err, syscall.ENOEXEC) }
