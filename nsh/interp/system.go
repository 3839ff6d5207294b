package interp

import (
	"io"
	"io/fs"
	"os"
)

// System is the interpreter's only way to reach the operating system: files,
// processes and the mount namespace. The interpreter never makes a system
// call itself, so its tests can run without privilege against a fake, and
// the namespace builtins (bind, mount, unmount, ns, rfork) plug in from
// outside.
//
// Every path a System receives is absolute: the interpreter keeps the
// current directory itself and joins relative names onto it first.
//
// A System may be bound to one mount namespace (for example a namespace made
// private by rfork n); its operations then act inside that namespace no
// matter which goroutine calls them.
type System interface {
	// Open opens a file for a redirection, a here document or the
	// . builtin. The file must be close-on-exec.
	Open(name string, flag int, perm fs.FileMode) (*os.File, error)
	// Stat and Lstat describe a file, for $path search, cd and globbing.
	Stat(name string) (fs.FileInfo, error)
	Lstat(name string) (fs.FileInfo, error)
	// ReadDir lists a directory in name order, for globbing.
	ReadDir(name string) ([]fs.DirEntry, error)

	// Start starts a program.
	Start(attr *ProcAttr) (Process, error)
	// Exec replaces the shell with a program (the exec builtin). It
	// returns only on failure.
	Exec(attr *ProcAttr) error

	Namespace
}

// Namespace is the part of a System that edits and shows the mount
// namespace, with Plan 9 semantics (bind(1), ns(1), rfork(2)). Its errors
// read as the rest of a message that the builtin prefixes with its own name:
// "/x: no such file or directory", "inconsistent mount", "not in union".
type Namespace interface {
	// Bind makes old show new (bind [-abc] new old).
	Bind(new, old string, flags MountFlags) error
	// Mount attaches the 9P server at addr on old (mount [-abcC] addr old
	// [aname]). addr is a posted socket path, unix!PATH or tcp!HOST!PORT.
	Mount(addr, old, aname string, flags MountFlags) error
	// Unmount removes new from the union on old, or everything on old when
	// new is "" (unmount [new] old).
	Unmount(new, old string) error
	// WriteNamespace writes the namespace as replayable nsh lines (bind,
	// mount), without the final cd line, which the ns builtin adds.
	WriteNamespace(w io.Writer) error
	// ForkNamespace returns a System acting in a private copy of this
	// namespace (rfork n). The caller closes it when done with it.
	ForkNamespace() (System, error)
	// ClearNamespace undoes every change the session made to this namespace
	// (rfork N, the namespace file directive clear).
	ClearNamespace() error
	// Close releases what the System holds (for a forked namespace, its
	// thread). Processes already started keep their namespace.
	Close() error
}

// MountFlags are the flags of bind and mount.
type MountFlags uint8

const (
	// MountBefore puts new before the existing members of the union (-b).
	MountBefore MountFlags = 1 << iota
	// MountAfter puts new after the existing members of the union (-a).
	MountAfter
	// MountCreate allows creation in new (-c).
	MountCreate
	// MountCache lets a 9P mount use the kernel's caches (mount -C).
	MountCache
)

// ProcAttr describes a program to start.
type ProcAttr struct {
	// Path is the program file, already found on $path by the interpreter.
	Path string
	// Args is the argument list, Args[0] included.
	Args []string
	// Env is the environment, in rc's encoding.
	Env []string
	// Dir is the directory the program starts in.
	Dir string
	// Files become the program's descriptors: Files[i] is fd i; a nil
	// entry leaves that descriptor closed.
	Files []*os.File
	// Background puts the program in its own process group so that the
	// terminal's interrupt does not reach it (cmd &).
	Background bool
}

// Process is a started program.
type Process interface {
	// Pid is the process id, the value of $apid for a background command.
	Pid() int
	// Wait waits for the program to end.
	Wait() (*os.ProcessState, error)
	// Signal sends sig to the program.
	Signal(sig os.Signal) error
}
