package edit

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// A history file holds one command a line. A command is stored with these
// escapes, which keep a multi-line command on one line, keep the file
// valid UTF-8 and leave an ordinary command as typed:
//
//	newline                  \n
//	a byte that is not UTF-8 \xHH (two lower-case hex digits)
//	backslash                \\ where the next stored character is n, x
//	                         or \; elsewhere the backslash is left alone
//
// Decoding reads \n, \xHH and \\ back and keeps any other backslash, so a
// hand-written line with a backslash reads as typed.

// encodeRecord returns cmd as one line of the history file, without the
// newline that ends it.
func encodeRecord(cmd string) string {
	var pieces []string
	for i := 0; i < len(cmd); {
		r, n := utf8.DecodeRuneInString(cmd[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			pieces = append(pieces, fmt.Sprintf(`\x%02x`, cmd[i]))
		case r == '\n':
			pieces = append(pieces, `\n`)
		default:
			pieces = append(pieces, cmd[i:i+n])
		}
		i += n
	}
	var b strings.Builder
	for i, p := range pieces {
		if p == `\` && i+1 < len(pieces) && strings.ContainsAny(pieces[i+1][:1], `nx\`) {
			p = `\\`
		}
		b.WriteString(p)
	}
	return b.String()
}

// decodeRecord returns the command a line of the history file stores.
func decodeRecord(line string) string {
	if !strings.Contains(line, `\`) {
		return line
	}
	var b strings.Builder
	for i := 0; i < len(line); i++ {
		c := line[i]
		if c != '\\' || i+1 == len(line) {
			b.WriteByte(c)
			continue
		}
		switch next := line[i+1]; {
		case next == 'n':
			b.WriteByte('\n')
			i++
		case next == '\\':
			b.WriteByte('\\')
			i++
		case next == 'x' && i+3 < len(line) && isHex(line[i+2]) && isHex(line[i+3]):
			b.WriteByte(unhex(line[i+2])<<4 | unhex(line[i+3]))
			i += 3
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// NewlineMark stands for a newline when a multi-line command from the
// history is shown on the one line liner edits; Enter turns each mark back
// into a newline. (So a ⏎ typed at the prompt also becomes a newline.)
const NewlineMark = '⏎'

// toDisplay returns cmd as liner shows and edits it.
func toDisplay(cmd string) string {
	return strings.ReplaceAll(cmd, "\n", string(NewlineMark))
}

// fromDisplay returns the command text of a line liner returned.
func fromDisplay(line string) string {
	return strings.ReplaceAll(line, string(NewlineMark), "\n")
}
