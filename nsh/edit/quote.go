package edit

import (
	"strings"
	"unicode"
)

// rcSpecial holds the characters that end an rc word or act inside one
// (globbing); a word holding any of them must be quoted to stand for
// itself. The set is Plan 9 rc's wordchr plus the glob characters.
const rcSpecial = " \t\n#;&|^$=`'{}()<>*?["

// NeedsQuote reports whether s must be quoted to be read by rc as one word
// with exactly this text: it is empty, holds a character rc treats
// specially, a control character, or starts with a character that is
// special at the start of a command (!, @, ~).
func NeedsQuote(s string) bool {
	if s == "" {
		return true
	}
	if strings.ContainsAny(s[:1], "!@~") {
		return true
	}
	for _, r := range s {
		if strings.ContainsRune(rcSpecial, r) || unicode.IsControl(r) {
			return true
		}
	}
	return false
}

// Quote returns s as rc reads it back: unchanged when it needs no quotes,
// else between single quotes with each quote inside doubled:
//
//	it's  ->  'it''s'
func Quote(s string) string {
	if !NeedsQuote(s) {
		return s
	}
	return quoteAlways(s)
}

func quoteAlways(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// unquote returns the text an rc word fragment stands for, removing the
// quotes: raw holds no unquoted special character but may start, end or
// hold quoted parts, and may end inside an open quote (the word being
// typed). quoted reports whether raw used quotes at all; open whether it
// ends inside a quote.
func unquote(raw string) (value string, quoted, open bool) {
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\'' {
			b.WriteByte(c)
			continue
		}
		quoted = true
		if open && i+1 < len(raw) && raw[i+1] == '\'' {
			b.WriteByte('\'')
			i++
			continue
		}
		open = !open
	}
	return b.String(), quoted, open
}
