// Package mountinfo reads the fields of the kernel's mount table
// (/proc/PID/mountinfo) as the kernel writes them.
package mountinfo

import "strings"

// Unescape undoes the kernel's octal escapes (\NNN: \040 for a space,
// \134 for a backslash, \054 for a comma) in a mountinfo field. A
// backslash that starts no escape of a byte stays as it is.
func Unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) && isOctalByte(s[i+1:i+4]) {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// isOctalByte reports whether s is three octal digits of a byte value.
func isOctalByte(s string) bool {
	for i := 0; i < 3; i++ {
		if s[i] < '0' || s[i] > '7' {
			return false
		}
	}
	// \NNN above \377 is not a byte.
	return s[0] <= '3'
}
