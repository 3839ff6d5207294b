package edit

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// tabWidth is the distance between tab stops on a terminal.
const tabWidth = 8

// SplitPrompt divides a prompt into the lines the Editor prints itself
// (everything up to and including the last newline, printed as it is, so
// colours and other escape sequences there work) and the last line, which
// liner prints and redraws.
func SplitPrompt(p string) (before, last string) {
	i := strings.LastIndexByte(p, '\n')
	return p[:i+1], p[i+1:]
}

// SanitizePrompt returns the last line of a prompt in a form liner accepts
// (liner refuses any rune of Unicode category C) and measures correctly:
//
//   - an escape sequence is removed: CSI (ESC [ ... final byte), OSC
//     (ESC ] ... BEL or ESC \) and other escapes (ESC, intermediate
//     bytes, a final character). These are colours, window titles and
//     character sets; liner cannot pass them on.
//   - a TAB becomes the spaces that reach the next tab stop (every 8
//     columns, counting runes), so Plan 9 rc's continuation prompt, a lone
//     TAB, shows as 8 spaces;
//   - a carriage return, newline or other control character (C0, DEL,
//     C1), or a private-use or surrogate code point becomes '?';
//   - a format character (Cf: zero-width joiner, soft hyphen, direction
//     marks) is removed, as it is meant to be invisible.
//   - a byte that is not UTF-8 becomes U+FFFD.
func SanitizePrompt(last string) string {
	var b strings.Builder
	col := 0
	for i := 0; i < len(last); {
		r, n := utf8.DecodeRuneInString(last[i:])
		if r == 0x1b {
			i += escapeLen(last[i:])
			continue
		}
		i += n
		switch {
		case r == '\t':
			pad := tabWidth - col%tabWidth
			b.WriteString(strings.Repeat(" ", pad))
			col += pad
		case unicode.Is(unicode.Cf, r):
		case unicode.Is(unicode.C, r):
			b.WriteByte('?')
			col++
		default:
			b.WriteRune(r)
			col++
		}
	}
	return b.String()
}

// escapeLen returns the length of the escape sequence at the start of s,
// which starts with ESC.
func escapeLen(s string) int {
	if len(s) < 2 {
		return len(s)
	}
	switch s[1] {
	case '[': // CSI: parameters and intermediates, then a final byte
		for i := 2; i < len(s); i++ {
			if 0x40 <= s[i] && s[i] <= 0x7e {
				return i + 1
			}
		}
		return len(s)
	case ']': // OSC: ends with BEL or ST (ESC \)
		for i := 2; i < len(s); i++ {
			if s[i] == 0x07 {
				return i + 1
			}
			if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
		}
		return len(s)
	default: // ESC, intermediate bytes (0x20-0x2f), a final byte
		i := 1
		for i < len(s) && 0x20 <= s[i] && s[i] <= 0x2f {
			i++
		}
		if i == len(s) {
			return i
		}
		_, n := utf8.DecodeRuneInString(s[i:])
		return i + n
	}
}
