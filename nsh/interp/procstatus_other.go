//go:build !linux

package interp

import "os"

// processStatus is the rc status of a program that ended: its exit code
// as a number ("" for 0), or "signal" when it did not exit.
func processStatus(ps *os.ProcessState) string {
	if !ps.Exited() {
		return "signal"
	}
	return exitStatus(ps.ExitCode())
}

// deathNote describes a death by signal; other systems do not say.
func deathNote(ps *os.ProcessState) string { return "" }

// isExecFormat reports whether starting a program failed because the
// file is not a program the system can run.
func isExecFormat(err error) bool { return false }
