package nsh

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"nsh.dev/nsh/internal/testenv"
	"nsh.dev/nsh/nsh/interp"
)

// manPage is nsh(1), from this package's directory.
const manPage = "../doc/nsh.1"

// TestManPage checks that nsh(1) formats without a warning and keeps up
// with the program: every option of --help and every builtin has an
// entry.
func TestManPage(t *testing.T) {
	src, err := os.ReadFile(manPage)
	if err != nil {
		t.Fatal(err)
	}
	page := string(src)
	t.Run("groff", func(t *testing.T) {
		groff := testenv.NeedProgram(t, "groff", "groff-base")
		out, err := exec.Command(groff, "-man", "-ww", "-z", manPage).CombinedOutput()
		if err != nil || len(out) > 0 {
			t.Errorf("groff -man -ww: %v\n%s", err, out)
		}
	})
	t.Run("options", func(t *testing.T) {
		for _, opt := range regexp.MustCompile(`(?m)^  (-[a-zA-Z]|--[a-z]+)\b`).FindAllStringSubmatch(helpText, -1) {
			roff := `.B ` + strings.ReplaceAll(opt[1], "-", `\-`)
			if !strings.Contains(page, "\n"+roff+"\n") && !strings.Contains(page, "\n"+roff+" ") &&
				!strings.Contains(page, "\n.BI "+roff[3:]+" ") && !strings.Contains(page, "\n.BR "+roff[3:]+" ") {
				t.Errorf("%s has no entry in %s", opt[1], manPage)
			}
		}
		if n := len(regexp.MustCompile(`(?m)^  -`).FindAllString(helpText, -1)); n < 12 {
			t.Errorf("found only %d options in --help", n)
		}
	})
	t.Run("builtins", func(t *testing.T) {
		for _, name := range interp.Builtins() {
			entry := regexp.MustCompile(`(?m)^\.TP\n\.B[IR]? ` + regexp.QuoteMeta(name) + `( |$)`)
			if !entry.MatchString(page) {
				t.Errorf("builtin %s has no entry in %s", name, manPage)
			}
		}
	})
}
