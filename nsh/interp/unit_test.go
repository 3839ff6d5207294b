package interp

import (
	"reflect"
	"testing"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		s, p string
		want bool
	}{
		{"", "", true},
		{"abc", "abc", true},
		{"abc", "ab", false},
		{"abc", "*", true},
		{"", "*", true},
		{"abc", "a*", true},
		{"abc", "*c", true},
		{"abc", "*b*", true},
		{"abc", "*d*", false},
		{"abc", "a?c", true},
		{"ac", "a?c", false},
		{"aXc", "a[XY]c", true},
		{"aZc", "a[XY]c", false},
		{"m", "[a-z]", true},
		{"M", "[a-z]", false},
		{"M", "[~a-z]", true},
		{"m", "[~a-z]", false},
		{"-", "[a-]", true},
		{"]", "[]]", true},
		{"x", "[~]]", true},
		{"[", "[", true},
		{"[x", "[x", true},
		{"é", "?", true},
		{"é", "[é]", true},
		{"a/b", "a*b", true},
		{".x", "*x", true},
		{"a*b", `a\*b`, true},
		{"axb", `a\*b`, false},
		{`a\b`, `a\\b`, true},
		{"aaaaaaaaaaaaaaaaaaaaaaaaaab", "*a*a*a*a*a*a*a*b", true},
		{"aaaaaaaaaaaaaaaaaaaaaaaaaaa", "*a*a*a*a*a*a*a*b", false},
	}
	for _, tc := range tests {
		if got := match(tc.s, tc.p); got != tc.want {
			t.Errorf("match(%q, %q) = %v, want %v", tc.s, tc.p, got, tc.want)
		}
	}
}

func TestEscapePattern(t *testing.T) {
	for _, s := range []string{"", "abc", "a*b", "[x]", `a\b`, "?*[]\\"} {
		p := escapePattern(s)
		if !match(s, p) {
			t.Errorf("%q does not match its escaped pattern %q", s, p)
		}
		if patternHasMeta(p) {
			t.Errorf("escaped pattern %q of %q has pattern characters", p, s)
		}
		if u := unescapePattern(p); u != s {
			t.Errorf("unescape(escape(%q)) = %q", s, u)
		}
	}
	if match("axb", escapePattern("a?b")) {
		t.Error("an escaped ? matches any character")
	}
}

func TestSubscript(t *testing.T) {
	tests := []struct {
		s      string
		n      int
		lo, hi int
		ok     bool
	}{
		{"1", 3, 1, 1, true},
		{"3", 3, 3, 3, true},
		{"4", 3, 4, 3, true}, // empty
		{"0", 3, 1, 0, true}, // empty
		{"2-3", 5, 2, 3, true},
		{"2-", 5, 2, 5, true},
		{"2-9", 5, 2, 5, true},
		{"3-1", 5, 3, 1, true}, // empty
		{"-2", 5, 0, 0, false},
		{"abc", 5, 0, 0, false},
		{"1-z", 5, 0, 0, false},
		{"", 5, 0, 0, false},
	}
	for _, tc := range tests {
		lo, hi, ok := subscript(tc.s, tc.n)
		if ok != tc.ok || ok && (lo != tc.lo || hi != tc.hi) {
			t.Errorf("subscript(%q, %d) = %d, %d, %v; want %d, %d, %v", tc.s, tc.n, lo, hi, ok, tc.lo, tc.hi, tc.ok)
		}
	}
}

func TestSplitFields(t *testing.T) {
	tests := []struct {
		s, seps string
		want    []string
	}{
		{"a b\tc\n", " \t\n", []string{"a", "b", "c"}},
		{"\n\na  b\n\n", " \t\n", []string{"a", "b"}},
		{"a:b::c", ":", []string{"a", "b", "c"}},
		{"a b", "", []string{"a b"}},
		{"", " ", nil},
		{"", "", nil},
		{"aébéc", "é", []string{"a", "b", "c"}},
	}
	for _, tc := range tests {
		if got := splitFields(nil, tc.s, tc.seps); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("splitFields(%q, %q) = %q, want %q", tc.s, tc.seps, got, tc.want)
		}
	}
}

func TestExitCode(t *testing.T) {
	tests := map[string]int{
		"":               0,
		"0":              0,
		"|":              0,
		"0|0":            0,
		"1":              1,
		"3":              3,
		"256":            0,
		"257":            1,
		"false":          1,
		"no match":       1,
		"not found":      127,
		"not executable": 126,
		"usage":          2,
		"sigint":         130,
		"sigkill":        137,
		"sig40":          168,
		"1|":             1,
		"|5":             5,
		"2|3":            3,
		"sigpipe|":       141,
	}
	for status, want := range tests {
		if got := ExitCode(status); got != want {
			t.Errorf("ExitCode(%q) = %d, want %d", status, got, want)
		}
		if Truthy(status) != (want == 0 && status != "256") {
			t.Errorf("Truthy(%q) = %v", status, Truthy(status))
		}
	}
	if SignalStatus(2) != "sigint" || SignalStatus(15) != "sigterm" || SignalStatus(64) != "sig64" {
		t.Errorf("SignalStatus: %s %s %s", SignalStatus(2), SignalStatus(15), SignalStatus(64))
	}
}

func TestFormatAssign(t *testing.T) {
	tests := []struct {
		name string
		v    []string
		want string
	}{
		{"x", []string{"a"}, "x=a"},
		{"x", []string{"a", "b c"}, "x=(a 'b c')"},
		{"x", []string{""}, "x=''"},
		{"x", nil, "x=()"},
		{"a b", []string{"it's"}, "'a b'='it''s'"},
	}
	for _, tc := range tests {
		if got := FormatAssign(tc.name, tc.v); got != tc.want {
			t.Errorf("FormatAssign(%q, %q) = %s, want %s", tc.name, tc.v, got, tc.want)
		}
	}
}
