package bind

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestReplace(t *testing.T) {
	needSession(t)
	n := Session()
	d := tree(t, "a/x=a", "b/x=b", "b/y=", "c/z=c")
	bindT(t, n, d+"/a", d+"/b", 0)
	if got := read(t, d+"/b/x"); got != "a" {
		t.Errorf("after bind a b, b/x = %q", got)
	}
	expectList(t, d+"/b", "x")
	// A plain bind is an ordinary read-write bind: creation works and
	// lands in new.
	if err := os.WriteFile(d+"/b/new", []byte("n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := read(t, d+"/a/new"); got != "n" {
		t.Errorf("created file in a holds %q", got)
	}
	expectLines(t, nsLines(t, n, d), "bind "+Quote(d+"/a")+" "+Quote(d+"/b"))
	// Replacing again discards the first bind.
	bindT(t, n, d+"/c", d+"/b", Create)
	expectList(t, d+"/b", "z")
	expectLines(t, nsLines(t, n, d), "bind "+Quote(d+"/c")+" "+Quote(d+"/b"))
	if err := n.Unmount("", d+"/b"); err != nil {
		t.Fatal(err)
	}
	expectList(t, d+"/b", "x", "y")
	if err := n.Unmount("", d+"/b"); !errors.Is(err, ErrNotMounted) {
		t.Errorf("unmount of a plain directory: %v, want %v", err, ErrNotMounted)
	}
	expectLines(t, nsLines(t, n, d))
}

func TestFileOntoFile(t *testing.T) {
	needSession(t)
	n := Session()
	d := tree(t, "f=new", "g=old", "dir/")
	bindT(t, n, d+"/f", d+"/g", 0)
	if got := read(t, d+"/g"); got != "new" {
		t.Errorf("g = %q after bind f g", got)
	}
	expectLines(t, nsLines(t, n, d), "bind "+Quote(d+"/f")+" "+Quote(d+"/g"))
	for _, c := range []struct {
		new, old string
		f        Flag
	}{
		{d + "/f", d + "/dir", 0},
		{d + "/dir", d + "/f", 0},
		{d + "/f", d + "/g", After},
		{d + "/dir", d + "/dir", Before},
	} {
		if c.new == d+"/dir" && c.old == d+"/dir" {
			c.old = d + "/g"
		}
		if err := n.Bind(c.new, c.old, c.f); !errors.Is(err, ErrInconsistent) {
			t.Errorf("bind %s %s %s: %v, want %v", c.f, c.new, c.old, err, ErrInconsistent)
		}
	}
	if err := n.Bind(d+"/f", d+"/g", Before|After); !errors.Is(err, ErrBeforeAfter) {
		t.Errorf("bind -ab: %v", err)
	}
	err := n.Bind(d+"/nosuch", d+"/g", 0)
	var pe *PathError
	if !errors.As(err, &pe) || err.Error() != d+"/nosuch: no such file or directory" {
		t.Errorf("bind of a missing file: %v", err)
	}
}

func TestUnionOrder(t *testing.T) {
	needSession(t)
	n := Session()
	d := tree(t, "a/x=a", "a/only-a=", "b/x=b", "b/only-b=", "c/x=c", "e/x=e", "e/only-e=")
	q := func(s string) string { return Quote(d + "/" + s) }

	bindT(t, n, d+"/b", d+"/a", After)
	if got := read(t, d+"/a/x"); got != "a" {
		t.Errorf("after bind -a b a: x = %q, want a's", got)
	}
	expectList(t, d+"/a", "only-a", "only-b", "x")
	expectLines(t, nsLines(t, n, d), "bind -a "+q("b")+" "+q("a"))
	// No create member: the union is read-only.
	if err := os.WriteFile(d+"/a/new", nil, 0o644); !errors.Is(err, syscall.EROFS) {
		t.Errorf("create in a union without -c: %v, want EROFS", err)
	}

	if err := n.Bind(d+"/c", d+"/a", Before); err != nil {
		t.Fatal(err)
	}
	if got := read(t, d+"/a/x"); got != "c" {
		t.Errorf("after bind -b c a: x = %q, want c's", got)
	}
	if err := n.Bind(d+"/e", d+"/a", After); err != nil {
		t.Fatal(err)
	}
	// Members now: c, a (the original), b, e.
	expectList(t, d+"/a", "only-a", "only-b", "only-e", "x")
	expectLines(t, nsLines(t, n, d), "bind -a "+q("b")+" "+q("a"), "bind -a "+q("e")+" "+q("a"), "bind -b "+q("c")+" "+q("a"))

	// Remove members one by one.
	if err := n.Unmount(d+"/b", d+"/a"); err != nil {
		t.Fatal(err)
	}
	expectList(t, d+"/a", "only-a", "only-e", "x")
	if err := n.Unmount(d+"/b", d+"/a"); !errors.Is(err, ErrNotInUnion) {
		t.Errorf("unmount of a removed member: %v, want %v", err, ErrNotInUnion)
	}
	if err := n.Unmount(d+"/a", d+"/a"); err != nil { // the original
		t.Fatal(err)
	}
	expectList(t, d+"/a", "only-e", "x")
	expectLines(t, nsLines(t, n, d), "bind "+q("e")+" "+q("a"), "bind -b "+q("c")+" "+q("a"))
	if err := n.Unmount(d+"/c", d+"/a"); err != nil {
		t.Fatal(err)
	}
	// One member left, not the original: a plain bind of it.
	expectList(t, d+"/a", "only-e", "x")
	if got := read(t, d+"/a/x"); got != "e" {
		t.Errorf("x = %q, want e's", got)
	}
	expectLines(t, nsLines(t, n, d), "bind "+q("e")+" "+q("a"))
	if err := n.Unmount(d+"/e", d+"/a"); err != nil {
		t.Fatal(err)
	}
	expectList(t, d+"/a", "only-a", "x")
	expectLines(t, nsLines(t, n, d))
}

func TestUnmountAll(t *testing.T) {
	needSession(t)
	n := Session()
	d := tree(t, "a/x=a", "b/y=", "c/z=")
	bindT(t, n, d+"/b", d+"/a", After)
	if err := n.Bind(d+"/c", d+"/a", Before); err != nil {
		t.Fatal(err)
	}
	if err := n.Unmount("", d+"/a"); err != nil {
		t.Fatal(err)
	}
	expectList(t, d+"/a", "x")
	expectLines(t, nsLines(t, n, d))
	if err := n.Unmount("", d+"/a"); !errors.Is(err, ErrNotMounted) {
		t.Errorf("second unmount: %v, want %v", err, ErrNotMounted)
	}
}

func TestCreateMember(t *testing.T) {
	needSession(t)
	n := Session()
	d := tree(t, "bin/tool=lower", "bin/gone=", "home/u/bin/", "home/u/bin/mine=mine")
	q := func(s string) string { return Quote(d + "/" + s) }
	bindT(t, n, d+"/home/u/bin", d+"/bin", Before|Create)
	expectList(t, d+"/bin", "gone", "mine", "tool")
	expectLines(t, nsLines(t, n, d), "bind -bc "+q("home/u/bin")+" "+q("bin"))

	// Creation lands in the create member and persists there.
	if err := os.WriteFile(d+"/bin/new", []byte("created"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := read(t, d+"/home/u/bin/new"); got != "created" {
		t.Errorf("created file holds %q in the create member", got)
	}
	// A write to a lower member's file is copied up, not lost.
	if err := os.WriteFile(d+"/bin/tool", []byte("changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := read(t, d+"/home/u/bin/tool"); got != "changed" {
		t.Errorf("written file in the create member holds %q", got)
	}
	// The work directory is beside the create member, never in the union.
	work := workDirs(t, d+"/home/u")
	if len(work) != 1 {
		t.Errorf("work directories beside the create member: %q", work)
	}
	for _, name := range list(t, d+"/bin") {
		if strings.HasPrefix(name, ".nsh-work") {
			t.Errorf("work directory %s shows in the union", name)
		}
	}
	// Adding a member rebuilds the union: a fresh work directory, the old
	// one gone.
	other := tree(t, "o/more=")
	if err := n.Bind(other+"/o", d+"/bin", After); err != nil {
		t.Fatal(err)
	}
	if w := workDirs(t, d+"/home/u"); len(w) != 1 || slices.Equal(w, work) {
		t.Errorf("after a rebuild, work directories %q (before %q)", w, work)
	}
	if err := os.WriteFile(d+"/bin/new2", nil, 0o644); err != nil {
		t.Errorf("create after rebuild: %v", err)
	}
	if err := n.Unmount("", d+"/bin"); err != nil {
		t.Fatal(err)
	}
	if w := workDirs(t, d+"/home/u"); len(w) != 0 {
		t.Errorf("work directories left after unmount: %q", w)
	}
	if got := read(t, d+"/home/u/bin/new"); got != "created" {
		t.Errorf("after unmount the created file holds %q", got)
	}
	if got := read(t, d+"/bin/tool"); got != "lower" {
		t.Errorf("lower member's file changed to %q", got)
	}
}

// workDirs lists the overlay work directories in dir.
func workDirs(t *testing.T, dir string) []string {
	var out []string
	for _, name := range list(t, dir) {
		if strings.HasPrefix(name, ".nsh-work-") {
			out = append(out, name)
		}
	}
	return out
}

func TestCreateMemberRules(t *testing.T) {
	needSession(t)
	n := Session()
	d := tree(t, "a/", "b/", "c/", "u/", "v/")
	if err := n.Bind(d+"/u", d+"/a", After|Create); err == nil || !strings.Contains(err.Error(), "use -bc") {
		t.Errorf("bind -ac: %v, want an error suggesting -bc", err)
	}
	expectLines(t, nsLines(t, n, d))
	bindT(t, n, d+"/u", d+"/a", Before|Create)
	if err := n.Bind(d+"/b", d+"/a", Before); err == nil || !strings.Contains(err.Error(), "create member must stay first") {
		t.Errorf("bind -b before a create member: %v", err)
	}
	if err := n.Bind(d+"/b", d+"/a", After); err != nil {
		t.Errorf("bind -a after a create member: %v", err)
	}
	// A new create member takes over; the old one stays, without -c.
	if err := n.Bind(d+"/v", d+"/a", Before|Create); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(d+"/a/f", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(d + "/v/f"); err != nil {
		t.Errorf("creation did not go to the new create member: %v", err)
	}
	q := func(s string) string { return Quote(d + "/" + s) }
	expectLines(t, nsLines(t, n, d), "bind -a "+q("b")+" "+q("a"), "bind -b "+q("u")+" "+q("a"), "bind -bc "+q("v")+" "+q("a"))
	// A mount root cannot be a create member (no place for the work
	// directory beside it).
	if err := n.Bind("/srv", d+"/c", Before|Create); err == nil || !strings.Contains(err.Error(), "root of a mount") {
		t.Errorf("bind -bc of a mount root: %v", err)
	}
}

func TestUnionAsNew(t *testing.T) {
	needSession(t)
	n := Session()
	d := tree(t, "a/x=a", "b/x=b", "b/only-b=", "z/z=", "w/w=")
	bindT(t, n, d+"/b", d+"/a", After)
	// A union bound as new contributes its members.
	bindT(t, n, d+"/a", d+"/z", 0)
	expectList(t, d+"/z", "only-b", "x")
	if got := read(t, d+"/z/x"); got != "a" {
		t.Errorf("z/x = %q", got)
	}
	bindT(t, n, d+"/a", d+"/w", After)
	expectList(t, d+"/w", "only-b", "w", "x")
	if err := n.Bind(d+"/a", d+"/w", Before|Create); !errors.Is(err, ErrInconsistent) || err.Error() != d+"/a: inconsistent mount" {
		t.Errorf("bind -bc with a union as new: %v, want %s/a: %v", err, d, ErrInconsistent)
	}
	// Changing a later does not change the copies.
	if err := n.Unmount(d+"/b", d+"/a"); err != nil {
		t.Fatal(err)
	}
	expectList(t, d+"/z", "only-b", "x")
}

func TestBindInsideUnionSurvivesRebuild(t *testing.T) {
	needSession(t)
	n := Session()
	d := tree(t, "a/sub/orig=", "b/", "c/", "s/mine=")
	bindT(t, n, d+"/b", d+"/a", After)
	bindT(t, n, d+"/s", d+"/a/sub", 0)
	expectList(t, d+"/a/sub", "mine")
	if err := n.Bind(d+"/c", d+"/a", After); err != nil {
		t.Fatal(err)
	}
	expectList(t, d+"/a/sub", "mine")
	if err := n.Unmount(d+"/c", d+"/a"); err != nil {
		t.Fatal(err)
	}
	expectList(t, d+"/a/sub", "mine")
}

func TestSymlinkSwap(t *testing.T) {
	needSession(t)
	n := Session()
	d := tree(t, "new/n=", "t/", "victim/v=")
	// Between resolving old and mounting, old becomes a symlink to
	// another directory: the bind must still land on what was resolved.
	afterResolve = func() {
		if err := os.Rename(d+"/t", d+"/t.orig"); err != nil {
			t.Error(err)
		}
		if err := os.Symlink(d+"/victim", d+"/t"); err != nil {
			t.Error(err)
		}
	}
	defer func() { afterResolve = nil }()
	if err := n.Bind(d+"/new", d+"/t", 0); err != nil {
		t.Fatal(err)
	}
	afterResolve = nil
	cleanupMount(t, n, d+"/t.orig")
	expectList(t, d+"/t.orig", "n")
	expectList(t, d+"/victim", "v")
}

func TestHardNames(t *testing.T) {
	needSession(t)
	n := Session()
	long := strings.Repeat("L", 200) + "/" + strings.Repeat("M", 120)
	names := []string{"com,ma", "co:lon", "sp ace", "it's", "tab\there", "new\nline", "$x#y", long}
	var specs []string
	for i, nm := range names {
		specs = append(specs, "m/"+nm+"/f"+string(rune('a'+i))+"=")
	}
	d := tree(t, append(specs, "target dir/", "up/c,:'x/")...)
	target := d + "/target dir"
	for _, nm := range names {
		if err := n.Bind(d+"/m/"+nm, target, After); err != nil {
			t.Fatalf("bind -a %q: %v", nm, err)
		}
	}
	cleanupMount(t, n, target)
	if err := n.Bind(d+"/up/c,:'x", target, Before|Create); err != nil {
		t.Fatal(err)
	}
	if len(d+"/m/"+long) < 300 {
		t.Fatal("long name too short")
	}
	got := list(t, target)
	if len(got) != len(names) {
		t.Errorf("union lists %q", got)
	}
	if err := os.WriteFile(target+"/created", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(d + "/up/c,:'x/created"); err != nil {
		t.Error(err)
	}
	want := []string{}
	for _, nm := range names {
		want = append(want, "bind -a "+Quote(d+"/m/"+nm)+" "+Quote(target))
	}
	want = append(want, "bind -bc "+Quote(d+"/up/c,:'x")+" "+Quote(target))
	expectLines(t, nsLines(t, n, d), want...)
	// The lines parse back to the same paths.
	ops := parseNS(t, strings.Join(nsLines(t, n, d), "\n"))
	for i, nm := range names {
		if ops[i].Args[0] != d+"/m/"+nm || ops[i].Args[1] != target {
			t.Errorf("line %d reads back as %q", i+1, ops[i].Args)
		}
	}
}

func TestMaxMembers(t *testing.T) {
	needSession(t)
	n := Session()
	d := t.TempDir()
	target := filepath.Join(d, "t")
	if err := os.Mkdir(target, 0o755); err != nil {
		t.Fatal(err)
	}
	cleanupMount(t, n, target)
	// The original and 499 more.
	for i := 1; i < 500; i++ {
		m := filepath.Join(d, "m", strconv.Itoa(i))
		if err := os.MkdirAll(m, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(m+"/f"+strconv.Itoa(i), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := n.Bind(m, target, After); err != nil {
			t.Fatalf("member %d: %v", i+1, err)
		}
	}
	if got := len(list(t, target)); got != 499 {
		t.Errorf("500-member union lists %d names", got)
	}
	extra := filepath.Join(d, "extra")
	os.Mkdir(extra, 0o755)
	err := n.Bind(extra, target, After)
	if err == nil || !strings.Contains(err.Error(), "501 members") || !strings.Contains(err.Error(), "at most 500") {
		t.Errorf("member 501: %v", err)
	}
	if got := len(list(t, target)); got != 499 {
		t.Errorf("after the refused bind the union lists %d names", got)
	}
}

func TestOnlyCreateMemberLeft(t *testing.T) {
	needSession(t)
	n := Session()
	d := tree(t, "a/orig=", "up/mine=")
	q := func(s string) string { return Quote(d + "/" + s) }
	bindT(t, n, d+"/up", d+"/a", Before|Create)
	if err := n.Unmount(d+"/a", d+"/a"); err != nil {
		t.Fatal(err)
	}
	// The create member alone: a plain (read-write) bind of it.
	expectList(t, d+"/a", "mine")
	expectLines(t, nsLines(t, n, d), "bind "+q("up")+" "+q("a"))
	if err := os.WriteFile(d+"/a/new", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(d + "/up/new"); err != nil {
		t.Error(err)
	}
	if w := workDirs(t, d); len(w) != 0 {
		t.Errorf("work directories left: %q", w)
	}
}

func TestMemberWithMountsBelow(t *testing.T) {
	needSession(t)
	n := Session()
	d := tree(t, "p/sub/hidden=", "x/in-x=", "y/in-y=")
	if rootless() {
		// /dev has the host's mounts below it (/dev/pts...), which a
		// rootless session may not uncover.
		err := n.Bind(d+"/y", "/dev", After)
		if err == nil {
			n.Unmount("", "/dev")
			t.Fatal("bind -a onto /dev succeeded in a rootless session")
		}
		if !strings.Contains(err.Error(), "/dev: has mounts below it that a rootless session may not uncover") {
			t.Errorf("bind -a onto /dev: %v", err)
		}
		return
	}
	// Mounts the session made below a member are not seen through the
	// union, as overlayfs does not see them.
	bindT(t, n, d+"/x", d+"/p/sub", 0)
	bindT(t, n, d+"/y", d+"/p", After)
	expectList(t, d+"/p", "in-y", "sub")
	expectList(t, d+"/p/sub", "hidden")
}
