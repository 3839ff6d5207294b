package edit

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// completionTree builds the files the completion tests look at.
func completionTree(t *testing.T) *osNames {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "cwd")
	bin := filepath.Join(root, "bin")
	srv := filepath.Join(root, "srv")
	for _, d := range []string{dir, bin, srv, filepath.Join(dir, "my dir"), filepath.Join(dir, "sub")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]os.FileMode{
		"cwd/my file.txt":   0o644,
		"cwd/my dir/a b":    0o644,
		"cwd/it's":          0o644,
		"cwd/plain.go":      0o644,
		"cwd/mx":            0o644,
		"cwd/plain.c":       0o644,
		"cwd/.hidden":       0o644,
		"cwd/sub/inner.txt": 0o644,
		"cwd/run.sh":        0o755,
		"bin/nshtool":       0o755,
		"bin/nshtext":       0o644,
		"srv/ram":           0o600,
		"srv/rio":           0o600,
		"srv/env":           0o600,
	}
	for name, mode := range files {
		if err := os.WriteFile(filepath.Join(root, name), nil, mode); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{"cwd/link": "sub", "bin/nshlink": "nshtool", "cwd/dangling": "nowhere"}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	return &osNames{
		dir:       dir,
		srv:       srv,
		builtins:  []string{"cd", "echo", "eval", "exit"},
		functions: []string{"nshfn"},
		vars: map[string][]string{
			"path":   {bin},
			"home":   {dir},
			"nshvar": {"x"},
			"nshv2":  {"y"},
			"list":   {"a", "b"},
		},
	}
}

