package interp

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"sync"
	"sync/atomic"

	"nsh.dev/nsh/nsh/syntax"
)

// Config says how to start an interpreter.
type Config struct {
	// System reaches files, processes and the namespace. It is required.
	System System
	// Stdin, Stdout and Stderr become descriptors 0, 1 and 2; a nil one
	// is closed.
	Stdin, Stdout, Stderr *os.File
	// Env is the environment to import, NAME=VALUE strings in rc's
	// encoding: list elements joined by \001, functions as fn#name.
	Env []string
	// Dir is the absolute current directory.
	Dir string
	// Name is $0.
	Name string
	// Args is $*.
	Args []string
	// Pid is $pid.
	Pid int
	// Self is the nsh program, run with --share -c to put a block or a
	// builtin in the background ({...} &). Without it such a command
	// fails with a message.
	Self string
	// Flags are the single-letter flags that are set, such as "ex": e
	// exits when a simple command fails, x traces commands. The flag
	// builtin reads and changes them.
	Flags string
	// Interactive says that a person types the commands: an error
	// abandons the command, not the shell.
	Interactive bool
}

// Errors that Run returns. The message for either has been written to
// the shell's standard error; the status is in [Interp.Status].
var (
	// ErrExit says the shell should exit: the exit builtin, -e, or a
	// signal with no handler.
	ErrExit = errors.New("exit")
	// ErrAbort says an error (a null list in a concatenation, a
	// redirection that failed) abandoned the command. rc exits when it
	// does not read from a terminal.
	ErrAbort = errors.New("command abandoned")
)

// Interp is one thread of an rc shell: its variables, functions,
// descriptors, directory and status. Goroutines that run parts of a
// command (pipelines, @{}, `{}) work on copies made by clone.
type Interp struct {
	sh     *shared
	sys    System
	ownSys bool // sys came from rfork n: close it at the end
	vars   map[string][]string
	fns    map[string]*function
	fds    []*os.File
	dir    string
	status string
	flags  uint64 // one bit per flag letter
	file   string // the file being run, for messages
	ifnot  bool   // the condition of the last if was false
	depth  int    // function calls in progress
	cond   int    // conditions in progress (no exit on -e)
	main   bool   // the shell's own thread, which handles signals

	tail *syntax.Simple // the script's last command, which may exec

	noMount bool // rfork m: refuse mount
	newPgrp bool // rfork s: later children get a process group

	pending []cleanup // process substitutions, here documents

	envCache []string
	envDirty bool
}

// shared is what all the threads of one shell have in common.
type shared struct {
	self        string
	pid         int
	interactive bool

	mu   sync.Mutex
	jobs []*job

	sigs       atomic.Uint32 // pending signals, one bit each
	sigWake    chan struct{}
	exitSignal string // the signal that ended the shell
}

// function is a defined function. An imported one keeps its text until
// it is first needed.
type function struct {
	once sync.Once
	body *syntax.Block
	text string
	err  error
	name string
}

func (f *function) block() (*syntax.Block, error) {
	f.once.Do(func() {
		if f.body != nil {
			return
		}
		file, err := syntax.Parse("fn#"+f.name, []byte("fn "+syntax.Quote(f.name)+" "+f.text))
		if err != nil {
			f.err = err
			return
		}
		if len(file.Stmts) != 1 {
			f.err = fmt.Errorf("fn#%s: not a function definition", f.name)
			return
		}
		def, ok := file.Stmts[0].(*syntax.FnDef)
		if !ok || def.Body == nil {
			f.err = fmt.Errorf("fn#%s: not a function definition", f.name)
			return
		}
		f.body = def.Body
	})
	return f.body, f.err
}

// newFunction is a function defined by fn name {body}. Its text, for
// the environment and whatis, is made now: functions are shared by the
// goroutines of a shell and never change.
func newFunction(name string, body *syntax.Block) *function {
	return &function{name: name, body: body, text: syntax.Format(body)}
}

// source is the function's body as rc text, {...}.
func (f *function) source() string { return f.text }

// New starts an interpreter: it imports the environment and sets the
// variables rc starts with ($home, $path, $ifs, $prompt, $pid, $*, $0).
func New(cfg Config) (*Interp, error) {
	if cfg.System == nil {
		return nil, errors.New("interp: no System")
	}
	dir := cfg.Dir
	if dir == "" || dir[0] != '/' {
		return nil, fmt.Errorf("interp: directory %q is not absolute", cfg.Dir)
	}
	in := &Interp{
		sh: &shared{
			self:        cfg.Self,
			pid:         cfg.Pid,
			interactive: cfg.Interactive,
			sigWake:     make(chan struct{}, 1),
		},
		sys:  cfg.System,
		vars: make(map[string][]string, len(cfg.Env)+8),
		fns:  make(map[string]*function),
		fds:  []*os.File{cfg.Stdin, cfg.Stdout, cfg.Stderr},
		dir:  dir,
		main: true,
	}
	for i := 0; i < len(cfg.Flags); i++ {
		in.setFlag(cfg.Flags[i], true)
	}
	in.importEnv(cfg.Env)
	in.vars["*"] = cfg.Args
	if cfg.Name != "" {
		in.vars["0"] = []string{cfg.Name}
	}
	in.vars["pid"] = []string{strconv.Itoa(cfg.Pid)}
	in.envDirty = true
	return in, nil
}

