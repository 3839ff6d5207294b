package shelltest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// A transcript is a terminal session written down, one line each:
//
//	$ nsh                a command typed at a terminal, run by /bin/sh;
//	; echo hi >/tmp/x    when "; " lines follow a "$ " line, they are typed
//	                     into the program it started, one at a time, each
//	                     once the one before has finished
//	% ls /tmp/x          a command typed at another terminal, while the
//	                     session goes on
//	hi                   any other line is output: standard output and
//	                     standard error as the terminal shows them (a
//	                     newline is added to output that lacks one)
//	[status X]           after a "; " line: its $status, unless true
//	[exit N]             after a "$ " or "% " line, or a session's last
//	                     line: the exit status, unless 0
//
// Commands run as the box's user, in the box, with HOME the box: $WORK in
// a transcript stands for the box's path. The rootless user's terminal
// finds the nsh of fuseBinDir first, which gives its sessions a usable
// /dev/fuse.
type transcript []transcriptStep

type transcriptStep struct {
	kind byte // '$', ';' or '%'
	cmd  string
	line int
}

// parseTranscript reads the commands of a transcript.
func parseTranscript(text string) (transcript, error) {
	var tr transcript
	for i, l := range lines(text) {
		if len(l) < 2 || l[1] != ' ' || !strings.ContainsRune("$;%", rune(l[0])) {
			continue
		}
		s := transcriptStep{kind: l[0], cmd: l[2:], line: i + 1}
		if s.kind == ';' && len(tr) == 0 {
			return nil, fmt.Errorf("line %d: a \"; \" line before any \"$ \" line", s.line)
		}
		tr = append(tr, s)
	}
	if len(tr) == 0 {
		return nil, errors.New("no commands")
	}
	return tr, nil
}

// stepMark ends the output of each command typed into a session: the
// harness types "echo stepMark $status" after it.
const stepMark = "@@nshtest-step@@"

// play runs the transcript's commands in b and writes down what happened
// in the transcript's form, with b's path written $WORK.
func (tr transcript) play(b *box) (string, error) {
	text, err := tr.playRaw(b)
	return strings.ReplaceAll(text, b.dir, "$WORK"), err
}

func (tr transcript) playRaw(b *box) (string, error) {
	var out strings.Builder
	var sess *terminalSession
	end := func() error {
		if sess == nil {
			return nil
		}
		text, err := sess.close()
		out.WriteString(text)
		sess = nil
		return err
	}
	defer func() {
		if sess != nil {
			sess.kill()
		}
	}()
	for i, s := range tr {
		switch s.kind {
		case '$':
			if err := end(); err != nil {
				return out.String(), err
			}
			out.WriteString("$ " + s.cmd + "\n")
			if i+1 < len(tr) && tr[i+1].kind == ';' {
				var err error
				if sess, err = b.openTerminalSession(s.cmd); err != nil {
					return out.String(), err
				}
				continue
			}
			text, err := b.terminalCommand(s.cmd)
			out.WriteString(text)
			if err != nil {
				return out.String(), err
			}
		case '%':
			out.WriteString("% " + s.cmd + "\n")
			text, err := b.terminalCommand(s.cmd)
			out.WriteString(text)
			if err != nil {
				return out.String(), err
			}
		case ';':
			out.WriteString("; " + s.cmd + "\n")
			if sess == nil {
				return out.String(), fmt.Errorf("line %d: the session has ended", s.line)
			}
			text, err := sess.run(s.cmd)
			out.WriteString(text)
			if err != nil {
				return out.String(), fmt.Errorf("line %d: %v", s.line, err)
			}
		}
	}
	err := end()
	return out.String(), err
}

// terminalEnv is the environment of a transcript's terminal.
func (b *box) terminalEnv() []string {
	env := b.env()
	if b.u.rootless() {
		for i, e := range env {
			if strings.HasPrefix(e, "PATH=") {
				env[i] = "PATH=" + fuseBinDir + ":" + e[len("PATH="):]
			}
		}
	}
	return env
}

// terminalCommand runs a command line with /bin/sh and returns its output
// with its exit status, as a transcript shows them.
func (b *box) terminalCommand(line string) (string, error) {
	s, err := b.openTerminalSession(line)
	if err != nil {
		return "", err
	}
	return s.close()
}

