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
	"time"
)

// bridgeArgs returns the arguments of the running 9P bridge serving addr.
func bridgeArgs(t *testing.T, addr string) []string {
	t.Helper()
	pids := bridges(addr)
	if len(pids) != 1 {
		t.Fatalf("bridges for %s: %v, want one", addr, pids)
	}
	b, err := os.ReadFile("/proc/" + pids[0] + "/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\x00"), "\x00")
}

// bridges returns the pids of running 9P bridges serving addr.
func bridges(addr string) []string {
	var pids []string
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		b, err := os.ReadFile(d + "/cmdline")
		if err != nil {
			continue
		}
		args := strings.Split(string(b), "\x00")
		if args[0] == "nsh-9pfuse" && strings.Contains(string(b), "\x00"+addr+"\x00") {
			pids = append(pids, filepath.Base(d))
		}
	}
	return pids
}

func waitNoBridge(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(bridges(addr)) > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if p := bridges(addr); len(p) > 0 {
		t.Errorf("9P bridges for %s still running after unmount: %v", addr, p)
	}
}

// The 9P mounts here go through a stand-in for the bridge (fakeBridge) that
// serves a directory instead of speaking 9P: these tests are about the
// namespace side of mount.
func TestMount9P(t *testing.T) {
	needSession(t)
	needFUSE(t)
	n := Session()
	d := tree(t, "srv/served=9p", "srv/more=", "n/", "u/local=", "up/")
	addr, q := d+"/srv", func(s string) string { return Quote(d + "/" + s) }

	if err := n.Mount(addr, d+"/n", "spec", 0); err != nil {
		t.Fatal(err)
	}
	cleanupMount(t, n, d+"/n")
	expectList(t, d+"/n", "more", "served")
	if got := read(t, d+"/n/served"); got != "9p" {
		t.Errorf("served = %q", got)
	}
	expectLines(t, nsLines(t, n, d), "mount "+q("srv")+" "+q("n")+" spec")
	want := []string{"nsh-9pfuse", "-aname", "spec", "-watch", strconv.Itoa(os.Getpid()), addr}
	if got := bridgeArgs(t, addr); !slices.Equal(got[:len(got)-1], want) || !strings.HasPrefix(got[len(got)-1], stagingDir()+"/m/") {
		t.Errorf("bridge arguments %q, want %q and a staging directory", got, want)
	}
	if err := n.Unmount(d+"/elsewhere", d+"/n"); !errors.Is(err, ErrNotInUnion) {
		t.Errorf("unmount of another address: %v", err)
	}
	// The address names the mount for unmount.
	if err := n.Unmount(addr, d+"/n"); err != nil {
		t.Fatal(err)
	}
	expectList(t, d+"/n")
	waitNoBridge(t, addr)

	// mount -C asks the bridge to use the kernel's caches.
	if err := n.Mount(addr, d+"/n", "", Cache); err != nil {
		t.Fatal(err)
	}
	if got := bridgeArgs(t, addr); !slices.Contains(got, "-cache") || slices.Contains(got, "-aname") {
		t.Errorf("bridge arguments %q, want -cache and no -aname", got)
	}
	// ns keeps the -C, for the mount and for a union member.
	if err := n.Mount(addr, d+"/u", "", After|Cache); err != nil {
		t.Fatal(err)
	}
	expectLines(t, nsLines(t, n, d), "mount -C "+q("srv")+" "+q("n"), "mount -aC "+q("srv")+" "+q("u"))
	if err := n.Unmount("", d+"/u"); err != nil {
		t.Fatal(err)
	}
	if err := n.Unmount("", d+"/n"); err != nil {
		t.Fatal(err)
	}
	waitNoBridge(t, addr)

	// A 9P mount as a union member.
	if err := n.Mount(addr, d+"/u", "", After); err != nil {
		t.Fatal(err)
	}
	cleanupMount(t, n, d+"/u")
	expectList(t, d+"/u", "local", "more", "served")
	expectLines(t, nsLines(t, n, d), "mount -a "+q("srv")+" "+q("u"))
	if err := os.WriteFile(d+"/u/served", []byte("x"), 0o644); !errors.Is(err, syscall.EROFS) {
		t.Errorf("write through a read-only union: %v, want EROFS", err)
	}
	if err := n.Mount(addr, d+"/u", "", Before|Create); err == nil || !strings.Contains(err.Error(), "never reach the server") {
		t.Errorf("mount -bc: %v", err)
	}
	// With a create member, a write to the 9P member's file is copied up:
	// it lands in the create member, and the server's file is unchanged.
	if err := n.Bind(d+"/up", d+"/u", Before|Create); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(d+"/u/served", []byte("written"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := read(t, d+"/up/served"); got != "written" {
		t.Errorf("copied-up file holds %q", got)
	}
	if got := read(t, d+"/srv/served"); got != "9p" {
		t.Errorf("the server's file changed to %q", got)
	}
	expectLines(t, nsLines(t, n, d), "mount -a "+q("srv")+" "+q("u"), "bind -bc "+q("up")+" "+q("u"))
	if err := n.Unmount(addr, d+"/u"); err != nil {
		t.Fatal(err)
	}
	expectList(t, d+"/u", "local", "served")
	waitNoBridge(t, addr)
}

func TestMountErrors(t *testing.T) {
	needSession(t)
	n := Session()
	d := tree(t, "n/", "f=")
	if err := n.Mount("fail:no route to host", d+"/n", "", 0); err == nil || err.Error() != "no route to host" {
		t.Errorf("bridge error: %v, want its message", err)
	}
	if err := n.Mount(d+"/nosuch", d+"/n", "", After); err == nil || !strings.Contains(err.Error(), "no such server") {
		t.Errorf("bridge error: %v", err)
	}
	expectList(t, d+"/n")
	expectLines(t, nsLines(t, n, d))
}

func TestApplyFile(t *testing.T) {
	needSession(t)
	d := tree(t, "a/in-a=", "b/in-b=", "c/in-c=", "e/in-e=", "x/", "inc=", "loop=")
	f, err := Session().Fork()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lookup := func(name string) []string {
		if name == "d" {
			return []string{d, "ignored"}
		}
		return nil
	}
	os.WriteFile(d+"/inc", []byte("bind $d/e $d/x\n"), 0o644)
	text := "# a namespace file\n" +
		"bind -a $d/b $d/a\n" +
		"cd $d/a\n" +
		"bind -b ../c .\n" +
		". $d/inc\n" +
		"unmount -q /nosuch /nowhere\n"
	cwd, err := ApplyFile(f, "ns", strings.NewReader(text), lookup)
	if err != nil {
		t.Fatal(err)
	}
	if cwd != d+"/a" {
		t.Errorf("cwd %q, want %q", cwd, d+"/a")
	}
	expectListIn(t, f, d+"/a", "in-a", "in-b", "in-c")
	expectListIn(t, f, d+"/x", "in-e")

	for _, c := range []struct{ text, want string }{
		{"clear\nbind $d/nosuch $d/x\n", "ns:2: bind: " + d + "/nosuch: no such file or directory"},
		{"cd $d/inc\n", "ns:1: cd: " + d + "/inc: not a directory"},
		{"unmount $d/x\n", "ns:1: unmount: not mounted"},
		{"bind -q $d/nosuch $d/x\nbind -z a b\n", "ns:2: bind: unknown flag -z (usage: bind [-abcq] new old)"},
		{"\n. $d/inc2\n", "ns:2: .: " + d + "/inc2: no such file or directory"},
		{". $d/loop\n", "files included 16 deep"},
		{"bind $home x\n", "ns:1: $home: variable not set"},
	} {
		os.WriteFile(d+"/inc2", nil, 0o644)
		os.Remove(d + "/inc2")
		os.WriteFile(d+"/loop", []byte(". "+d+"/loop\n"), 0o644)
		_, err := ApplyFile(f, "ns", strings.NewReader(c.text), lookup)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.text, err, c.want)
		}
	}
	// An error in an included file names that file and line.
	os.WriteFile(d+"/inc", []byte("\nbind $d/nosuch $d/x\n"), 0o644)
	_, err = ApplyFile(f, "ns", strings.NewReader(". $d/inc\n"), lookup)
	if err == nil || err.Error() != d+"/inc:2: bind: "+d+"/nosuch: no such file or directory" {
		t.Errorf("error in an included file: %v", err)
	}
	// clear went back to the start.
	expectListIn(t, f, d+"/a", "in-a")
}

