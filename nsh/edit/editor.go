package edit

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/peterh/liner"
)

// The errors ReadCommand returns besides io.EOF.
var (
	// ErrInterrupted: Ctrl-C at a prompt discarded the command being
	// typed (liner has already shown ^C). The shell sets $status and
	// reads the next command.
	ErrInterrupted = errors.New("interrupted")
	// ErrIncomplete: Ctrl-D at a continuation prompt (or end of input)
	// ended a command that was not complete; it is discarded. The shell
	// reports it as rc does, "nsh: syntax error near end of file", and
	// reads the next command.
	ErrIncomplete = errors.New("syntax error near end of file")
)

// Config says how an Editor prompts, when a command is complete, and
// where its history and completions come from.
type Config struct {
	// Prompt returns the prompt for the next line: the first line of a
	// command when continuation is false (rc's $prompt(1), after running
	// fn prompt), a later line when it is true ($prompt(2)). It is called
	// before every line. A prompt may hold newlines, colours and tabs
	// (see SplitPrompt and SanitizePrompt). nil means no prompt.
	Prompt func(continuation bool) string
	// Incomplete reports whether src, every line read so far for this
	// command, each ending in a newline, needs more lines to be a
	// command (the parser met the end of its input inside a construct).
	// nil means every line is a command.
	Incomplete func(src string) bool
	// Names supplies Tab completion; nil turns completion off.
	Names Names
	// HistoryFile is the file commands are appended to and recalled
	// from; "" keeps no history. See DefaultHistoryFile.
	//
	// Each command is appended (O_APPEND, under flock) as it is entered,
	// as one line: a newline in it is stored as \n, a byte that is not
	// UTF-8 as \xHH, and a backslash before n, x or another backslash
	// doubled. The file and its missing directories are made with modes
	// 0600 and 0700. The last HistoryLimit commands are loaded for
	// recall; a file grown past twice that is rewritten to them (a new
	// file renamed over the old).
	HistoryFile string
	// Warn reports a problem that does not stop reading, such as a
	// history file that cannot be written; it is told once until the
	// problem goes away. nil prints "nsh: " and the error on standard
	// error.
	Warn func(error)
}

// An Editor reads commands from the terminal on standard input (fd 0),
// editing them with liner, which writes to standard output (fd 1). Its
// methods must be called from one goroutine. ReadCommand replaces
// os.Stdin for a moment when it makes liner's state (at the first editing
// prompt, and again after the terminal was too narrow): nothing else may
// use the variable os.Stdin while ReadCommand runs.
type Editor struct {
	cfg Config

	isTTY   bool // standard input is a terminal
	editing bool // liner may edit: both ends are terminals that liner supports
	cooked  *termMode
	raw     *termMode
	reader  *byteReader

	ln     *liner.State
	lnCols int      // the width liner last measured
	pipeR  *os.File // liner reads the terminal's bytes from here
	pipeW  *os.File
	hup    bool // the terminal hung up or input ended for good

	hist     []string // commands for recall, oldest first
	histPath string
	warned   bool
}

// New returns an Editor reading standard input. Standard input need not be
// a terminal (nsh -i < file): then lines are read without editing, one
// byte at a time, so that nothing meant for a command is read; the shell
// decides with IsTerminal whether to prompt at all. New loads the history
// file (reporting a failure through Warn, not as an error).
func New(cfg Config) (*Editor, error) {
	e := &Editor{cfg: cfg}
	r, err := newByteReader(stdinFd)
	if err != nil {
		return nil, fmt.Errorf("line editor: %w", err)
	}
	e.reader = r
	if e.isTTY = IsTerminal(os.Stdin); e.isTTY {
		if err := e.SaveTerminalMode(); err != nil {
			r.close()
			return nil, err
		}
	}
	e.editing = e.isTTY && IsTerminal(os.Stdout) && liner.TerminalSupported()
	if err := e.SetHistoryFile(cfg.HistoryFile); err != nil {
		e.warn(err)
	}
	return e, nil
}