// withNewline ends non-empty output with a newline, as a terminal's next
// prompt would start a line.
func withNewline(s string) string {
	if s != "" && !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return s
}

// A terminalSession is a program started at a transcript's terminal,
// reading the commands typed into it on its standard input. Its output
// is read until the program exits, not until the end of the output: a
// server it started in the background may hold the output open long
// after.
type terminalSession struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	mu     sync.Mutex
	buf    []byte // output not yet shown
	more   chan struct{}
	exited chan struct{} // closed when the program has exited, with err
	err    error
	ended  bool // the program has exited and its last output was shown
}

// openTerminalSession starts a command line whose standard input the
// session's "; " lines are typed into. Its standard output and error
// share one pipe, so that they interleave as on a terminal.
func (b *box) openTerminalSession(line string) (*terminalSession, error) {
	cmd := b.command(context.Background(), "/bin/sh", "-c", line)
	cmd.Env = b.terminalEnv()
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = w, w
	stdin, err := cmd.StdinPipe()
	if err != nil {
		r.Close()
		w.Close()
		return nil, err
	}
	err = cmd.Start()
	w.Close()
	if err != nil {
		r.Close()
		return nil, err
	}
	s := &terminalSession{cmd: cmd, stdin: stdin, more: make(chan struct{}, 1), exited: make(chan struct{})}
	go func() {
		defer r.Close()
		p := make([]byte, 4096)
		for {
			n, err := r.Read(p)
			s.mu.Lock()
			s.buf = append(s.buf, p[:n]...)
			s.mu.Unlock()
			select {
			case s.more <- struct{}{}:
			default:
			}
			if err != nil {
				return
			}
		}
	}()
	go func() {
		s.err = cmd.Wait()
		close(s.exited)
	}()
	return s, nil
}

// run types a command into the session and returns its output and
// status as a transcript shows them.
func (s *terminalSession) run(line string) (string, error) {
	if s.ended {
		return "", errors.New("the session has ended")
	}
	// A write error means the program is gone; its end is the output.
	io.WriteString(s.stdin, line+"\necho "+stepMark+" $status\n")
	deadline := time.After(runTimeout)
	for {
		s.mu.Lock()
		i := bytes.Index(s.buf, []byte(stepMark+" "))
		if i >= 0 {
			if j := bytes.IndexByte(s.buf[i:], '\n'); j >= 0 {
				text := withNewline(string(s.buf[:i]))
				status := string(s.buf[i+len(stepMark)+1 : i+j])
				s.buf = s.buf[i+j+1:]
				s.mu.Unlock()
				if strings.Trim(status, "0|") != "" { // rc's truth
					text += "[status " + status + "]\n"
				}
				return text, nil
			}
		}
		s.mu.Unlock()
		select {
		case <-s.more:
		case <-s.exited:
			s.ended = true
			s.settle()
			return s.rest(), nil
		case <-deadline:
			return s.rest(), fmt.Errorf("%q did not finish within %v", line, runTimeout)
		}
	}
}

// settle waits for the output still in the pipe once the program has
// exited: until none has come for a moment.
func (s *terminalSession) settle() {
	for {
		select {
		case <-s.more:
		case <-time.After(50 * time.Millisecond):
			return
		}
	}
}

// rest returns the output not yet shown.
func (s *terminalSession) rest() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	text := withNewline(string(s.buf))
	s.buf = nil
	return text
}

// close ends the session's input, waits for the program to exit and
// returns its last output and exit status as a transcript shows them.
func (s *terminalSession) close() (string, error) {
	s.stdin.Close()
	select {
	case <-s.exited:
	case <-time.After(runTimeout):
		s.kill()
		return s.rest(), fmt.Errorf("the session did not end within %v of its input", runTimeout)
	}
	s.settle()
	text := s.rest()
	var exit *exec.ExitError
	switch {
	case s.err == nil:
	case errors.As(s.err, &exit):
		text += fmt.Sprintf("[exit %d]\n", exit.ExitCode())
	default:
		return text, s.err
	}
	return text, nil
}

// kill stops the session's program.
func (s *terminalSession) kill() {
	s.cmd.Process.Kill()
	<-s.exited
}