func TestHostUnchanged(t *testing.T) {
	needSession(t)
	needFUSE(t)
	d := tree(t, "a/", "b/", "up/", "srv/f=", "n/", "f=", "g=")
	before := hostMountinfo(t, d)
	f, err := Session().Fork()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, n := range []*Namespace{Session(), f} {
		for _, step := range []func() error{
			func() error { return n.Bind(d+"/b", d+"/a", After) },
			func() error { return n.Bind(d+"/up", d+"/a", Before|Create) },
			func() error { return n.Bind(d+"/f", d+"/g", 0) },
			func() error { return n.Mount(d+"/srv", d+"/n", "", 0) },
		} {
			if err := step(); err != nil {
				t.Fatal(err)
			}
		}
		if got := hostMountinfo(t, d); got != before {
			t.Fatalf("host mount table changed:\n%s", got)
		}
		if err := n.Clear(); err != nil {
			t.Fatal(err)
		}
	}
	if got := hostMountinfo(t, d); got != before {
		t.Errorf("host mount table changed:\n%s", got)
	}
	if w := workDirs(t, d); len(w) != 0 {
		t.Errorf("work directories left after clear: %q", w)
	}
}

func TestSysProcAttrFor(t *testing.T) {
	needSession(t)
	if a := SysProcAttrFor("/bin/true", false); a != nil {
		t.Errorf("another program gets %+v", a)
	}
	if a := SysProcAttrFor("/bin/true", true); a == nil || !a.Setpgid || a.AmbientCaps != nil {
		t.Errorf("a background program gets %+v", a)
	}
	a := SysProcAttrFor("/proc/self/exe", false)
	exe, _ := os.Executable()
	b := SysProcAttrFor(exe, true)
	if !rootless() {
		if a != nil || b.AmbientCaps != nil {
			t.Errorf("as root, nsh's own binary gets %+v and %+v", a, b)
		}
		return
	}
	for _, x := range []*syscall.SysProcAttr{a, b} {
		if x == nil || !containsCap(x.AmbientCaps, capSysAdmin) || !containsCap(x.AmbientCaps, 1) {
			t.Errorf("rootless, nsh's own binary gets %+v, want CAP_SYS_ADMIN and CAP_DAC_OVERRIDE", x)
		}
	}
}

