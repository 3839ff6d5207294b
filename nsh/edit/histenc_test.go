package edit

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRecordEncoding(t *testing.T) {
	tests := []struct{ cmd, rec string }{
		{"echo hello", "echo hello"},
		{"for(i in a b){\necho $i\n}", `for(i in a b){\necho $i\n}`},
		{`grep '\.go$' x`, `grep '\.go$' x`},
		{`a\nb`, `a\\nb`},
		{`C:\x41`, `C:\\x41`},
		{`\\`, `\\\`},
		{"\\\n", `\\\n`},
		{"a\xffb", `a\xffb`},
		{"\\\xff", `\\\xff`},
		{"'it''s'", "'it''s'"},
		{"tab\there\r", "tab\there\r"},
		{"é ⏎", "é ⏎"},
	}
	for _, tt := range tests {
		if got := encodeRecord(tt.cmd); got != tt.rec {
			t.Errorf("encodeRecord(%q) = %q, want %q", tt.cmd, got, tt.rec)
		}
		if got := decodeRecord(tt.rec); got != tt.cmd {
			t.Errorf("decodeRecord(%q) = %q, want %q", tt.rec, got, tt.cmd)
		}
	}
}

func TestRecordDecodesHandWritten(t *testing.T) {
	for in, want := range map[string]string{
		`dir C:\Users`: `dir C:\Users`,
		`end\`:         `end\`,
		`\xzz`:         `\xzz`,
		`\x4`:          `\x4`,
		`\x4A`:         "J",
	} {
		if got := decodeRecord(in); got != want {
			t.Errorf("decodeRecord(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRecordLong(t *testing.T) {
	cmd := strings.Repeat("echo 0123456789abcdef\n", 1000) // 22 KB, past liner's 4 KiB line limit
	if got := decodeRecord(encodeRecord(cmd)); got != cmd {
		t.Fatal("a long multi-line command did not survive encoding")
	}
}

func FuzzRecord(f *testing.F) {
	for _, s := range []string{"", "a\nb", `\n`, `\\x41`, "\xff\\", "⏎\\\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cmd string) {
		rec := encodeRecord(cmd)
		if strings.ContainsRune(rec, '\n') || !utf8.ValidString(rec) {
			t.Fatalf("encodeRecord(%q) = %q: not one valid line", cmd, rec)
		}
		if got := decodeRecord(rec); got != cmd {
			t.Fatalf("decodeRecord(encodeRecord(%q)) = %q", cmd, got)
		}
	})
}

func TestDisplayForm(t *testing.T) {
	cmd := "for(i in a b){\necho $i\n}"
	d := toDisplay(cmd)
	if d != "for(i in a b){⏎echo $i⏎}" {
		t.Errorf("toDisplay = %q", d)
	}
	if fromDisplay(d) != cmd {
		t.Errorf("fromDisplay(%q) = %q", d, fromDisplay(d))
	}
}
