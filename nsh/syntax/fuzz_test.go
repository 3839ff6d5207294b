package syntax

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// fuzzSeeds are the table's texts plus a few scripts that use most of the
// language at once.
func fuzzSeeds(f *testing.F) {
	for _, tc := range parseTests {
		f.Add(tc.src)
	}
	for _, tc := range errorTests {
		f.Add(tc.src)
	}
	f.Add(strings.ReplaceAll(`#!/usr/bin/env nsh
fn show {
	for(i) switch($i){
	case -*
		echo flag $i
	case *.c
		echo C $i >[2=1] | tr a-z A-Z
	case *
		echo other $"i $#i
	}
}
x=(a 'b c' d) show $x BQ{echo e f} <{cat <<'EOF'
literal $x
EOF
}
if(! ~ $#x 0 && test -d /tmp) @{cd /tmp; ls} || echo no
if not echo never
while(~ $x(1) a) x=$x(2-)
BQ{split}{cat /etc/passwd} ^ x >>/dev/null
`, "BQ", "`"))
}

func FuzzParse(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, src string) {
		_, err := Parse("fuzz", []byte(src))
		var se *Error
		if err != nil && !errors.As(err, &se) {
			t.Fatalf("error %v is a %T, not a *syntax.Error", err, err)
		}
	})
}

func FuzzPrint(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, src string) {
		file, err := Parse("fuzz", []byte(src))
		if err != nil {
			return
		}
		want := dump(file)
		for _, compact := range []bool{false, true} {
			var b bytes.Buffer
			p := Printer{Compact: compact}
			p.Fprint(&b, file)
			again, err := Parse("printed", b.Bytes())
			if err != nil {
				t.Fatalf("%q printed (compact=%v) as %q, which does not parse: %v", src, compact, b.String(), err)
			}
			if got := dump(again); got != want {
				t.Fatalf("%q printed (compact=%v) as %q:\n got %s\nwant %s", src, compact, b.String(), got, want)
			}
		}
	})
}

func FuzzPartial(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 1024 {
			return // every prefix is parsed: keep it quick
		}
		if _, err := Parse("fuzz", []byte(src)); err != nil {
			return
		}
		for i := 0; i < len(src); i++ {
			_, err := Parse("fuzz", []byte(src[:i]))
			if err != nil && !IsIncomplete(err) {
				t.Fatalf("%q is valid but its prefix %q is wrong: %v", src, src[:i], err)
			}
		}
	})
}
