package syntax

import (
	"errors"
	"strconv"
)

// Error is a syntax error.
type Error struct {
	// Name is the name of the file (or "-c", "stdin").
	Name string
	// Pos is where the error was found.
	Pos Pos
	// Near is the offending token as it reads in a message: 'text',
	// newline or end of file.
	Near string
	// Reason, when not empty, says more than "syntax error".
	Reason string
	// Incomplete reports that the input ended early: more text could
	// make it valid (an open quote, brace or here document, a trailing
	// pipe). A shell reading lines keeps reading.
	Incomplete bool
}

// Error formats the error as FILE:LINE: syntax error near TOKEN[: REASON].
func (e *Error) Error() string {
	s := e.Name
	if s != "" {
		s += ":"
	}
	s += strconv.Itoa(e.Pos.Line) + ": syntax error near " + e.Near
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s
}

// IsIncomplete reports whether err is a syntax error that more input
// could resolve.
func IsIncomplete(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Incomplete
}
