package nsh

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"nsh.dev/nsh/nsh/interp"
)

// OSSystem is the interpreter's System on the plain operating system:
// files through package os, programs through os.StartProcess and exec,
// and no namespace of its own — the namespace methods fail with an error
// wrapping errors.ErrUnsupported.
type OSSystem struct{}

var _ interp.System = OSSystem{}

// errNoNamespace is what the namespace builtins report on an OSSystem.
var errNoNamespace = fmt.Errorf("no namespace (this nsh was started without a session): %w", errors.ErrUnsupported)

// Open opens a file; package os makes it close-on-exec.
func (OSSystem) Open(name string, flag int, perm fs.FileMode) (*os.File, error) {
	return os.OpenFile(name, flag, perm)
}

// Stat describes a file, following symbolic links.
func (OSSystem) Stat(name string) (fs.FileInfo, error) { return os.Stat(name) }

// Lstat describes a file without following a final symbolic link.
func (OSSystem) Lstat(name string) (fs.FileInfo, error) { return os.Lstat(name) }

// ReadDir lists a directory in name order.
func (OSSystem) ReadDir(name string) ([]fs.DirEntry, error) { return os.ReadDir(name) }

// Start starts a program.
func (OSSystem) Start(attr *interp.ProcAttr) (interp.Process, error) {
	p, err := startProcess(attr)
	if err != nil {
		return nil, err
	}
	return osProcess{p}, nil
}

// Exec replaces this process with a program; see execProgram.
func (OSSystem) Exec(attr *interp.ProcAttr) error { return execProgram(attr) }

// Bind fails: there is no namespace.
func (OSSystem) Bind(new, old string, flags interp.MountFlags) error { return errNoNamespace }

// Mount fails: there is no namespace.
func (OSSystem) Mount(addr, old, aname string, flags interp.MountFlags) error {
	return errNoNamespace
}

// Unmount fails: there is no namespace.
func (OSSystem) Unmount(new, old string) error { return errNoNamespace }

// WriteNamespace fails: there is no namespace.
func (OSSystem) WriteNamespace(w io.Writer) error { return errNoNamespace }

// ForkNamespace fails: there is no namespace.
func (OSSystem) ForkNamespace() (interp.System, error) { return nil, errNoNamespace }

// ClearNamespace fails: there is no namespace.
func (OSSystem) ClearNamespace() error { return errNoNamespace }

// Close does nothing.
func (OSSystem) Close() error { return nil }

type osProcess struct{ p *os.Process }

func (p osProcess) Pid() int                        { return p.p.Pid }
func (p osProcess) Wait() (*os.ProcessState, error) { return p.p.Wait() }
func (p osProcess) Signal(sig os.Signal) error      { return p.p.Signal(sig) }
