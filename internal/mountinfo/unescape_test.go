package mountinfo

import "testing"

func TestUnescape(t *testing.T) {
	for in, want := range map[string]string{
		``:             ``,
		`plain`:        `plain`,
		`a\040b`:       `a b`,
		`/a\040b\134c`: `/a b\c`,
		`\134`:         `\`,
		`end\04`:       `end\04`,
		`\400`:         `\400`,
		`\12x`:         `\12x`,
		`a\054\054\0`:  `a,,\0`,
	} {
		if got := Unescape(in); got != want {
			t.Errorf("Unescape(%q) = %q, want %q", in, got, want)
		}
	}
}
