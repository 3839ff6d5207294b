package bind

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"nsh.dev/nsh/internal/testenv"
)

// snapshot describes everything under root as namespace n shows it: every
// path with its type and, for files, content.
func snapshot(t *testing.T, n *Namespace, root string) []string {
	t.Helper()
	var out []string
	err := n.Do(func() error {
		return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if strings.Contains(p, ".nsh-work-") {
				return fs.SkipDir
			}
			if d.IsDir() {
				out = append(out, p+"/")
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out = append(out, p+"="+string(b))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestReplay builds a namespace, writes it with ns, replays the text in a
// fresh copy of the session's namespace, and expects the same view and the
// same ns.
func TestReplay(t *testing.T) {
	needSession(t)
	needFUSE(t)
	d := tree(t, "bin/ls=bin-ls", "bin/cat=bin-cat", "home/u/bin/ls=my-ls", "home/u/bin/mine=",
		"opt/tool=opt", "etc/hosts=host", "test/hosts=test-hosts", "liba/in-a=", "libb/b=",
		"w p/,:x/f=odd", "srv/s/served=", "n/", "tmp/", "tmpu/")
	view := d + "/view"
	for _, dir := range []string{"bin", "etc", "lib", "n", "tmp"} {
		if err := os.MkdirAll(view+"/"+dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	copyTree := func(from, to string) {
		for _, s := range snapshot(t, Session(), from) {
			rel := strings.TrimPrefix(s, from)
			if strings.HasSuffix(rel, "/") {
				os.MkdirAll(to+rel, 0o755)
				continue
			}
			name, text, _ := strings.Cut(rel, "=")
			os.WriteFile(to+name, []byte(text), 0o644)
		}
	}
	copyTree(d+"/bin", view+"/bin")
	copyTree(d+"/etc", view+"/etc")

	built, err := Session().Fork()
	if err != nil {
		t.Fatal(err)
	}
	defer built.Close()
	q := func(s string) string { return Quote(s) }
	script := strings.Join([]string{
		"bind -bc " + q(d+"/home/u/bin") + " " + q(view+"/bin"),
		"bind -a " + q(d+"/opt") + " " + q(view+"/bin"),
		"bind " + q(d+"/test/hosts") + " " + q(view+"/etc/hosts"),
		"bind " + q(d+"/liba") + " " + q(view+"/lib"),
		"bind -a " + q(d+"/w p/,:x") + " " + q(view+"/lib"),
		"bind -b " + q(d+"/libb") + " " + q(view+"/lib"),
		"mount " + q(d+"/srv/s") + " " + q(view+"/n") + " spec",
		"bind -c " + q(d+"/tmpu") + " " + q(view+"/tmp"),
	}, "\n")
	if _, err := ApplyFile(built, "script", strings.NewReader(script), nil); err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	if err := built.WriteNS(&text); err != nil {
		t.Fatal(err)
	}
	t.Logf("ns:\n%s", text.String())
	want := snapshot(t, built, view)

	fresh, err := Session().Fork()
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if got := snapshot(t, fresh, view); slices.Equal(got, want) {
		t.Fatal("the fresh namespace already shows the built view")
	}
	if _, err := ApplyFile(fresh, "ns", strings.NewReader(text.String()), nil); err != nil {
		t.Fatal(err)
	}
	if got := snapshot(t, fresh, view); !slices.Equal(got, want) {
		t.Errorf("replayed view\n got %q\nwant %q", got, want)
	}
	var again strings.Builder
	if err := fresh.WriteNS(&again); err != nil {
		t.Fatal(err)
	}
	if again.String() != text.String() {
		t.Errorf("ns after replay\n%s\nwant\n%s", again.String(), text.String())
	}
	// Creation in the replayed union lands in the create member.
	if err := fresh.Do(func() error { return os.WriteFile(view+"/bin/new", []byte("x"), 0o644) }); err != nil {
		t.Fatal(err)
	}
	if got := read(t, d+"/home/u/bin/new"); got != "x" {
		t.Errorf("created file holds %q", got)
	}
}

// TestReaderSeesWholeStates lists a union in a loop while it is rebuilt
// 1,000 times: every listing must be one whole state.
func TestReaderSeesWholeStates(t *testing.T) {
	needSession(t)
	n := Session()
	d := tree(t, "t/orig=", "a/in-a=", "b/in-b=", "up/")
	bindT(t, n, d+"/up", d+"/t", Before|Create)
	if err := n.Bind(d+"/a", d+"/t", After); err != nil {
		t.Fatal(err)
	}
	states := map[string]bool{"in-a orig": true, "in-a in-b orig": true}
	watch := testenv.WatchListings(d+"/t", states)
	for i := range 1000 {
		var err error
		if i%2 == 0 {
			err = n.Bind(d+"/b", d+"/t", After)
		} else {
			err = n.Unmount(d+"/b", d+"/t")
		}
		if err != nil {
			watch.Stop(t)
			t.Fatalf("rebuild %d: %v", i, err)
		}
	}
	watch.Stop(t)
	if w := workDirs(t, d); len(w) != 1 {
		t.Errorf("after 1,000 rebuilds, work directories: %q", w)
	}
}

// TestKillDuringRebuilds kills a session's process with SIGKILL in the
// middle of 1,000 rebuilds of a writable union: the host's mount table must
// not change and no work directory may stay on disk.
func TestKillDuringRebuilds(t *testing.T) {
	needSession(t)
	d := tree(t, "t/", "up/", "x/")
	host := hostMountinfo(t, d)
	cmd := exec.Command("/proc/self/exe", d)
	cmd.Env = append(os.Environ(), "NSH_HELPER=rebuilds")
	// A process with a namespace of its own, as a session's nsh is.
	cmd.SysProcAttr = newSessionAttr()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(out)
	n := 0
	for lines.Scan() && n < 200 {
		n, _ = strconv.Atoi(lines.Text())
	}
	if n < 200 {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the rebuilding process stopped after %d rebuilds", n)
	}
	if w := workDirs(t, d); len(w) == 0 {
		t.Error("no work directory while the union exists")
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for len(workDirs(t, d)) > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if w := workDirs(t, d); len(w) > 0 {
		t.Errorf("work directories left after kill -9: %q", w)
	}
	if got := hostMountinfo(t, d); got != host {
		t.Errorf("host mount table changed:\nbefore\n%s\nafter\n%s", host, got)
	}
}

// rebuildsMain is the process TestKillDuringRebuilds kills: it sets up a
// session in its new namespace and rebuilds a writable union on DIR/t until
// killed, printing the count.
func rebuildsMain(args []string) int {
	d := args[1]
	if err := SetupSession(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	n := Session()
	if err := n.Bind(d+"/up", d+"/t", Before|Create); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for i := 1; i <= 100000; i++ {
		var err error
		if i%2 == 1 {
			err = n.Bind(d+"/x", d+"/t", After)
		} else {
			err = n.Unmount(d+"/x", d+"/t")
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Println(i)
	}
	return 0
}

// newSessionAttr starts a child in a mount namespace of its own (and, for
// an ordinary user, a user namespace mapping the uid onto itself, with the
// capabilities a session's nsh holds).
func newSessionAttr() *syscall.SysProcAttr {
	if !rootless() {
		return &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
	}
	uid, gid := os.Getuid(), os.Getgid()
	return &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: uid, HostID: uid, Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: gid, HostID: gid, Size: 1}},
		AmbientCaps: []uintptr{capSysAdmin, 1 /* CAP_DAC_OVERRIDE */},
	}
}

// hostMountinfo returns the mounts of the namespace the tests were started
// from that could be the test's doing: on /srv or under dir, or made by nsh
// (its unions, a session's /srv). Other programs may mount things on the
// host meanwhile; those are not compared.
func hostMountinfo(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/mountinfo", hostPid()))
	if err != nil {
		t.Fatal(err)
	}
	tab, err := parseMountinfo(string(b))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range tab.list {
		if under(m.Point, "/srv") || under(m.Point, dir) || strings.HasPrefix(m.Source, "nsh-") || strings.Contains(m.Source, dir) {
			out = append(out, fmt.Sprintf("%s %s %s %s", m.Point, m.FSType, m.Source, m.Root))
		}
	}
	return strings.Join(out, "\n")
}

// TestDescriptors checks that a command started from a namespace full of
// unions and binds inherits no descriptor beyond 0, 1 and 2.
func TestDescriptors(t *testing.T) {
	needSession(t)
	n := Session()
	d := tree(t, "a/", "b/", "c/", "up/", "f=", "g=")
	bindT(t, n, d+"/b", d+"/a", After)
	if err := n.Bind(d+"/up", d+"/a", Before|Create); err != nil {
		t.Fatal(err)
	}
	bindT(t, n, d+"/f", d+"/g", 0)
	f, err := n.Fork()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Bind(d+"/c", d+"/a", After); err != nil {
		t.Fatal(err)
	}
	want := []string{"0", "1", "2"}
	for fd := range inherited {
		want = append(want, strconv.Itoa(fd))
	}
	slices.Sort(want)
	for _, ns := range []*Namespace{n, f} {
		// The shell lists its own descriptors: those it inherited.
		got := strings.Fields(run(t, ns, "/bin/sh", "-c", "ls /proc/$$/fd"))
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("a command has descriptors %q, want %q (0, 1, 2 and what the tests inherited)", got, want)
		}
	}
}

func TestErrorsNameThings(t *testing.T) {
	needSession(t)
	n := Session()
	d := tree(t, "a/", "f=")
	for _, c := range []struct {
		err  error
		want string
	}{
		{n.Bind(d+"/nosuch", d+"/a", 0), d + "/nosuch: no such file or directory"},
		{n.Bind(d+"/a", d+"/nosuch", After), d + "/nosuch: no such file or directory"},
		{n.Bind("relative", d+"/a", 0), "relative: not an absolute path"},
		{n.Unmount("", d+"/a"), "not mounted"},
		{n.Unmount(d+"/f", d+"/nosuch"), d + "/nosuch: no such file or directory"},
		{n.Bind(d+"/f", d+"/a", 0), d + "/a: inconsistent mount"},
		{n.Bind(d+"/f", d+"/f", After), d + "/f: inconsistent mount"},
		{n.Bind(d+"/a", d+"/a", After|Create), d + "/a: " + errCreateAfter.Error()},
		{n.Mount("fail:connection refused", d+"/a", "", 0), "connection refused"},
		{n.Mount(d, d+"/f", "", 0), d + "/f: inconsistent mount"},
		{n.Mount(d, d+"/a", "", Before|Create), errNinepCreate.Error()},
	} {
		if c.err == nil || c.err.Error() != c.want {
			t.Errorf("error %v, want %q", c.err, c.want)
		}
	}
	if err := n.Bind(d+"/a", d+"/a", Before|After); !errors.Is(err, ErrBeforeAfter) {
		t.Errorf("-a and -b: %v", err)
	}
}
