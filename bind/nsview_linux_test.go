package bind

import (
	"slices"
	"strings"
	"testing"
)

// TestRecursiveBindIsOneLine: a bind copies what is mounted below new, and
// ns must not list those copies as binds of their own.
func TestRecursiveBindIsOneLine(t *testing.T) {
	needSession(t)
	n := Session()
	d := tree(t, "src/sub/", "x/in-x=", "dst/")
	q := func(s string) string { return Quote(d + "/" + s) }
	bindT(t, n, d+"/x", d+"/src/sub", 0)
	bindT(t, n, d+"/src", d+"/dst", 0)
	expectList(t, d+"/dst/sub", "in-x")
	expectLines(t, nsLines(t, n, d), "bind "+q("x")+" "+q("src/sub"), "bind "+q("src")+" "+q("dst"))
}

func TestUnionAsNewNS(t *testing.T) {
	needSession(t)
	n := Session()
	d := tree(t, "a/x=a", "b/only-b=", "z/z=", "w/w=")
	q := func(s string) string { return Quote(d + "/" + s) }
	bindT(t, n, d+"/b", d+"/a", After)
	bindT(t, n, d+"/a", d+"/z", 0)
	bindT(t, n, d+"/a", d+"/w", After)
	want := []string{"bind -a " + q("b") + " " + q("a"), "bind " + q("a") + " " + q("z"), "bind -a " + q("a") + " " + q("w")}
	expectLines(t, nsLines(t, n, d), want...)
	// Replayed in a fresh namespace, the lines give the same.
	f, err := Session().Fork()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Clear(); err != nil {
		t.Fatal(err)
	}
	if _, err := ApplyFile(f, "ns", strings.NewReader(strings.Join(want, "\n")), nil); err != nil {
		t.Fatal(err)
	}
	expectLines(t, nsLines(t, f, d), want...)
	for _, dir := range []string{"a", "z", "w"} {
		if got, want := listIn(t, f, d+"/"+dir), list(t, d+"/"+dir); !slices.Equal(got, want) {
			t.Errorf("replayed %s lists %q, want %q", dir, got, want)
		}
	}
}
