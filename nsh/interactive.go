package nsh

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"

	"nsh.dev/nsh/nsh/edit"
	"nsh.dev/nsh/nsh/interp"
)

// An interactive nsh on a terminal reads its commands through a line
// editor (package edit): liner's editing, continuation lines, history and
// completion. Everything the editor needs to know of the shell it asks
// the interpreter, at the moment it needs it: the prompts from $prompt,
// the history file from $history, the names to complete from the
// interpreter's variables, functions and System.

// lineEditor is the CommandReader of an interactive nsh on a terminal.
type lineEditor struct {
	ed     *edit.Editor
	in     *interp.Interp
	stderr io.Writer
}

// terminalModes is what a reader that owns the terminal does after each
// command: keep the mode a command left (stty) or put back the last
// good one (a command killed by a signal may have left it raw).
type terminalModes interface {
	SaveTerminalMode() error
	RestoreTerminalMode() error
}

// newLineEditor makes the line editor for in. The editor works on the
// process's descriptors 0 and 1, which must be the terminal.
func newLineEditor(in *interp.Interp, stderr io.Writer) (*lineEditor, error) {
	le := &lineEditor{in: in, stderr: stderr}
	ed, err := edit.New(edit.Config{
		Prompt:      func(cont bool) string { return promptText(in, cont) },
		Incomplete:  Incomplete,
		Names:       shellNames{in},
		HistoryFile: historyFile(in),
		Warn:        le.warn,
	})
	if err != nil {
		return nil, err
	}
	le.ed = ed
	return le, nil
}

func (le *lineEditor) warn(err error) { fmt.Fprintf(le.stderr, "nsh: %v\n", err) }

// ReadCommand reads the next command. A change to $history since the
// last one takes effect first.
func (le *lineEditor) ReadCommand() (string, error) {
	if h := historyFile(le.in); h != le.ed.HistoryFile() {
		if err := le.ed.SetHistoryFile(h); err != nil {
			le.warn(err)
		}
	}
	return le.ed.ReadCommand()
}

// SaveTerminalMode keeps the terminal's present mode for after the
// prompts.
func (le *lineEditor) SaveTerminalMode() error { return le.ed.SaveTerminalMode() }

// RestoreTerminalMode puts back the mode last kept.
func (le *lineEditor) RestoreTerminalMode() error { return le.ed.RestoreTerminalMode() }

// Close gives the terminal back in its cooked mode.
func (le *lineEditor) Close() error { return le.ed.Close() }

// promptText is the prompt for a first line ($prompt(1)) or a
// continuation line ($prompt(2)); a missing element is no prompt.
func promptText(in *interp.Interp, continuation bool) string {
	p := in.Lookup("prompt")
	i := 0
	if continuation {
		i = 1
	}
	if i < len(p) {
		return p[i]
	}
	return ""
}

// historyFile is the history file $history names ("" for none), made
// absolute against the shell's directory.
func historyFile(in *interp.Interp) string {
	h := in.Lookup("history")
	if len(h) == 0 || h[0] == "" {
		return ""
	}
	if path.IsAbs(h[0]) {
		return path.Clean(h[0])
	}
	return path.Join(in.Dir(), h[0])
}

// setDefaultHistory gives $history its default value,
// $XDG_STATE_HOME/nsh/history, unless the environment set it: so that
// history=() turns the history off (in rc an empty list is no variable,
// so "unset" could not mean the default).
func setDefaultHistory(in *interp.Interp, stderr io.Writer) {
	if len(in.Lookup("history")) > 0 {
		return
	}
	file, err := edit.DefaultHistoryFile()
	if err != nil {
		fmt.Fprintf(stderr, "nsh: %v\n", err)
		return
	}
	in.Set("history", []string{file})
}

// shellNames is what Tab completes from: the interpreter's builtins,
// functions and variables, and files as the shell's System lists them,
// so that completion sees the shell's namespace (after rfork n, its
// private one) and not the editor's thread's.
type shellNames struct{ in *interp.Interp }

var _ edit.Names = shellNames{}

func (n shellNames) Builtins() []string       { return interp.Builtins() }
func (n shellNames) Functions() []string      { return n.in.Functions() }
func (n shellNames) Variables() []string      { return n.in.Variables() }
func (n shellNames) Var(name string) []string { return n.in.Lookup(name) }
func (n shellNames) Dir() string              { return n.in.Dir() }

func (n shellNames) ReadDir(dir string) ([]fs.DirEntry, error) {
	return n.in.System().ReadDir(dir)
}

func (n shellNames) Stat(name string) (fs.FileInfo, error) {
	return n.in.System().Stat(name)
}

// killedBySignal reports whether a status says that a program died of a
// signal: sigsegv, or a pipeline with such a member (sigint|0).
func killedBySignal(status string) bool {
	for _, s := range strings.Split(status, "|") {
		if strings.HasPrefix(s, "sig") && interp.ExitCode(s) > 128 {
			return true
		}
	}
	return false
}

// interrupted reports whether a status says that the command was
// interrupted: it, or a member of its pipeline, has the status sigint.
func interrupted(status string) bool {
	for _, s := range strings.Split(status, "|") {
		if s == "sigint" {
			return true
		}
	}
	return false
}

// stdinIsTerminal reports whether f is the process's standard input and
// a terminal: the line editor works on descriptor 0 itself.
func stdinIsTerminal(f *os.File) bool {
	return f == os.Stdin && edit.IsTerminal(f)
}
