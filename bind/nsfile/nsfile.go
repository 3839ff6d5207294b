// Package nsfile reads nsh namespace files (Plan 9's namespace(6)): one
// directive a line, bind, mount, unmount, cd, clear and ". file", with rc
// quoting and $variables. It only parses; package bind applies the result.
//
// Differences from Plan 9's newns, all in the direction of saying what went
// wrong: an error is reported as FILE:LINE: reason and stops the file
// (a -q flag on the line keeps Plan 9's silent failure), unknown directives
// and flags are errors, and an unset variable is an error rather than an
// empty word. As in Plan 9, # starts a comment only as the first non-blank
// character of a line (so bind #c /dev needs no quotes), a variable name
// ends at / . ! ' $ or a blank, and a variable holding a list gives its first
// element. Quoted words may span lines, as in rc, so that names holding
// newlines survive a round trip through ns.
package nsfile

import (
	"fmt"
	"strings"
)

// Op is one directive.
type Op struct {
	// Line is the line the directive starts on.
	Line int
	// Cmd is "bind", "mount", "unmount", "cd", "clear" or ".".
	Cmd string
	// Flags holds the flag letters given, in order ("bc", "q").
	Flags string
	// Args are the operands, after quoting and variables.
	Args []string
}

// Has reports whether flag letter c was given.
func (o Op) Has(c byte) bool { return strings.IndexByte(o.Flags, c) >= 0 }

// Quiet reports -q: errors of this line are ignored.
func (o Op) Quiet() bool { return o.Has('q') }

// Error is a parse error at a line of a file.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// syntax describes each directive: the flags it takes and its operands.
var syntax = map[string]struct {
	flags    string
	min, max int
	usage    string
}{
	"bind":    {"abcCq", 2, 2, "bind [-abcq] new old"},
	"mount":   {"abcCq", 2, 3, "mount [-abcCq] addr old [aname]"},
	"unmount": {"q", 1, 2, "unmount [new] old"},
	"cd":      {"", 1, 1, "cd dir"},
	"clear":   {"", 0, 0, "clear"},
	".":       {"q", 1, 1, ". [-q] file"},
}

// Parse reads a namespace file. name is used in errors; lookup returns a
// variable's value (nil if unset).
func Parse(name string, src []byte, lookup func(string) []string) ([]Op, error) {
	lx := &lexer{src: string(src), line: 1, lookup: lookup}
	var ops []Op
	for {
		words, line, err := lx.directive()
		if err != nil {
			return ops, &Error{File: name, Line: lx.errLine, Msg: err.Error()}
		}
		if words == nil {
			if lx.eof() {
				return ops, nil
			}
			continue
		}
		op, err := build(words, line)
		if err != nil {
			return ops, &Error{File: name, Line: line, Msg: err.Error()}
		}
		ops = append(ops, op)
	}
}

// build checks a directive's words against its syntax.
func build(words []string, line int) (Op, error) {
	op := Op{Line: line, Cmd: words[0]}
	sx, ok := syntax[op.Cmd]
	if !ok {
		return op, fmt.Errorf("unknown directive %q (want bind, mount, unmount, cd, clear or .)", op.Cmd)
	}
	args := words[1:]
	for len(args) > 0 && len(args[0]) > 1 && args[0][0] == '-' {
		a := args[0]
		args = args[1:]
		if a == "--" {
			break
		}
		for _, c := range a[1:] {
			if !strings.ContainsRune(sx.flags, c) {
				return op, fmt.Errorf("%s: unknown flag -%c (usage: %s)", op.Cmd, c, sx.usage)
			}
			op.Flags += string(c)
		}
	}
	if op.Has('a') && op.Has('b') {
		return op, fmt.Errorf("%s: -a and -b exclude each other", op.Cmd)
	}
	if len(args) < sx.min || len(args) > sx.max {
		return op, fmt.Errorf("usage: %s", sx.usage)
	}
	if len(args) > 0 {
		op.Args = args
	}
	return op, nil
}

