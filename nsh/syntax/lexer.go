package syntax

// The lexer follows Plan 9 rc's (9front sys/src/cmd/rc/lex.c): the
// special characters are those of wordchr below, a quoted word is '...'
// with '' for a quote, a backslash before a newline joins lines, and # starts
// a comment. After a word, a following ( is a subscript and a following
// word, quote, backquote or $ gets a "free caret".

type tokKind uint8

const (
	tEOF tokKind = iota
	tError
	tNewline
	tSemi      // ;
	tAmp       // &
	tAndAnd    // &&
	tOrOr      // ||
	tPipe      // | |[n] |[n=m]
	tRedir     // < > >> <> << with an optional [n]
	tDup       // >[n=m] >[n=]
	tCaret     // ^, written or free
	tDollar    // $
	tCount     // $#
	tFlat      // $"
	tBackquote // `
	tLBrace    // {
	tRBrace    // }
	tLParen    // (
	tRParen    // )
	tSub       // ( right after a word: a subscript
	tEq        // =
	tWord
	// Keywords. Each is also an ordinary word where a word may appear.
	tFor
	tIn
	tWhile
	tIf
	tNot
	tTwiddle  // ~
	tBang     // !
	tSubshell // @
	tSwitch
	tFn
)

var keywords = map[string]tokKind{
	"for": tFor, "in": tIn, "while": tWhile, "if": tIf, "not": tNot,
	"~": tTwiddle, "!": tBang, "@": tSubshell, "switch": tSwitch, "fn": tFn,
}

func (k tokKind) isKeyword() bool { return k >= tFor }

type token struct {
	kind   tokKind
	pos    Pos
	start  int // byte offsets of the token's text in the source
	end    int
	text   string // a word's value
	quoted bool
	// redirections and pipes
	op         RedirOp
	rkind      RedirKind
	fd, fd2    int
	explicitFd bool // written with [n]
}

const eof = -1

var (
	isWordChar [256]bool // may appear in an unquoted word
	isIdChar   [256]bool // may appear in a variable name after $
)

func init() {
	for c := 0; c < 256; c++ {
		isWordChar[c] = true
		isIdChar[c] = c > ' '
	}
	for _, c := range []byte("\n \t#;&|^$=`'{}()<>") {
		isWordChar[c] = false
	}
	for _, c := range []byte("!\"#$%&'()+,-./:;<=>?@[\\]^`{|}~") {
		isIdChar[c] = false
	}
	isIdChar[0x7f] = false
}

func wordchr(c int) bool { return c >= 0 && isWordChar[c] }
func idchr(c int) bool   { return c >= 0 && isIdChar[c] }

type pendingHere struct {
	redir *Redir
	tag   string
}

type lexer struct {
	src       []byte
	off       int
	line, col int
	lastword  bool // the previous token was a word
	lastdol   bool // the previous token was $, $# or $"
	heres     []pendingHere
	contAtEnd bool // a backslash-newline ended the input
	err       *Error
	name      string
}

func (l *lexer) init(name string, src []byte, line int) {
	*l = lexer{src: src, line: line, col: 1, name: name}
}

func (l *lexer) pos() Pos { return Pos{l.line, l.col} }

// peek returns the next character, reading a backslash-newline as a space.
func (l *lexer) peek() int {
	if l.off >= len(l.src) {
		return eof
	}
	c := l.src[l.off]
	if c == '\\' && l.off+1 < len(l.src) && l.src[l.off+1] == '\n' {
		return ' '
	}
	return int(c)
}

// advance consumes the character peek returned.
func (l *lexer) advance() {
	if l.off >= len(l.src) {
		return
	}
	c := l.src[l.off]
	if c == '\\' && l.off+1 < len(l.src) && l.src[l.off+1] == '\n' {
		l.off += 2
		l.line++
		l.col = 1
		if l.off == len(l.src) {
			l.contAtEnd = true
		}
		return
	}
	l.advanceRaw()
}

// advanceRaw consumes one byte, with no line joining (inside quotes,
// comments and here documents).
func (l *lexer) advanceRaw() {
	if l.src[l.off] == '\n' {
		l.line++
		l.col = 1
	} else {
		l.col++
	}
	l.off++
}

func (l *lexer) skipWhite() {
	for {
		c := l.peek()
		switch {
		case c == '#':
			for l.off < len(l.src) && l.src[l.off] != '\n' {
				l.advanceRaw()
			}
		case c == ' ' || c == '\t':
			l.advance()
		default:
			return
		}
	}
}

func (l *lexer) fail(pos Pos, near, reason string, incomplete bool) token {
	l.err = &Error{Name: l.name, Pos: pos, Near: near, Reason: reason, Incomplete: incomplete}
	return token{kind: tError, pos: pos}
}

// eofNear describes the end of the input for an error message.
const eofNear = "end of file"

