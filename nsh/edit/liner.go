package edit

import (
	"errors"
	"io"
	"os"
	"time"
	"unicode/utf8"

	"github.com/peterh/liner"
)

// minWorkingSpace is the room liner needs beside the prompt; with less it
// stops editing.
const minWorkingSpace = 10

// enterGrace is how long the feeder waits, after passing on an Enter, for
// liner to return before it passes on more: liner keeps reading after
// Enter only while it asks whether to list many completions.
const enterGrace = 500 * time.Millisecond

// errLinerFailed says liner could not read the line; the Editor reads it
// without liner.
var errLinerFailed = errors.New("liner failed")

// linerLine reads a line with liner, showing before (printed as it is)
// and then the sanitised last line of the prompt.
func (e *Editor) linerLine(before, last string) (string, error) {
	if e.ln == nil || e.lnCols < utf8.RuneCountInString(last)+minWorkingSpace {
		// liner measures the width only inside an editing prompt: a
		// State that last saw too narrow a terminal would never edit.
		if err := e.newLiner(); err != nil {
			return "", errLinerFailed
		}
	}
	os.Stdout.WriteString(before)
	e.raw.apply(stdinFd)
	f := e.startFeed()
	line, err := e.ln.Prompt(last)
	f.end()
	e.lnCols = columns(stdoutFd)
	e.cooked.apply(stdinFd)
	switch {
	case err == nil:
		return fromDisplay(line), nil
	case errors.Is(err, liner.ErrPromptAborted):
		return "", ErrInterrupted
	case e.hup || err == io.EOF:
		return "", io.EOF
	default:
		e.lnCols = 0 // start afresh next time
		return "", errLinerFailed
	}
}

// newLiner makes (or remakes) the liner State. liner wraps os.Stdin in a
// buffered reader when it is made; it gets the read end of a pipe instead,
// fed by startFeed, so that it never reads more of the terminal than the
// line it edits.
func (e *Editor) newLiner() error {
	if e.ln != nil {
		e.ln.Close()
		e.ln = nil
	}
	// A fresh pipe each time: an old State's reader, if a failed prompt
	// left it running, must not take bytes meant for the new one.
	if e.pipeR != nil {
		e.pipeR.Close()
		e.pipeW.Close()
		e.pipeR, e.pipeW = nil, nil
	}
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	e.pipeR, e.pipeW = r, w
	e.cooked.apply(stdinFd)
	saved := os.Stdin
	os.Stdin = e.pipeR
	ln := liner.NewLiner()
	os.Stdin = saved
	ln.SetCtrlCAborts(true)
	ln.SetMultiLineMode(true)
	ln.SetTabCompletionStyle(liner.TabPrints)
	if names := e.cfg.Names; names != nil {
		ln.SetWordCompleter(func(line string, pos int) (string, []string, string) {
			// A recalled multi-line command shows ⏎ for each newline;
			// both are one rune, so positions agree.
			head, cands, tail := Complete(fromDisplay(line), pos, names)
			for i, c := range cands {
				cands[i] = toDisplay(c)
			}
			return toDisplay(head), cands, toDisplay(tail)
		})
	}
	e.ln = ln
	e.fillLinerHistory()
	e.lnCols = columns(stdoutFd)
	return nil
}

// fillLinerHistory gives liner the commands for recall. A command that is
// not UTF-8 is left out: liner edits runes, so recalling it would change
// it.
func (e *Editor) fillLinerHistory() {
	for _, c := range e.hist {
		if utf8.ValidString(c) {
			e.ln.AppendHistory(toDisplay(c))
		}
	}
}

// feed passes the terminal's bytes to liner during one prompt.
type feed struct {
	e    *Editor
	stop chan struct{}
	done chan struct{}
}

// startFeed starts passing bytes from the terminal to liner's pipe, one
// at a time. After an Enter it waits for the prompt to end rather than
// read on, so that what was typed ahead stays in the terminal for the
// command that runs next.
func (e *Editor) startFeed() *feed {
	e.reader.clearWake()
	e.pipeW.SetWriteDeadline(time.Time{})
	f := &feed{e: e, stop: make(chan struct{}), done: make(chan struct{})}
	go f.run()
	return f
}

func (f *feed) run() {
	defer close(f.done)
	for {
		b, err := f.e.reader.readByte()
		if err == errWoken {
			select {
			case <-f.stop:
				return
			default:
				f.e.reader.clearWake()
				continue
			}
		}
		if err == io.EOF {
			// Ctrl-D in cooked mode, which liner sets only when it has
			// fallen back to reading a plain line; a raw terminal
			// never reads as empty.
			continue
		}
		if err != nil {
			// The terminal hung up: liner sees the end of its input.
			f.e.hup = true
			f.e.pipeW.Close()
			return
		}
		if _, err := f.e.pipeW.Write([]byte{b}); err != nil {
			return
		}
		if b == '\r' || b == '\n' {
			t := time.NewTimer(enterGrace)
			select {
			case <-f.stop:
				t.Stop()
				return
			case <-t.C:
			}
		}
	}
}

// end stops the feed and waits until it no longer reads the terminal.
func (f *feed) end() {
	close(f.stop)
	f.e.reader.wakeUp()
	f.e.pipeW.SetWriteDeadline(time.Now())
	<-f.done
}
