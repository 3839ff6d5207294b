package syntax

import (
	"fmt"
	"strconv"
)

// Parser holds the options of a parse. The zero Parser parses a whole
// file named "".
type Parser struct {
	// Name is the file name that errors report.
	Name string
	// Line is the number of the first line of the text; 0 means 1.
	Line int
	// Partial says that more text may follow, as when a shell reads
	// standard input line by line: a backslash-newline at the very end
	// then makes the text incomplete rather than finished.
	Partial bool
	// AfterIf says that the text follows an if command, so that it may
	// begin with if not.
	AfterIf bool
}

// Parse parses a whole script. Errors are of type [*Error].
func Parse(name string, src []byte) (*File, error) {
	p := Parser{Name: name}
	return p.Parse(src)
}

// Parse parses src. Errors are of type [*Error].
func (cfg *Parser) Parse(src []byte) (f *File, err error) {
	line := cfg.Line
	if line <= 0 {
		line = 1
	}
	p := &parser{name: cfg.Name}
	p.lx.init(cfg.Name, src, line)
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(*Error)
			if !ok {
				panic(r)
			}
			f, err = nil, e
		}
	}()
	p.next()
	stmts := p.list(tEOF, cfg.AfterIf)
	if len(p.lx.heres) > 0 {
		h := p.lx.heres[0]
		panic(&Error{Name: p.name, Pos: h.redir.OpPos, Near: eofNear,
			Reason: "here document '" + h.tag + "' is not terminated", Incomplete: true})
	}
	if cfg.Partial && p.lx.contAtEnd {
		panic(&Error{Name: p.name, Pos: p.tok.pos, Near: eofNear,
			Reason: "the line continues", Incomplete: true})
	}
	return &File{Name: cfg.Name, Stmts: stmts}, nil
}

type opening struct {
	what string
	pos  Pos
}

type parser struct {
	lx     lexer
	name   string
	tok    token
	peeked *token
	ifOK   bool      // the command being parsed may be if not
	open   []opening // unclosed brackets, for messages at end of file
	depth  int       // nesting, bounded by maxNesting
}

// maxNesting bounds how deeply commands and words may nest, so that
// pathological input gives an error rather than exhausting the stack.
const maxNesting = 1000

func (p *parser) enter() {
	p.depth++
	if p.depth > maxNesting {
		panic(&Error{Name: p.name, Pos: p.tok.pos, Near: p.describe(p.tok), Reason: "nested too deeply"})
	}
}

func (p *parser) leave() { p.depth-- }

func (p *parser) next() {
	if p.peeked != nil {
		p.tok = *p.peeked
		p.peeked = nil
	} else {
		p.tok = p.lx.next()
	}
	if p.tok.kind == tError {
		panic(p.lx.err)
	}
}

// peek returns the token after the current one. It is only used after
// a redirection arrow, where lexing ahead cannot depend on the parser.
func (p *parser) peek() token {
	if p.peeked == nil {
		t := p.lx.next()
		if t.kind == tError {
			panic(p.lx.err)
		}
		p.peeked = &t
	}
	return *p.peeked
}

func (p *parser) describe(t token) string {
	switch t.kind {
	case tEOF:
		return eofNear
	case tNewline:
		return "newline"
	case tCaret:
		return "'^'"
	}
	return "'" + string(p.lx.src[t.start:t.end]) + "'"
}

// fail reports a syntax error at t. The error is incomplete when t is the
// end of the input, or a token that touches it and could grow into
// another.
func (p *parser) fail(t token, reason string) {
	e := &Error{Name: p.name, Pos: t.pos, Near: p.describe(t), Reason: reason}
	switch {
	case t.kind == tEOF:
		e.Incomplete = true
		if e.Pos.Col == 1 && e.Pos.Line > 1 && t.start > 0 && p.lx.src[t.start-1] == '\n' {
			e.Pos.Line-- // report the last line, not the empty one after it
		}
		if n := len(p.open); n > 0 && reason == "" {
			o := p.open[n-1]
			e.Reason = fmt.Sprintf("%s on line %d is not closed", o.what, o.pos.Line)
		}
	case t.end == len(p.lx.src) && canGrow(t):
		e.Incomplete = true
	case t.kind == tRedir && p.peeked != nil && p.peeked.kind == tEOF:
		// < or > at the end may yet begin <{cmd}.
		e.Incomplete = true
	}
	panic(e)
}