// clone makes a copy of the thread's state for a goroutine: the same
// System and shared state, copies of the variables, functions and
// descriptor table.
func (in *Interp) clone() *Interp {
	c := &Interp{
		sh:       in.sh,
		sys:      in.sys,
		vars:     make(map[string][]string, len(in.vars)),
		fns:      make(map[string]*function, len(in.fns)),
		fds:      append([]*os.File(nil), in.fds...),
		dir:      in.dir,
		status:   in.status,
		flags:    in.flags,
		file:     in.file,
		ifnot:    in.ifnot,
		depth:    in.depth,
		noMount:  in.noMount,
		newPgrp:  in.newPgrp,
		envCache: in.envCache,
		envDirty: in.envDirty,
	}
	for k, v := range in.vars {
		c.vars[k] = v
	}
	for k, v := range in.fns {
		c.fns[k] = v
	}
	return c
}

// finish releases what a thread holds once it is done: pending process
// substitutions and a namespace of its own.
func (in *Interp) finish() {
	in.cleanup(0)
	if in.ownSys {
		in.sys.Close()
		in.ownSys = false
	}
}

// Close releases what the shell holds. The descriptors it was given stay
// open.
func (in *Interp) Close() error {
	in.finish()
	return nil
}

// Status is the current $status.
func (in *Interp) Status() string { return in.status }

// ExitCode is the process exit code for the current status (see
// [ExitCode]).
func (in *Interp) ExitCode() int { return ExitCode(in.status) }

// Dir is the current directory.
func (in *Interp) Dir() string { return in.dir }

// Lookup returns the value of a variable.
func (in *Interp) Lookup(name string) []string { return in.lookup(name) }

// Set assigns a variable, as name=(value...) would.
func (in *Interp) Set(name string, value []string) { in.setVar(name, value) }

// IsFunc reports whether name is a defined function, for example sigexit.
func (in *Interp) IsFunc(name string) bool {
	_, ok := in.fns[name]
	return ok
}

// Flag reports whether the single-letter flag c is set.
func (in *Interp) Flag(c byte) bool { return in.flags&flagBit(c) != 0 }

func flagBit(c byte) uint64 {
	switch {
	case c >= 'a' && c <= 'z':
		return 1 << (c - 'a')
	case c >= 'A' && c <= 'Z':
		return 1 << (26 + c - 'A')
	}
	return 0
}

func (in *Interp) setFlag(c byte, on bool) {
	if on {
		in.flags |= flagBit(c)
	} else {
		in.flags &^= flagBit(c)
	}
}

// RunOptions changes how Run runs a file.
type RunOptions struct {
	// ExecLast replaces the shell with the last command of the file when
	// that is a simple command running a program and nothing is left to
	// do after it (no sigexit function), as other shells do for sh -c.
	ExecLast bool
}

// Run runs the commands of f in order. It returns nil, or ErrExit or
// ErrAbort (see their documentation); the status is in Status.
func (in *Interp) Run(f *syntax.File, opts RunOptions) error {
	file := in.file
	in.file = f.Name
	defer func() { in.file = file }()
	for i, c := range f.Stmts {
		if opts.ExecLast && i == len(f.Stmts)-1 {
			in.tail = tailCandidate(c)
		}
		err := in.run(c)
		in.tail = nil
		if err != nil {
			return err
		}
	}
	return nil
}

// tailCandidate returns the simple command that may end the shell by
// exec when c is the last command: c itself, or the command after its
// local assignments.
func tailCandidate(c syntax.Cmd) *syntax.Simple {
	for {
		switch x := c.(type) {
		case *syntax.Simple:
			return x
		case *syntax.Assign:
			if x.X == nil {
				return nil
			}
			c = x.X
		default:
			return nil
		}
	}
}

// Exit runs the sigexit function, if there is one, and returns the exit
// code of the final status.
func (in *Interp) Exit() int {
	if fn, ok := in.fns["sigexit"]; ok {
		delete(in.fns, "sigexit") // run it once, even if it exits
		status := in.status
		in.callFunc(fn, []string{"sigexit"}, syntax.Pos{})
		in.status = status
	}
	return in.ExitCode()
}

// errorf writes an error message on the shell's standard error:
// nsh: [FILE:LINE: ]message.
func (in *Interp) errorf(pos syntax.Pos, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	prefix := "nsh: "
	if pos.Line > 0 && in.file != "" {
		prefix += in.file + ":" + strconv.Itoa(pos.Line) + ": "
	}
	in.writeErr(prefix + msg + "\n")
}

func (in *Interp) writeErr(s string) {
	if w := in.fd(2); w != nil {
		io.WriteString(w, s)
	}
}

// abort reports an error that abandons the command (see ErrAbort).
func (in *Interp) abort(pos syntax.Pos, format string, args ...any) error {
	in.errorf(pos, format, args...)
	in.status = fmt.Sprintf(format, args...)
	return ErrAbort
}

// fd returns descriptor n, or nil when it is closed.
func (in *Interp) fd(n int) *os.File {
	if n < len(in.fds) {
		return in.fds[n]
	}
	return nil
}

// setFd makes f descriptor n, growing the table as needed.
func (in *Interp) setFd(n int, f *os.File) {
	for len(in.fds) <= n {
		in.fds = append(in.fds, nil)
	}
	in.fds[n] = f
}

// files is the descriptor table for a child: trailing closed
// descriptors dropped.
func (in *Interp) files() []*os.File {
	n := len(in.fds)
	for n > 0 && in.fds[n-1] == nil {
		n--
	}
	return in.fds[:n:n]
}

// Chdir changes the shell's directory, as cd does but without $cdpath.
func (in *Interp) Chdir(dir string) error {
	abs := in.abs(dir)
	fi, err := in.sys.Stat(abs)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return &fs.PathError{Op: "cd", Path: dir, Err: errNotDir}
	}
	in.dir = abs
	return nil
}
