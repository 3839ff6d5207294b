package interp

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"strings"
	"sync"

	"nsh.dev/nsh/nsh/syntax"
)

// maxDepth bounds nested function calls, so that runaway recursion is an
// error rather than the end of the process.
const maxDepth = 10000

// runThread runs the commands of a goroutine's copy of the shell and
// releases what it holds. exit and errors end the thread only.
func (in *Interp) runThread(cmds []syntax.Cmd) {
	in.runList(cmds)
	in.finish()
}

func (in *Interp) runList(cmds []syntax.Cmd) error {
	for _, c := range cmds {
		if err := in.run(c); err != nil {
			return err
		}
	}
	return nil
}

// run runs one command.
func (in *Interp) run(c syntax.Cmd) error {
	if in.sh.sigs.Load() != 0 {
		if err := in.checkSignals(); err != nil {
			return err
		}
	}
	mark := len(in.pending)
	err := in.run1(c)
	if len(in.pending) > mark {
		in.cleanup(mark)
	}
	return err
}

func (in *Interp) run1(c syntax.Cmd) error {
	switch c := c.(type) {
	case *syntax.Simple:
		return in.simple(c)
	case *syntax.Block:
		if len(c.Redirs) == 0 {
			return in.runList(c.Body)
		}
		saved, opened, err := in.redirect(c.Redirs)
		if err != nil {
			return err
		}
		err = in.runList(c.Body)
		in.unredirect(saved, opened)
		return err
	case *syntax.Redirected:
		saved, opened, err := in.redirect([]*syntax.Redir{c.Redir})
		if err != nil {
			return err
		}
		if c.X != nil {
			err = in.run(c.X)
		} else {
			in.status = ""
		}
		in.unredirect(saved, opened)
		return err
	case *syntax.Assign:
		return in.assign(c)
	case *syntax.If:
		in.cond++
		err := in.runList(c.Cond)
		in.cond--
		if err != nil {
			return err
		}
		if !Truthy(in.status) {
			in.ifnot = true
			return nil
		}
		in.ifnot = false
		return in.run(c.Then)
	case *syntax.IfNot:
		if !in.ifnot {
			return nil
		}
		return in.run(c.Then)
	case *syntax.For:
		return in.forLoop(c)
	case *syntax.While:
		for {
			in.cond++
			err := in.runList(c.Cond)
			in.cond--
			if err != nil {
				return err
			}
			if !Truthy(in.status) {
				return nil
			}
			if err := in.run(c.Body); err != nil {
				return err
			}
		}
	case *syntax.Switch:
		return in.switchCmd(c)
	case *syntax.Match:
		subj, err := in.subject(c.Subject)
		if err != nil {
			return err
		}
		ok, err := in.matchWords(subj, c.Patterns)
		if err != nil {
			return err
		}
		if ok {
			in.status = ""
		} else {
			in.status = statusNoMatch
		}
		return nil
	case *syntax.AndOr:
		in.cond++
		err := in.run(c.X)
		in.cond--
		if err != nil {
			return err
		}
		if Truthy(in.status) == c.Or {
			return nil
		}
		return in.run(c.Y)
	case *syntax.Pipeline:
		return in.pipeline(c)
	case *syntax.Not:
		in.cond++
		err := in.run(c.X)
		in.cond--
		if err != nil {
			return err
		}
		if Truthy(in.status) {
			in.status = statusFalse
		} else {
			in.status = ""
		}
		return nil
	case *syntax.Subshell:
		sub := in.clone()
		sub.run(c.X)
		sub.finish()
		in.status = sub.status
		return nil
	case *syntax.FnDef:
		names, err := in.expandWords(nil, c.Names)
		if err != nil {
			return err
		}
		for _, name := range names {
			if c.Body == nil {
				delete(in.fns, name)
			} else {
				in.fns[name] = newFunction(name, c.Body)
			}
		}
		in.envDirty = true
		return nil
	case *syntax.Async:
		return in.async(c)
	}
	return nil
}

func (in *Interp) assign(c *syntax.Assign) error {
	name, err := in.expandOne(c.Name, "variable name")
	if err != nil {
		return err
	}
	one := [1]syntax.Word{c.Value}
	ws := one[:]
	val, err := in.expandWords(make([]string, 0, in.sizeHint(ws)), ws)
	if err != nil {
		return err
	}
	if c.X == nil {
		in.setVar(name, val)
		return nil
	}
	saved := in.save(name)
	in.setVar(name, val)
	err = in.run(c.X)
	in.restore(saved)
	return err
}