// canGrow reports whether more characters right after t could make it
// another token: a longer word, a keyword, || for |, >> for >, >[2] for >.
func canGrow(t token) bool {
	switch t.kind {
	case tWord:
		return !t.quoted
	case tAmp:
		return true
	case tPipe, tRedir:
		return !t.explicitFd
	}
	return t.kind.isKeyword()
}

func (p *parser) expect(k tokKind) {
	if p.tok.kind != k {
		p.fail(p.tok, "")
	}
}

func (p *parser) push(what string) { p.open = append(p.open, opening{what, p.tok.pos}) }
func (p *parser) pop()             { p.open = p.open[:len(p.open)-1] }

func (p *parser) skipNewlines() {
	for p.tok.kind == tNewline {
		p.next()
	}
}

func isIf(c Cmd) bool {
	switch c.(type) {
	case *If, *IfNot:
		return true
	}
	return false
}

// list parses commands separated by ; & and newlines, up to end, which it
// leaves unread.
func (p *parser) list(end tokKind, afterIf bool) []Cmd {
	var cmds []Cmd
	prevIf := afterIf
	for {
		p.ifOK = prevIf
		c := p.cmd()
		switch p.tok.kind {
		case tSemi, tNewline:
			p.next()
		case tAmp:
			if c == nil {
				p.fail(p.tok, "")
			}
			c = &Async{X: c, Amp: p.tok.pos}
			p.next()
		case end:
			if c != nil {
				cmds = append(cmds, c)
			}
			return cmds
		default:
			p.fail(p.tok, "")
		}
		if c != nil {
			cmds = append(cmds, c)
			prevIf = isIf(c)
		}
	}
}

// cmd parses cmd {&& cmd | || cmd}; it returns nil for an empty command.
func (p *parser) cmd() Cmd {
	x := p.unary(false)
	for p.tok.kind == tAndAnd || p.tok.kind == tOrOr {
		op := p.tok
		if x == nil {
			p.fail(op, "")
		}
		p.next()
		p.skipNewlines()
		y := p.unary(false)
		if y == nil {
			p.fail(p.tok, "")
		}
		x = &AndOr{OpPos: op.pos, Or: op.kind == tOrOr, X: x, Y: y}
	}
	return x
}

// unary parses the prefix forms (! @ redirection assignment), which take
// in the whole pipeline after them, then a pipeline. As the operand of a
// pipe (inPipe) a plain command is returned without its own pipes, for
// the caller to continue the pipeline.
func (p *parser) unary(inPipe bool) Cmd {
	p.enter()
	defer p.leave()
	ifOK := p.ifOK
	p.ifOK = false
	switch p.tok.kind {
	case tBang:
		pos := p.tok.pos
		p.next()
		return &Not{Bang: pos, X: p.required(p.unary(false))}
	case tSubshell:
		pos := p.tok.pos
		p.next()
		return &Subshell{At: pos, X: p.required(p.unary(false))}
	case tRedir, tDup:
		if !p.procSubstAhead() {
			r := p.redir()
			return &Redirected{Redir: r, X: p.unary(false)}
		}
	}
	var c Cmd
	if p.wordStart(false) {
		first := p.word(false)
		if p.tok.kind == tEq {
			p.next()
			if !p.wordStart(true) {
				p.fail(p.tok, "")
			}
			value := p.word(true)
			return &Assign{Name: first, Value: value, X: p.unary(false)}
		}
		c = p.simple(first)
	} else {
		p.ifOK = ifOK
		c = p.primary()
		if c == nil {
			return nil
		}
	}
	if inPipe || p.tok.kind != tPipe {
		return c
	}
	pl := &Pipeline{Cmds: []Cmd{c}}
	for p.tok.kind == tPipe {
		t := p.tok
		p.next()
		p.skipNewlines()
		y := p.required(p.unary(true))
		pl.Pipes = append(pl.Pipes, &Pipe{Bar: t.pos, Left: t.fd, Right: t.fd2})
		pl.Cmds = append(pl.Cmds, y)
	}
	return pl
}

