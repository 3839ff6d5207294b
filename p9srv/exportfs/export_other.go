//go:build !linux

package exportfs

import (
	"fmt"
	"runtime"

	"github.com/hugelgupf/p9/p9"
)

// FS is an exported directory. It implements p9.Attacher. On this system
// there is none: New refuses.
type FS struct {
	dir string
}

// New refuses: exporting a directory safely needs Linux's openat2
// (RESOLVE_BENEATH) and O_PATH descriptors.
func New(dir string) (*FS, error) {
	return nil, fmt.Errorf("export %s: exporting a directory is not supported on %s (it needs Linux's openat2)", dir, runtime.GOOS)
}

// Dir returns the exported directory as given to New.
func (fs *FS) Dir() string { return fs.dir }

// Close does nothing: New never returns an FS here.
func (fs *FS) Close() error { return nil }

// Attach implements p9.Attacher; New never returns an FS here.
func (fs *FS) Attach() (p9.File, error) {
	return nil, fmt.Errorf("exportfs: not supported on %s", runtime.GOOS)
}
