package interp

import (
	"io/fs"
	"sort"
	"strings"
	"unicode/utf8"
)

// Patterns. A word written unquoted with * ? or [ in it is a pattern.
// Parts of the word that were quoted or came from a variable match
// literally, so the pattern built for the word escapes their characters
// with a backslash (which rc does not otherwise treat specially).

func isMeta(c byte) bool { return c == '*' || c == '?' || c == '[' }

func hasMeta(s string) bool {
	for i := 0; i < len(s); i++ {
		if isMeta(s[i]) {
			return true
		}
	}
	return false
}

// escapePattern makes s match only itself.
func escapePattern(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; isMeta(c) || c == '\\' || c == ']' {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+n)
	for i := 0; i < len(s); i++ {
		if c := s[i]; isMeta(c) || c == '\\' || c == ']' {
			b = append(b, '\\')
		}
		b = append(b, s[i])
	}
	return string(b)
}

// litPattern is the pattern for an unquoted literal: its pattern
// characters work, a backslash is itself.
func litPattern(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	return strings.ReplaceAll(s, `\`, `\\`)
}

// unescapePattern undoes the escapes, giving the text the word had.
func unescapePattern(p string) string {
	if strings.IndexByte(p, '\\') < 0 {
		return p
	}
	b := make([]byte, 0, len(p))
	for i := 0; i < len(p); i++ {
		if p[i] == '\\' && i+1 < len(p) {
			i++
		}
		b = append(b, p[i])
	}
	return string(b)
}

// patternHasMeta reports whether p has an unescaped pattern character.
func patternHasMeta(p string) bool {
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '\\':
			i++
		case '*', '?', '[':
			return true
		}
	}
	return false
}

// match reports whether s matches the pattern p: * matches any string,
// ? any character, [abc] [a-z] a class and [~abc] its complement.
func match(s, p string) bool {
	// Backtracking on the last * only: linear for patterns with one
	// star, which are most.
	var starP, starS = -1, -1
	i, j := 0, 0
	for i < len(s) || j < len(p) {
		if j < len(p) {
			switch p[j] {
			case '*':
				starP, starS = j, i
				j++
				continue
			case '?':
				if i < len(s) {
					_, n := utf8.DecodeRuneInString(s[i:])
					i += n
					j++
					continue
				}
			case '[':
				if i < len(s) {
					r, n := utf8.DecodeRuneInString(s[i:])
					if ok, end := matchClass(r, p, j); end > 0 {
						if ok {
							i += n
							j = end
							continue
						}
						break
					}
					// No closing ]: a plain [.
					if s[i] == '[' {
						i++
						j++
						continue
					}
				}
			case '\\':
				if j+1 < len(p) {
					if i < len(s) && s[i] == p[j+1] {
						i++
						j += 2
						continue
					}
					break
				}
				fallthrough
			default:
				if i < len(s) && s[i] == p[j] {
					i++
					j++
					continue
				}
			}
		}
		if starP < 0 || starS >= len(s) {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[starS:])
		starS += n
		i, j = starS, starP+1
	}
	return true
}

// matchClass matches r against the class starting at p[j] == '['. It
// returns the index after the class, or 0 when the class has no end.
func matchClass(r rune, p string, j int) (ok bool, end int) {
	k := j + 1
	neg := false
	if k < len(p) && p[k] == '~' {
		neg = true
		k++
	}
	first := true
	for k < len(p) {
		if p[k] == ']' && !first {
			return ok != neg, k + 1
		}
		first = false
		lo, n := classChar(p, k)
		if n == 0 {
			return false, 0
		}
		k += n
		hi := lo
		if k+1 < len(p) && p[k] == '-' && p[k+1] != ']' {
			h, m := classChar(p, k+1)
			if m == 0 {
				return false, 0
			}
			hi = h
			k += 1 + m
		}
		if lo <= r && r <= hi {
			ok = true
		}
	}
	return false, 0
}

func classChar(p string, k int) (rune, int) {
	if p[k] == '\\' {
		if k+1 >= len(p) {
			return 0, 0
		}
		r, n := utf8.DecodeRuneInString(p[k+1:])
		return r, n + 1
	}
	r, n := utf8.DecodeRuneInString(p[k:])
	return r, n
}

// glob expands a pattern into the sorted names it matches, or nil.
// Pattern characters match neither / nor the names . and .., but do
// match other names that begin with a dot, as in Plan 9.
func (in *Interp) glob(p string) []string {
	parts := strings.Split(p, "/")
	var bases []string
	start := 0
	if parts[0] == "" { // absolute
		bases = []string{"/"}
		start = 1
	} else {
		bases = []string{""}
	}
	for k := start; k < len(parts); k++ {
		part := parts[k]
		last := k == len(parts)-1
		if part == "" {
			if last { // a trailing /: only directories, slash kept
				var dirs []string
				for _, b := range bases {
					if fi, err := in.sys.Stat(in.abs(b)); err == nil && fi.IsDir() {
						dirs = append(dirs, b+"/")
					}
				}
				return dirs
			}
			continue
		}
		var next []string
		if !patternHasMeta(part) {
			name := unescapePattern(part)
			for _, b := range bases {
				next = append(next, joinGlob(b, name))
			}
			bases = next
			continue
		}
		for _, b := range bases {
			dir := b
			if dir == "" {
				dir = "."
			}
			ents, err := in.sys.ReadDir(in.abs(dir))
			if err != nil {
				continue
			}
			var names []string
			for _, e := range ents {
				name := e.Name()
				if name == "." || name == ".." {
					continue
				}
				if !last && !e.IsDir() && e.Type()&fs.ModeSymlink == 0 {
					// A later part follows: only directories, and
					// symbolic links that may lead to them, can match.
					continue
				}
				if match(name, part) {
					names = append(names, name)
				}
			}
			sort.Strings(names)
			for _, n := range names {
				next = append(next, joinGlob(b, n))
			}
		}
		bases = next
		if len(bases) == 0 {
			return nil
		}
	}
	// Names built from literal parts must exist.
	var out []string
	for _, b := range bases {
		if _, err := in.sys.Lstat(in.abs(b)); err == nil {
			out = append(out, b)
		}
	}
	return out
}

func joinGlob(base, name string) string {
	switch base {
	case "":
		return name
	case "/":
		return "/" + name
	}
	return base + "/" + name
}
