package edit

import (
	"io/fs"
	"path"
	"sort"
	"strings"
	"unicode"
)

// Names is what the shell knows at the moment Tab is pressed. The Editor
// calls it only from ReadCommand, on the caller's goroutine.
type Names interface {
	// Builtins lists the names of the builtin commands.
	Builtins() []string
	// Functions lists the names of the defined functions.
	Functions() []string
	// Variables lists the names of the set variables.
	Variables() []string
	// Var returns the value of a variable; the completer reads $path
	// and expands a leading $name/ (such as $home/) in a file name.
	Var(name string) []string
	// Dir is the shell's current directory, an absolute path.
	Dir() string
	// ReadDir lists a directory (an absolute path) in the shell's
	// namespace.
	ReadDir(dir string) ([]fs.DirEntry, error)
	// Stat describes a file (an absolute path), following symbolic
	// links, to tell directories and executables from other files.
	Stat(name string) (fs.FileInfo, error)
}

// SrvDir is the directory of posted 9P services that mount's address is
// completed from.
const SrvDir = "/srv"

// Complete returns the completions of the word at the cursor, in the form
// liner's WordCompleter wants: line is the whole line, pos the cursor as an
// index of runes; every completion replaces the text between head and tail.
//
// Candidates come from the word's place in the command: the first word of
// a command completes builtins, functions and the executables in the
// directories of $path; the word after $ (or $#, $") variables; the word
// after fn functions; mount's address the services in /srv (as
// /srv/NAME); any other word, and any word holding a /, file names,
// relative to Names.Dir (only directories for cd, only directories and
// executables for a command given by its path). A file name that starts with $name/ is looked up
// in the variable's value (a variable with one element).
//
// Candidates are quoted for rc when they need it (see Quote):
//
//	cat my<Tab>       cat 'my file'
//	cat 'my fi<Tab>   cat 'my file'
//	cd my<Tab>        cd 'my dir'/
//
// All are quoted when the word being completed uses quotes, or when their
// common prefix would otherwise stand for less than what was typed (liner
// replaces the word with that prefix): after m, 'mx' and 'my file'.
// Directories end in /, outside the quotes. A lone
// candidate that is not a directory or variable gets a space after it.
// Names starting with a dot are offered only when the typed name starts
// with one. Candidates are sorted and unique. The text after the cursor is
// left as it is.
func Complete(line string, pos int, names Names) (head string, completions []string, tail string) {
	runes := []rune(line)
	if pos < 0 || pos > len(runes) {
		pos = len(runes)
	}
	left, right := string(runes[:pos]), string(runes[pos:])
	if names == nil {
		return left, nil, right
	}
	w := scanLine(left)
	frag := left[w.start:]
	head = left[:w.start]
	var c completer
	switch w.kind {
	case kindNone:
		return left, nil, right
	case kindVariable:
		sigil := varSigil(frag)
		head += sigil
		c.plain(names.Variables(), frag[len(sigil):])
	case kindFunction:
		c.words(names.Functions(), frag)
	case kindCommand:
		if strings.Contains(frag, "/") {
			c.files(names, frag, filesExecutable)
		} else {
			c.commands(names, frag)
		}
	case kindAddr:
		if strings.ContainsAny(frag, "/!$") {
			c.files(names, frag, filesAll)
		} else {
			c.srv(names, frag)
		}
	case kindArg:
		only := filesAll
		if w.cmd == "cd" {
			only = filesDirs
		}
		c.files(names, frag, only)
	default:
		c.files(names, frag, filesAll)
	}
	head += c.headExtra
	return head, c.result(right), right
}

// fileFilter says which files, besides directories, a word may name.
type fileFilter int

const (
	filesAll        fileFilter = iota
	filesExecutable            // a command given by its path
	filesDirs                  // cd's argument
)

// completer gathers candidates for one word.
type completer struct {
	// headExtra is the part of the word kept as typed (up to its last /).
	headExtra string
	cands     []candidate
	typed     string // what the replaced text stands for
	quote     bool   // quote every candidate
	noQuote   bool   // quote none (variable names)
	noSpace   bool   // no space after a lone candidate
}

// candidate is one completion before rendering.
type candidate struct {
	text string // what the name stands for
	dir  bool   // a directory: rendered with a / after it
}

// words offers the names that start with the typed rc word raw.
func (c *completer) words(names []string, raw string) {
	prefix, quoted, _ := unquote(raw)
	c.typed, c.quote = prefix, quoted
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			c.add(candidate{text: n})
		}
	}
}

// plain offers the names that start with prefix, never quoted (variable
// names need no quotes).
func (c *completer) plain(names []string, prefix string) {
	c.typed, c.noQuote, c.noSpace = prefix, true, true
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			c.cands = append(c.cands, candidate{text: n})
		}
	}
}

func (c *completer) add(cand candidate) {
	c.cands = append(c.cands, cand)
}

// commands offers builtins, functions and executables on $path.
func (c *completer) commands(names Names, raw string) {
	prefix, quoted, _ := unquote(raw)
	c.typed, c.quote = prefix, quoted
	var all []string
	all = append(all, names.Builtins()...)
	all = append(all, names.Functions()...)
	for _, dir := range names.Var("path") {
		dir = absPath(names.Dir(), dir)
		ents, err := names.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range ents {
			n := e.Name()
			if !strings.HasPrefix(n, prefix) || strings.HasPrefix(n, ".") && !strings.HasPrefix(prefix, ".") {
				continue
			}
			if isExecutable(names, path.Join(dir, n), e) {
				all = append(all, n)
			}
		}
	}
	for _, n := range all {
		if strings.HasPrefix(n, prefix) {
			c.add(candidate{text: n})
		}
	}
}