// Fields splits s into rc words, honouring quotes; variables are not
// expanded ($ is an ordinary character). It reads the source of a 9P mount
// as the bridge writes it.
func Fields(s string) ([]string, error) {
	lx := &lexer{src: s, line: 1, literal: true}
	var out []string
	for {
		words, _, err := lx.directive()
		if err != nil {
			return nil, err
		}
		out = append(out, words...)
		if lx.eof() {
			return out, nil
		}
	}
}

// lexer splits the text into directives, each a list of words.
type lexer struct {
	src     string
	pos     int
	line    int
	errLine int
	lookup  func(string) []string
	literal bool // no comments, no variables: for Fields
}

func (lx *lexer) eof() bool { return lx.pos >= len(lx.src) }

func (lx *lexer) peek() byte {
	if lx.eof() {
		return 0
	}
	return lx.src[lx.pos]
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\r' }

// directive reads the words up to the end of a line (outside quotes). It
// returns nil words for a blank or comment line.
func (lx *lexer) directive() (words []string, line int, err error) {
	for !lx.eof() && isBlank(lx.peek()) {
		lx.pos++
	}
	line = lx.line
	lx.errLine = line
	if !lx.literal && lx.peek() == '#' {
		for !lx.eof() && lx.peek() != '\n' {
			lx.pos++
		}
	}
	for {
		for !lx.eof() && isBlank(lx.peek()) {
			lx.pos++
		}
		if lx.eof() {
			return words, line, nil
		}
		c := lx.peek()
		if c == '\n' {
			lx.pos++
			lx.line++
			return words, line, nil
		}
		if c == '\\' && lx.pos+1 < len(lx.src) && lx.src[lx.pos+1] == '\n' {
			// rc's line continuation.
			lx.pos += 2
			lx.line++
			continue
		}
		w, err := lx.word()
		if err != nil {
			return nil, line, err
		}
		words = append(words, w)
	}
}

// word reads one word: runs of plain characters, quoted strings and
// variables, concatenated.
func (lx *lexer) word() (string, error) {
	var b strings.Builder
	for !lx.eof() {
		c := lx.peek()
		switch {
		case isBlank(c) || c == '\n':
			return b.String(), nil
		case c == '\\' && lx.pos+1 < len(lx.src) && lx.src[lx.pos+1] == '\n':
			return b.String(), nil
		case c == '\'':
			s, err := lx.quoted()
			if err != nil {
				return "", err
			}
			b.WriteString(s)
		case c == '$' && !lx.literal:
			v, err := lx.variable()
			if err != nil {
				return "", err
			}
			b.WriteString(v)
		default:
			b.WriteByte(c)
			lx.pos++
		}
	}
	return b.String(), nil
}

// quoted reads a quoted string, in which two quotes in a row stand for one.
func (lx *lexer) quoted() (string, error) {
	start := lx.line
	lx.pos++ // opening quote
	var b strings.Builder
	for {
		if lx.eof() {
			lx.errLine = start
			return "", fmt.Errorf("unterminated quote")
		}
		c := lx.src[lx.pos]
		lx.pos++
		if c == '\'' {
			if lx.peek() == '\'' {
				lx.pos++
				b.WriteByte('\'')
				continue
			}
			return b.String(), nil
		}
		if c == '\n' {
			lx.line++
		}
		b.WriteByte(c)
	}
}

// variable reads $name and returns the variable's first element.
func (lx *lexer) variable() (string, error) {
	lx.pos++ // $
	start := lx.pos
	for !lx.eof() {
		c := lx.peek()
		if isBlank(c) || c == '\n' || strings.IndexByte("/.!'$", c) >= 0 {
			break
		}
		lx.pos++
	}
	name := lx.src[start:lx.pos]
	if name == "" {
		return "", fmt.Errorf("$ without a variable name")
	}
	var v []string
	if lx.lookup != nil {
		v = lx.lookup(name)
	}
	if len(v) == 0 {
		return "", fmt.Errorf("$%s: variable not set", name)
	}
	return v[0], nil
}
