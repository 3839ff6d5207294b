package syntax

import (
	"bytes"
	"strings"
	"testing"
)

// parseTests pairs rc text with its tree. Each is also printed (both
// ways) and parsed again, which must give the same tree.
var parseTests = []struct {
	src, want string
}{
	// simple commands, words, quoting
	{"echo a b", "(file (simple echo a b))"},
	{"echo 'it''s' ''", "(file (simple echo 'it''s' ''))"},
	{"echo 'a\nb'", "(file (simple echo 'a\nb'))"},
	{"echo a#comment\necho b", "(file (simple echo a) (simple echo b))"},
	{"# only a comment", "(file)"},
	{"echo a\\\nb", "(file (simple echo a b))"},
	{"echo a\\b", `(file (simple echo a\b))`},
	{"echo *.c [a-z]? ~ !x @y", "(file (simple echo *.c [a-z]? ~ !x @y))"},
	{"echo if for in not while switch fn", "(file (simple echo if for in not while switch fn))"},
	{"echo \"a\"", `(file (simple echo "a"))`},
	// carets, free and written
	{"echo a^b", "(file (simple echo (^ a b)))"},
	{"echo a ^ b", "(file (simple echo (^ a b)))"},
	{"echo a^b^c", "(file (simple echo (^ (^ a b) c)))"},
	{"echo a'b'c", "(file (simple echo (^ (^ a 'b') c)))"},
	{"echo $x.c", "(file (simple echo (^ ($ x) .c)))"},
	{"echo -$x", "(file (simple echo (^ - ($ x))))"},
	{"echo $x$y", "(file (simple echo (^ ($ x) ($ y))))"},
	{"echo a`{b}", "(file (simple echo (^ a (` (simple b)))))"},
	{"echo `{b}c", "(file (simple echo (` (simple b)) c))"},
	{"echo in'x'", "(file (simple echo (^ in 'x')))"},
	{"echo $x_1*y", "(file (simple echo ($ x_1*y)))"},
	{"echo $x-y", "(file (simple echo (^ ($ x) -y)))"},
	{"echo $-x", "(file (simple echo ($ -x)))"},
	{"echo $-.x", "(file (simple echo (^ ($ -) .x)))"},
	// variables
	{"echo $x $#x $\"x $x(1) $x(2-3 1) $x()", `(file (simple echo ($ x) ($# x) ($" x) ($ x (sub 1)) ($ x (sub 2-3 1)) ($ x (sub))))`},
	{"echo $$x $$x(1) $'a b' $if", "(file (simple echo ($ ($ x)) ($ ($ x (sub 1))) ($ 'a b') ($ if)))"},
	{"echo $ x", "(file (simple echo ($ x)))"},
	{"echo $*(2) $1", "(file (simple echo ($ * (sub 2)) ($ 1)))"},
	// lists
	{"echo (a (b c) ())", "(file (simple echo (list a (list b c) (list))))"},
	{"(a b) c", "(file (simple (list a b) c))"},
	// assignments
	{"x=1", "(file (= x 1 nil))"},
	{"x = 1", "(file (= x 1 nil))"},
	{"x=(a b) y=() cmd $x", "(file (= x (list a b) (= y (list) (simple cmd ($ x)))))"},
	{"x=1 a | b", "(file (= x 1 (| (simple a) [1=0] (simple b))))"},
	{"x=1 a && b", "(file (&& (= x 1 (simple a)) (simple b)))"},
	{"$x=1", "(file (= ($ x) 1 nil))"},
	{"a^b=1", "(file (= (^ a b) 1 nil))"},
	{"x=if", "(file (= x if nil))"},
	// substitutions
	{"echo `{ls *.c}", "(file (simple echo (` (simple ls *.c))))"},
	{"echo `'\n'{cat f}", "(file (simple echo (` split='\n' (simple cat f))))"},
	{"echo `x{a; b}", "(file (simple echo (` split=x (simple a) (simple b))))"},
	{"cmp <{a} >{b}", "(file (simple cmp (<{} (simple a)) (>{} (simple b))))"},
	{"<{a} b", "(file (simple (<{} (simple a)) b))"},
	{"cat < <{a}", "(file (simple cat (< 0 (<{} (simple a)))))"},
	// redirections
	{"echo >f <g >>h <>i", "(file (simple echo (> 1 f) (< 0 g) (>> 1 h) (<> 0 i)))"},
	{"echo >[2]f <[3]g >>[4]h <>[5]i", "(file (simple echo (> 2 f) (< 3 g) (>> 4 h) (<> 5 i)))"},
	{"echo >[2=1] >[3=] <[0=4]", "(file (simple echo (dup> 2 1) (close> 3) (dup< 0 4)))"},
	{"echo > $f", "(file (simple echo (> 1 ($ f))))"},
	{">f", "(file (redir (> 1 f) nil))"},
	{">f echo a", "(file (redir (> 1 f) (simple echo a)))"},
	{">f >[2=1] a | b", "(file (redir (> 1 f) (redir (dup> 2 1) (| (simple a) [1=0] (simple b)))))"},
	{"{a; b} >f >[2]g", "(file (block (simple a) (simple b) (> 1 f) (> 2 g)))"},
	// here documents
	{"cat <<EOF\nhello $x\nEOF\n", `(file (simple cat (<< 0 EOF "hello $x\n" false)))`},
	{"cat <<'EOF'\n$x\nEOF", `(file (simple cat (<< 0 'EOF' "$x\n" true)))`},
	{"cat <<EOF; echo b\nx\nEOF\necho c", `(file (simple cat (<< 0 EOF "x\n" false)) (simple echo b) (simple echo c))`},
	{"cat <<A <<[3]B\na\nA\nb\nB\n", `(file (simple cat (<< 0 A "a\n" false) (<< 3 B "b\n" false)))`},
	{"fn f {\n\tcat <<EOF\n}\nEOF\n}", `(file (fn f (block (simple cat (<< 0 EOF "}\n" false)))))`},
	{"cat <<EOF |\nx\nEOF\nwc", `(file (| (simple cat (<< 0 EOF "x\n" false)) [1=0] (simple wc)))`},
	// pipes and operators
	{"a | b | c", "(file (| (simple a) [1=0] (simple b) [1=0] (simple c)))"},
	{"a |[2] b |[3=4] c", "(file (| (simple a) [2=0] (simple b) [3=4] (simple c)))"},
	{"a |\n\nb", "(file (| (simple a) [1=0] (simple b)))"},
	{"a && b || c", "(file (|| (&& (simple a) (simple b)) (simple c)))"},
	{"a &&\n b", "(file (&& (simple a) (simple b)))"},
	{"a | b && c | d", "(file (&& (| (simple a) [1=0] (simple b)) (| (simple c) [1=0] (simple d))))"},
	{"! a | b", "(file (! (| (simple a) [1=0] (simple b))))"},
	{"! a && b", "(file (&& (! (simple a)) (simple b)))"},
	{"a | ! b | c", "(file (| (simple a) [1=0] (! (| (simple b) [1=0] (simple c)))))"},
	{"@ a | b", "(file (@ (| (simple a) [1=0] (simple b))))"},
	{"@{a; b}", "(file (@ (block (simple a) (simple b))))"},
	{"a & b &", "(file (& (simple a)) (& (simple b)))"},
	{"a; ; b;", "(file (simple a) (simple b))"},
	{"{a} | {b} >f", "(file (| (block (simple a)) [1=0] (block (simple b) (> 1 f))))"},
	// compound commands
	{"if(a) b", "(file (if (cond (simple a)) (simple b)))"},
	{"if(a; b)\n\n c", "(file (if (cond (simple a) (simple b)) (simple c)))"},
	{"if(a) b && c | d", "(file (if (cond (simple a)) (&& (simple b) (| (simple c) [1=0] (simple d)))))"},
	{"if(a) b\nif not c", "(file (if (cond (simple a)) (simple b)) (ifnot (simple c)))"},
	{"if(a) b; if not if(c) d; if not e", "(file (if (cond (simple a)) (simple b)) (ifnot (if (cond (simple c)) (simple d))) (ifnot (simple e)))"},
	{"if(a) b\n\n# note\nif not\n c", "(file (if (cond (simple a)) (simple b)) (ifnot (simple c)))"},
	{"for(i in a b) echo $i", "(file (for i (in a b) (simple echo ($ i))))"},
	{"for(i in) x", "(file (for i (in) (simple x)))"},
	{"for(i)\n{x}", "(file (for i (block (simple x))))"},
	{"for(in in in) x", "(file (for in (in in) (simple x)))"},
	{"while(~ $x a) x=()", "(file (while (cond (~ ($ x) a)) (= x (list) nil)))"},
	{"switch($x){\ncase a b\n\techo 1\ncase *\n\techo 2\n}", "(file (switch (list ($ x)) (simple case a b) (simple echo 1) (simple case *) (simple echo 2)))"},
	{"switch $x\n{case a; x}", "(file (switch ($ x) (simple case a) (simple x)))"},
	{"switch(a){}", "(file (switch (list a)))"},
	{"~ $x a* 'b*'", "(file (~ ($ x) a* 'b*'))"},
	{"~ a", "(file (~ a))"},
	{"fn f {echo $*}", "(file (fn f (block (simple echo ($ *)))))"},
	{"fn f g {x}", "(file (fn f g (block (simple x))))"},
	{"fn f", "(file (fn f))"},
	{"fn $x {}", "(file (fn ($ x) (block)))"},
	{"fn sigint {exit}; x", "(file (fn sigint (block (simple exit))) (simple x))"},
	{"{}", "(file (block))"},
	{"{\n}", "(file (block))"},
	{"!{a}", "(file (! (block (simple a))))"},
}

