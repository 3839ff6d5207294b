package nsh

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"nsh.dev/nsh/nsh/edit"
	"nsh.dev/nsh/nsh/interp"
	"nsh.dev/nsh/nsh/syntax"
)

// Options replaces the parts nsh is made of. The zero Options runs on the
// plain operating system with the process's standard files and
// environment.
type Options struct {
	// System is how the interpreter reaches files, programs and the
	// namespace; nil means OSSystem.
	System interp.System
	// ApplyNamespace applies the namespace file given with --ns before
	// anything runs; nil means applyNamespaceFile, which performs the
	// file's directives one by one through the System.
	ApplyNamespace func(sys interp.System, in *interp.Interp, file string) error
	// Interactive makes the reader of an interactive shell. nil means
	// the line editor of package nsh/edit when Stdin and Stdout are the
	// process's own and Stdin is a terminal, otherwise plain lines with
	// the prompts of $prompt written on standard error. After each
	// command the shell calls the reader's SaveTerminalMode, or its
	// RestoreTerminalMode when a signal killed the command, if it has
	// them (as edit.Editor does); it closes a reader that is an
	// io.Closer when it is done.
	Interactive func(in *interp.Interp, stdin, stdout, stderr *os.File) (CommandReader, error)
	// Stdin, Stdout and Stderr default to the process's.
	Stdin, Stdout, Stderr *os.File
	// Environ defaults to os.Environ().
	Environ []string
}

// Main runs nsh with the command line args (args[0] is the program name)
// and returns the exit status.
func Main(args []string) int {
	return Run(args, Options{})
}

// Run is Main with Options.
func Run(args []string, opt Options) int {
	if opt.Stdin == nil {
		opt.Stdin = os.Stdin
	}
	if opt.Stdout == nil {
		opt.Stdout = os.Stdout
	}
	if opt.Stderr == nil {
		opt.Stderr = os.Stderr
	}
	if opt.Environ == nil {
		opt.Environ = os.Environ()
	}
	if opt.System == nil {
		opt.System = OSSystem{}
	}
	if opt.ApplyNamespace == nil {
		opt.ApplyNamespace = applyNamespaceFile
	}
	o, err := parseArgs(args)
	if err != nil {
		fmt.Fprintf(opt.Stderr, "nsh: %v\n%s\n", err, usageText)
		return 2
	}
	if o.help {
		io.WriteString(opt.Stdout, helpText)
		return 0
	}
	if o.version {
		fmt.Fprintf(opt.Stdout, "nsh %s\n", version())
		return 0
	}
	s := &shell{opt: opt, o: o}
	return s.run(args[0])
}

// version is the module version nsh was built from, or (devel).
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

type shell struct {
	opt         Options
	o           *options
	in          *interp.Interp
	interactive bool
	signals     *signalState
}

func (s *shell) run(argv0 string) int {
	o := s.o
	fromStdin := !o.hasCmd && (o.file == "" || o.file == "-")
	s.interactive = o.has('i') || fromStdin && !o.has('I') && isTerminal(s.opt.Stdin)
	dir, err := os.Getwd()
	if err != nil {
		dir = "/"
	}
	name := argv0
	if !fromStdin && !o.hasCmd {
		name = o.file
	}
	flags := o.flags
	if strings.HasPrefix(argv0, "-") && !o.has('l') {
		// A login shell, as login(1) and sshd start one.
		o.flags += "l"
		flags += "l"
	}
	if s.interactive && !o.has('i') {
		flags += "i"
	}
	in, err := interp.New(interp.Config{
		System:      s.opt.System,
		Stdin:       s.opt.Stdin,
		Stdout:      s.opt.Stdout,
		Stderr:      s.opt.Stderr,
		Env:         s.opt.Environ,
		Dir:         dir,
		Name:        name,
		Args:        o.args,
		Pid:         os.Getpid(),
		Self:        selfPath(),
		Flags:       flags,
		Interactive: s.interactive,
	})
	if err != nil {
		fmt.Fprintf(s.opt.Stderr, "nsh: %v\n", err)
		return 1
	}
	s.in = in
	defer s.stopSignals()
	defer in.Close()

	if o.nsFile != "" || o.has('l') || !o.hasCmd || s.interactive {
		s.startSignals()
	}
	if o.nsFile != "" {
		if err := s.opt.ApplyNamespace(s.opt.System, in, o.nsFile); err != nil {
			fmt.Fprintf(s.opt.Stderr, "nsh: --ns: %v\n", err)
			return 1
		}
	}
	if s.interactive && s.usesEditor() {
		setDefaultHistory(in, s.opt.Stderr)
	}
	if code, done := s.startupFiles(); done {
		return code
	}
	switch {
	case o.hasCmd:
		return s.runText("-c", []byte(o.command))
	case o.file != "" && o.file != "-":
		return s.runFile(o.file)
	}
	return s.runStdin()
}

