package command

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
)

// backgroundEnv marks the background server that p9srv -s starts: a copy
// of the program with the same arguments, which inherits readyFD and
// parentFD.
const backgroundEnv = "P9SRV_BACKGROUND"

// The descriptors the background server inherits.
const (
	// readyFD is a pipe to the p9srv that waits for the server: what
	// the server has to say before it has posted (errors, the notice of
	// a stale socket replaced), then readyLine once it has.
	readyFD = 3
	// parentFD is a pidfd of the process that ran p9srv -s: the server
	// ends when it does.
	parentFD = 4
)

// readyLine tells the waiting p9srv that the socket is posted and
// accepting. Everything else on the pipe starts with "p9srv: ".
const readyLine = "posted"

// background is the background server's side of its start.
type background struct {
	ready      *os.File        // the readiness pipe, until posted
	parentGone <-chan struct{} // closed when the process that ran p9srv -s exits
}

// posted tells the waiting p9srv that the socket is posted, and lets it go.
func (b *background) posted() {
	fmt.Fprintln(b.ready, readyLine)
	b.ready.Close()
}

// backgroundFromEnv returns the background server's side of its start if
// this process is one (the environment says so), else nil. It takes the
// mark out of the environment, which the env file system serves.
func backgroundFromEnv() (*background, error) {
	if _, ok := os.LookupEnv(backgroundEnv); !ok {
		return nil, nil
	}
	os.Unsetenv(backgroundEnv)
	ready, gone, err := inheritedDescriptors()
	if err != nil {
		return nil, fmt.Errorf("%s is set, but: %w", backgroundEnv, err)
	}
	return &background{ready: ready, parentGone: gone}, nil
}

// startBackground starts the server of p9srv -s (args being the command's
// arguments) as a background process, waits until it has posted its
// socket or failed, and returns the exit status: 0 once posted, else the
// server's. What the server says before that is written to stderr.
//
// The server gets /dev/null for standard input and output. It keeps
// standard error only if it is a terminal or a file (where -D traces and
// later errors are wanted); a pipe would keep whoever reads it waiting
// for the end of a server that runs on, so it gets /dev/null instead.
func startBackground(args []string, debug bool, stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintf(stderr, "p9srv: %v\n", err)
		return 1
	}
	parent, err := openParent()
	if err != nil {
		return fail(err)
	}
	defer parent.Close()
	r, w, err := os.Pipe()
	if err != nil {
		return fail(err)
	}
	defer r.Close()
	serverErr := keptStderr(stderr)
	if serverErr == nil && debug {
		fmt.Fprintln(stderr, "p9srv: -D: standard error is not a terminal or a file, so the background server's trace is discarded (use -f, or send standard error to a file)")
	}
	cmd := exec.Command(executable(), args...)
	cmd.Args[0] = os.Args[0]
	cmd.Env = append(os.Environ(), backgroundEnv+"=1")
	cmd.ExtraFiles = []*os.File{w, parent}
	if serverErr != nil {
		cmd.Stderr = serverErr
	}
	cmd.SysProcAttr = detachedProcAttr()
	// The server must not hold what the caller gave this process
	// (a pipe someone reads to its end): it gets only its own files.
	closeInheritedOnExec()
	err = cmd.Start()
	w.Close()
	if err != nil {
		return fail(fmt.Errorf("starting the server: %w", err))
	}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if sc.Text() == readyLine {
			cmd.Process.Release()
			return 0
		}
		fmt.Fprintln(stderr, sc.Text())
	}
	// The server ended before posting: its status is the command's.
	err = cmd.Wait()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit) && exit.ExitCode() > 0:
		return exit.ExitCode()
	case err != nil:
		return fail(fmt.Errorf("the server ended before posting: %v", err))
	}
	return fail(errors.New("the server ended before posting"))
}

// keptStderr returns w as a file for the background server's standard
// error if it is a terminal, /dev/null or a regular file; nil otherwise.
func keptStderr(w io.Writer) *os.File {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	fi, err := f.Stat()
	if err != nil {
		return nil
	}
	if m := fi.Mode(); m.IsRegular() || m&os.ModeCharDevice != 0 {
		return f
	}
	return nil
}
