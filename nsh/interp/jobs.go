package interp

import (
	"os"
	"strconv"
	"strings"

	"nsh.dev/nsh/nsh/syntax"
)

// A job is a program running in the background (cmd &). A goroutine
// waits for it as soon as it starts, so that it leaves no zombie; the
// wait builtin collects the result.
type job struct {
	pid    int
	done   chan struct{}
	status string
}

func (in *Interp) startJob(p Process) {
	j := &job{pid: p.Pid(), done: make(chan struct{})}
	go func() {
		ps, err := p.Wait()
		j.status = waitStatus(ps, err)
		close(j.done)
	}()
	in.sh.mu.Lock()
	in.sh.jobs = append(in.sh.jobs, j)
	in.sh.mu.Unlock()
	in.setVar("apid", []string{strconv.Itoa(j.pid)})
}

func waitStatus(ps *os.ProcessState, err error) string {
	if err != nil || ps == nil {
		return "wait failed"
	}
	return processStatus(ps)
}

// wait waits for a program run in the foreground and returns its status
// and, when a signal killed it, what the shell should say of that (see
// deathNote). The shell's own thread also listens for signals meanwhile:
// a hangup or termination stops the wait (the program keeps running, as
// with rc), an interrupt does not. An interrupt counts as the shell's
// when the program died of it, and is forgotten when the program handled
// it and went on.
func (in *Interp) wait(p Process) (status, note string) {
	if !in.main {
		return waitResult(p.Wait())
	}
	type result struct{ status, note string }
	done := make(chan result, 1)
	go func() {
		s, n := waitResult(p.Wait())
		done <- result{s, n}
	}()
	for {
		select {
		case r := <-done:
			if r.status == "sigint" {
				// The terminal's interrupt reached the program and
				// so the shell too, which may not have heard of it
				// yet.
				in.sh.sigs.Or(sigINT)
			} else {
				in.sh.sigs.And(^uint32(sigINT))
			}
			return r.status, r.note
		case <-in.sh.sigWake:
			if in.sh.sigs.Load()&(sigHUP|sigTERM) != 0 {
				return "interrupted", ""
			}
		}
	}
}

// waitResult is the status of a program that ended, and what to say of
// a death by signal.
func waitResult(ps *os.ProcessState, err error) (status, note string) {
	status = waitStatus(ps, err)
	if err == nil && ps != nil {
		note = deathNote(ps)
	}
	return status, note
}

// async runs a command in the background. A program is started with
// standard input from /dev/null in its own process group; anything else
// (a block, a builtin, a function) runs in a child nsh, so that $apid
// is a process that kill and wait can reach.
func (in *Interp) async(c *syntax.Async) error {
	x := c.X
	if s, ok := x.(*syntax.Simple); ok {
		argv, err := in.expandWords(nil, s.Words)
		if err != nil {
			return err
		}
		if len(argv) == 0 {
			return in.abort(s.Pos(), "empty argument list")
		}
		if _, isFn := in.fns[argv[0]]; !isFn && builtin(argv[0]) == nil {
			return in.asyncProgram(argv, s.Redirs)
		}
		// The child gets the words as expanded here.
		words := make([]syntax.Word, len(argv))
		for i, a := range argv {
			words[i] = &syntax.Lit{ValuePos: s.Pos(), Value: a, Quoted: true}
		}
		x = &syntax.Simple{Words: words, Redirs: s.Redirs}
	}
	return in.asyncShell(x, c.Pos())
}

func (in *Interp) asyncProgram(argv []string, redirs []*syntax.Redir) error {
	file, status, reason := in.findProgram(argv[0])
	if status != "" {
		in.errorf(syntax.Pos{}, "%s: %s", argv[0], reason)
		in.status = status
		return nil
	}
	null, err := in.sys.Open("/dev/null", os.O_RDONLY, 0)
	if err != nil {
		in.errorf(syntax.Pos{}, "%s", pathError("/dev/null", err))
		in.status = statusNotExecutable
		return nil
	}
	defer null.Close()
	saved := in.fds
	in.fds = append([]*os.File(nil), saved...)
	in.setFd(0, null)
	inner, opened, err := in.redirect(redirs)
	if err != nil {
		in.fds = saved
		return err
	}
	attr := &ProcAttr{
		Path:       file,
		Args:       argv,
		Env:        in.environ(),
		Dir:        in.dir,
		Files:      in.files(),
		Background: true,
	}
	p, err := in.sys.Start(attr)
	in.unredirect(inner, opened)
	in.fds = saved
	if err != nil {
		in.startFailed(argv[0], err)
		return nil
	}
	in.startJob(p)
	in.status = ""
	return nil
}

func (in *Interp) asyncShell(x syntax.Cmd, pos syntax.Pos) error {
	if in.sh.self == "" {
		return in.abort(pos, "cannot run a block in the background: no nsh program to run it")
	}
	args := []string{"nsh", "--share"}
	if in.Flag('e') {
		args = append(args, "-e")
	}
	if in.Flag('x') {
		args = append(args, "-x")
	}
	args = append(args, "-c", backgroundText(x))
	args = append(args, in.vars["*"]...)
	null, err := in.sys.Open("/dev/null", os.O_RDONLY, 0)
	if err != nil {
		return in.abort(pos, "%s", pathError("/dev/null", err))
	}
	defer null.Close()
	files := append([]*os.File(nil), in.files()...)
	if len(files) == 0 {
		files = append(files, nil)
	}
	files[0] = null
	p, err := in.sys.Start(&ProcAttr{
		Path:       in.sh.self,
		Args:       args,
		Env:        in.environ(),
		Dir:        in.dir,
		Files:      files,
		Background: true,
	})
	if err != nil {
		return in.abort(pos, "%s", pathError(in.sh.self, err))
	}
	in.startJob(p)
	in.status = ""
	return nil
}

// backgroundText is the text a child nsh runs for x. A block without
// redirections gives its commands alone, so that the child can exec the
// last of them and $apid be that program.
func backgroundText(x syntax.Cmd) string {
	if b, ok := x.(*syntax.Block); ok && len(b.Redirs) == 0 {
		var sb strings.Builder
		syntax.Fprint(&sb, &syntax.File{Stmts: b.Body})
		return sb.String()
	}
	return syntax.Format(x)
}

// waitJobs waits for the background job pid, or all jobs when pid is 0.
func (in *Interp) waitJobs(pid int) error {
	for {
		in.sh.mu.Lock()
		var j *job
		for _, x := range in.sh.jobs {
			if pid == 0 || x.pid == pid {
				j = x
				break
			}
		}
		in.sh.mu.Unlock()
		if j == nil {
			return nil
		}
		select {
		case <-j.done:
		case <-in.sh.sigWake:
			if err := in.checkSignals(); err != nil {
				return err
			}
			continue
		}
		in.sh.mu.Lock()
		for i, x := range in.sh.jobs {
			if x == j {
				in.sh.jobs = append(in.sh.jobs[:i:i], in.sh.jobs[i+1:]...)
				break
			}
		}
		in.sh.mu.Unlock()
		in.status = j.status
		if pid != 0 {
			return nil
		}
	}
}
