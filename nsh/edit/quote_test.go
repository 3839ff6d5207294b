package edit

import "testing"

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"a/b.c-d_e", "a/b.c-d_e"},
		{"", "''"},
		{"my file", "'my file'"},
		{"it's", "'it''s'"},
		{"a=b", "'a=b'"},
		{"x*", "'x*'"},
		{"#x", "'#x'"},
		{"!x", "'!x'"},
		{"x!", "x!"},
		{"~x", "'~x'"},
		{"a\nb", "'a\nb'"},
		{"tab\there", "'tab\there'"},
		{"é", "é"},
	}
	for _, tt := range tests {
		if got := Quote(tt.in); got != tt.want {
			t.Errorf("Quote(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if v, _, open := unquote(Quote(tt.in)); v != tt.in || open {
			t.Errorf("unquote(Quote(%q)) = %q (open %v)", tt.in, v, open)
		}
	}
}

func TestUnquote(t *testing.T) {
	tests := []struct {
		raw          string
		value        string
		quoted, open bool
	}{
		{"abc", "abc", false, false},
		{"'a b'", "a b", true, false},
		{"'a b", "a b", true, true},
		{"a' 'b", "a b", true, false},
		{"'it''s'", "it's", true, false},
		{"'it''", "it'", true, true},
		{"''", "", true, false},
	}
	for _, tt := range tests {
		v, q, o := unquote(tt.raw)
		if v != tt.value || q != tt.quoted || o != tt.open {
			t.Errorf("unquote(%q) = %q, %v, %v; want %q, %v, %v", tt.raw, v, q, o, tt.value, tt.quoted, tt.open)
		}
	}
}
