package p9srv

import (
	"context"
	"strings"
	"sync"

	"github.com/hugelgupf/p9/linux"
	"github.com/hugelgupf/p9/p9"
)

// CtlFile returns a control file (mode 0644): each line written to it is
// a command for exec, and reading it returns status(), taken afresh
// whenever a read starts at offset 0. A failing command fails the write
// with exec's error number (EINVAL if it carries none); its text goes to
// the -D trace.
//
// exec runs outside the 9P library's locks and its ctx is cancelled on
// Tflush, Tclunk and hang-up, so it may block (dial a connection, say).
func CtlFile(exec func(ctx context.Context, cmd string) error, status func() string) *File {
	f := newFile(0644)
	if status == nil {
		f.setPerm(0200)
	}
	f.blocking = true
	f.truncate = func(int64) error { return nil }
	f.open = func(context.Context, p9.OpenFlags) (Handle, error) {
		return &ctlHandle{exec: exec, status: status}, nil
	}
	return f
}

type ctlHandle struct {
	exec   func(ctx context.Context, cmd string) error
	status func() string

	mu   sync.Mutex
	snap string
}

func (h *ctlHandle) Read(_ context.Context, p []byte, off int64) (int, error) {
	if h.status == nil {
		return 0, linux.EBADF
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if off == 0 {
		h.snap = h.status()
	}
	return ReadString(p, off, h.snap)
}

func (h *ctlHandle) Write(ctx context.Context, p []byte, _ int64) (int, error) {
	for _, line := range strings.Split(string(p), "\n") {
		cmd := strings.TrimSpace(line)
		if cmd == "" {
			continue
		}
		if err := h.exec(ctx, cmd); err != nil {
			return 0, &cmdError{cmd: cmd, err: err}
		}
	}
	return len(p), nil
}

func (h *ctlHandle) Close() error { return nil }

// cmdError carries a failed command's text; its errno is the
// underlying error's, or EINVAL.
type cmdError struct {
	cmd string
	err error
}

func (e *cmdError) Error() string { return e.cmd + ": " + e.err.Error() }
func (e *cmdError) Unwrap() error { return e.err }
