package edit

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

// TestNoSignalIgnore keeps the package from ever ignoring a signal: an
// ignored signal stays ignored in every command the shell starts, so
// Ctrl-C would no longer stop them.
func TestNoSignalIgnore(t *testing.T) {
	fset := token.NewFileSet()
	ents, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	for _, e := range ents {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files++
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == "signal" && (sel.Sel.Name == "Ignore" || sel.Sel.Name == "Reset") {
				t.Errorf("%s: signal.%s", fset.Position(sel.Pos()), sel.Sel.Name)
			}
			return true
		})
	}
	if files == 0 {
		t.Fatal("no source files parsed")
	}
}