func TestParse(t *testing.T) {
	for _, tc := range parseTests {
		t.Run(tc.src, func(t *testing.T) {
			f, err := Parse("t", []byte(tc.src))
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if got := dump(f); got != tc.want {
				t.Fatalf("tree:\n got %s\nwant %s", got, tc.want)
			}
			for _, compact := range []bool{false, true} {
				var b bytes.Buffer
				p := Printer{Compact: compact}
				if err := p.Fprint(&b, f); err != nil {
					t.Fatal(err)
				}
				g, err := Parse("printed", b.Bytes())
				if err != nil {
					t.Fatalf("printed text (compact=%v) does not parse: %v\n%s", compact, err, b.String())
				}
				if got := dump(g); got != tc.want {
					t.Fatalf("printed text (compact=%v) parses differently:\n%s\n got %s\nwant %s", compact, b.String(), got, tc.want)
				}
			}
			checkPositions(t, f, tc.src)
		})
	}
}

// checkPositions checks that every node has a position inside the text,
// at a character that can start it.
func checkPositions(t *testing.T, f *File, src string) {
	t.Helper()
	lines := strings.Split(src, "\n")
	walk(f, func(n Node) {
		p := n.Pos()
		if p.Line < 1 || p.Line > len(lines) || p.Col < 1 || p.Col > len(lines[p.Line-1]) {
			t.Errorf("%T at %v: outside the text", n, p)
			return
		}
		if c := lines[p.Line-1][p.Col-1]; c == ' ' || c == '\t' {
			t.Errorf("%T at %v: on a blank", n, p)
		}
	})
}