func (in *Interp) forLoop(c *syntax.For) error {
	name, err := in.expandOne(c.Var, "variable name")
	if err != nil {
		return err
	}
	var list []string
	if c.In {
		if list, err = in.expandWords(nil, c.List); err != nil {
			return err
		}
	} else {
		list = in.vars["*"]
	}
	// As in rc, the variable is local to the loop.
	saved := in.save(name)
	for i := range list {
		in.setVar(name, list[i:i+1:i+1])
		if err = in.run(c.Body); err != nil {
			break
		}
	}
	in.restore(saved)
	return err
}

func (in *Interp) switchCmd(c *syntax.Switch) error {
	s, err := in.subject(c.Subject)
	if err != nil {
		return err
	}
	matched := false
	for _, st := range c.Body {
		if pats, ok := syntax.CaseLabel(st); ok {
			if matched {
				return nil
			}
			if matched, err = in.matchWords(s, pats); err != nil {
				return err
			}
			continue
		}
		if matched {
			if err := in.run(st); err != nil {
				return err
			}
		}
	}
	return nil
}

// simple runs a simple command: a function, a builtin or a program.
func (in *Interp) simple(c *syntax.Simple) error {
	tail := in.tail == c
	if tail {
		in.tail = nil
	}
	argv, err := in.expandWords(make([]string, 0, in.sizeHint(c.Words)), c.Words)
	if err != nil {
		return err
	}
	if len(argv) == 0 {
		return in.abort(c.Pos(), "empty argument list")
	}
	if in.Flag('x') {
		in.trace(argv)
	}
	if len(c.Redirs) > 0 {
		if argv[0] == "exec" && len(argv) == 1 {
			// exec with only redirections keeps them.
			_, _, err := in.redirect(c.Redirs)
			in.status = ""
			return err
		}
		saved, opened, err := in.redirect(c.Redirs)
		if err != nil {
			return err
		}
		err = in.call(argv, c.Pos(), tail && len(in.pending) == 0)
		in.unredirect(saved, opened)
		if err == nil {
			err = in.checkExit()
		}
		return err
	}
	if err := in.call(argv, c.Pos(), tail && len(in.pending) == 0); err != nil {
		return err
	}
	return in.checkExit()
}

// checkExit ends the shell when -e is set and a command failed outside a
// condition.
func (in *Interp) checkExit() error {
	if in.cond == 0 && in.flags&flagBit('e') != 0 && !Truthy(in.status) {
		return ErrExit
	}
	return nil
}

func (in *Interp) trace(argv []string) {
	var b strings.Builder
	for i, a := range argv {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(syntax.Quote(a))
	}
	b.WriteByte('\n')
	in.writeErr(b.String())
}

// call runs argv: a function, else a builtin, else a program.
func (in *Interp) call(argv []string, pos syntax.Pos, tail bool) error {
	if fn, ok := in.fns[argv[0]]; ok {
		return in.callFunc(fn, argv, pos)
	}
	if b := builtin(argv[0]); b != nil {
		return b(in, argv, pos)
	}
	return in.external(argv, pos, tail)
}

func (in *Interp) callFunc(fn *function, argv []string, pos syntax.Pos) error {
	body, err := fn.block()
	if err != nil {
		return in.abort(pos, "%v", err)
	}
	if in.depth >= maxDepth {
		return in.abort(pos, "%s: functions nested too deeply", argv[0])
	}
	args, had := in.vars["*"]
	in.vars["*"] = argv[1:len(argv):len(argv)]
	in.depth++
	err = in.runList(body.Body)
	in.depth--
	if had {
		in.vars["*"] = args
	} else {
		delete(in.vars, "*")
	}
	return err
}

// abs makes a name absolute against the current directory.
func (in *Interp) abs(name string) string {
	if strings.HasPrefix(name, "/") {
		return path.Clean(name)
	}
	return path.Join(in.dir, name)
}

