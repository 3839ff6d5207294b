package interp

import (
	"go/ast"
	"go/parser"
	"go/token"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// TestHelpCoversBuiltins checks that the help builtin documents exactly
// the builtins there are: the names in the switch of func builtin (read
// from the source, so a new builtin without help fails here) and the
// names help knows.
func TestHelpCoversBuiltins(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "builtin.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var inSwitch []string
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "builtin" {
			continue
		}
		ast.Inspect(fn, func(n ast.Node) bool {
			cc, ok := n.(*ast.CaseClause)
			if !ok {
				return true
			}
			for _, e := range cc.List {
				lit, ok := e.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					t.Fatalf("%s: a case that is not a string literal", fset.Position(e.Pos()))
				}
				name, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				inSwitch = append(inSwitch, name)
			}
			return true
		})
	}
	if len(inSwitch) == 0 {
		t.Fatal("found no builtins in func builtin")
	}
	sort.Strings(inSwitch)
	if got := Builtins(); strings.Join(got, " ") != strings.Join(inSwitch, " ") {
		t.Errorf("help documents %q\nbuiltins are   %q", got, inSwitch)
	}
	for _, name := range inSwitch {
		if builtin(name) == nil {
			t.Errorf("builtin(%q) is nil", name)
		}
		h := helpTexts[name]
		if !strings.HasPrefix(h.synopsis, name) {
			t.Errorf("%s: synopsis %q does not start with the name", name, h.synopsis)
		}
		if h.summary == "" || strings.HasSuffix(h.summary, ".") {
			t.Errorf("%s: summary %q: want a phrase without a final full stop", name, h.summary)
		}
		if !strings.Contains(h.body, "\nExamples:\n\t") || !strings.HasSuffix(h.body, "\n") {
			t.Errorf("%s: the text has no examples or no final newline", name)
		}
	}
}

// TestSignalDescriptions checks the table of death messages against the
// table of signal names it parallels.
func TestSignalDescriptions(t *testing.T) {
	if len(signalDescriptions) != len(signalNames) {
		t.Fatalf("%d descriptions for %d signals", len(signalDescriptions), len(signalNames))
	}
	for n, want := range map[int]string{11: "segmentation violation", 15: "terminated", 3: "quit", 9: "killed", 64: "signal 64"} {
		if got := signalDescription(n); got != want {
			t.Errorf("signalDescription(%d) = %q, want %q", n, got, want)
		}
	}
}
