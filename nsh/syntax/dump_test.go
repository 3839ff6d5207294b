package syntax

import (
	"strconv"
	"strings"
)

// dump writes a tree as an S-expression holding every field but the
// positions, so that two trees are equal when their dumps are.
func dump(n Node) string {
	var b strings.Builder
	d := dumper{&b}
	d.node(n)
	return b.String()
}

type dumper struct{ b *strings.Builder }

func (d dumper) open(name string) { d.b.WriteString("(" + name) }
func (d dumper) close()           { d.b.WriteString(")") }
func (d dumper) sp()              { d.b.WriteString(" ") }
func (d dumper) s(s string)       { d.b.WriteString(s) }

func (d dumper) cmds(cs []Cmd) {
	for _, c := range cs {
		d.sp()
		d.node(c)
	}
}

func (d dumper) words(ws []Word) {
	for _, w := range ws {
		d.sp()
		d.node(w)
	}
}

func (d dumper) redirs(rs []*Redir) {
	for _, r := range rs {
		d.sp()
		d.redir(r)
	}
}

func (d dumper) redir(r *Redir) {
	ops := [...]string{"<", ">", ">>", "<>", "<<"}
	switch r.Kind {
	case RedirDup:
		d.s("(dup" + ops[r.Op] + " " + strconv.Itoa(r.Fd) + " " + strconv.Itoa(r.Fd2) + ")")
	case RedirClose:
		d.s("(close" + ops[r.Op] + " " + strconv.Itoa(r.Fd) + ")")
	default:
		d.open(ops[r.Op] + " " + strconv.Itoa(r.Fd))
		d.sp()
		d.node(r.Target)
		if r.Here != nil {
			d.s(" " + strconv.Quote(r.Here.Body) + " " + strconv.FormatBool(r.Here.Quoted))
		}
		d.close()
	}
}

func (d dumper) node(n Node) {
	if n == nil {
		d.s("nil")
		return
	}
	switch n := n.(type) {
	case *File:
		d.open("file")
		d.cmds(n.Stmts)
		d.close()
	case *Simple:
		d.open("simple")
		d.words(n.Words)
		d.redirs(n.Redirs)
		d.close()
	case *Block:
		d.open("block")
		d.cmds(n.Body)
		d.redirs(n.Redirs)
		d.close()
	case *Redirected:
		d.open("redir ")
		d.redir(n.Redir)
		d.sp()
		d.node(n.X)
		d.close()
	case *Assign:
		d.open("=")
		d.sp()
		d.node(n.Name)
		d.sp()
		d.node(n.Value)
		d.sp()
		d.node(n.X)
		d.close()
	case *If:
		d.open("if (cond")
		d.cmds(n.Cond)
		d.s(") ")
		d.node(n.Then)
		d.close()
	case *IfNot:
		d.open("ifnot ")
		d.node(n.Then)
		d.close()
	case *For:
		d.open("for ")
		d.node(n.Var)
		if n.In {
			d.s(" (in")
			d.words(n.List)
			d.s(")")
		}
		d.sp()
		d.node(n.Body)
		d.close()
	case *While:
		d.open("while (cond")
		d.cmds(n.Cond)
		d.s(") ")
		d.node(n.Body)
		d.close()
	case *Switch:
		d.open("switch ")
		d.node(n.Subject)
		d.cmds(n.Body)
		d.close()
	case *Match:
		d.open("~ ")
		d.node(n.Subject)
		d.words(n.Patterns)
		d.close()
	case *AndOr:
		if n.Or {
			d.open("||")
		} else {
			d.open("&&")
		}
		d.sp()
		d.node(n.X)
		d.sp()
		d.node(n.Y)
		d.close()
	case *Pipeline:
		d.open("|")
		for i, c := range n.Cmds {
			if i > 0 {
				p := n.Pipes[i-1]
				d.s(" [" + strconv.Itoa(p.Left) + "=" + strconv.Itoa(p.Right) + "]")
			}
			d.sp()
			d.node(c)
		}
		d.close()
	case *Not:
		d.open("! ")
		d.node(n.X)
		d.close()
	case *Subshell:
		d.open("@ ")
		d.node(n.X)
		d.close()
	case *FnDef:
		d.open("fn")
		d.words(n.Names)
		if n.Body != nil {
			d.sp()
			d.node(n.Body)
		}
		d.close()
	case *Async:
		d.open("& ")
		d.node(n.X)
		d.close()
	case *Lit:
		if n.Quoted {
			d.s(quote(n.Value))
		} else {
			d.s(n.Value)
		}
	case *Concat:
		d.open("^ ")
		d.node(n.X)
		d.sp()
		d.node(n.Y)
		d.close()
	case *Var:
		d.open([...]string{"$", "$#", `$"`}[n.Kind] + " ")
		d.node(n.Name)
		if n.Index != nil {
			d.s(" (sub")
			d.words(n.Index.Words)
			d.s(")")
		}
		d.close()
	case *List:
		d.open("list")
		d.words(n.Words)
		d.close()
	case *Backquote:
		d.open("`")
		if n.Split != nil {
			d.s(" split=")
			d.node(n.Split)
		}
		d.cmds(n.Body)
		d.close()
	case *ProcSubst:
		if n.Out {
			d.open(">{}")
		} else {
			d.open("<{}")
		}
		d.cmds(n.Body)
		d.close()
	default:
		d.s("?")
	}
}