// findProgram looks for a program: a name with a slash is used as it is,
// others are searched for in $path. The status is empty when found,
// otherwise not found or not executable, with a reason for the message.
func (in *Interp) findProgram(name string) (file, status, reason string) {
	if strings.Contains(name, "/") {
		f := in.abs(name)
		fi, err := in.sys.Stat(f)
		switch {
		case err != nil:
			if errors.Is(err, fs.ErrNotExist) {
				return "", statusNotFound, "not found"
			}
			return "", statusNotExecutable, errText(err)
		case fi.IsDir():
			return "", statusNotExecutable, "is a directory"
		case fi.Mode()&0o111 == 0:
			return "", statusNotExecutable, "permission denied"
		}
		return f, "", ""
	}
	status, reason = statusNotFound, "not found"
	for _, dir := range in.lookup("path") {
		if dir == "" {
			dir = "."
		}
		f := in.abs(dir + "/" + name)
		fi, err := in.sys.Stat(f)
		if err != nil || fi.IsDir() {
			continue
		}
		if fi.Mode()&0o111 == 0 {
			status, reason = statusNotExecutable, "permission denied"
			continue
		}
		return f, "", ""
	}
	return "", status, reason
}

// external runs a program and waits for it, or replaces the shell with
// it when tail is set and there is nothing left to do.
func (in *Interp) external(argv []string, pos syntax.Pos, tail bool) error {
	file, status, reason := in.findProgram(argv[0])
	if status == "" && hasNUL(argv) {
		status, reason = statusNotExecutable, "an argument holds a NUL byte"
	}
	if status != "" {
		in.errorf(syntax.Pos{}, "%s: %s", argv[0], reason)
		in.status = status
		return nil
	}
	attr := &ProcAttr{
		Path:       file,
		Args:       argv,
		Env:        in.environ(),
		Dir:        in.dir,
		Files:      in.files(),
		Background: in.newPgrp,
	}
	if tail && in.main && !in.IsFunc("sigexit") {
		err := in.sys.Exec(attr)
		in.startFailed(argv[0], err)
		return nil
	}
	p, err := in.sys.Start(attr)
	if err != nil {
		in.startFailed(argv[0], err)
		return nil
	}
	var note string
	in.status, note = in.wait(p)
	if note != "" {
		// As rc does: a program that crashed or was killed says
		// nothing itself.
		in.errorf(syntax.Pos{}, "%s: %s", argv[0], note)
	}
	return nil
}

func hasNUL(args []string) bool {
	for _, a := range args {
		if strings.IndexByte(a, 0) >= 0 {
			return true
		}
	}
	return false
}

// startFailed reports a program that could not be started.
func (in *Interp) startFailed(name string, err error) {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		in.status = statusNotFound
		in.errorf(syntax.Pos{}, "%s: not found", name)
	case isExecFormat(err):
		in.status = statusNotExecutable
		in.errorf(syntax.Pos{}, "%s: not an executable program", name)
	default:
		in.status = statusNotExecutable
		in.errorf(syntax.Pos{}, "%s: %s", name, errText(err))
	}
}

// errText is the reason in an error, without the operation and path
// that os adds.
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err.Error()
	}
	var se *os.SyscallError
	if errors.As(err, &se) {
		return se.Err.Error()
	}
	return err.Error()
}

// pathError formats an error about a file as FILE: reason.
func pathError(name string, err error) string {
	return name + ": " + errText(err)
}

// pipeline runs the commands of a pipeline at the same time, connected
// by pipes. As in rc, the last runs in the shell itself (x=1; echo |
// {x=2} leaves x=2), the others each in a copy of the shell. The status
// joins theirs with |.
func (in *Interp) pipeline(c *syntax.Pipeline) error {
	n := len(c.Cmds)
	subs := make([]*Interp, n-1)
	ends := make([][]*os.File, n)
	var prev *os.File
	for i := range c.Cmds {
		if i < n-1 {
			subs[i] = in.clone()
			subs[i].main = false
		}
		if i > 0 {
			if i < n-1 {
				subs[i].setFd(c.Pipes[i-1].Right, prev)
			}
			ends[i] = append(ends[i], prev)
		}
		if i < n-1 {
			r, w, err := os.Pipe()
			if err != nil {
				for _, e := range ends {
					for _, f := range e {
						f.Close()
					}
				}
				return in.abort(c.Pipes[i].Bar, "pipe: %v", err)
			}
			subs[i].setFd(c.Pipes[i].Left, w)
			ends[i] = append(ends[i], w)
			prev = r
		}
	}
	var wg sync.WaitGroup
	for i := 0; i < n-1; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			subs[i].run(c.Cmds[i])
			subs[i].finish()
			for _, f := range ends[i] {
				f.Close()
			}
		}(i)
	}
	saved := in.fds
	in.fds = append([]*os.File(nil), saved...)
	in.setFd(c.Pipes[n-2].Right, prev)
	err := in.run(c.Cmds[n-1])
	in.fds = saved
	prev.Close()
	wg.Wait()
	var b strings.Builder
	for _, s := range subs {
		b.WriteString(s.status)
		b.WriteByte('|')
	}
	b.WriteString(in.status)
	in.status = b.String()
	if err != nil {
		return err
	}
	return in.checkExit()
}