func (p *parser) required(c Cmd) Cmd {
	if c == nil {
		p.fail(p.tok, "")
	}
	return c
}

// primary parses the compound commands; nil means an empty command.
func (p *parser) primary() Cmd {
	ifOK := p.ifOK
	p.ifOK = false
	t := p.tok
	switch t.kind {
	case tLBrace:
		b := p.brace()
		for p.tok.kind == tRedir || p.tok.kind == tDup {
			b.Redirs = append(b.Redirs, p.redir())
		}
		return b
	case tIf:
		p.next()
		if p.tok.kind == tNot {
			if !ifOK {
				p.fail(p.tok, "if not does not follow if")
			}
			p.next()
			p.skipNewlines()
			return &IfNot{If: t.pos, Then: p.required(p.cmd())}
		}
		cond := p.paren()
		p.skipNewlines()
		return &If{If: t.pos, Cond: cond, Then: p.required(p.cmd())}
	case tWhile:
		p.next()
		cond := p.paren()
		p.skipNewlines()
		return &While{While: t.pos, Cond: cond, Body: p.required(p.cmd())}
	case tFor:
		p.next()
		p.expect(tLParen)
		p.push("'('")
		p.next()
		if !p.wordStart(true) {
			p.fail(p.tok, "")
		}
		f := &For{For: t.pos, Var: p.word(true)}
		if p.tok.kind == tIn {
			p.next()
			f.In = true
			f.List = p.words()
		}
		p.expect(tRParen)
		p.pop()
		p.next()
		p.skipNewlines()
		f.Body = p.required(p.cmd())
		return f
	case tSwitch:
		p.next()
		if !p.wordStart(true) {
			p.fail(p.tok, "")
		}
		s := &Switch{Switch: t.pos, Subject: p.word(true)}
		p.skipNewlines()
		p.expect(tLBrace)
		s.Lbrace = p.tok.pos
		s.Body = p.brace().Body
		if len(s.Body) > 0 {
			if _, ok := CaseLabel(s.Body[0]); !ok {
				panic(&Error{Name: p.name, Pos: s.Body[0].Pos(), Near: "'switch'", Reason: "case missing in switch"})
			}
		}
		return s
	case tFn:
		p.next()
		names := p.words()
		if len(names) == 0 {
			p.fail(p.tok, "")
		}
		fn := &FnDef{Fn: t.pos, Names: names}
		if p.tok.kind == tLBrace {
			fn.Body = p.brace()
		}
		return fn
	case tTwiddle:
		p.next()
		if !p.wordStart(true) {
			p.fail(p.tok, "")
		}
		m := &Match{Tilde: t.pos, Subject: p.word(true)}
		m.Patterns = p.words()
		return m
	}
	return nil
}

// simple parses the rest of a simple command after its first word.
func (p *parser) simple(first Word) *Simple {
	s := &Simple{Words: []Word{first}}
	for {
		switch {
		case p.wordStart(true):
			s.Words = append(s.Words, p.word(true))
		case p.tok.kind == tRedir || p.tok.kind == tDup:
			s.Redirs = append(s.Redirs, p.redir())
		default:
			return s
		}
	}
}

func (p *parser) brace() *Block {
	p.expect(tLBrace)
	b := &Block{Lbrace: p.tok.pos}
	p.push("'{'")
	p.next()
	b.Body = p.list(tRBrace, false)
	p.pop()
	p.next()
	return b
}

func (p *parser) paren() []Cmd {
	p.expect(tLParen)
	p.push("'('")
	p.next()
	body := p.list(tRParen, false)
	p.pop()
	p.next()
	return body
}

// procSubstAhead reports whether the current redirection arrow begins
// a process substitution, <{cmd} or >{cmd}, which is a word.
func (p *parser) procSubstAhead() bool {
	t := p.tok
	if t.kind != tRedir || t.explicitFd || (t.op != RedirRead && t.op != RedirWrite) {
		return false
	}
	return p.peek().kind == tLBrace
}

