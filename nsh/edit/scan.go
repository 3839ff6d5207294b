package edit

import "strings"

// wordKind says what the word at the cursor names, and so where its
// completions come from.
type wordKind int

const (
	kindNone     wordKind = iota // in a comment: nothing to complete
	kindCommand                  // first word of a simple command
	kindArg                      // an argument: a file name
	kindRedirect                 // the target of < or >: a file name
	kindFunction                 // the name after fn
	kindVariable                 // after $, $# or $"
	kindAddr                     // mount's address: a name in /srv or a file
)

// wordAt describes the word being typed at the end of left.
type wordAt struct {
	kind wordKind
	// start is the byte offset in left of the fragment to replace: the
	// whole word, or the part after $, = or ^ when the word is built of
	// several parts.
	start int
	// cmd is the command word of the simple command the word belongs to,
	// "" when the word is that command word.
	cmd string
}

// scanLine finds the word that ends at the end of left (the line up to the
// cursor), with a forgiving reading of rc's syntax: it never fails, since
// the line is usually half typed. It knows commands start at the start of
// the line and after ; & | && || { ( of if and while, ) closing the
// condition of if, while, for and switch, `{ <{ >{, if not, builtin, exec,
// ! and @; that the word after < or > names a file; and that # starts a
// comment.
func scanLine(left string) wordAt {
	type paren struct{ keyword bool }
	var (
		cmdPos    = true // the next word starts a command
		cmd       = ""   // the current simple command's first word
		pendingKw = ""   // if, while, for or switch waiting for its (
		afterFn   = false
		redirect  = false
		addrDone  = false // mount has had its address
		parens    []paren
		wordStart = -1 // start of the word being scanned, -1 between words
		fragStart = -1 // start of its last fragment
		assign    = false
		inQuote   = false
	)
	reset := func() {
		cmdPos, cmd, pendingKw, afterFn, redirect, addrDone = true, "", "", false, false, false
	}
	endWord := func(end int) {
		if wordStart < 0 {
			return
		}
		word, _, _ := unquote(left[wordStart:end])
		switch {
		case redirect:
			redirect = false
		case afterFn:
			afterFn = false
		case cmdPos && assign:
			// name=value before the command: the command is still to come.
		case cmdPos:
			cmd, cmdPos = word, false
			switch word {
			case "if", "while", "for", "switch":
				pendingKw = word
			case "builtin", "exec", "!", "@":
				cmdPos, cmd = true, ""
			case "fn":
				afterFn = true
			}
		case cmd == "if" && word == "not" && pendingKw == "if":
			cmdPos, cmd, pendingKw = true, "", ""
		case cmd == "mount" && !strings.HasPrefix(word, "-"):
			addrDone = true
		}
		wordStart, fragStart, assign = -1, -1, false
	}
	startWord := func(i int) {
		if wordStart < 0 {
			wordStart, fragStart = i, i
		}
	}
	for i := 0; i < len(left); i++ {
		c := left[i]
		if inQuote {
			if c == '\'' {
				if i+1 < len(left) && left[i+1] == '\'' {
					i++
				} else {
					inQuote = false
				}
			}
			continue
		}
		switch c {
		case '\'':
			startWord(i)
			inQuote = true
		case ' ', '\t', '\r':
			endWord(i)
		case '\n', ';', '&', '|':
			endWord(i)
			reset()
			if c == '|' && i+1 < len(left) && left[i+1] == '[' {
				i = skipBracket(left, i+1)
			}
		case '{':
			endWord(i)
			reset()
		case '}':
			endWord(i)
			cmdPos, cmd, pendingKw, redirect = false, "}", "", false
		case '(':
			endWord(i)
			kw := pendingKw != ""
			parens = append(parens, paren{keyword: kw})
			// The condition of if and while is a command; the list of
			// for and switch, and any other list, holds arguments.
			cmdPos = pendingKw == "if" || pendingKw == "while"
			if cmdPos {
				cmd = ""
			}
			pendingKw = ""
		case ')':
			endWord(i)
			if n := len(parens); n > 0 {
				kw := parens[n-1].keyword
				parens = parens[:n-1]
				if kw {
					reset()
				}
			}
		case '<', '>':
			endWord(i)
			redirect = true
			for i+1 < len(left) && (left[i+1] == '<' || left[i+1] == '>') {
				i++
			}
			if i+1 < len(left) && left[i+1] == '[' {
				j := skipBracket(left, i+1)
				if strings.Contains(left[i+1:min(j+1, len(left))], "=") {
					redirect = false // >[2=1] duplicates; no file follows
				}
				i = j
			}
		case '`':
			endWord(i)
		case '#':
			if i > 0 && left[i-1] == '$' && fragStart == i-1 {
				continue // $#name counts a list
			}
			return wordAt{kind: kindNone, start: len(left)}
		case '$':
			startWord(i)
			fragStart = i
		case '^':
			startWord(i)
			fragStart = i + 1
		case '=':
			startWord(i)
			if cmdPos {
				assign = true
			}
			fragStart = i + 1
		default:
			startWord(i)
		}
	}
	w := wordAt{start: len(left), cmd: cmd}
	if fragStart >= 0 {
		w.start = fragStart
	}
	frag := left[w.start:]
	switch {
	case strings.HasPrefix(frag, "$") && isVarPrefix(frag):
		w.kind = kindVariable
	case redirect:
		w.kind = kindRedirect
	case afterFn:
		w.kind = kindFunction
	case cmdPos && !assign:
		w.kind, w.cmd = kindCommand, ""
	case cmd == "mount" && !addrDone && !strings.HasPrefix(frag, "-"):
		w.kind = kindAddr
	default:
		w.kind = kindArg
	}
	return w
}

// skipBracket returns the index of the ] closing the [ at left[i], or the
// last index of left when it is not closed.
func skipBracket(left string, i int) int {
	if j := strings.IndexByte(left[i:], ']'); j >= 0 {
		return i + j
	}
	return len(left) - 1
}

// isVarPrefix reports whether frag, which starts with $, is a variable
// reference still being typed: $, $#, $" and then name characters only.
func isVarPrefix(frag string) bool {
	name := varSigil(frag)
	return strings.IndexFunc(frag[len(name):], func(r rune) bool { return !isVarChar(r) }) < 0
}

// varSigil returns the $, $# or $" that starts frag.
func varSigil(frag string) string {
	if len(frag) > 1 && (frag[1] == '#' || frag[1] == '"') {
		return frag[:2]
	}
	return frag[:1]
}

// isVarChar reports whether r may appear in an rc variable name.
func isVarChar(r rune) bool {
	return r == '_' || r == '*' || r >= 0x80 ||
		'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
}
