package syntax

import "strconv"

// Pos is a place in the source text: a line and a byte column, both
// counted from 1. The zero Pos means "unknown".
type Pos struct {
	Line, Col int
}

// String formats the position as LINE:COL.
func (p Pos) String() string {
	return strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col)
}

// Node is any element of the syntax tree.
type Node interface {
	// Pos is where the node starts.
	Pos() Pos
}

// File is a parsed script: a list of commands.
type File struct {
	// Name is the file name used in error messages.
	Name  string
	Stmts []Cmd
}

// Cmd is a command: one of the types below.
type Cmd interface {
	Node
	cmdNode()
}

// Word is a word that expands to a list of strings: one of the types below.
type Word interface {
	Node
	wordNode()
}

// Simple is a simple command: a program or function name, its arguments
// and its redirections (cmd arg... >file).
type Simple struct {
	Words  []Word // at least one
	Redirs []*Redir
}

// Block is a braced list of commands, with the redirections written after
// the closing brace ({cmd; cmd} >file).
type Block struct {
	Lbrace Pos
	Body   []Cmd
	Redirs []*Redir
}

// Redirected is a command preceded by a redirection (>file cmd). X is nil
// for a redirection alone, which only opens (and so creates) the file.
type Redirected struct {
	Redir *Redir
	X     Cmd
}

// Assign assigns Value to the variable Name. With X nil the assignment is
// global (x=v); otherwise it holds only while X runs (x=v cmd).
type Assign struct {
	Name  Word
	Value Word
	X     Cmd
}

// If runs Then when the status of Cond is true (if(cond) cmd).
type If struct {
	If   Pos
	Cond []Cmd
	Then Cmd
}

// IfNot runs Then when the condition of the last if was false
// (if not cmd).
type IfNot struct {
	If   Pos
	Then Cmd
}

// For runs Body once for each word of List, or of $* when In is false
// (for(x in list) cmd, for(x) cmd).
type For struct {
	For  Pos
	Var  Word
	In   bool
	List []Word
	Body Cmd
}

// While runs Body as long as the status of Cond is true
// (while(cond) cmd).
type While struct {
	While Pos
	Cond  []Cmd
	Body  Cmd
}

// Switch runs the commands after the first case whose patterns match
// Subject (switch(word){case pat...; cmd...}). Body holds the commands as
// written: a case label is a simple command named case (see [CaseLabel]).
type Switch struct {
	Switch  Pos
	Subject Word
	Lbrace  Pos
	Body    []Cmd
}

// Match tests Subject against the Patterns (~ subject pattern...).
type Match struct {
	Tilde    Pos
	Subject  Word
	Patterns []Word
}

// AndOr runs Y when X succeeds (&&) or fails (||).
type AndOr struct {
	OpPos Pos
	Or    bool
	X, Y  Cmd
}

// Pipeline connects its commands with pipes. Pipes[i] joins Cmds[i] and
// Cmds[i+1].
type Pipeline struct {
	Cmds  []Cmd
	Pipes []*Pipe
}

// Pipe is one | of a pipeline: fd Left of the command before it writes
// into fd Right of the command after it (|[Left=Right]).
type Pipe struct {
	Bar         Pos
	Left, Right int
}

// Not inverts the status of X (! cmd).
type Not struct {
	Bang Pos
	X    Cmd
}

// Subshell runs X with a copy of the shell's state (@ cmd).
type Subshell struct {
	At Pos
	X  Cmd
}

// FnDef defines the functions Names with the body Body, or deletes them
// when Body is nil (fn name {cmd}, fn name).
type FnDef struct {
	Fn    Pos
	Names []Word
	Body  *Block
}

// Async runs X in the background (cmd &).
type Async struct {
	X   Cmd
	Amp Pos
}

// Pos implements Node for Simple.
func (c *Simple) Pos() Pos { return c.Words[0].Pos() }

// Pos implements Node for Block.
func (c *Block) Pos() Pos { return c.Lbrace }

// Pos implements Node for Redirected.
func (c *Redirected) Pos() Pos { return c.Redir.OpPos }

// Pos implements Node for Assign.
func (c *Assign) Pos() Pos { return c.Name.Pos() }

// Pos implements Node for If.
func (c *If) Pos() Pos { return c.If }

// Pos implements Node for IfNot.
func (c *IfNot) Pos() Pos { return c.If }

// Pos implements Node for For.
func (c *For) Pos() Pos { return c.For }

// Pos implements Node for While.
func (c *While) Pos() Pos { return c.While }

// Pos implements Node for Switch.
func (c *Switch) Pos() Pos { return c.Switch }

// Pos implements Node for Match.
func (c *Match) Pos() Pos { return c.Tilde }

// Pos implements Node for AndOr.
func (c *AndOr) Pos() Pos { return c.X.Pos() }

// Pos implements Node for Pipeline.
func (c *Pipeline) Pos() Pos { return c.Cmds[0].Pos() }

// Pos implements Node for Not.
func (c *Not) Pos() Pos { return c.Bang }

// Pos implements Node for Subshell.
func (c *Subshell) Pos() Pos { return c.At }

