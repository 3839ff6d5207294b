package interp

import (
	"io"
	"os"
	"strconv"
	"strings"

	"nsh.dev/nsh/nsh/syntax"
)

var noPos syntax.Pos

// builtinFunc runs a builtin with its arguments (argv[0] is its name).
// It sets the status; an error abandons the command or ends the shell.
type builtinFunc func(in *Interp, argv []string, pos syntax.Pos) error

// builtin returns the builtin called name, or nil.
func builtin(name string) builtinFunc {
	switch name {
	case ".":
		return bDot
	case "builtin":
		return bBuiltin
	case "cd":
		return bCd
	case "eval":
		return bEval
	case "exec":
		return bExec
	case "exit":
		return bExit
	case "flag":
		return bFlag
	case "help":
		return bHelp
	case "shift":
		return bShift
	case "wait":
		return bWait
	case "whatis":
		return bWhatis
	case "bind":
		return bBind
	case "mount":
		return bMount
	case "unmount":
		return bUnmount
	case "ns":
		return bNs
	case "rfork":
		return bRfork
	}
	return nil
}

// IsBuiltin reports whether name is a builtin command.
func IsBuiltin(name string) bool { return builtin(name) != nil }

// usage reports a builtin called the wrong way.
func (in *Interp) usage(text string) error {
	in.writeErr("usage: " + text + "\n")
	in.status = statusUsage
	return nil
}

// fail reports a builtin's error as nsh: NAME: reason and sets the
// status to the reason.
func (in *Interp) fail(name, reason, status string) error {
	in.errorf(noPos, "%s: %s", name, reason)
	if status == "" {
		status = name + ": " + reason
	}
	in.status = status
	return nil
}

// . [-i] file [arg ...] runs the commands of a file in this shell, with
// $* set to the arguments when there are some. A file named without a /
// is looked for in $path.
func bDot(in *Interp, argv []string, pos syntax.Pos) error {
	args := argv[1:]
	if len(args) > 0 && args[0] == "-i" {
		args = args[1:]
	}
	if len(args) == 0 {
		return in.usage(". [-i] file [arg ...]")
	}
	name := args[0]
	file := name
	if !strings.Contains(name, "/") {
		for _, dir := range in.lookup("path") {
			f := in.abs(dir + "/" + name)
			if fi, err := in.sys.Stat(f); err == nil && !fi.IsDir() {
				file = f
				break
			}
		}
	}
	f, owned, err := in.open(file, os.O_RDONLY)
	if err != nil {
		return in.abort(pos, ".: %s", pathError(name, err))
	}
	data, err := io.ReadAll(f)
	if owned {
		f.Close()
	}
	if err != nil {
		return in.abort(pos, ".: %s", pathError(name, err))
	}
	prog, err := syntax.Parse(name, data)
	if err != nil {
		in.writeErr("nsh: " + err.Error() + "\n")
		in.status = "syntax error"
		return ErrAbort
	}
	var saved savedVar
	if len(args) > 1 {
		saved = in.save("*")
		in.vars["*"] = args[1:len(args):len(args)]
	}
	if in.depth >= maxDepth {
		return in.abort(pos, ".: %s: files and functions nested too deeply", name)
	}
	fileName := in.file
	in.file = name
	in.depth++
	err = in.runList(prog.Stmts)
	in.depth--
	in.file = fileName
	if len(args) > 1 {
		in.restore(saved)
	}
	return err
}

// builtin cmd [arg ...] runs cmd as a builtin or a program, never as a
// function.
func bBuiltin(in *Interp, argv []string, pos syntax.Pos) error {
	if len(argv) < 2 {
		return in.usage("builtin command [arg ...]")
	}
	if b := builtin(argv[1]); b != nil {
		return b(in, argv[1:], pos)
	}
	return in.external(argv[1:], pos, false)
}

// cd [dir] changes the shell's directory: to $home without an argument,
// otherwise to dir, looked for in each directory of $cdpath unless it
// begins with /, ./ or ../.
func bCd(in *Interp, argv []string, pos syntax.Pos) error {
	var dir string
	switch len(argv) {
	case 1:
		home := in.lookup("home")
		if len(home) == 0 {
			return in.fail("cd", "no $home", "can't cd")
		}
		dir = home[0]
	case 2:
		dir = argv[1]
	default:
		return in.usage("cd [directory]")
	}
	// Each candidate, and whether to show where cd went: as in Plan 9,
	// when $cdpath found it somewhere other than here.
	type cand struct {
		dir  string
		show bool
	}
	cands := []cand{{dir, false}}
	if !strings.HasPrefix(dir, "/") && !strings.HasPrefix(dir, "./") && !strings.HasPrefix(dir, "../") && dir != "." && dir != ".." {
		if cdpath := in.lookup("cdpath"); len(cdpath) > 0 {
			cands = cands[:0]
			for _, p := range cdpath {
				if p == "" || p == "." {
					cands = append(cands, cand{dir, false})
				} else {
					cands = append(cands, cand{p + "/" + dir, true})
				}
			}
		}
	}
	var first error
	for _, c := range cands {
		abs := in.abs(c.dir)
		fi, err := in.sys.Stat(abs)
		if err == nil && !fi.IsDir() {
			err = errNotDir
		}
		if err == nil {
			in.dir = abs
			in.status = ""
			if c.show {
				in.writeErr(c.dir + "\n")
			}
			return nil
		}
		if first == nil {
			first = err
		}
	}
	return in.fail("cd", pathError(dir, first), "can't cd")
}

