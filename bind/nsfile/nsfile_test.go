package nsfile

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func env(name string) []string {
	return map[string][]string{
		"home":  {"/home/glenda"},
		"list":  {"first", "second"},
		"empty": {""},
		"sp":    {"a b"},
	}[name]
}

func TestParse(t *testing.T) {
	tests := []struct {
		src  string
		want []Op
	}{
		{"", nil},
		{"\n\n  \t\n", nil},
		{"# comment\n  # indented comment\nclear\n", []Op{{Line: 3, Cmd: "clear"}}},
		{"bind #c /dev\n", []Op{{Line: 1, Cmd: "bind", Args: []string{"#c", "/dev"}}}},
		{"bind -bc $home/bin /bin", []Op{{Line: 1, Cmd: "bind", Flags: "bc", Args: []string{"/home/glenda/bin", "/bin"}}}},
		{"bind -b -c a b", []Op{{Line: 1, Cmd: "bind", Flags: "bc", Args: []string{"a", "b"}}}},
		{"bind -- -a b", []Op{{Line: 1, Cmd: "bind", Args: []string{"-a", "b"}}}},
		{"bind 'it''s' 'a b'\n", []Op{{Line: 1, Cmd: "bind", Args: []string{"it's", "a b"}}}},
		{"bind '' x", []Op{{Line: 1, Cmd: "bind", Args: []string{"", "x"}}}},
		{"bind a'b c'd x", []Op{{Line: 1, Cmd: "bind", Args: []string{"ab cd", "x"}}}},
		{"bind '$home' $home", []Op{{Line: 1, Cmd: "bind", Args: []string{"$home", "/home/glenda"}}}},
		{"bind $list $home.x", []Op{{Line: 1, Cmd: "bind", Args: []string{"first", "/home/glenda.x"}}}},
		{"bind $home$home x", []Op{{Line: 1, Cmd: "bind", Args: []string{"/home/glenda/home/glenda", "x"}}}},
		{"bind $home!x $sp", []Op{{Line: 1, Cmd: "bind", Args: []string{"/home/glenda!x", "a b"}}}},
		{"bind $empty'' x", []Op{{Line: 1, Cmd: "bind", Args: []string{"", "x"}}}},
		{"mount -C /srv/ram /n/ram\nmount tcp!h!564 /n/h spec\n", []Op{
			{Line: 1, Cmd: "mount", Flags: "C", Args: []string{"/srv/ram", "/n/ram"}},
			{Line: 2, Cmd: "mount", Args: []string{"tcp!h!564", "/n/h", "spec"}},
		}},
		{"unmount /x\nunmount -q a /x\n", []Op{
			{Line: 1, Cmd: "unmount", Args: []string{"/x"}},
			{Line: 2, Cmd: "unmount", Flags: "q", Args: []string{"a", "/x"}},
		}},
		{"cd /tmp\r\n. -q /lib/ns.local\n", []Op{
			{Line: 1, Cmd: "cd", Args: []string{"/tmp"}},
			{Line: 2, Cmd: ".", Flags: "q", Args: []string{"/lib/ns.local"}},
		}},
		{"bind 'new\nline' x\nclear", []Op{
			{Line: 1, Cmd: "bind", Args: []string{"new\nline", "x"}},
			{Line: 3, Cmd: "clear"},
		}},
		{"bind a \\\n  b\nclear", []Op{
			{Line: 1, Cmd: "bind", Args: []string{"a", "b"}},
			{Line: 3, Cmd: "clear"},
		}},
		{"bind a\\b c", []Op{{Line: 1, Cmd: "bind", Args: []string{`a\b`, "c"}}}},
		{"bind x#y z # not a comment either", nil},
	}
	for _, tt := range tests {
		got, err := Parse("f", []byte(tt.src), env)
		if tt.want == nil && strings.Contains(tt.src, "not a comment") {
			if err == nil || err.Error() != "f:1: usage: bind [-abcq] new old" {
				t.Errorf("Parse(%q): %v, want a usage error (# is literal mid-line)", tt.src, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.src, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Parse(%q)\n got %+v\nwant %+v", tt.src, got, tt.want)
		}
	}
}

// TestWrong checks every testdata/*.wrong file fails with the error its
// first line gives ("# error: TEXT").
func TestWrong(t *testing.T) {
	files, err := filepath.Glob("testdata/*.wrong")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/*.wrong files")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := strings.Cut(string(src), "\n")
			want, ok := strings.CutPrefix(first, "# error: ")
			if !ok {
				t.Fatalf("first line %q is not '# error: TEXT'", first)
			}
			_, err = Parse(filepath.Base(f), src, env)
			if err == nil || err.Error() != want {
				t.Errorf("error %v, want %s", err, want)
			}
		})
	}
}

func TestFields(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"/srv/ram", []string{"/srv/ram"}},
		{"unix!/tmp/s spec", []string{"unix!/tmp/s", "spec"}},
		{"'/srv/a b' 'it''s'", []string{"/srv/a b", "it's"}},
		{"$x #y", []string{"$x", "#y"}},
		{"", nil},
	}
	for _, tt := range tests {
		got, err := Fields(tt.in)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Fields(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := Fields("'open"); err == nil {
		t.Error("Fields of an unterminated quote succeeded")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"bind -bc $home/bin /bin\n", "mount /srv/x /n/x spec", "# c\n. f\ncd /", "bind 'a''b' $list", "unmount -q x\r\n",
		"bind '\n", "bind $", "bind \\\n x y",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		ops, err := Parse("f", []byte(src), env)
		if err != nil {
			var e *Error
			if !asError(err, &e) || e.File != "f" || e.Line < 1 || e.Line > strings.Count(src, "\n")+1 {
				t.Fatalf("Parse(%q): bad error %#v", src, err)
			}
			return
		}
		last := 0
		for _, op := range ops {
			sx, ok := syntax[op.Cmd]
			if !ok || len(op.Args) < sx.min || len(op.Args) > sx.max || op.Line < last {
				t.Fatalf("Parse(%q): bad op %+v", src, op)
			}
			last = op.Line
		}
	})
}

func asError(err error, e **Error) bool {
	x, ok := err.(*Error)
	*e = x
	return ok
}
