package nsh

import (
	"testing"

	"nsh.dev/nsh/nsh/interp"
	"nsh.dev/nsh/nsh/syntax"
)

func TestQuickExec(t *testing.T) {
	in, err := interp.New(interp.Config{System: OSSystem{}, Dir: "/", Env: []string{"fn#imported={echo}"}})
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]bool{
		"true":                     true,
		"ls -l $home /tmp/*.c":     true,
		"x=1 y=$z ls >f >[2=1] <g": true,
		"'ls' $x(1 2) $#y $\"z":    true,
		"true; true":               false,
		"true &":                   false,
		"true | cat":               false,
		"ls `{echo}":               false,
		"ls <{echo}":               false,
		"x=`{echo} ls":             false,
		"ls >`{echo}":              false,
		"cat <<EOF\nx\nEOF\n":      false,
		"if(true) ls":              false,
		"{ls}":                     false,
		"$cmd":                     false,
		". script.rc":              false,
		"eval ls":                  false,
		"wait":                     false,
		"imported":                 false,
		"x=1":                      false,
	}
	for src, want := range tests {
		f, err := syntax.Parse("", []byte(src))
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		if got := quickExec(f, in); got != want {
			t.Errorf("quickExec(%q) = %v, want %v", src, got, want)
		}
	}
}

func TestIncomplete(t *testing.T) {
	for src, want := range map[string]bool{
		"echo a\n":               false,
		"echo )\n":               false,
		"for(i in a b) {\n":      true,
		"echo 'a\n":              true,
		"echo a |\n":             true,
		"echo a \\\n":            true,
		"# comment \\\n":         false,
		"cat <<EOF\nbody\n":      true,
		"cat <<EOF\nbody\nEOF\n": false,
		"if not echo x\n":        false, // after an if, it is complete
		"if(true)\n":             true,
	} {
		if got := Incomplete(src); got != want {
			t.Errorf("Incomplete(%q) = %v, want %v", src, got, want)
		}
	}
}