// Pos implements Node for FnDef.
func (c *FnDef) Pos() Pos { return c.Fn }

// Pos implements Node for Async.
func (c *Async) Pos() Pos { return c.X.Pos() }

func (*Simple) cmdNode()     {}
func (*Block) cmdNode()      {}
func (*Redirected) cmdNode() {}
func (*Assign) cmdNode()     {}
func (*If) cmdNode()         {}
func (*IfNot) cmdNode()      {}
func (*For) cmdNode()        {}
func (*While) cmdNode()      {}
func (*Switch) cmdNode()     {}
func (*Match) cmdNode()      {}
func (*AndOr) cmdNode()      {}
func (*Pipeline) cmdNode()   {}
func (*Not) cmdNode()        {}
func (*Subshell) cmdNode()   {}
func (*FnDef) cmdNode()      {}
func (*Async) cmdNode()      {}

// Lit is a literal word: unquoted text (where * ? [ are pattern
// characters) or a quoted string ('it”s').
type Lit struct {
	ValuePos Pos
	Value    string
	Quoted   bool
}

// Concat joins two words with ^, written or free (a^b, $x.c).
type Concat struct {
	X, Y Word
}

// VarKind says what a $ expression yields.
type VarKind uint8

const (
	// VarValue is $x: the value.
	VarValue VarKind = iota
	// VarCount is $#x: the number of elements.
	VarCount
	// VarFlat is $"x: the elements joined by spaces into one word.
	VarFlat
)

// Var is a variable reference: $x, $#x, $"x or $x(subscripts). Name is
// itself a word, so $$x and $'odd name' work.
type Var struct {
	Dollar Pos
	Kind   VarKind
	Name   Word
	Index  *Subscript
}

// Subscript is the parenthesised part of $x(1 3) or $x(2-).
type Subscript struct {
	Lparen Pos
	Words  []Word
}

// List is a parenthesised list of words: (a b c).
type List struct {
	Lparen Pos
	Words  []Word
}

// Backquote is command substitution: `{cmd} splits the output on $ifs,
// `split{cmd} on the characters of Split.
type Backquote struct {
	Quote Pos
	Split Word
	Body  []Cmd
}

// ProcSubst is process substitution: <{cmd} or >{cmd} (Out) expands to a
// /dev/fd name connected to the command's output or input.
type ProcSubst struct {
	OpPos Pos
	Out   bool
	Body  []Cmd
}

// Pos implements Node for Lit.
func (w *Lit) Pos() Pos { return w.ValuePos }

// Pos implements Node for Concat.
func (w *Concat) Pos() Pos { return w.X.Pos() }

// Pos implements Node for Var.
func (w *Var) Pos() Pos { return w.Dollar }

// Pos implements Node for List.
func (w *List) Pos() Pos { return w.Lparen }

// Pos implements Node for Backquote.
func (w *Backquote) Pos() Pos { return w.Quote }

// Pos implements Node for ProcSubst.
func (w *ProcSubst) Pos() Pos { return w.OpPos }

func (*Lit) wordNode()       {}
func (*Concat) wordNode()    {}
func (*Var) wordNode()       {}
func (*List) wordNode()      {}
func (*Backquote) wordNode() {}
func (*ProcSubst) wordNode() {}

// RedirOp is the arrow of a redirection.
type RedirOp uint8

const (
	// RedirRead is <.
	RedirRead RedirOp = iota
	// RedirWrite is >.
	RedirWrite
	// RedirAppend is >>.
	RedirAppend
	// RedirReadWrite is <>.
	RedirReadWrite
	// RedirHere is <<, a here document.
	RedirHere
)

// RedirKind says whether a redirection opens a file, duplicates a
// descriptor or closes one.
type RedirKind uint8

const (
	// RedirFile opens Target (>file, >[2]file).
	RedirFile RedirKind = iota
	// RedirDup makes Fd a copy of Fd2 (>[Fd=Fd2]).
	RedirDup
	// RedirClose closes Fd (>[Fd=]).
	RedirClose
)

// Redir is a redirection.
type Redir struct {
	OpPos  Pos
	Op     RedirOp
	Kind   RedirKind
	Fd     int
	Fd2    int
	Target Word     // the file, or the tag of a here document
	Here   *HereDoc // the body of a here document
}

// HereDoc is the body of a here document. When its tag was quoted
// (<<'EOF') the body is taken literally; otherwise $name is replaced by
// the variable's value when the command runs.
type HereDoc struct {
	Body   string
	Quoted bool
}

// Pos returns the position of the redirection's arrow.
func (r *Redir) Pos() Pos { return r.OpPos }

// CaseLabel reports whether c, a command of a switch body, is a case
// label (case pattern...), and returns its patterns.
func CaseLabel(c Cmd) ([]Word, bool) {
	s, ok := c.(*Simple)
	if !ok || len(s.Redirs) != 0 {
		return nil, false
	}
	l, ok := s.Words[0].(*Lit)
	if !ok || l.Quoted || l.Value != "case" {
		return nil, false
	}
	return s.Words[1:], true
}