// runText runs a whole program: -c or a script. It is parsed whole
// first, so that a syntax error anywhere runs none of it.
func (s *shell) runText(name string, src []byte) int {
	if s.o.has('v') {
		s.opt.Stderr.Write(src)
		if len(src) > 0 && src[len(src)-1] != '\n' {
			io.WriteString(s.opt.Stderr, "\n")
		}
	}
	f, err := syntax.Parse(name, src)
	if err != nil {
		fmt.Fprintf(s.opt.Stderr, "nsh: %v\n", err)
		return 1
	}
	if s.o.has('n') {
		return 0
	}
	if !quickExec(f, s.in) {
		s.startSignals()
	}
	execLast := !s.interactive
	if !s.o.has('s') {
		return s.finish(s.in.Run(f, interp.RunOptions{ExecLast: execLast}))
	}
	for i, c := range f.Stmts {
		last := i == len(f.Stmts)-1
		err := s.in.Run(&syntax.File{Name: f.Name, Stmts: []syntax.Cmd{c}}, interp.RunOptions{ExecLast: execLast && last})
		s.showStatus()
		if err != nil {
			return s.finish(err)
		}
	}
	return s.finish(nil)
}

// showStatus prints a false status, for -s.
func (s *shell) showStatus() {
	if st := s.in.Status(); !interp.Truthy(st) {
		fmt.Fprintf(s.opt.Stderr, "nsh: status %s\n", syntax.Quote(st))
	}
}

func (s *shell) runFile(name string) int {
	abs := name
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(s.in.Dir(), abs)
	}
	f, err := s.opt.System.Open(abs, os.O_RDONLY, 0)
	var src []byte
	if err == nil {
		src, err = io.ReadAll(f)
		f.Close()
	}
	if err != nil {
		fmt.Fprintf(s.opt.Stderr, "nsh: %s: %s\n", name, reason(err))
		if errors.Is(err, fs.ErrNotExist) {
			return 127
		}
		return 126
	}
	return s.runText(name, src)
}

// reason is the part of an error after the operation and path.
func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// finish ends the shell after the commands: it acts on a signal still
// pending, runs sigexit, and turns the status into an exit code. When
// the shell stops because of a signal it received, it dies of that
// signal, so that its parent sees how it ended.
func (s *shell) finish(err error) int {
	if err == nil {
		err = s.in.Pending()
	}
	code := s.in.Exit()
	if sig := s.in.ExitSignal(); err == interp.ErrExit && sig != "" {
		s.stopSignals()
		raise(sig)
	}
	return code
}

// startSignals has the shell's signals passed to the interpreter from
// now on.
func (s *shell) startSignals() {
	if s.signals == nil {
		s.signals = notifySignals(s.in, s.interactive)
	}
}

func (s *shell) stopSignals() {
	if s.signals != nil {
		s.signals.stop()
	}
}

// quickExec reports whether f is one program that the shell execs at
// once: a simple command naming a program (not a builtin or function)
// with nothing in it that runs a command or waits (no substitution, no
// here document). Such a shell has no time to get a signal that the Go
// runtime would handle otherwise than the program will, so it need not
// ask for signals at all, which saves start-up time (the runtime's
// signal watcher takes a thread of its own).
func quickExec(f *syntax.File, in *interp.Interp) bool {
	if len(f.Stmts) != 1 {
		return false
	}
	c := f.Stmts[0]
	for {
		a, ok := c.(*syntax.Assign)
		if !ok {
			break
		}
		if a.X == nil || !plainWord(a.Name) || !plainWord(a.Value) {
			return false
		}
		c = a.X
	}
	sc, ok := c.(*syntax.Simple)
	if !ok {
		return false
	}
	name, ok := sc.Words[0].(*syntax.Lit)
	if !ok || interp.IsBuiltin(name.Value) || in.IsFunc(name.Value) {
		return false
	}
	for _, w := range sc.Words {
		if !plainWord(w) {
			return false
		}
	}
	for _, r := range sc.Redirs {
		if r.Here != nil || r.Target != nil && !plainWord(r.Target) {
			return false
		}
	}
	return true
}

// plainWord reports whether w expands without running anything.
func plainWord(w syntax.Word) bool {
	switch w := w.(type) {
	case *syntax.Lit:
		return true
	case *syntax.Var:
		return plainWord(w.Name) && (w.Index == nil || allPlain(w.Index.Words))
	case *syntax.Concat:
		return plainWord(w.X) && plainWord(w.Y)
	case *syntax.List:
		return allPlain(w.Words)
	}
	return false
}

func allPlain(ws []syntax.Word) bool {
	for _, w := range ws {
		if !plainWord(w) {
			return false
		}
	}
	return true
}

