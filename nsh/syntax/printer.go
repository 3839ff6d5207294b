package syntax

import (
	"io"
	"strings"
)

// Printer writes syntax trees as rc text. The output parses back to the
// same tree (positions aside): carets are written out and quoted words
// stay quoted.
type Printer struct {
	// Compact writes blocks on one line ({a; b}) as rc does for whatis
	// and for functions in the environment; otherwise each command of
	// a block is on its own, tab-indented line. A here document still
	// needs the lines it takes.
	Compact bool
}

// Fprint writes node, a *File, a Cmd or a Word, to w with the default
// Printer.
func Fprint(w io.Writer, node Node) error {
	var p Printer
	return p.Fprint(w, node)
}

// Format returns node as text, printed compactly and with no final
// newline unless a here document needs one.
func Format(node Node) string {
	p := Printer{Compact: true}
	var b strings.Builder
	p.Fprint(&b, node)
	return b.String()
}

// Fprint writes node, a *File, a Cmd or a Word, to w.
func (cfg *Printer) Fprint(w io.Writer, node Node) error {
	p := &printer{compact: cfg.Compact}
	switch n := node.(type) {
	case *File:
		for _, c := range n.Stmts {
			p.stmt(c)
			p.newline()
		}
	case Cmd:
		p.stmt(n)
		if len(p.heres) > 0 {
			p.newline()
		}
	case Word:
		p.word(n)
	}
	_, err := w.Write(p.buf)
	return err
}

// Pos of a File is that of its first command.
func (f *File) Pos() Pos {
	if len(f.Stmts) == 0 {
		return Pos{1, 1}
	}
	return f.Stmts[0].Pos()
}

type printer struct {
	buf     []byte
	depth   int
	compact bool
	heres   []*Redir
}

func (p *printer) str(s string) { p.buf = append(p.buf, s...) }
func (p *printer) byte(c byte)  { p.buf = append(p.buf, c) }

// newline ends a line, writes the bodies of the here documents begun on
// it and indents the next one.
func (p *printer) newline() {
	if n := len(p.buf); n > 0 && p.buf[n-1] == '\\' {
		p.byte(' ') // not a line continuation
	}
	p.byte('\n')
	for _, h := range p.heres {
		p.str(h.Here.Body)
		p.str(h.Target.(*Lit).Value)
		p.byte('\n')
	}
	p.heres = p.heres[:0]
}

func (p *printer) indent() {
	if !p.compact {
		for i := 0; i < p.depth; i++ {
			p.byte('\t')
		}
	}
}

func (p *printer) stmt(c Cmd) {
	if a, ok := c.(*Async); ok {
		p.cmd(a.X)
		p.str(" &")
		return
	}
	p.cmd(c)
}

// body writes a list of commands between open and close, the brackets of
// a block, a condition or a substitution.
func (p *printer) body(open string, cmds []Cmd, close string, isSwitch bool) {
	p.str(open)
	if len(cmds) == 0 {
		p.str(close)
		return
	}
	if p.compact || close == ")" {
		for i, c := range cmds {
			if i > 0 {
				if len(p.heres) > 0 {
					p.newline()
				} else if _, async := cmds[i-1].(*Async); async {
					p.byte(' ')
				} else {
					p.str("; ")
				}
			}
			p.stmt(c)
		}
		if len(p.heres) > 0 {
			p.newline()
		}
		p.str(close)
		return
	}
	p.newline()
	p.depth++
	for _, c := range cmds {
		_, label := CaseLabel(c)
		if isSwitch && label {
			p.depth--
		}
		p.indent()
		p.stmt(c)
		p.newline()
		if isSwitch && label {
			p.depth++
		}
	}
	p.depth--
	p.indent()
	p.str(close)
}

func (p *printer) cmd(c Cmd) {
	switch c := c.(type) {
	case *Simple:
		p.words(c.Words)
		p.redirs(c.Redirs)
	case *Block:
		p.body("{", c.Body, "}", false)
		p.redirs(c.Redirs)
	case *Redirected:
		p.redir(c.Redir)
		if c.X != nil {
			p.byte(' ')
			p.cmd(c.X)
		}
	case *Assign:
		p.word(c.Name)
		p.byte('=')
		p.word(c.Value)
		if c.X != nil {
			p.byte(' ')
			p.cmd(c.X)
		}
	case *If:
		p.body("if(", c.Cond, ")", false)
		p.byte(' ')
		p.cmd(c.Then)
	case *IfNot:
		p.str("if not ")
		p.cmd(c.Then)
	case *For:
		p.str("for(")
		p.word(c.Var)
		if c.In {
			p.str(" in")
			for _, w := range c.List {
				p.byte(' ')
				p.word(w)
			}
		}
		p.str(") ")
		p.cmd(c.Body)
	case *While:
		p.body("while(", c.Cond, ")", false)
		p.byte(' ')
		p.cmd(c.Body)
	case *Switch:
		p.str("switch")
		if _, ok := c.Subject.(*List); !ok {
			p.byte(' ')
		}
		p.word(c.Subject)
		p.byte(' ')
		p.body("{", c.Body, "}", true)
	case *Match:
		p.str("~ ")
		p.word(c.Subject)
		for _, w := range c.Patterns {
			p.byte(' ')
			p.word(w)
		}
	case *AndOr:
		p.cmd(c.X)
		if c.Or {
			p.str(" || ")
		} else {
			p.str(" && ")
		}
		p.cmd(c.Y)
	case *Pipeline:
		for i, x := range c.Cmds {
			if i > 0 {
				pp := c.Pipes[i-1]
				p.str(" |")
				switch {
				case pp.Right != 0:
					p.str("[" + itoa(pp.Left) + "=" + itoa(pp.Right) + "]")
				case pp.Left != 1:
					p.str("[" + itoa(pp.Left) + "]")
				}
				p.byte(' ')
			}
			p.cmd(x)
		}
	case *Not:
		p.str("! ")
		p.cmd(c.X)
	case *Subshell:
		p.str("@ ")
		p.cmd(c.X)
	case *FnDef:
		p.str("fn ")
		p.words(c.Names)
		if c.Body != nil {
			p.byte(' ')
			p.cmd(c.Body)
		}
	case *Async:
		p.body("{", []Cmd{c}, "}", false)
	}
}

