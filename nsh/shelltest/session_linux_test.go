package shelltest

import (
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"nsh.dev/nsh/internal/testenv"
)

// TestSessionNamespace: nsh -c runs in a mount namespace of its own; a
// rootless session's commands keep the user's uid and gid and hold no
// capabilities.
func TestSessionNamespace(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		b := newBox(t, u)
		host, err := os.Readlink("/proc/self/ns/mnt")
		if err != nil {
			t.Fatal(err)
		}
		out := lines(b.script("readlink /proc/self/ns/mnt; id -u; id -g; grep CapEff /proc/self/status"))
		if len(out) != 4 {
			t.Fatalf("want 4 lines, got %q", out)
		}
		if out[0] == host || !strings.HasPrefix(out[0], "mnt:[") {
			t.Errorf("nsh -c runs in mount namespace %s; the caller's is %s", out[0], host)
		}
		id := strconv.Itoa(u.uid)
		if out[1] != id || out[2] != id {
			t.Errorf("id -u, id -g in the session: %s %s, want %s %s", out[1], out[2], id, id)
		}
		if u.rootless() && out[3] != "CapEff:\t0000000000000000" {
			t.Errorf("a rootless session's command holds capabilities: %q", out[3])
		}
	})
}

// TestSessionMountCommand: in a rootless session mount(8) run as a
// command fails while nsh's own bind works; as root both work, and
// neither reaches the host.
func TestSessionMountCommand(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		b := newBox(t, u)
		b.files("a/fa=a", "d/", "e/")
		out := b.script(`/bin/mount -t tmpfs x d >[2]/dev/null
echo mount $status
bind a e
echo bind $status
ls e`)
		want := "mount \nbind \nfa\n"
		if u.rootless() {
			want = "mount 32\nbind \nfa\n"
		}
		if out != want {
			t.Errorf("got:\n%s\nwant:\n%s", out, want)
		}
	})
}

// TestSessionIsolation: a bind in one session is invisible to the host
// and to a second session running at the same time.
func TestSessionIsolation(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		b := newBox(t, u)
		b.files("a/fa=a", "t/ft=t")
		var out, errb testenv.SyncBuffer
		cmd := b.start(&out, &errb, "-c", pauseFn+`readlink /proc/self/ns/mnt
bind a t
ls t
pause bound
ls t`)
		b.waitPaused("bound", &errb)
		if names := dirNames(t, b.path("t")); names != "ft" {
			t.Errorf("the host sees %s in t while a session has bound a on it; want ft", names)
		}
		other := lines(b.script("readlink /proc/self/ns/mnt; ls t"))
		b.resume("bound")
		if err := cmd.Wait(); err != nil {
			t.Fatalf("first session: %v\n%s", err, errb.String())
		}
		first := lines(out.String())
		if want := []string{first[0], "fa", "fa"}; strings.Join(first, " ") != strings.Join(want, " ") || errb.Len() > 0 {
			t.Errorf("first session printed %q (stderr %q), want %q", first, errb.String(), want)
		}
		if len(other) != 2 || other[1] != "ft" {
			t.Errorf("a second session printed %q; want its own namespace and ft", other)
		}
		if len(other) > 0 && other[0] == first[0] {
			t.Errorf("two sessions share mount namespace %s", other[0])
		}
	})
}

// TestSessionShare: nsh --share run from inside a session edits that
// session; a nested nsh without it gets a session of its own.
func TestSessionShare(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		b := newBox(t, u)
		b.files("a/fa=a", "b/fb=b", "t/ft=t", "t2/ft2=t2")
		out := b.script(`nsh --share -c 'bind a t'
ls t
nsh -c 'bind b t2; ls t2'
ls t2
~ ` + "`" + `{readlink /proc/self/ns/mnt} ` + "`" + `{nsh --share -c 'readlink /proc/self/ns/mnt'} && echo same namespace`)
		if want := "fa\nfb\nft2\nsame namespace\n"; out != want {
			t.Errorf("got:\n%s\nwant:\n%s", out, want)
		}
	})
}

// TestSessionLeavesNoTrace: after a session that bound, made unions and
// created through one, the host's mount table is what it was, no overlay
// work directory is left, and the files created through the union stay.
// The same after kill -9 of nsh in the middle of a loop of union
// rebuilds.
func TestSessionLeavesNoTrace(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		t.Run("exit", func(t *testing.T) {
			b := newBox(t, u)
			b.files("a/fa=a", "b/fb=b", "c/", "t/ft=t", "u/")
			before := hostMountinfo(t)
			out := b.script(`bind a u
bind -b a t
bind -a b t
bind -bc c t
echo new >t/new
rfork n
bind -a c u
ls t`)
			if want := "fa\nfb\nft\nnew\n"; out != want {
				t.Errorf("got:\n%s\nwant:\n%s", out, want)
			}
			b.checkNoTrace(before)
			if got, err := os.ReadFile(b.path("c/new")); err != nil || string(got) != "new\n" {
				t.Errorf("the file created through the union: %q, %v", got, err)
			}
		})
		t.Run("kill9", func(t *testing.T) {
			b := newBox(t, u)
			b.files("b/fb=b", "c/fc=c", "t/ft=t")
			before := hostMountinfo(t)
			var out, errb testenv.SyncBuffer
			cmd := b.start(&out, &errb, "-c", `bind -bc c t
echo started >ready
while(true){ bind -a b t; unmount b t }`)
			if !waitFor(20*time.Second, func() bool { _, err := os.Stat(b.path("ready")); return err == nil }) {
				t.Fatalf("the loop did not start: %s", errb.String())
			}
			if len(b.workDirs()) == 0 {
				t.Errorf("no overlay work directory while the union exists: the test cannot see the cleanup")
			}
			time.Sleep(300 * time.Millisecond) // well into the loop
			cmd.Process.Kill()
			cmd.Wait()
			if errb.Len() > 0 {
				t.Errorf("the loop failed before the kill: %s", errb.String())
			}
			b.checkNoTrace(before)
			if got, err := os.ReadFile(b.path("c/fc")); err != nil || string(got) != "c" {
				t.Errorf("the create member's file after kill -9: %q, %v", got, err)
			}
		})
	})
}

// checkNoTrace waits for the session's reaper to finish and then checks
// that the box holds no overlay work directory, that no process the box
// started is left, and that the host's mount table is before.
func (b *box) checkNoTrace(before string) {
	b.t.Helper()
	if !waitFor(10*time.Second, func() bool { return len(b.workDirs()) == 0 && len(b.processes()) == 0 }) {
		b.t.Errorf("left after the session: work directories %q, processes %v", b.workDirs(), b.processes())
	}
	if after := hostMountinfo(b.t); after != before {
		b.t.Errorf("the host's mount table changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// workDirs lists the overlay work directories (.nsh-work-*) in the box.
func (b *box) workDirs() []string {
	var found []string
	filepath.WalkDir(b.dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && strings.HasPrefix(d.Name(), ".nsh-work-") {
			found = append(found, p)
			return filepath.SkipDir
		}
		return nil
	})
	return found
}

// hostMountinfo is the host's mount table as far as these tests can
// change it: the machine's mounts outside testRoot and every mount under
// it, one line each.
func hostMountinfo(t testing.TB) string {
	t.Helper()
	es, err := readMounts()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range es {
		if !under(e.point, testRoot) && !machineMount[e.id] {
			continue // another package's test, mounting at the same time
		}
		b.WriteString(e.line)
		b.WriteByte('\n')
	}
	return b.String()
}
