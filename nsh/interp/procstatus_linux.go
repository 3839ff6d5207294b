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

// isExecFormat reports whether starting a program failed because the
// file is not a program the kernel can run.
func isExecFormat(err error) bool { return errors.Is(err, syscall.ENOEXEC) }