func (p *printer) words(ws []Word) {
	for i, w := range ws {
		if i > 0 {
			p.byte(' ')
		}
		p.word(w)
	}
}

func (p *printer) redirs(rs []*Redir) {
	for _, r := range rs {
		p.byte(' ')
		p.redir(r)
	}
}

func (p *printer) redir(r *Redir) {
	switch r.Op {
	case RedirRead:
		p.byte('<')
	case RedirWrite:
		p.byte('>')
	case RedirAppend:
		p.str(">>")
	case RedirReadWrite:
		p.str("<>")
	case RedirHere:
		p.str("<<")
	}
	switch r.Kind {
	case RedirDup:
		p.str("[" + itoa(r.Fd) + "=" + itoa(r.Fd2) + "]")
		return
	case RedirClose:
		p.str("[" + itoa(r.Fd) + "=]")
		return
	}
	def := 0
	if r.Op == RedirWrite || r.Op == RedirAppend {
		def = 1
	}
	if r.Fd != def {
		p.str("[" + itoa(r.Fd) + "]")
	} else if needsSpace(r.Target) {
		p.byte(' ')
	}
	p.word(r.Target)
	if r.Op == RedirHere {
		p.heres = append(p.heres, r)
	}
}

func (p *printer) word(w Word) {
	switch w := w.(type) {
	case *Lit:
		if w.Quoted {
			p.str(quote(w.Value))
		} else {
			p.str(w.Value)
		}
	case *Concat:
		p.word(w.X)
		p.byte('^')
		p.word(w.Y)
	case *Var:
		switch w.Kind {
		case VarCount:
			p.str("$#")
		case VarFlat:
			p.str(`$"`)
		default:
			p.byte('$')
			if l, ok := w.Name.(*Lit); ok && !l.Quoted && strings.HasPrefix(l.Value, `"`) {
				p.byte(' ') // $"x would be another thing
			}
		}
		if l, ok := w.Name.(*Lit); ok && !l.Quoted && !isName(l.Value) {
			p.str(quote(l.Value)) // would not read back as one name
		} else {
			p.word(w.Name)
		}
		if w.Index != nil {
			p.byte('(')
			p.words(w.Index.Words)
			p.byte(')')
		}
	case *List:
		p.byte('(')
		p.words(w.Words)
		p.byte(')')
	case *Backquote:
		p.byte('`')
		if w.Split != nil {
			p.word(w.Split)
		}
		p.wordBody(w.Body)
	case *ProcSubst:
		if w.Out {
			p.byte('>')
		} else {
			p.byte('<')
		}
		p.wordBody(w.Body)
	}
}

// wordBody writes the commands of a substitution, which sits inside a
// word, on one line.
func (p *printer) wordBody(cmds []Cmd) {
	compact := p.compact
	p.compact = true
	p.body("{", cmds, "}", false)
	p.compact = compact
}

// needsSpace reports whether w, written right after a redirection arrow,
// would read as part of it: <{ as a here document, [ as a descriptor.
func needsSpace(w Word) bool {
	for {
		switch x := w.(type) {
		case *Concat:
			w = x.X
			continue
		case *ProcSubst:
			return true
		case *Lit:
			return !x.Quoted && strings.HasPrefix(x.Value, "[")
		}
		return false
	}
}

// isName reports whether s reads back as one variable name after $.
func isName(s string) bool {
	if s == "" || !wordchr(int(s[0])) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !idchr(int(s[i])) {
			return false
		}
	}
	return true
}

func quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// Quote returns s as one rc word: unchanged when it needs no quotes,
// otherwise in single quotes with inner quotes doubled.
func Quote(s string) string {
	if s == "" {
		return "''"
	}
	if _, kw := keywords[s]; kw {
		return quote(s)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !wordchr(int(c)) || c == '*' || c == '?' || c == '[' || c == ']' || c == '\\' {
			return quote(s)
		}
	}
	return s
}