// ReadCommand shows the first prompt and reads lines, showing the
// continuation prompt before each further one, until Config.Incomplete no
// longer calls the text incomplete. It returns that text, each line ending
// in a newline (a line of only a newline when Enter was pressed on an
// empty prompt), and appends it to the history unless it is blank or
// repeats the previous command.
//
// It returns io.EOF for Ctrl-D at an empty first prompt, or when input
// ends or the terminal hangs up; ErrInterrupted for Ctrl-C, and
// ErrIncomplete for Ctrl-D (or end of input) at a continuation prompt,
// each with the discarded text. The terminal is in its cooked mode when
// ReadCommand returns.
//
// While liner edits, Ctrl-C and Ctrl-\ are keys, not signals. When a line
// is read without liner, Ctrl-C raises SIGINT: ReadCommand catches it for
// the time it reads and returns ErrInterrupted, and the shell's own
// handler, which sees the signal too, should let it pass when no command
// is running.
func (e *Editor) ReadCommand() (string, error) {
	if e.hup {
		return "", io.EOF
	}
	var buf strings.Builder
	for {
		cont := buf.Len() > 0
		p := ""
		if e.cfg.Prompt != nil {
			p = e.cfg.Prompt(cont)
		}
		line, err := e.readLine(p)
		switch {
		case err == ErrInterrupted:
			return buf.String(), ErrInterrupted
		case err == io.EOF && cont:
			return buf.String(), ErrIncomplete
		case err != nil:
			return "", err
		}
		buf.WriteString(line)
		buf.WriteByte('\n')
		src := buf.String()
		if e.cfg.Incomplete != nil && e.cfg.Incomplete(src) {
			continue
		}
		e.remember(strings.TrimSuffix(src, "\n"))
		return src, nil
	}
}

// readLine shows prompt p and reads one line, without its newline.
func (e *Editor) readLine(p string) (string, error) {
	before, last := SplitPrompt(p)
	last = SanitizePrompt(last)
	if e.editing && columns(stdoutFd) >= utf8.RuneCountInString(last)+minWorkingSpace {
		line, err := e.linerLine(before, last)
		if err != errLinerFailed {
			return line, err
		}
		os.Stdout.WriteString("\n")
	}
	return e.plainLine(p)
}

// SaveTerminalMode records the terminal's present mode as the one to
// restore after each prompt. The shell calls it after a foreground
// command exits normally, so that a change made by stty sticks. (After a
// command killed by a signal, which may have left the terminal raw, it
// calls RestoreTerminalMode instead.) It does nothing when standard input
// is not a terminal.
func (e *Editor) SaveTerminalMode() error {
	if !e.isTTY {
		return nil
	}
	m, err := getMode(stdinFd)
	if err != nil {
		return fmt.Errorf("line editor: terminal mode: %w", err)
	}
	e.cooked, e.raw = m, m.rawMode()
	return nil
}

// RestoreTerminalMode puts the terminal back in the mode last saved.
func (e *Editor) RestoreTerminalMode() error {
	if !e.isTTY {
		return nil
	}
	if err := e.cooked.apply(stdinFd); err != nil {
		return fmt.Errorf("line editor: terminal mode: %w", err)
	}
	return nil
}

// HistoryFile returns the history file in use, "" for none.
func (e *Editor) HistoryFile() string { return e.histPath }

// SetHistoryFile switches to another history file ("" for none), as when
// the shell's $history changes: the commands for recall become the
// file's. An error in loading it is returned; the file is used anyway.
func (e *Editor) SetHistoryFile(path string) error {
	e.histPath, e.warned = path, false
	e.hist = nil
	var err error
	if path != "" {
		e.hist, err = loadHistory(path)
	}
	if e.ln != nil {
		e.ln.ClearHistory()
		e.fillLinerHistory()
	}
	return err
}

// remember adds a command to the history for recall and to the file.
func (e *Editor) remember(cmd string) {
	if strings.TrimSpace(cmd) == "" || len(e.hist) > 0 && e.hist[len(e.hist)-1] == cmd {
		return
	}
	e.hist = append(e.hist, cmd)
	if len(e.hist) > HistoryLimit {
		e.hist = e.hist[len(e.hist)-HistoryLimit:]
	}
	if e.ln != nil && utf8.ValidString(cmd) {
		e.ln.AppendHistory(toDisplay(cmd))
	}
	if e.histPath == "" {
		return
	}
	if err := appendHistory(e.histPath, cmd); err != nil {
		if !e.warned {
			e.warn(err)
		}
		e.warned = true
		return
	}
	e.warned = false
}

func (e *Editor) warn(err error) {
	if e.cfg.Warn != nil {
		e.cfg.Warn(err)
		return
	}
	fmt.Fprintf(os.Stderr, "nsh: %v\n", err)
}

// Close gives the terminal back in its cooked mode and releases what the
// Editor holds.
func (e *Editor) Close() error {
	if e.ln != nil {
		e.ln.Close()
		e.ln = nil
	}
	err := e.RestoreTerminalMode()
	e.reader.close()
	if e.pipeR != nil {
		e.pipeR.Close()
		e.pipeW.Close()
	}
	return err
}

// The Editor works on the standard descriptors, as liner does. It uses the
// numbers rather than os.Stdin.Fd(), which would make a non-blocking
// descriptor blocking under the feet of the terminal's other processes.
const (
	stdinFd  = 0
	stdoutFd = 1
)
