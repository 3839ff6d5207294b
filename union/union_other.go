//go:build !linux

package union

import (
	"errors"
	"fmt"
)

// MaxMembers is the most members a union may have.
const MaxMembers = 500

// Spec describes a union to build.
type Spec struct {
	Source      string
	Lower       []int
	Writable    bool
	Upper, Work int
	UserXattr   bool
}

// ErrTooManyMembers is returned for a union of more than MaxMembers
// members.
var ErrTooManyMembers = fmt.Errorf("too many members in a union (overlayfs allows at most %d)", MaxMembers)

// ErrOverlap is returned for a union whose members lie inside one another.
var ErrOverlap = errors.New("overlapping members")

// A Mount is a detached mount.
type Mount struct{}

// Fd returns -1: there are no unions on this system.
func (m *Mount) Fd() int { return -1 }

// Close does nothing.
func (m *Mount) Close() error { return nil }

var errUnsupported = fmt.Errorf("unions: %w (they need Linux overlayfs)", errors.ErrUnsupported)

// New fails: unions need Linux.
func New(s Spec) (*Mount, error) { return nil, errUnsupported }

// Attach fails: unions need Linux.
func Attach(m *Mount, target int) error { return errUnsupported }

// Replace fails: unions need Linux.
func Replace(m *Mount, top int) error { return errUnsupported }

// ReplaceFd fails: unions need Linux.
func ReplaceFd(tree, top int) error { return errUnsupported }

// Detach fails: unions need Linux.
func Detach(fd int) error { return errUnsupported }

// InUserNamespace reports false.
func InUserNamespace() bool { return false }