// walk calls fn for n and every node below it.
func walk(n Node, fn func(Node)) {
	if n == nil {
		return
	}
	fn(n)
	cmds := func(cs []Cmd) {
		for _, c := range cs {
			walk(c, fn)
		}
	}
	words := func(ws []Word) {
		for _, w := range ws {
			walk(w, fn)
		}
	}
	redirs := func(rs []*Redir) {
		for _, r := range rs {
			fn(r)
			if r.Target != nil {
				walk(r.Target, fn)
			}
		}
	}
	switch n := n.(type) {
	case *File:
		cmds(n.Stmts)
	case *Simple:
		words(n.Words)
		redirs(n.Redirs)
	case *Block:
		cmds(n.Body)
		redirs(n.Redirs)
	case *Redirected:
		redirs([]*Redir{n.Redir})
		if n.X != nil {
			walk(n.X, fn)
		}
	case *Assign:
		walk(n.Name, fn)
		walk(n.Value, fn)
		if n.X != nil {
			walk(n.X, fn)
		}
	case *If:
		cmds(n.Cond)
		walk(n.Then, fn)
	case *IfNot:
		walk(n.Then, fn)
	case *For:
		walk(n.Var, fn)
		words(n.List)
		walk(n.Body, fn)
	case *While:
		cmds(n.Cond)
		walk(n.Body, fn)
	case *Switch:
		walk(n.Subject, fn)
		cmds(n.Body)
	case *Match:
		walk(n.Subject, fn)
		words(n.Patterns)
	case *AndOr:
		walk(n.X, fn)
		walk(n.Y, fn)
	case *Pipeline:
		cmds(n.Cmds)
	case *Not:
		walk(n.X, fn)
	case *Subshell:
		walk(n.X, fn)
	case *FnDef:
		words(n.Names)
		if n.Body != nil {
			walk(n.Body, fn)
		}
	case *Async:
		walk(n.X, fn)
	case *Concat:
		walk(n.X, fn)
		walk(n.Y, fn)
	case *Var:
		walk(n.Name, fn)
		if n.Index != nil {
			words(n.Index.Words)
		}
	case *List:
		words(n.Words)
	case *Backquote:
		if n.Split != nil {
			walk(n.Split, fn)
		}
		cmds(n.Body)
	case *ProcSubst:
		cmds(n.Body)
	}
}