// wordStart reports whether the current token begins a word. Keywords
// are words except at the start of a command.
func (p *parser) wordStart(keywordsToo bool) bool {
	switch k := p.tok.kind; k {
	case tWord, tDollar, tCount, tFlat, tBackquote, tLParen:
		return true
	case tRedir:
		return p.procSubstAhead()
	default:
		return keywordsToo && k.isKeyword()
	}
}

// word parses a word and the words joined to it by carets.
func (p *parser) word(keywordFirst bool) Word {
	w := p.atom(keywordFirst)
	for p.tok.kind == tCaret {
		p.next()
		if !p.wordStart(true) {
			p.fail(p.tok, "")
		}
		w = &Concat{X: w, Y: p.atom(true)}
	}
	return w
}

func (p *parser) words() []Word {
	var ws []Word
	for p.wordStart(true) {
		ws = append(ws, p.word(true))
	}
	return ws
}

// atom parses one word with no carets.
func (p *parser) atom(keywordOK bool) Word {
	p.enter()
	defer p.leave()
	t := p.tok
	switch t.kind {
	case tWord:
		p.next()
		return &Lit{ValuePos: t.pos, Value: t.text, Quoted: t.quoted}
	case tDollar, tCount, tFlat:
		p.next()
		if !p.wordStart(true) {
			p.fail(p.tok, "")
		}
		v := &Var{Dollar: t.pos, Name: p.atom(true)}
		switch t.kind {
		case tCount:
			v.Kind = VarCount
		case tFlat:
			v.Kind = VarFlat
		}
		if v.Kind == VarValue && p.tok.kind == tSub {
			v.Index = &Subscript{Lparen: p.tok.pos}
			p.push("'('")
			p.next()
			v.Index.Words = p.words()
			p.expect(tRParen)
			p.pop()
			p.next()
		}
		return v
	case tBackquote:
		p.next()
		b := &Backquote{Quote: t.pos}
		if p.tok.kind != tLBrace {
			if !p.wordStart(true) {
				p.fail(p.tok, "")
			}
			b.Split = p.atom(true)
		}
		b.Body = p.brace().Body
		return b
	case tLParen:
		l := &List{Lparen: t.pos}
		p.push("'('")
		p.next()
		l.Words = p.words()
		p.expect(tRParen)
		p.pop()
		p.next()
		return l
	case tRedir:
		p.next()
		return &ProcSubst{OpPos: t.pos, Out: t.op == RedirWrite, Body: p.brace().Body}
	}
	if keywordOK && t.kind.isKeyword() {
		// A keyword used as a word is a word: a free caret or a
		// subscript may follow it.
		p.lx.lastword = true
		p.next()
		return &Lit{ValuePos: t.pos, Value: string(p.lx.src[t.start:t.end])}
	}
	p.fail(t, "")
	return nil
}

// redir parses a redirection; the current token is its arrow.
func (p *parser) redir() *Redir {
	t := p.tok
	r := &Redir{OpPos: t.pos, Op: t.op, Kind: t.rkind, Fd: t.fd, Fd2: t.fd2}
	if t.kind == tDup {
		p.next()
		return r
	}
	p.next()
	if r.Op == RedirHere {
		tag := p.tok
		if tag.kind != tWord && !tag.kind.isKeyword() {
			p.fail(tag, "")
		}
		text := tag.text
		if tag.kind != tWord {
			text = string(p.lx.src[tag.start:tag.end])
		}
		r.Target = &Lit{ValuePos: tag.pos, Value: text, Quoted: tag.quoted}
		r.Here = &HereDoc{Quoted: tag.quoted}
		// Register before reading on: the body starts after the next
		// newline.
		p.lx.heres = append(p.lx.heres, pendingHere{redir: r, tag: text})
		p.next()
		if p.tok.kind == tCaret {
			p.fail(p.tok, "a here document tag is a single word")
		}
		return r
	}
	if !p.wordStart(true) {
		p.fail(p.tok, "")
	}
	r.Target = p.word(true)
	return r
}

// itoa is strconv.Itoa, shortened for the printer.
func itoa(n int) string { return strconv.Itoa(n) }
