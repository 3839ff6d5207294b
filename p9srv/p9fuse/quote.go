package p9fuse

import "strings"

// rcSpecial holds the characters that make rc read a word as more than a
// plain word: white space, quotes, comments, variables, carets, command
// substitution, separators, redirections, grouping, escapes and globs.
const rcSpecial = " \t\n'#$=^`;&|<>(){}\\*?["

// rcQuote quotes s as one rc word: as it is when nothing in it is
// special to rc, else in single quotes with each ' doubled.
func rcQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, rcSpecial) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// FsName is the mount source the bridge gives its mount: the rc-quoted
// words "ADDR" or "ADDR ANAME", so that ns can print the mount back as
// "mount ADDR old ANAME".
func FsName(addr, aname string) string {
	if aname == "" {
		return rcQuote(addr)
	}
	return rcQuote(addr) + " " + rcQuote(aname)
}