func TestPositions(t *testing.T) {
	src := "x=1\nif(~ $x 1)\n\techo a `{b} | c >f\n"
	f, err := Parse("t", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	walk(f, func(n Node) {
		switch n.(type) {
		case *File:
			return
		}
		got = append(got, strings.TrimPrefix(typeName(n), "*syntax.")+"@"+n.Pos().String())
	})
	want := "Assign@1:1 Lit@1:1 Lit@1:3 If@2:1 Match@2:4 Var@2:6 Lit@2:7 Lit@2:9 " +
		"Pipeline@3:2 Simple@3:2 Lit@3:2 Lit@3:7 Backquote@3:9 Simple@3:11 Lit@3:11 Simple@3:16 Lit@3:16 Redir@3:18 Lit@3:19"
	if g := strings.Join(got, " "); g != want {
		t.Errorf("positions:\n got %s\nwant %s", g, want)
	}
}

func typeName(n Node) string {
	switch n.(type) {
	case *Assign:
		return "Assign"
	case *Lit:
		return "Lit"
	case *If:
		return "If"
	case *Match:
		return "Match"
	case *Var:
		return "Var"
	case *Pipeline:
		return "Pipeline"
	case *Simple:
		return "Simple"
	case *Backquote:
		return "Backquote"
	case *Redir:
		return "Redir"
	}
	return "?"
}

// errorTests are texts that do not parse, with the message and whether
// more text could complete them.
var errorTests = []struct {
	src        string
	msg        string
	incomplete bool
}{
	{"echo 'abc", "t:1: syntax error near end of file: unterminated quote", true},
	{"echo a\necho 'abc\ndef", "t:2: syntax error near end of file: unterminated quote", true},
	{"{echo a", "t:1: syntax error near end of file: '{' on line 1 is not closed", true},
	{"{echo a\n", "t:1: syntax error near end of file: '{' on line 1 is not closed", true},
	{"if(a", "t:1: syntax error near end of file: '(' on line 1 is not closed", true},
	{"echo (a b", "t:1: syntax error near end of file: '(' on line 1 is not closed", true},
	{"echo $x(1", "t:1: syntax error near end of file: '(' on line 1 is not closed", true},
	{"echo a }", "t:1: syntax error near '}'", false},
	{"echo )", "t:1: syntax error near ')'", false},
	{"cat <<EOF\nabc\n", "t:1: syntax error near end of file: here document 'EOF' is not terminated", true},
	{"cat <<EOF", "t:1: syntax error near end of file: here document 'EOF' is not terminated", true},
	{"cat <<$x\n", "t:1: syntax error near '$'", false},
	{"cat <<EOF^x\n", "t:1: syntax error near '^': a here document tag is a single word", false},
	{"if not echo x", "t:1: syntax error near 'not': if not does not follow if", false},
	{"echo a; if not echo x", "t:1: syntax error near 'not': if not does not follow if", false},
	{"if(x) y\necho z\nif not echo x", "t:3: syntax error near 'not': if not does not follow if", false},
	{"if(x) {if not y}", "t:1: syntax error near 'not': if not does not follow if", false},
	{"if(x) y && if not z", "t:1: syntax error near 'not': if not does not follow if", false},
	{"if n", "t:1: syntax error near 'n'", true},
	{"if n\n", "t:1: syntax error near 'n'", false},
	{"if x", "t:1: syntax error near 'x'", true},
	{"if(x)", "t:1: syntax error near end of file", true},
	{"if(x)\n", "t:1: syntax error near end of file", true},
	{"echo a=b", "t:1: syntax error near '='", false},
	{"echo x(1)", "t:1: syntax error near '('", false},
	{"echo $#x(1)", "t:1: syntax error near '('", false},
	{"echo >", "t:1: syntax error near end of file", true},
	{"echo > ;", "t:1: syntax error near ';'", false},
	{"echo >[x]f", "t:1: syntax error near '>[': bad redirection descriptor", false},
	{"echo >[2", "t:1: syntax error near end of file: unfinished redirection", true},
	{"echo >[2=", "t:1: syntax error near end of file: unfinished redirection", true},
	{"echo >>[2=1]", "t:1: syntax error near '>>[2=1]': bad redirection", false},
	{"a |[2=] b", "t:1: syntax error near '|[2=': bad pipe descriptor", false},
	{"a |", "t:1: syntax error near end of file", true},
	{"a | ; b", "t:1: syntax error near ';'", false},
	{"a &&", "t:1: syntax error near end of file", true},
	{"&& a", "t:1: syntax error near '&&'", false},
	{"a && ; b", "t:1: syntax error near ';'", false},
	{"& b", "t:1: syntax error near '&'", false},
	{"!", "t:1: syntax error near end of file", true},
	{"x=", "t:1: syntax error near end of file", true},
	{"x=;", "t:1: syntax error near ';'", false},
	{"echo $", "t:1: syntax error near end of file", true},
	{"echo a^", "t:1: syntax error near end of file", true},
	{"echo a^;", "t:1: syntax error near ';'", false},
	{"fn", "t:1: syntax error near end of file", true},
	{"fn;", "t:1: syntax error near ';'", false},
	{"fn f {x} >g", "t:1: syntax error near '>'", false},
	{"switch(x){echo a}", "t:1: syntax error near 'switch': case missing in switch", false},
	{"switch(x)", "t:1: syntax error near end of file", true},
	{"for(i in a b", "t:1: syntax error near end of file: '(' on line 1 is not closed", true},
	{"for(i i", "t:1: syntax error near 'i'", true},
	{"for(i i)", "t:1: syntax error near 'i'", false},
	{"not x", "t:1: syntax error near 'not'", false},
	{"in", "t:1: syntax error near 'in'", true},
	{"{x} <{y}", "t:1: syntax error near '{'", false},
	{"echo `", "t:1: syntax error near end of file", true},
	{"echo `x", "t:1: syntax error near end of file", true},
	{"echo `x;", "t:1: syntax error near ';'", false},
	{"echo {a}", "t:1: syntax error near '{'", false},
}

func TestParseErrors(t *testing.T) {
	for _, tc := range errorTests {
		t.Run(tc.src, func(t *testing.T) {
			f, err := Parse("t", []byte(tc.src))
			if err == nil {
				t.Fatalf("parsed as %s; want an error", dump(f))
			}
			if err.Error() != tc.msg {
				t.Errorf("error %q, want %q", err, tc.msg)
			}
			if IsIncomplete(err) != tc.incomplete {
				t.Errorf("incomplete = %v, want %v", IsIncomplete(err), tc.incomplete)
			}
		})
	}
}

func TestParserOptions(t *testing.T) {
	p := Parser{Name: "stdin", Line: 7}
	_, err := p.Parse([]byte("echo a\necho )"))
	if err == nil || err.Error() != "stdin:8: syntax error near ')'" {
		t.Errorf("Line option: got %v", err)
	}
	p = Parser{AfterIf: true}
	if _, err := p.Parse([]byte("if not echo b\n")); err != nil {
		t.Errorf("AfterIf: %v", err)
	}
	p = Parser{Partial: true}
	if _, err := p.Parse([]byte("echo a \\\n")); !IsIncomplete(err) {
		t.Errorf("Partial with a trailing backslash-newline: got %v, want incomplete", err)
	}
	if _, err := Parse("", []byte("echo a \\\n")); err != nil {
		t.Errorf("trailing backslash-newline in a file: %v", err)
	}
	p = Parser{Partial: true}
	if _, err := p.Parse([]byte("echo a # not continued \\\n")); err != nil {
		t.Errorf("backslash in a comment: %v", err)
	}
}

func TestNesting(t *testing.T) {
	for _, src := range []string{
		strings.Repeat("{", 5000),
		strings.Repeat("{", 5000) + strings.Repeat("}", 5000),
		strings.Repeat("! ", 5000) + "x",
		"echo " + strings.Repeat("$", 5000) + "x",
		"echo " + strings.Repeat("(", 5000),
		strings.Repeat("if(x) ", 5000) + "y",
	} {
		_, err := Parse("t", []byte(src))
		if err == nil || !strings.Contains(err.Error(), "nested too deeply") {
			t.Errorf("%.20q...: %v, want nested too deeply", src, err)
		}
	}
	ok := strings.Repeat("{", 200) + "x" + strings.Repeat("}", 200)
	if _, err := Parse("t", []byte(ok)); err != nil {
		t.Errorf("200 nested blocks: %v", err)
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"":       "''",
		"abc":    "abc",
		"a b":    "'a b'",
		"it's":   "'it''s'",
		"#l":     "'#l'",
		"a=b":    "'a=b'",
		"*":      "'*'",
		"if":     "'if'",
		"/x/y.c": "/x/y.c",
		"$x":     "'$x'",
		"a\nb":   "'a\nb'",
	} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
		f, err := Parse("", []byte("echo "+Quote(in)))
		if err != nil {
			t.Errorf("Quote(%q) does not parse: %v", in, err)
			continue
		}
		w := f.Stmts[0].(*Simple).Words[1].(*Lit)
		if w.Value != in {
			t.Errorf("Quote(%q) reads back as %q", in, w.Value)
		}
	}
}