type constError string

func (e constError) Error() string { return string(e) }

const errNotDir = constError("not a directory")

// eval arg ... runs its arguments, joined by spaces, as commands.
func bEval(in *Interp, argv []string, pos syntax.Pos) error {
	src := strings.Join(argv[1:], " ")
	p := syntax.Parser{Name: "eval", AfterIf: true}
	prog, err := p.Parse([]byte(src))
	if err != nil {
		in.writeErr("nsh: " + err.Error() + "\n")
		in.status = "syntax error"
		return ErrAbort
	}
	return in.runList(prog.Stmts)
}

// exec cmd [arg ...] replaces the shell with a program.
func bExec(in *Interp, argv []string, pos syntax.Pos) error {
	if len(argv) < 2 {
		in.status = ""
		return nil
	}
	args := argv[1:]
	file, status, reason := in.findProgram(args[0])
	if status != "" {
		in.errorf(noPos, "exec: %s: %s", args[0], reason)
		in.status = status
		return ErrExit
	}
	err := in.sys.Exec(&ProcAttr{
		Path:  file,
		Args:  args,
		Env:   in.environ(),
		Dir:   in.dir,
		Files: in.files(),
	})
	in.startFailed(args[0], err)
	return ErrExit
}

// exit [status] ends the shell with the status given, or the current one.
func bExit(in *Interp, argv []string, pos syntax.Pos) error {
	if len(argv) > 1 {
		in.status = strings.Join(argv[1:], " ")
	}
	return ErrExit
}

// flag f [+-] tests, sets or clears one of the shell's flags.
func bFlag(in *Interp, argv []string, pos syntax.Pos) error {
	if len(argv) < 2 || len(argv) > 3 || len(argv[1]) != 1 || flagBit(argv[1][0]) == 0 {
		return in.usage("flag f [+-]")
	}
	c := argv[1][0]
	if len(argv) == 2 {
		if in.Flag(c) {
			in.status = ""
		} else {
			in.status = "flag not set"
		}
		return nil
	}
	switch argv[2] {
	case "+":
		in.setFlag(c, true)
	case "-":
		in.setFlag(c, false)
	default:
		return in.usage("flag f [+-]")
	}
	in.status = ""
	return nil
}

// shift [n] drops the first n (1) elements of $*.
func bShift(in *Interp, argv []string, pos syntax.Pos) error {
	n := 1
	if len(argv) > 2 {
		return in.usage("shift [n]")
	}
	if len(argv) == 2 {
		var err error
		if n, err = strconv.Atoi(argv[1]); err != nil || n < 0 {
			return in.usage("shift [n]")
		}
	}
	args := in.vars["*"]
	if n > len(args) {
		return in.fail("shift", "not enough arguments", "")
	}
	in.vars["*"] = args[n:len(args):len(args)]
	in.status = ""
	return nil
}

// wait [pid] waits for the background program pid, or for all of them.
func bWait(in *Interp, argv []string, pos syntax.Pos) error {
	switch len(argv) {
	case 1:
		in.status = ""
		return in.waitJobs(0)
	case 2:
		pid, err := strconv.Atoi(argv[1])
		if err != nil || pid <= 0 {
			return in.usage("wait [pid]")
		}
		in.status = ""
		return in.waitJobs(pid)
	}
	return in.usage("wait [pid]")
}

// whatis name ... prints what each name is, as rc input: the variable's
// value, the function's definition, builtin name, or the program's path.
func bWhatis(in *Interp, argv []string, pos syntax.Pos) error {
	if len(argv) < 2 {
		return in.usage("whatis name ...")
	}
	var out strings.Builder
	in.status = ""
	for _, name := range argv[1:] {
		found := false
		if v := in.lookup(name); len(v) > 0 {
			out.WriteString(FormatAssign(name, v) + "\n")
			found = true
		}
		if fn, ok := in.fns[name]; ok {
			out.WriteString("fn " + syntax.Quote(name) + " " + fn.source() + "\n")
			continue
		}
		if builtin(name) != nil {
			out.WriteString("builtin " + name + "\n")
			continue
		}
		if file, status, _ := in.findProgram(name); status == "" {
			out.WriteString(file + "\n")
			continue
		}
		if !found {
			in.flush(&out)
			in.fail("whatis", name+": not found", statusNotFound)
		}
	}
	in.flush(&out)
	return nil
}

func (in *Interp) flush(b *strings.Builder) {
	if b.Len() > 0 {
		if w := in.fd(1); w != nil {
			io.WriteString(w, b.String())
		}
		b.Reset()
	}
}

// FormatAssign writes a variable's value as an rc assignment: x=a,
// x=(a b), x=().
func FormatAssign(name string, v []string) string {
	s := syntax.Quote(name) + "="
	if len(v) == 1 {
		return s + syntax.Quote(v[0])
	}
	s += "("
	for i, e := range v {
		if i > 0 {
			s += " "
		}
		s += syntax.Quote(e)
	}
	return s + ")"
}
