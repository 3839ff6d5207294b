package nsh

import (
	"bufio"
	"errors"
	"io"
	"os"
	"strings"

	"nsh.dev/nsh/nsh/syntax"
)

// CommandReader gives the shell its commands one at a time: the text of
// one or more lines, each ending in a newline, that the parser no longer
// finds incomplete. At the end of the input it returns io.EOF (with the
// text of a last command that has no final newline, if any). An
// interactive line editor is one; so is the plain reader below.
type CommandReader interface {
	ReadCommand() (string, error)
}

// lineReader reads commands from a file that is not a terminal, or from
// a terminal when no editor was supplied. Like rc it reads ahead through
// a buffer: a program started by the shell that reads the same standard
// input does not see what the buffer has taken (feed it through a
// here document or another descriptor instead).
type lineReader struct {
	r      *bufio.Reader
	prompt func(continuation bool)
	echo   io.Writer // -v
}

func newLineReader(f *os.File) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(f, 64<<10)}
}

func (lr *lineReader) ReadCommand() (string, error) {
	var b strings.Builder
	for {
		if lr.prompt != nil {
			lr.prompt(b.Len() > 0)
		}
		line, err := lr.r.ReadString('\n')
		if lr.echo != nil && line != "" {
			io.WriteString(lr.echo, line)
		}
		b.WriteString(line)
		if err != nil {
			if err == io.EOF {
				return b.String(), io.EOF
			}
			return b.String(), err
		}
		if !Incomplete(b.String()) {
			return b.String(), nil
		}
	}
}

// Incomplete reports whether src, the lines read so far, needs more
// lines to be a command: the parser met its end inside a construct (an
// open brace or quote, a trailing pipe, a line ending in a backslash). A
// line editor asks this to decide between running and a continuation
// prompt.
func Incomplete(src string) bool {
	p := syntax.Parser{Partial: true, AfterIf: true}
	_, err := p.Parse([]byte(src))
	return syntax.IsIncomplete(err)
}

// quietReadError is satisfied by reader errors that need no message,
// such as a line editor's interrupt.
type quietReadError interface{ Quiet() bool }

func isQuietReadError(err error) bool {
	var q quietReadError
	return errors.As(err, &q) && q.Quiet()
}