func containsCap(caps []uintptr, c uintptr) bool {
	for _, x := range caps {
		if x == c {
			return true
		}
	}
	return false
}

func TestMountOverSessionMounts(t *testing.T) {
	needSession(t)
	needFUSE(t)
	n := Session()
	d := tree(t, "srv/served=", "a/in-a=", "n/orig=", "u/orig-u=")
	addr, q := d+"/srv", func(s string) string { return Quote(d + "/" + s) }
	// A mount onto a bind replaces it.
	bindT(t, n, d+"/a", d+"/n", 0)
	if err := n.Mount(addr, d+"/n", "", 0); err != nil {
		t.Fatal(err)
	}
	expectList(t, d+"/n", "served")
	expectLines(t, nsLines(t, n, d), "mount "+q("srv")+" "+q("n"))
	// mount -b onto a bind makes a union of the two. The 9P member comes
	// first: the union takes its root's attributes from it, which the
	// kernel must have asked the server for (a FUSE root starts out mode
	// 000, unreadable but to root).
	bindT(t, n, d+"/a", d+"/u", 0)
	if err := n.Mount(addr, d+"/u", "", Before); err != nil {
		t.Fatal(err)
	}
	expectList(t, d+"/u", "in-a", "served")
	expectLines(t, nsLines(t, n, d), "mount "+q("srv")+" "+q("n"), "bind "+q("a")+" "+q("u"), "mount -b "+q("srv")+" "+q("u"))
	// clear takes it all away, bridges included.
	f, err := n.Fork()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := n.Clear(); err != nil {
		t.Fatal(err)
	}
	expectList(t, d+"/n", "orig")
	expectList(t, d+"/u", "orig-u")
	// The copy still has its own.
	expectListIn(t, f, d+"/u", "in-a", "served")
	if err := f.Clear(); err != nil {
		t.Fatal(err)
	}
	waitNoBridge(t, addr)
}

// A 9P mount made by another nsh process of the session (nsh --share -c
// 'mount ...') outlives that process: its bridge watches the session's
// nsh, not the process that mounted.
func TestMountFromSharedProcess(t *testing.T) {
	needSession(t)
	needFUSE(t)
	n := Session()
	d := tree(t, "srv/served=9p", "n/")
	addr := d + "/srv"
	nshShare(t, "mount "+Quote(addr)+" "+Quote(d+"/n"))
	cleanupMount(t, n, d+"/n")
	if got := bridgeArgs(t, addr); !slices.Contains(got, strconv.Itoa(os.Getpid())) {
		t.Errorf("bridge arguments %q: it does not watch the session's nsh (pid %d)", got, os.Getpid())
	}
	// Give a bridge that watched the exited process time to go.
	time.Sleep(300 * time.Millisecond)
	expectList(t, d+"/n", "served")
}
