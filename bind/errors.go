package bind

import "errors"

// The errors of Plan 9's bind, mount and unmount.
var (
	// ErrInconsistent: a file onto a directory or the reverse, -a or -b
	// on a file, or -c with a union as new.
	ErrInconsistent = errors.New("inconsistent mount")
	// ErrNotInUnion: unmount new old where new is not on old.
	ErrNotInUnion = errors.New("not in union")
	// ErrNotMounted: unmount old where the session put nothing on old.
	ErrNotMounted = errors.New("not mounted")
	// ErrBeforeAfter: -a and -b together.
	ErrBeforeAfter = errors.New("-a and -b exclude each other")
)

// PathError is an error about one path: "/x: no such file or directory".
// The builtin that reports it adds its own name in front.
type PathError struct {
	Path string
	Err  error
}

func (e *PathError) Error() string { return e.Path + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *PathError) Unwrap() error { return e.Err }

func pathErr(path string, err error) error {
	if err == nil {
		return nil
	}
	var pe *PathError
	if errors.As(err, &pe) {
		return err
	}
	return &PathError{Path: path, Err: err}
}
