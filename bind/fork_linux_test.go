package bind

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// listIn lists dir as seen in namespace n.
func listIn(t *testing.T, n *Namespace, dir string) []string {
	t.Helper()
	var out []string
	err := n.Do(func() error {
		ents, err := os.ReadDir(dir)
		for _, e := range ents {
			out = append(out, e.Name())
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func expectListIn(t *testing.T, n *Namespace, dir string, want ...string) {
	t.Helper()
	if got := listIn(t, n, dir); !slices.Equal(got, want) {
		t.Errorf("%s lists %q, want %q", dir, got, want)
	}
}

// lsFrom lists dir with ls(1) started from namespace n.
func lsFrom(t *testing.T, n *Namespace, dir string) []string {
	t.Helper()
	return strings.Fields(run(t, n, "ls", "-A", dir))
}

func TestForkIsolation(t *testing.T) {
	needSession(t)
	s := Session()
	d := tree(t, "a/from-a=", "b/from-b=", "c/from-c=", "t/orig=", "u/orig-u=")
	f, err := s.Fork()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	// A bind in the copy is invisible to the parent and to processes
	// started from it.
	if err := f.Bind(d+"/a", d+"/t", 0); err != nil {
		t.Fatal(err)
	}
	expectListIn(t, f, d+"/t", "from-a")
	expectListIn(t, s, d+"/t", "orig")
	if got := lsFrom(t, s, d+"/t"); !slices.Equal(got, []string{"orig"}) {
		t.Errorf("ls started from the parent sees %q", got)
	}
	if got := lsFrom(t, f, d+"/t"); !slices.Equal(got, []string{"from-a"}) {
		t.Errorf("ls started from the copy sees %q", got)
	}
	// And the reverse.
	bindT(t, s, d+"/b", d+"/u", After)
	expectListIn(t, s, d+"/u", "from-b", "orig-u")
	expectListIn(t, f, d+"/u", "orig-u")
	if got := lsFrom(t, f, d+"/u"); !slices.Equal(got, []string{"orig-u"}) {
		t.Errorf("ls started from the copy sees %q", got)
	}
	// ns of each shows its own changes.
	q := func(s string) string { return Quote(d + "/" + s) }
	if got := nsLines(t, f, d); !slices.Equal(got, []string{"bind " + q("a") + " " + q("t")}) {
		t.Errorf("ns of the copy: %q", got)
	}
	if got := nsLines(t, s, d); !slices.Equal(got, []string{"bind -a " + q("b") + " " + q("u")}) {
		t.Errorf("ns of the parent: %q", got)
	}

	// A copy of the copy starts with its binds, and its own stay its own.
	g, err := f.Fork()
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	expectListIn(t, g, d+"/t", "from-a")
	if err := g.Bind(d+"/c", d+"/t", Before); err != nil {
		t.Fatal(err)
	}
	expectListIn(t, g, d+"/t", "from-a", "from-c")
	expectListIn(t, f, d+"/t", "from-a")
	// Clear in the copy goes back to the session's start, not to the
	// parent's state.
	if err := g.Clear(); err != nil {
		t.Fatal(err)
	}
	expectListIn(t, g, d+"/t", "orig")
	expectListIn(t, g, d+"/u", "orig-u")
	if got := nsLines(t, g, d); len(got) != 0 {
		t.Errorf("ns after clear: %q", got)
	}
	expectListIn(t, f, d+"/t", "from-a")
	expectListIn(t, s, d+"/u", "from-b", "orig-u")
}

func TestForkWritableUnion(t *testing.T) {
	needSession(t)
	s := Session()
	d := tree(t, "a/x=", "up/", "b/")
	bindT(t, s, d+"/up", d+"/a", Before|Create)
	f, err := s.Fork()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// The parent rebuilds its union: the copy still shares the old
	// overlay, and must still be able to write through it.
	if err := s.Bind(d+"/b", d+"/a", After); err != nil {
		t.Fatal(err)
	}
	err = f.Do(func() error { return os.WriteFile(d+"/a/x", []byte("from the copy"), 0o644) })
	if err != nil {
		t.Fatalf("writing through the copy's union after the parent rebuilt its own: %v", err)
	}
	if got := read(t, d+"/up/x"); got != "from the copy" {
		t.Errorf("copied-up file holds %q", got)
	}
}

// TestSecondProcess edits a union from another process of the session, as
// nsh --share -c 'bind ...' does: everything it needs must come from the
// kernel, not from the first process's memory.
func TestSecondProcess(t *testing.T) {
	needSession(t)
	s := Session()
	d := tree(t, "a/x=a", "b/x=b", "b/only-b=", "c/only-c=", "up/")
	q := func(s string) string { return Quote(d + "/" + s) }
	bindT(t, s, d+"/b", d+"/a", After)
	if err := s.Bind(d+"/up", d+"/a", Before|Create); err != nil {
		t.Fatal(err)
	}
	out := nshShare(t, "bind -a "+q("c")+" "+q("a")+"\nunmount "+q("b")+" "+q("a")+"\n")
	expectList(t, d+"/a", "only-c", "x")
	want := []string{"bind -a " + q("c") + " " + q("a"), "bind -bc " + q("up") + " " + q("a")}
	expectLines(t, nsLines(t, s, d), want...)
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.Contains(l, d) {
			got = append(got, l)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("ns of the second process: %q, want %q", got, want)
	}
	// The first process's memory of the union is stale now: it must
	// notice and go by the kernel.
	if err := os.WriteFile(d+"/a/new", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.Unmount(d+"/c", d+"/a"); err != nil {
		t.Fatal(err)
	}
	expectList(t, d+"/a", "new", "x")
	if w := workDirs(t, d); len(w) != 1 {
		t.Errorf("work directories: %q", w)
	}
}

// nshShare runs namespace-file text in another process of the session (a
// helper that, like nsh --share, makes no session of its own) and returns
// what ns prints there afterwards.
func nshShare(t *testing.T, text string) string {
	t.Helper()
	cmd := exec.Command("/proc/self/exe", text)
	cmd.Env = append(os.Environ(), "NSH_HELPER=nshcmd")
	cmd.SysProcAttr = SysProcAttrFor("/proc/self/exe", false)
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("second process: %v\n%s", err, ee.Stderr)
		}
		t.Fatal(err)
	}
	return string(out)
}

// nshCmdMain is the helper nshShare runs.
func nshCmdMain(args []string) int {
	n := Session()
	if _, err := ApplyFile(n, "cmd", strings.NewReader(args[1]), nil); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		return 1
	}
	if err := n.WriteNS(os.Stdout); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		return 1
	}
	return 0
}
