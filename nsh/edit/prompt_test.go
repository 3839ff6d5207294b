package edit

import (
	"strings"
	"testing"
	"unicode"
)

func TestSplitPrompt(t *testing.T) {
	for _, tt := range []struct{ p, before, last string }{
		{"; ", "", "; "},
		{"\x1b[1mhost\x1b[0m\n; ", "\x1b[1mhost\x1b[0m\n", "; "},
		{"a\nb\n", "a\nb\n", ""},
	} {
		b, l := SplitPrompt(tt.p)
		if b != tt.before || l != tt.last {
			t.Errorf("SplitPrompt(%q) = %q, %q; want %q, %q", tt.p, b, l, tt.before, tt.last)
		}
	}
}

func TestSanitizePrompt(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"; ", "; "},
		{"\t", "        "},
		{"cont>\t", "cont>   "},
		{"12345678\tx", "12345678        x"},
		{"é\t", "é       "},
		{"\x1b[32m; \x1b[0m", "; "},
		{"\x1b[38;5;208m%\x1b[m ", "% "},
		{"\x1b]0;title\x07; ", "; "},
		{"\x1b]0;title\x1b\\; ", "; "},
		{"\x1b(B; ", "; "},
		{"a\x1b", "a"},
		{"\x01x\x7f\u0085", "?x??"},
		{"\rx", "?x"},
		{"👨\u200d💻 ", "👨💻 "},
		{"\ue0b0 ", "? "},
		{"\xff; ", "\ufffd; "},
	} {
		if got := SanitizePrompt(tt.in); got != tt.want {
			t.Errorf("SanitizePrompt(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzSanitizePrompt(f *testing.F) {
	for _, s := range []string{"; ", "\t", "\x1b[31m;\x1b[0m", "\x1b]0;t\x07", "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		got := SanitizePrompt(p)
		if i := strings.IndexFunc(got, func(r rune) bool { return unicode.Is(unicode.C, r) }); i >= 0 {
			t.Fatalf("SanitizePrompt(%q) = %q: liner would refuse it", p, got)
		}
	})
}