// runStdin reads commands from standard input, each as soon as it is
// complete, and runs it.
func (s *shell) runStdin() int {
	r, err := s.reader()
	if err != nil {
		fmt.Fprintf(s.opt.Stderr, "nsh: %v\n", err)
		return 1
	}
	if c, ok := r.(io.Closer); ok {
		defer c.Close()
	}
	name := "stdin"
	if s.interactive {
		name = ""
	}
	line := 1
	afterIf := false
	for {
		if s.interactive {
			if _, err := s.in.CallHook("prompt"); err == interp.ErrExit {
				return s.finish(err)
			}
		}
		text, rerr := r.ReadCommand()
		if s.interactive {
			// An interrupt typed at the prompt was for the input, not
			// for the command about to run.
			s.in.Discard("sigint")
		}
		if text == "" && rerr == io.EOF {
			break
		}
		if rerr != nil && rerr != io.EOF {
			if !s.interactive {
				fmt.Fprintf(s.opt.Stderr, "nsh: %v\n", rerr)
				return s.finish(interp.ErrAbort)
			}
			switch {
			case errors.Is(rerr, edit.ErrInterrupted):
				// The half-typed command is gone; say so in $status
				// as rc does for an interrupted command.
				s.in.Set("status", []string{"sigint"})
			case !isQuietReadError(rerr):
				fmt.Fprintf(s.opt.Stderr, "nsh: %v\n", rerr)
			}
			continue
		}
		p := syntax.Parser{Name: name, Line: line, AfterIf: afterIf}
		f, err := p.Parse([]byte(text))
		line += strings.Count(text, "\n")
		if err != nil {
			s.syntaxError(err)
			if !s.interactive {
				return 1
			}
			continue
		}
		if len(f.Stmts) > 0 {
			afterIf = isIf(f.Stmts[len(f.Stmts)-1])
		}
		if s.o.has('n') {
			continue
		}
		err = s.in.Run(f, interp.RunOptions{})
		if s.interactive {
			s.afterCommand(r)
		}
		if s.o.has('s') {
			s.showStatus()
		}
		switch {
		case err == interp.ErrExit:
			return s.finish(err)
		case err != nil && !s.interactive:
			return s.finish(err)
		}
		if rerr == io.EOF {
			break
		}
	}
	if s.interactive && stdinIsTerminal(s.opt.Stdin) {
		// Ctrl-D leaves the cursor after the prompt; the shell that
		// started nsh prompts on a line of its own.
		io.WriteString(s.opt.Stderr, "\n")
	}
	return s.finish(nil)
}

// usesEditor reports whether the commands are read through the line
// editor: the shell is interactive, no other reader was given, and the
// process's own standard input and output are the ones in use, with a
// terminal on standard input.
func (s *shell) usesEditor() bool {
	return s.interactive && s.opt.Interactive == nil &&
		s.opt.Stdout == os.Stdout && stdinIsTerminal(s.opt.Stdin)
}

// reader makes the CommandReader for standard input: Options.Interactive
// or the line editor for an interactive shell on a terminal, otherwise
// plain lines (with the prompts on standard error when interactive).
// Input that is not a terminal never goes through the line editor's
// liner, whose buffering would take what the commands should read.
func (s *shell) reader() (CommandReader, error) {
	switch {
	case s.interactive && s.opt.Interactive != nil:
		return s.opt.Interactive(s.in, s.opt.Stdin, s.opt.Stdout, s.opt.Stderr)
	case s.usesEditor():
		return newLineEditor(s.in, s.opt.Stderr)
	}
	lr := newLineReader(s.opt.Stdin)
	if s.o.has('v') {
		lr.echo = s.opt.Stderr
	}
	if s.interactive {
		lr.prompt = func(cont bool) { io.WriteString(s.opt.Stderr, promptText(s.in, cont)) }
	}
	return lr, nil
}

// afterCommand looks after the terminal when an interactive command has
// run: the mode it left is kept for the next commands (so that stty
// sticks) unless a signal killed it, when the last good mode comes back;
// and after an interrupt, which the terminal showed as ^C, the next prompt
// starts on a line of its own.
func (s *shell) afterCommand(r CommandReader) {
	st := s.in.Status()
	if tm, ok := r.(terminalModes); ok {
		var err error
		if killedBySignal(st) {
			err = tm.RestoreTerminalMode()
		} else {
			err = tm.SaveTerminalMode()
		}
		if err != nil {
			fmt.Fprintf(s.opt.Stderr, "nsh: %v\n", err)
		}
	}
	if interrupted(st) {
		io.WriteString(s.opt.Stderr, "\n")
	}
}

func (s *shell) syntaxError(err error) {
	var se *syntax.Error
	if s.interactive && errors.As(err, &se) {
		msg := "nsh: syntax error near " + se.Near
		if se.Reason != "" {
			msg += ": " + se.Reason
		}
		fmt.Fprintln(s.opt.Stderr, msg)
		return
	}
	fmt.Fprintf(s.opt.Stderr, "nsh: %v\n", err)
}

func isIf(c syntax.Cmd) bool {
	switch c.(type) {
	case *syntax.If, *syntax.IfNot:
		return true
	}
	return false
}