// redirect applies redirections to a copy of the descriptor table. It
// returns the old table and the files it opened, for unredirect.
func (in *Interp) redirect(rs []*syntax.Redir) (saved, opened []*os.File, err error) {
	saved = in.fds
	in.fds = append(make([]*os.File, 0, len(saved)+2), saved...)
	for _, r := range rs {
		if r.Fd > 1<<16 || r.Fd2 > 1<<16 {
			err = in.abort(r.OpPos, "bad file descriptor %d", max(r.Fd, r.Fd2))
			break
		}
		switch r.Kind {
		case syntax.RedirDup:
			in.setFd(r.Fd, in.fd(r.Fd2))
			continue
		case syntax.RedirClose:
			in.setFd(r.Fd, nil)
			continue
		}
		var f *os.File
		owned := true
		if r.Op == syntax.RedirHere {
			f, err = in.hereDoc(r)
		} else {
			f, owned, err = in.openRedir(r)
		}
		if err != nil {
			break
		}
		if owned {
			opened = append(opened, f)
		}
		in.setFd(r.Fd, f)
	}
	if err != nil {
		in.unredirect(saved, opened)
		return nil, nil, err
	}
	return saved, opened, nil
}

func (in *Interp) unredirect(saved, opened []*os.File) {
	in.fds = saved
	for _, f := range opened {
		f.Close()
	}
}

func (in *Interp) openRedir(r *syntax.Redir) (f *os.File, owned bool, err error) {
	name, err := in.expandOne(r.Target, redirName(r.Op)+" file name")
	if err != nil {
		return nil, false, err
	}
	var flag int
	switch r.Op {
	case syntax.RedirRead:
		flag = os.O_RDONLY
	case syntax.RedirWrite:
		flag = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	case syntax.RedirAppend:
		flag = os.O_WRONLY | os.O_CREATE | os.O_APPEND
	case syntax.RedirReadWrite:
		flag = os.O_RDWR | os.O_CREATE
	}
	f, owned, err = in.open(name, flag)
	if err != nil {
		return nil, false, in.abort(r.OpPos, "%s", pathError(name, err))
	}
	return f, owned, nil
}

// open opens a file for the shell. /dev/fd/N names the shell's own
// descriptor N (a process substitution), as a program would see it; that
// file is not the caller's to close (owned is false).
func (in *Interp) open(name string, flag int) (f *os.File, owned bool, err error) {
	if rest, ok := strings.CutPrefix(name, "/dev/fd/"); ok {
		if n, ok := argIndex(rest); ok || rest == "0" {
			if f := in.fd(n); f != nil {
				return f, false, nil
			}
		}
	}
	f, err = in.sys.Open(in.abs(name), flag, 0o666)
	return f, err == nil, err
}

func redirName(op syntax.RedirOp) string {
	return [...]string{"<", ">", ">>", "<>", "<<"}[op]
}

// hereDoc makes a pipe holding the body of a here document.
func (in *Interp) hereDoc(r *syntax.Redir) (*os.File, error) {
	body := r.Here.Body
	if !r.Here.Quoted {
		body = in.hereText(body)
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, in.abort(r.OpPos, "<<: %v", err)
	}
	// A pipe holds 64 KiB on Linux: write small bodies at once, large
	// ones from a goroutine that the command's end stops.
	if len(body) <= 16<<10 {
		pw.WriteString(body)
		pw.Close()
		return pr, nil
	}
	done := make(chan struct{})
	go func() {
		pw.WriteString(body)
		pw.Close()
		close(done)
	}()
	in.pending = append(in.pending, cleanup{fd: -1, done: done})
	return pr, nil
}
