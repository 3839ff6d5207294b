package command

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// openParent returns a pidfd of this process's parent, the process that
// ran p9srv -s, for the background server to watch.
func openParent() (*os.File, error) {
	ppid := os.Getppid()
	fd, err := unix.PidfdOpen(ppid, 0)
	if err != nil {
		return nil, fmt.Errorf("watching process %d, which ran p9srv: %w", ppid, err)
	}
	// Had the parent exited before the pidfd was opened, this process
	// would have a new parent by now: the pidfd might be another
	// process's that took the pid.
	if os.Getppid() != ppid {
		unix.Close(fd)
		return nil, errors.New("the process that ran p9srv has exited")
	}
	return os.NewFile(uintptr(fd), "pidfd"), nil
}

// executable returns the path of the running program, for starting the
// background server: its name, not /proc/self/exe's "exe", is then the one
// ps shows. /proc/self/exe serves if the path no longer names the program.
func executable() string {
	const self = "/proc/self/exe"
	exe, err := os.Executable()
	if err != nil {
		return self
	}
	var a, b unix.Stat_t
	if unix.Stat(exe, &a) != nil || unix.Stat(self, &b) != nil || a.Dev != b.Dev || a.Ino != b.Ino {
		return self
	}
	return exe
}

// closeInheritedOnExec marks every descriptor above standard error
// close-on-exec, so that a program started next gets only the files
// handed to it.
func closeInheritedOnExec() {
	unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC)
}

// detachedProcAttr makes the background server a session of its own: the
// terminal's Ctrl-C and hangup reach the shell's jobs, not it.
func detachedProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setsid: true}
}

// inheritedDescriptors takes over the readiness pipe and the parent's
// pidfd that p9srv -s passed down, and watches the parent.
func inheritedDescriptors() (*os.File, <-chan struct{}, error) {
	for _, fd := range []int{readyFD, parentFD} {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
			return nil, nil, fmt.Errorf("descriptor %d: %w", fd, err)
		}
		// Nothing this server starts may inherit them.
		unix.CloseOnExec(fd)
	}
	return os.NewFile(readyFD, "ready"), watchProcess(parentFD), nil
}
