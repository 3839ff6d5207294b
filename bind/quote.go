package bind

import "strings"

// Quote returns s as one rc word: unchanged if rc reads it literally,
// otherwise in single quotes, each quote inside doubled as rc reads it.
func Quote(s string) string {
	if s != "" && !strings.ContainsFunc(s, needsQuote) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// needsQuote reports characters rc treats specially in a word (syntax,
// globbing, variables, comments) or that would not survive a line-based
// reader.
func needsQuote(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return false
	}
	return !strings.ContainsRune("/._-+,:%@!", r)
}