func TestComplete(t *testing.T) {
	names := completionTree(t)
	tests := []struct {
		line  string
		pos   int // -1: the end
		head  string
		cands []string
		tail  string
	}{
		// file names
		{"cat pla", -1, "cat ", []string{"plain.c", "plain.go"}, ""},
		{"cat plain.g", -1, "cat ", []string{"plain.go "}, ""},
		{"cat my", -1, "cat ", []string{"'my dir'/", "'my file.txt'"}, ""},
		{"cat m", -1, "cat ", []string{"'mx'", "'my dir'/", "'my file.txt'"}, ""},
		{"cat 'pl", -1, "cat ", []string{"'plain.c'", "'plain.go'"}, ""},
		{"cat 'my fi", -1, "cat ", []string{"'my file.txt' "}, ""},
		{"cat my' 'fi", -1, "cat ", []string{"'my file.txt' "}, ""},
		{"cat it", -1, "cat ", []string{"'it''s' "}, ""},
		{"cat 'it''", -1, "cat ", []string{"'it''s' "}, ""},
		{"cat su", -1, "cat ", []string{"sub/"}, ""},
		{"cat sub/in", -1, "cat sub/", []string{"inner.txt "}, ""},
		{"cat li", -1, "cat ", []string{"link/"}, ""},
		{"cat da", -1, "cat ", []string{"dangling "}, ""},
		{"cat .h", -1, "cat ", []string{".hidden "}, ""},
		{"cat 'my dir'/", -1, "cat 'my dir'/", []string{"'a b' "}, ""},
		{"cat 'my dir/a", -1, "cat ", []string{"'my dir/a b' "}, ""},
		{"cat $home/su", -1, "cat $home/", []string{"sub/"}, ""},
		{"cat $list/su", -1, "cat ", nil, ""},
		{"cat nothing", -1, "cat ", nil, ""},
		{"cat " + "pla", -1, "cat ", []string{"plain.c", "plain.go"}, ""},
		{"echo é; cat plain.g", -1, "echo é; cat ", []string{"plain.go "}, ""},
		{"cat < plain.g", -1, "cat < ", []string{"plain.go "}, ""},
		{"cat >[2] plain.g", -1, "cat >[2] ", []string{"plain.go "}, ""},
		{"cat >[2=1] plain.g", -1, "cat >[2=1] ", []string{"plain.go "}, ""},
		{"for(i in plain.g", -1, "for(i in ", []string{"plain.go "}, ""},
		{"x=plain.g", -1, "x=", []string{"plain.go "}, ""},
		{"echo a^plain.g", -1, "echo a^", []string{"plain.go "}, ""},
		{"cd ", -1, "cd ", []string{"link/", "'my dir'/", "sub/"}, ""},
		{"cd s", -1, "cd ", []string{"sub/"}, ""},
		// the cursor inside the line
		{"cat pla foo", 7, "cat ", []string{"plain.c", "plain.go"}, " foo"},
		{"cat plain.g foo", 11, "cat ", []string{"plain.go"}, " foo"},
		{"cat plain.gXY", 11, "cat ", []string{"plain.go "}, "XY"},
		// commands
		{"nsh", -1, "", []string{"nshfn", "nshlink", "nshtool"}, ""},
		{"ec", -1, "", []string{"echo "}, ""},
		{"e", -1, "", []string{"echo", "eval", "exit"}, ""},
		{"ls; nsht", -1, "ls; ", []string{"nshtool "}, ""},
		{"ls | nsht", -1, "ls | ", []string{"nshtool "}, ""},
		{"ls && nsht", -1, "ls && ", []string{"nshtool "}, ""},
		{"{nsht", -1, "{", []string{"nshtool "}, ""},
		{"if(nsht", -1, "if(", []string{"nshtool "}, ""},
		{"if(x) nsht", -1, "if(x) ", []string{"nshtool "}, ""},
		{"if not nsht", -1, "if not ", []string{"nshtool "}, ""},
		{"for(i in a) nsht", -1, "for(i in a) ", []string{"nshtool "}, ""},
		{"x=1 nsht", -1, "x=1 ", []string{"nshtool "}, ""},
		{"builtin ec", -1, "builtin ", []string{"echo "}, ""},
		{"! nsht", -1, "! ", []string{"nshtool "}, ""},
		{"cat `{nsht", -1, "cat `{", []string{"nshtool "}, ""},
		{"./r", -1, "./", []string{"run.sh "}, ""},
		{"./", -1, "./", []string{"link/", "'my dir'/", "run.sh", "sub/"}, ""},
		{"echo nsht", -1, "echo ", nil, ""},
		// variables
		{"echo $nsh", -1, "echo $", []string{"nshv2", "nshvar"}, ""},
		{"echo $#nshva", -1, "echo $#", []string{"nshvar"}, ""},
		{`echo $"nshva`, -1, `echo $"`, []string{"nshvar"}, ""},
		{"echo a$nshva", -1, "echo a$", []string{"nshvar"}, ""},
		{"$nshva", -1, "$", []string{"nshvar"}, ""},
		{"echo '$nshva", -1, "echo ", nil, ""},
		// functions
		{"fn nsh", -1, "fn ", []string{"nshfn "}, ""},
		// /srv names for mount's address
		{"mount r", -1, "mount ", []string{"/srv/ram", "/srv/rio"}, ""},
		{"mount -c e", -1, "mount -c ", []string{"/srv/env "}, ""},
		{"mount /srv/ram plain.g", -1, "mount /srv/ram ", []string{"plain.go "}, ""},
		{"mount ./pla", -1, "mount ./", []string{"plain.c", "plain.go"}, ""},
		// nothing to complete in a comment
		{"echo a # pla", -1, "echo a # pla", nil, ""},
	}
	for _, tt := range tests {
		pos := tt.pos
		if pos < 0 {
			pos = utf8.RuneCountInString(tt.line)
		}
		head, cands, tail := Complete(tt.line, pos, names)
		if head != tt.head || !reflect.DeepEqual(cands, tt.cands) || tail != tt.tail {
			t.Errorf("Complete(%q, %d) = %q, %q, %q; want %q, %q, %q",
				tt.line, pos, head, cands, tail, tt.head, tt.cands, tt.tail)
		}
	}
}

// TestCompleteKeepsTyped checks the promise that makes TabPrints safe:
// liner replaces the word with the candidates' common prefix, so that
// prefix must stand for at least what was typed.
func TestCompleteKeepsTyped(t *testing.T) {
	names := completionTree(t)
	for _, word := range []string{"", "m", "mx", "my", "'m", "my' '", "i", "'", "pl", "s", "./", "sub/", "'my dir'/"} {
		line := "cat " + word
		head, cands, _ := Complete(line, utf8.RuneCountInString(line), names)
		if len(cands) == 0 {
			t.Errorf("Complete(%q): no candidates", line)
			continue
		}
		prefix := cands[0]
		for _, c := range cands[1:] {
			for !strings.HasPrefix(c, prefix) {
				prefix = prefix[:len(prefix)-1]
			}
		}
		typed, _, _ := unquote(line[len("cat "):])
		got, _, _ := unquote(head[len("cat "):] + prefix)
		if !strings.HasPrefix(got, typed) {
			t.Errorf("Complete(%q): common prefix %q stands for %q, losing typed %q", line, head+prefix, got, typed)
		}
	}
}

func TestCompleteNoNames(t *testing.T) {
	head, cands, tail := Complete("cat x", 3, nil)
	if head != "cat" || cands != nil || tail != " x" {
		t.Errorf("Complete with no names = %q, %q, %q", head, cands, tail)
	}
}