func (l *lexer) next() token {
	if l.lastword {
		l.lastword = false
		c := l.peek()
		if c == '(' {
			t := token{kind: tSub, pos: l.pos(), start: l.off}
			l.advance()
			t.end = l.off
			return t
		}
		if wordchr(c) || c == '\'' || c == '`' || c == '$' {
			return token{kind: tCaret, pos: l.pos(), start: l.off, end: l.off}
		}
	}
	dol := l.lastdol
	l.lastdol = false
	l.skipWhite()
	t := token{pos: l.pos(), start: l.off}
	c := l.peek()
	if c == eof {
		t.kind = tEOF
		t.end = l.off
		return t
	}
	l.advance()
	switch c {
	case '\n':
		t.kind = tNewline
		t.end = l.off
		if len(l.heres) > 0 {
			if bad := l.readHeres(); bad.kind == tError {
				return bad
			}
		}
		return t
	case '$':
		l.lastdol = true
		switch l.peek() {
		case '#':
			l.advance()
			t.kind = tCount
		case '"':
			l.advance()
			t.kind = tFlat
		default:
			t.kind = tDollar
		}
	case '&':
		t.kind = tAmp
		if l.peek() == '&' {
			l.advance()
			t.kind = tAndAnd
		}
	case '|':
		if l.peek() == '|' {
			l.advance()
			t.kind = tOrOr
			break
		}
		t.kind = tPipe
		t.fd, t.fd2 = 1, 0
		if bad := l.fdSpec(&t); bad.kind == tError {
			return bad
		}
	case '<', '>':
		t.kind = tRedir
		if c == '<' {
			t.op, t.fd = RedirRead, 0
			switch l.peek() {
			case '<':
				l.advance()
				t.op = RedirHere
			case '>':
				l.advance()
				t.op = RedirReadWrite
			}
		} else {
			t.op, t.fd = RedirWrite, 1
			if l.peek() == '>' {
				l.advance()
				t.op = RedirAppend
			}
		}
		if bad := l.fdSpec(&t); bad.kind == tError {
			return bad
		}
	case '\'':
		var buf []byte
		for {
			if l.off >= len(l.src) {
				return l.fail(t.pos, eofNear, "unterminated quote", true)
			}
			b := l.src[l.off]
			l.advanceRaw()
			if b == '\'' {
				if l.off < len(l.src) && l.src[l.off] == '\'' {
					l.advanceRaw()
				} else {
					break
				}
			}
			buf = append(buf, b)
		}
		t.kind = tWord
		t.text = string(buf)
		t.quoted = true
		l.lastword = true
	case ';':
		t.kind = tSemi
	case '^':
		t.kind = tCaret
	case '`':
		t.kind = tBackquote
	case '{':
		t.kind = tLBrace
	case '}':
		t.kind = tRBrace
	case '(':
		t.kind = tLParen
	case ')':
		t.kind = tRParen
	case '=':
		t.kind = tEq
	default:
		// A word. Its first character need only be a word character,
		// even after $: $-x is the variable - followed by x.
		start := l.off - 1
		for {
			c = l.peek()
			if dol && !idchr(c) || !dol && !wordchr(c) {
				break
			}
			l.advance()
		}
		t.text = string(l.src[start:l.off])
		t.kind = tWord
		if k, ok := keywords[t.text]; ok {
			t.kind = k
		} else {
			l.lastword = true
		}
	}
	t.end = l.off
	return t
}

// fdSpec reads the optional [n], [n=m] or [n=] after a redirection arrow
// or a pipe.
func (l *lexer) fdSpec(t *token) token {
	if l.peek() != '[' {
		return token{}
	}
	l.advance()
	what := "redirection"
	if t.kind == tPipe {
		what = "pipe"
	}
	bad := func() token {
		if l.peek() == eof {
			return l.fail(t.pos, eofNear, "unfinished "+what, true)
		}
		return l.fail(t.pos, "'"+string(l.src[t.start:l.off])+"'", "bad "+what+" descriptor", false)
	}
	n, ok := l.number()
	if !ok {
		return bad()
	}
	t.explicitFd = true
	t.fd = n
	if l.peek() == '=' {
		l.advance()
		if m, ok := l.number(); ok {
			if t.kind == tPipe {
				t.fd2 = m
			} else {
				t.kind = tDup
				t.rkind = RedirDup
				t.fd2 = m
			}
		} else {
			if t.kind == tPipe {
				return bad()
			}
			t.kind = tDup
			t.rkind = RedirClose
		}
	}
	if l.peek() != ']' {
		return bad()
	}
	l.advance()
	if t.kind == tDup && (t.op == RedirHere || t.op == RedirAppend) {
		return l.fail(t.pos, "'"+string(l.src[t.start:l.off])+"'", "bad "+what, false)
	}
	return token{}
}

func (l *lexer) number() (int, bool) {
	n, digits := 0, 0
	for {
		c := l.peek()
		if c < '0' || c > '9' {
			break
		}
		if n < 1<<20 {
			n = n*10 + c - '0'
		}
		digits++
		l.advance()
	}
	return n, digits > 0
}

// readHeres reads the bodies of the here documents begun on the line
// that just ended.
func (l *lexer) readHeres() token {
	heres := l.heres
	l.heres = nil
	for _, h := range heres {
		var body []byte
		for {
			if l.off >= len(l.src) {
				return l.fail(h.redir.OpPos, eofNear, "here document '"+h.tag+"' is not terminated", true)
			}
			end := l.off
			for end < len(l.src) && l.src[end] != '\n' {
				end++
			}
			line := l.src[l.off:end]
			last := end == len(l.src)
			for l.off < end {
				l.advanceRaw()
			}
			if !last {
				l.advanceRaw()
			}
			if string(line) == h.tag {
				break
			}
			if last {
				return l.fail(h.redir.OpPos, eofNear, "here document '"+h.tag+"' is not terminated", true)
			}
			body = append(body, line...)
			body = append(body, '\n')
		}
		h.redir.Here.Body = string(body)
	}
	return token{}
}
