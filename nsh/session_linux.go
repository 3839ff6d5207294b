package nsh

import (
	"io"
	"io/fs"
	"os"

	"nsh.dev/nsh/bind"
	"nsh.dev/nsh/nsh/interp"
)

// sessionSystem prepares a new session's namespace (its /srv) when this
// process made one, and returns the System acting in the process's
// namespace. The error is a warning: the System works regardless.
func sessionSystem(created bool) (interp.System, error) {
	var err error
	if created {
		err = bind.SetupSession()
	}
	return NamespaceSystem{bind.Session()}, err
}

// NamespaceSystem is the interpreter's System inside one mount namespace:
// the session's, or a private copy made by rfork n. Every file it opens,
// path it resolves and program it starts acts in that namespace, on the
// namespace's own thread when it has one.
type NamespaceSystem struct {
	NS *bind.Namespace
}

var _ interp.System = NamespaceSystem{}

// Open opens a file in the namespace; it is close-on-exec.
func (s NamespaceSystem) Open(name string, flag int, perm fs.FileMode) (f *os.File, err error) {
	err = s.NS.Do(func() error {
		f, err = os.OpenFile(name, flag, perm)
		return err
	})
	return f, err
}

// Stat describes a file in the namespace, following symbolic links.
func (s NamespaceSystem) Stat(name string) (fi fs.FileInfo, err error) {
	err = s.NS.Do(func() error {
		fi, err = os.Stat(name)
		return err
	})
	return fi, err
}

// Lstat describes a file in the namespace without following a final
// symbolic link.
func (s NamespaceSystem) Lstat(name string) (fi fs.FileInfo, err error) {
	err = s.NS.Do(func() error {
		fi, err = os.Lstat(name)
		return err
	})
	return fi, err
}

// ReadDir lists a directory in the namespace, in name order.
func (s NamespaceSystem) ReadDir(name string) (des []fs.DirEntry, err error) {
	err = s.NS.Do(func() error {
		des, err = os.ReadDir(name)
		return err
	})
	return des, err
}

// Start starts a program in the namespace. nsh's own binary gets what it
// needs to edit the namespace (see bind.SysProcAttrFor); other programs
// get no privilege.
func (s NamespaceSystem) Start(attr *interp.ProcAttr) (interp.Process, error) {
	var p *os.Process
	err := s.NS.Do(func() (err error) {
		p, err = startProcessAttr(attr, bind.SysProcAttrFor(attr.Path, attr.Background))
		return err
	})
	if err != nil {
		return nil, err
	}
	return osProcess{p}, nil
}

// Exec replaces the shell with a program, from the namespace's thread so
// that the program lives in the namespace.
func (s NamespaceSystem) Exec(attr *interp.ProcAttr) error {
	return s.NS.Do(func() error { return execProgram(attr) })
}

// Bind makes old show new.
func (s NamespaceSystem) Bind(new, old string, flags interp.MountFlags) error {
	return s.NS.Bind(new, old, bind.Flag(flags))
}

// Mount attaches a 9P server on old.
func (s NamespaceSystem) Mount(addr, old, aname string, flags interp.MountFlags) error {
	return s.NS.Mount(addr, old, aname, bind.Flag(flags))
}

// Unmount removes new from old, or everything on old when new is "".
func (s NamespaceSystem) Unmount(new, old string) error { return s.NS.Unmount(new, old) }

// WriteNamespace writes the namespace as nsh lines.
func (s NamespaceSystem) WriteNamespace(w io.Writer) error { return s.NS.WriteNS(w) }

// ForkNamespace returns a System in a private copy of the namespace.
func (s NamespaceSystem) ForkNamespace() (interp.System, error) {
	ns, err := s.NS.Fork()
	if err != nil {
		return nil, err
	}
	return NamespaceSystem{ns}, nil
}

// ClearNamespace undoes the session's changes to the namespace.
func (s NamespaceSystem) ClearNamespace() error { return s.NS.Clear() }

// Close releases a forked namespace's thread.
func (s NamespaceSystem) Close() error { return s.NS.Close() }
