package interp

import (
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"nsh.dev/nsh/nsh/syntax"
)

// hasGlob reports whether w holds an unquoted pattern character, so that
// its expansion must keep track of which characters are quoted.
func hasGlob(w syntax.Word) bool {
	switch w := w.(type) {
	case *syntax.Lit:
		return !w.Quoted && hasMeta(w.Value)
	case *syntax.Concat:
		return hasGlob(w.X) || hasGlob(w.Y)
	case *syntax.List:
		for _, x := range w.Words {
			if hasGlob(x) {
				return true
			}
		}
	}
	return false
}

// sizeHint guesses how many words ws expand to, so that the list for
// them can be made the right size at once.
func (in *Interp) sizeHint(ws []syntax.Word) int {
	n := 0
	for _, w := range ws {
		switch x := w.(type) {
		case *syntax.Var:
			if l, ok := x.Name.(*syntax.Lit); ok && x.Kind == syntax.VarValue && x.Index == nil {
				n += len(in.lookup(l.Value))
				continue
			}
			if x.Index != nil {
				n += len(x.Index.Words)
				continue
			}
		case *syntax.List:
			n += in.sizeHint(x.Words)
			continue
		}
		n++
	}
	return n
}

// expandWords appends the expansions of ws to dst, globbing patterns.
func (in *Interp) expandWords(dst []string, ws []syntax.Word) ([]string, error) {
	var err error
	for _, w := range ws {
		if hasGlob(w) {
			var fs []field
			fs, err = in.fields(nil, w)
			if err != nil {
				return dst, err
			}
			for _, f := range fs {
				if f.pat == "" {
					dst = append(dst, f.s)
					continue
				}
				if names := in.glob(f.pat); len(names) > 0 {
					dst = append(dst, names...)
				} else {
					dst = append(dst, f.s)
				}
			}
			continue
		}
		dst, err = in.expand(dst, w)
		if err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// expandOne expands w, which must give exactly one word; what names the
// word for the message otherwise.
func (in *Interp) expandOne(w syntax.Word, what string) (string, error) {
	if l, ok := w.(*syntax.Lit); ok {
		return l.Value, nil
	}
	var buf [1]string
	v, err := in.expand(buf[:0], w)
	if err != nil {
		return "", err
	}
	if len(v) != 1 {
		return "", in.abort(w.Pos(), "%s not singleton", what)
	}
	return v[0], nil
}

// expand appends the values of w to dst, without globbing.
func (in *Interp) expand(dst []string, w syntax.Word) ([]string, error) {
	switch w := w.(type) {
	case *syntax.Lit:
		return append(dst, w.Value), nil
	case *syntax.Var:
		return in.expandVar(dst, w)
	case *syntax.Concat:
		return in.concat(dst, w)
	case *syntax.List:
		var err error
		for _, x := range w.Words {
			if dst, err = in.expand(dst, x); err != nil {
				return dst, err
			}
		}
		return dst, nil
	case *syntax.Backquote:
		return in.backquote(dst, w)
	case *syntax.ProcSubst:
		return in.procSubst(dst, w)
	}
	return dst, nil
}

// piece is one operand of a chain of concatenations.
type piece struct {
	one   string
	list  []string
	isOne bool
}

// concat evaluates a^b^c...: a one-word side is joined to every word of
// the other, equal lists are joined pairwise, and an empty side is an
// error.
func (in *Interp) concat(dst []string, w *syntax.Concat) ([]string, error) {
	var leafBuf [8]syntax.Word
	leaves := concatLeaves(leafBuf[:0], w)
	var pieceBuf [8]piece
	pieces := pieceBuf[:0]
	allOne := true
	size := 0
	for _, lf := range leaves {
		var p piece
		var v []string
		var err error
		switch x := lf.(type) {
		case *syntax.Lit:
			p = piece{one: x.Value, isOne: true}
		case *syntax.Var:
			if x.Kind == syntax.VarValue && x.Index == nil {
				var name string
				if name, err = in.varName(x); err != nil {
					return dst, err
				}
				v = in.lookup(name)
			} else if v, err = in.expand(nil, lf); err != nil {
				return dst, err
			}
		default:
			if v, err = in.expand(nil, lf); err != nil {
				return dst, err
			}
		}
		if _, lit := lf.(*syntax.Lit); !lit {
			if len(v) == 1 {
				p = piece{one: v[0], isOne: true}
			} else {
				p = piece{list: v}
			}
		}
		if p.isOne {
			size += len(p.one)
		} else {
			allOne = false
			if len(p.list) == 0 {
				return dst, in.abort(lf.Pos(), "null list in concatenation")
			}
		}
		pieces = append(pieces, p)
	}
	if allOne {
		var b strings.Builder
		b.Grow(size)
		for _, p := range pieces {
			b.WriteString(p.one)
		}
		return append(dst, b.String()), nil
	}
	acc := pieces[0]
	for k, p := range pieces[1:] {
		l, r := acc.values(), p.values()
		var out []string
		switch {
		case len(l) == 1:
			out = make([]string, len(r))
			for i, s := range r {
				out[i] = l[0] + s
			}
		case len(r) == 1:
			out = make([]string, len(l))
			for i, s := range l {
				out[i] = s + r[0]
			}
		case len(l) == len(r):
			out = make([]string, len(l))
			for i := range l {
				out[i] = l[i] + r[i]
			}
		default:
			return dst, in.abort(leaves[k+1].Pos(), "mismatched list lengths in concatenation")
		}
		acc = piece{list: out}
	}
	return append(dst, acc.list...), nil
}

func (p piece) values() []string {
	if p.isOne {
		return []string{p.one}
	}
	return p.list
}

func concatLeaves(dst []syntax.Word, w syntax.Word) []syntax.Word {
	if c, ok := w.(*syntax.Concat); ok {
		dst = concatLeaves(dst, c.X)
		return concatLeaves(dst, c.Y)
	}
	return append(dst, w)
}

// varName evaluates the name of $name.
func (in *Interp) varName(v *syntax.Var) (string, error) {
	if l, ok := v.Name.(*syntax.Lit); ok {
		return l.Value, nil
	}
	return in.expandOne(v.Name, "variable name")
}

func (in *Interp) expandVar(dst []string, v *syntax.Var) ([]string, error) {
	name, err := in.varName(v)
	if err != nil {
		return dst, err
	}
	val := in.lookup(name)
	switch v.Kind {
	case syntax.VarCount:
		return append(dst, strconv.Itoa(len(val))), nil
	case syntax.VarFlat:
		return append(dst, strings.Join(val, " ")), nil
	}
	if v.Index == nil {
		return append(dst, val...), nil
	}
	var buf [4]string
	subs, ok := litWords(buf[:0], v.Index.Words)
	if !ok {
		if subs, err = in.expandWords(nil, v.Index.Words); err != nil {
			return dst, err
		}
	}
	for _, s := range subs {
		lo, hi, ok := subscript(s, len(val))
		if !ok {
			return dst, in.abort(v.Index.Lparen, "bad subscript %s in $%s(%s)", syntax.Quote(s), name, strings.Join(subs, " "))
		}
		for i := lo; i <= hi; i++ {
			dst = append(dst, val[i-1])
		}
	}
	return dst, nil
}

// litWords appends the values of ws to dst when all are plain
// literals, as subscripts usually are.
func litWords(dst []string, ws []syntax.Word) ([]string, bool) {
	for _, w := range ws {
		l, ok := w.(*syntax.Lit)
		if !ok || !l.Quoted && hasMeta(l.Value) {
			return dst, false
		}
		dst = append(dst, l.Value)
	}
	return dst, true
}

// subscript reads n, n-m or n- and returns the 1-based range, clipped to
// the n elements there are (an empty range when lo > hi).
func subscript(s string, n int) (lo, hi int, ok bool) {
	num := func(t string) (int, bool) {
		if t == "" {
			return 0, false
		}
		v := 0
		for i := 0; i < len(t); i++ {
			if t[i] < '0' || t[i] > '9' {
				return 0, false
			}
			if v < 1<<30 {
				v = v*10 + int(t[i]-'0')
			}
		}
		return v, true
	}
	a, b, dash := strings.Cut(s, "-")
	lo, ok = num(a)
	if !ok {
		return 0, 0, false
	}
	hi = lo
	if dash {
		if b == "" {
			hi = n
		} else if hi, ok = num(b); !ok {
			return 0, 0, false
		}
	}
	if lo < 1 {
		lo = 1
	}
	if hi > n {
		hi = n
	}
	return lo, hi, true
}

// field is a word on its way to globbing: its text, and when it holds
// unquoted pattern characters, the pattern with its other characters
// escaped.
type field struct {
	s   string
	pat string
}

func (f field) pattern() string {
	if f.pat != "" {
		return f.pat
	}
	return escapePattern(f.s)
}

// fields expands w keeping track of pattern characters.
func (in *Interp) fields(dst []field, w syntax.Word) ([]field, error) {
	switch w := w.(type) {
	case *syntax.Lit:
		f := field{s: w.Value}
		if !w.Quoted && hasMeta(w.Value) {
			f.pat = litPattern(w.Value)
		}
		return append(dst, f), nil
	case *syntax.Concat:
		l, err := in.fields(nil, w.X)
		if err != nil {
			return dst, err
		}
		r, err := in.fields(nil, w.Y)
		if err != nil {
			return dst, err
		}
		join := func(a, b field) field {
			f := field{s: a.s + b.s}
			if a.pat != "" || b.pat != "" {
				f.pat = a.pattern() + b.pattern()
			}
			return f
		}
		switch {
		case len(l) == 0 || len(r) == 0:
			return dst, in.abort(w.Pos(), "null list in concatenation")
		case len(l) == 1:
			for _, b := range r {
				dst = append(dst, join(l[0], b))
			}
		case len(r) == 1:
			for _, a := range l {
				dst = append(dst, join(a, r[0]))
			}
		case len(l) == len(r):
			for i := range l {
				dst = append(dst, join(l[i], r[i]))
			}
		default:
			return dst, in.abort(w.Y.Pos(), "mismatched list lengths in concatenation")
		}
		return dst, nil
	case *syntax.List:
		var err error
		for _, x := range w.Words {
			if dst, err = in.fields(dst, x); err != nil {
				return dst, err
			}
		}
		return dst, nil
	}
	v, err := in.expand(nil, w)
	if err != nil {
		return dst, err
	}
	for _, s := range v {
		dst = append(dst, field{s: s})
	}
	return dst, nil
}

// subject expands the subject of ~ or switch, which rc matches as one
// word: the elements joined by spaces.
func (in *Interp) subject(w syntax.Word) (string, error) {
	switch x := w.(type) {
	case *syntax.Lit:
		return x.Value, nil
	case *syntax.List:
		if len(x.Words) == 1 {
			return in.subject(x.Words[0]) // switch($x)
		}
	case *syntax.Var:
		if x.Index == nil && x.Kind != syntax.VarFlat {
			name, err := in.varName(x)
			if err != nil {
				return "", err
			}
			v := in.lookup(name)
			if x.Kind == syntax.VarCount {
				return strconv.Itoa(len(v)), nil
			}
			return strings.Join(v, " "), nil
		}
	}
	v, err := in.expand(nil, w)
	return strings.Join(v, " "), err
}

// matchWords reports whether subject matches one of the patterns ws.
// Literal patterns, the common case, need no expansion.
func (in *Interp) matchWords(subject string, ws []syntax.Word) (bool, error) {
	for i, w := range ws {
		if l, ok := w.(*syntax.Lit); ok {
			if !l.Quoted && hasMeta(l.Value) {
				if match(subject, litPattern(l.Value)) {
					return true, nil
				}
			} else if l.Value == subject {
				return true, nil
			}
			continue
		}
		pats, err := in.patterns(ws[i : i+1])
		if err != nil {
			return false, err
		}
		if matchAny(subject, pats) {
			return true, nil
		}
	}
	return false, nil
}

// patterns expands the patterns of ~ or case.
func (in *Interp) patterns(ws []syntax.Word) ([]field, error) {
	var out []field
	var err error
	for _, w := range ws {
		if hasGlob(w) {
			out, err = in.fields(out, w)
		} else {
			var v []string
			v, err = in.expand(nil, w)
			for _, s := range v {
				out = append(out, field{s: s})
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func matchAny(subject string, pats []field) bool {
	for _, p := range pats {
		if p.pat == "" {
			if p.s == subject {
				return true
			}
		} else if match(subject, p.pat) {
			return true
		}
	}
	return false
}

// backquote runs `{cmd} and splits its output into words at the
// characters of $ifs, or of the word before the brace (`split{cmd}). As
// in Plan 9, $status becomes the command's status.
func (in *Interp) backquote(dst []string, b *syntax.Backquote) ([]string, error) {
	var seps string
	if b.Split != nil {
		v, err := in.expand(nil, b.Split)
		if err != nil {
			return dst, err
		}
		seps = strings.Join(v, "")
	} else {
		seps = strings.Join(in.lookup("ifs"), "")
	}
	r, w, err := os.Pipe()
	if err != nil {
		return dst, in.abort(b.Quote, "`{}: %v", err)
	}
	sub := in.clone()
	sub.setFd(1, w)
	done := make(chan string, 1)
	go func() {
		sub.runThread(b.Body)
		w.Close()
		done <- sub.status
	}()
	out, _ := io.ReadAll(r)
	r.Close()
	in.status = <-done
	return splitFields(dst, string(out), seps), nil
}

// splitFields appends the fields of s separated by runs of characters
// of seps.
func splitFields(dst []string, s, seps string) []string {
	if seps == "" {
		if s != "" {
			dst = append(dst, s)
		}
		return dst
	}
	ascii := true
	var table [128]bool
	for i := 0; i < len(seps); i++ {
		if seps[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
		table[seps[i]] = true
	}
	isSep := func(r rune) bool {
		if ascii {
			return r < utf8.RuneSelf && table[r]
		}
		return strings.ContainsRune(seps, r)
	}
	start := -1
	for i, r := range s {
		if isSep(r) {
			if start >= 0 {
				dst = append(dst, s[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		dst = append(dst, s[start:])
	}
	return dst
}

// A cleanup ends something that lives as long as the command being run:
// the shell's end of a pipe and the goroutine on the other end.
type cleanup struct {
	fd   int // the descriptor the file occupies, or -1
	file *os.File
	done chan struct{}
}

// cleanup ends the pending cleanups from index mark on, newest first.
func (in *Interp) cleanup(mark int) {
	for k := len(in.pending) - 1; k >= mark; k-- {
		c := in.pending[k]
		if c.fd >= 0 && in.fd(c.fd) == c.file {
			in.fds[c.fd] = nil
		}
		if c.file != nil {
			c.file.Close()
		}
		if c.done != nil {
			<-c.done
		}
	}
	in.pending = in.pending[:mark]
}

// firstProcSubstFd is the lowest descriptor a process substitution uses,
// above those scripts commonly redirect.
const firstProcSubstFd = 10

// procSubst runs <{cmd} or >{cmd} with one end of a pipe and expands to
// /dev/fd/N, N being the descriptor the shell gives the other end for
// the command being run.
func (in *Interp) procSubst(dst []string, p *syntax.ProcSubst) ([]string, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return dst, in.abort(p.OpPos, "<{}: %v", err)
	}
	sub := in.clone()
	mine, theirs := r, w
	if p.Out {
		mine, theirs = w, r
		sub.setFd(0, theirs)
	} else {
		sub.setFd(1, theirs)
	}
	n := firstProcSubstFd
	for in.fd(n) != nil {
		n++
	}
	in.setFd(n, mine)
	done := make(chan struct{})
	go func() {
		sub.runThread(p.Body)
		theirs.Close()
		close(done)
	}()
	in.pending = append(in.pending, cleanup{fd: n, file: mine, done: done})
	return append(dst, "/dev/fd/"+strconv.Itoa(n)), nil
}

// hereText substitutes variables in an unquoted here document as rc
// does: $name is the value (words joined by spaces), $$ is $, and a ^
// right after a name is dropped.
func (in *Interp) hereText(body string) string {
	if strings.IndexByte(body, '$') < 0 {
		return body
	}
	var b strings.Builder
	for i := 0; i < len(body); {
		c := body[i]
		if c != '$' {
			b.WriteByte(c)
			i++
			continue
		}
		i++
		if i < len(body) && body[i] == '$' {
			b.WriteByte('$')
			i++
			continue
		}
		j := i
		for j < len(body) && idChar(body[j]) {
			j++
		}
		b.WriteString(strings.Join(in.lookup(body[i:j]), " "))
		i = j
		if i < len(body) && body[i] == '^' {
			i++
		}
	}
	return b.String()
}

// idChar reports whether c may be part of a variable name after $, as
// the lexer has it.
func idChar(c byte) bool {
	return c > ' ' && c != 0x7f && !strings.ContainsRune("!\"#$%&'()+,-./:;<=>?@[\\]^`{|}~", rune(c))
}
