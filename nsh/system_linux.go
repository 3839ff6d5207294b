package nsh

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"

	"nsh.dev/nsh/nsh/interp"
)

// startProcess starts a program; one in the background gets a process
// group of its own, out of reach of the terminal's interrupt.
func startProcess(attr *interp.ProcAttr) (*os.Process, error) {
	var sys *syscall.SysProcAttr
	if attr.Background {
		sys = &syscall.SysProcAttr{Setpgid: true}
	}
	return startProcessAttr(attr, sys)
}

// startProcessAttr starts a program with the given process attributes.
func startProcessAttr(attr *interp.ProcAttr, sys *syscall.SysProcAttr) (*os.Process, error) {
	return os.StartProcess(attr.Path, attr.Args, &os.ProcAttr{
		Dir:   attr.Dir,
		Env:   attr.Env,
		Files: attr.Files,
		Sys:   sys,
	})
}

// execProgram replaces the process with a program: its files go on
// descriptors 0..n (a nil one is closed), then chdir and execve. It
// returns only on failure, and by then the descriptors have moved: the
// caller has nothing left to do but report and exit.
func execProgram(attr *interp.ProcAttr) error {
	n := len(attr.Files)
	// First move every file above n, so that placing one cannot clobber
	// another still waiting to be placed.
	high := make([]int, n)
	for i, f := range attr.Files {
		high[i] = -1
		if f == nil {
			continue
		}
		fd, err := unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, max(n, 3))
		if err != nil {
			return os.NewSyscallError("fcntl", err)
		}
		high[i] = fd
	}
	for i := 0; i < n; i++ {
		if high[i] < 0 {
			unix.Close(i)
			continue
		}
		if err := unix.Dup3(high[i], i, 0); err != nil {
			return os.NewSyscallError("dup3", err)
		}
	}
	for i := n; i < 3; i++ {
		unix.Close(i)
	}
	if err := unix.Chdir(attr.Dir); err != nil {
		return &os.PathError{Op: "chdir", Path: attr.Dir, Err: err}
	}
	err := unix.Exec(attr.Path, attr.Args, attr.Env)
	return &os.PathError{Op: "exec", Path: attr.Path, Err: err}
}
