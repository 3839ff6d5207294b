//go:build !linux

package bind

import (
	"errors"
	"fmt"
	"io"
	"syscall"
)

// errUnsupported is what every operation returns where there are no mount
// namespaces.
var errUnsupported = fmt.Errorf("namespaces: %w (they need Linux)", errors.ErrUnsupported)

// Namespace is a mount namespace; on this system there are none, and every
// operation fails with an error wrapping errors.ErrUnsupported.
type Namespace struct{}

var sessionNS = &Namespace{}

// Session returns the process's namespace.
func Session() *Namespace { return sessionNS }

// SetupSession fails: there are no sessions on this system.
func SetupSession() error { return errUnsupported }

// Do runs f.
func (n *Namespace) Do(f func() error) error { return f() }

// Fork fails.
func (n *Namespace) Fork() (*Namespace, error) { return nil, errUnsupported }

// Close does nothing.
func (n *Namespace) Close() error { return nil }

// Bind fails.
func (n *Namespace) Bind(new, old string, f Flag) error { return errUnsupported }

// Mount fails.
func (n *Namespace) Mount(addr, old, aname string, f Flag) error { return errUnsupported }

// Unmount fails.
func (n *Namespace) Unmount(new, old string) error { return errUnsupported }

// Clear fails.
func (n *Namespace) Clear() error { return errUnsupported }

// WriteNS fails.
func (n *Namespace) WriteNS(w io.Writer) error { return errUnsupported }

// SysProcAttrFor returns a process group of its own for a background
// command, nil otherwise.
func SysProcAttrFor(path string, background bool) *syscall.SysProcAttr {
	if background {
		return &syscall.SysProcAttr{Setpgid: true}
	}
	return nil
}

// ReaperMain has nothing to reap here.
func ReaperMain(args []string) int { return 0 }

func (n *Namespace) getwd() (string, error)          { return "", errUnsupported }
func (n *Namespace) checkDir(dir string) error       { return errUnsupported }
func (n *Namespace) readFile(string) ([]byte, error) { return nil, errUnsupported }