// srv offers the services posted in /srv, as full paths.
func (c *completer) srv(names Names, raw string) {
	prefix, quoted, _ := unquote(raw)
	c.typed, c.quote = path.Join(SrvDir, prefix), quoted
	ents, err := names.ReadDir(SrvDir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), prefix) && !strings.HasPrefix(e.Name(), ".") {
			c.add(candidate{text: path.Join(SrvDir, e.Name())})
		}
	}
}

// files offers the files that complete the typed rc word raw; with
// which files are offered besides directories.
func (c *completer) files(names Names, raw string, only fileFilter) {
	// Keep the typed text up to the last / outside quotes, and complete
	// only the name after it, so that the list shows names, not paths.
	keep := lastUnquotedSlash(raw) + 1
	kept, rest := raw[:keep], raw[keep:]
	dirValue, ok := expandWord(names, kept)
	if !ok {
		return
	}
	prefix, quoted, _ := unquote(rest)
	c.headExtra = kept
	c.typed, c.quote = prefix, quoted
	if keep == 0 {
		// The last / (if any) is inside quotes: complete the whole word.
		c.headExtra = ""
		value, _, _ := unquote(raw)
		if strings.HasPrefix(raw, "$") {
			return // $name'...: a quoted name after a variable; leave it
		}
		i := strings.LastIndexByte(value, '/')
		dirValue, prefix = value[:i+1], value[i+1:]
		c.typed = value
	}
	dir := absPath(names.Dir(), dirValue)
	ents, err := names.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		n := e.Name()
		if !strings.HasPrefix(n, prefix) || strings.HasPrefix(n, ".") && !strings.HasPrefix(prefix, ".") {
			continue
		}
		full := path.Join(dir, n)
		isDir := e.IsDir()
		if e.Type()&fs.ModeSymlink != 0 {
			if fi, err := names.Stat(full); err == nil {
				isDir = fi.IsDir()
			}
		}
		if !isDir && (only == filesDirs || only == filesExecutable && !isExecutable(names, full, e)) {
			continue
		}
		text := n
		if keep == 0 {
			text = dirValue + n
		}
		c.add(candidate{text: text, dir: isDir})
	}
}

// expandWord returns the directory an unquoted-or-quoted word prefix
// (empty or ending in /) stands for, expanding a leading $name when the
// variable has exactly one element. ok is false when the prefix holds a
// variable that cannot be expanded that way.
func expandWord(names Names, kept string) (string, bool) {
	if !strings.HasPrefix(kept, "$") {
		if strings.Contains(kept, "$") {
			return "", false
		}
		v, _, _ := unquote(kept)
		return v, true
	}
	end := 1 + strings.IndexFunc(kept[1:], func(r rune) bool { return !isVarChar(r) })
	if end == 0 || kept[end] != '/' {
		return "", false
	}
	val := names.Var(kept[1:end])
	if len(val) != 1 || strings.Contains(kept[end:], "$") {
		return "", false
	}
	rest, _, _ := unquote(kept[end:])
	return val[0] + rest, true
}

// lastUnquotedSlash returns the index of the last / in raw that is outside
// quotes, or -1.
func lastUnquotedSlash(raw string) int {
	last, open := -1, false
	for i := 0; i < len(raw); i++ {
		switch {
		case raw[i] == '\'':
			if open && i+1 < len(raw) && raw[i+1] == '\'' {
				i++
			} else {
				open = !open
			}
		case raw[i] == '/' && !open:
			last = i
		}
	}
	return last
}

// result renders the candidates, sorted and unique. Each is quoted only
// if it needs it, unless their common prefix would then stand for less
// than the typed word (as with my file and mx after m): liner replaces the
// word with that prefix, so then all are quoted.
func (c *completer) result(tail string) []string {
	sort.Slice(c.cands, func(i, j int) bool { return c.cands[i].text < c.cands[j].text })
	var uniq []candidate
	for i, cand := range c.cands {
		if i == 0 || cand.text != c.cands[i-1].text {
			uniq = append(uniq, cand)
		}
	}
	if len(uniq) == 0 {
		return nil
	}
	out := c.render(uniq, c.quote)
	if !c.quote && !c.noQuote {
		if v, _, _ := unquote(commonPrefix(out)); !strings.HasPrefix(v, c.typed) {
			out = c.render(uniq, true)
		}
	}
	if len(out) == 1 && !uniq[0].dir && !c.noSpace &&
		(tail == "" || !unicode.IsSpace([]rune(tail)[0])) {
		out[0] += " "
	}
	return out
}

// render quotes the candidates (all of them, with all) and marks
// directories.
func (c *completer) render(cands []candidate, all bool) []string {
	out := make([]string, len(cands))
	for i, cand := range cands {
		s := cand.text
		switch {
		case c.noQuote:
		case all:
			s = quoteAlways(s)
		default:
			s = Quote(s)
		}
		if cand.dir {
			s += "/"
		}
		out[i] = s
	}
	return out
}

// commonPrefix returns the longest common prefix of ss.
func commonPrefix(ss []string) string {
	p := ss[0]
	for _, s := range ss[1:] {
		for !strings.HasPrefix(s, p) {
			p = p[:len(p)-1]
		}
	}
	return p
}

// isExecutable reports whether the directory entry e at full is a file
// someone may execute.
func isExecutable(names Names, full string, e fs.DirEntry) bool {
	var fi fs.FileInfo
	var err error
	if e.Type()&fs.ModeSymlink != 0 {
		fi, err = names.Stat(full)
	} else {
		fi, err = e.Info()
	}
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// absPath joins a name onto dir unless it is absolute.
func absPath(dir, name string) string {
	if path.IsAbs(name) {
		return path.Clean(name)
	}
	return path.Join(dir, name)
}
