package union

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"nsh.dev/nsh/bind/session"
	"nsh.dev/nsh/internal/testenv"
)

// needSession makes sure the test runs in a session of its own, so that
// nothing it mounts can reach the host.
func needSession(t *testing.T) {
	t.Helper()
	testenv.Need(t, session.Created(), fmt.Sprintf("a private session (%v)", session.Err()))
}

func mkdirs(t *testing.T, root string, dirs ...string) {
	t.Helper()
	for _, d := range dirs {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func opath(t *testing.T, name string) int {
	t.Helper()
	fd, err := unix.Openat2(unix.AT_FDCWD, name, &unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC | unix.O_DIRECTORY})
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	return fd
}

func opaths(t *testing.T, names ...string) []int {
	var fds []int
	for _, n := range names {
		fds = append(fds, opath(t, n))
	}
	return fds
}

// attach builds s and mounts it on target, undoing it when the test ends
// unless detach (returned) did so first.
func attach(t *testing.T, s Spec, target string) (m *Mount, detach func()) {
	t.Helper()
	m, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	if err := Attach(m, opath(t, target)); err != nil {
		t.Fatal(err)
	}
	// m's descriptor now names the attached mount.
	var once sync.Once
	detach = func() {
		once.Do(func() {
			if err := Detach(m.Fd()); err != nil {
				t.Errorf("detach: %v", err)
			}
		})
	}
	t.Cleanup(detach)
	return m, detach
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// mountinfoLine returns the mountinfo line of the mount whose root fd is.
func mountinfoLine(t *testing.T, fd int) string {
	t.Helper()
	var st unix.Statx_t
	if err := unix.Statx(fd, "", unix.AT_EMPTY_PATH, unix.STATX_MNT_ID, &st); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("/proc/thread-self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, fmt.Sprint(st.Mnt_id)+" ") {
			return l
		}
	}
	t.Fatalf("mount %d not in mountinfo", st.Mnt_id)
	return ""
}

func superOptions(line string) string {
	_, after, _ := strings.Cut(line, " - ")
	f := strings.Fields(after)
	return f[len(f)-1]
}

func userXattr() bool { return InUserNamespace() }

func TestLookupOrder(t *testing.T) {
	needSession(t)
	d := t.TempDir()
	mkdirs(t, d, "a", "b", "u")
	writeFile(t, d+"/a/x", "a")
	writeFile(t, d+"/a/only-a", "")
	writeFile(t, d+"/b/x", "b")
	writeFile(t, d+"/b/only-b", "")
	attach(t, Spec{Source: "test", Lower: opaths(t, d+"/a", d+"/b"), UserXattr: userXattr()}, d+"/u")

	if got := readFile(t, d+"/u/x"); got != "a" {
		t.Errorf("x = %q, want the first member's", got)
	}
	if got, want := names(t, d+"/u"), []string{"only-a", "only-b", "x"}; !slices.Equal(got, want) {
		t.Errorf("listing %q, want %q", got, want)
	}
	// Without a create member the union is read-only: new files and
	// writes to existing files both fail, and nothing changes on disk.
	if err := os.WriteFile(d+"/u/new", nil, 0o644); !errors.Is(err, syscall.EROFS) {
		t.Errorf("create in read-only union: %v, want EROFS", err)
	}
	if err := os.WriteFile(d+"/u/x", []byte("changed"), 0o644); !errors.Is(err, syscall.EROFS) {
		t.Errorf("write in read-only union: %v, want EROFS", err)
	}
	if got := readFile(t, d+"/a/x"); got != "a" {
		t.Errorf("member file changed to %q", got)
	}
}

func TestCreateMember(t *testing.T) {
	needSession(t)
	d := t.TempDir()
	mkdirs(t, d, "up", "work", "low", "u")
	writeFile(t, d+"/low/x", "lower")
	writeFile(t, d+"/low/gone", "")
	_, detach := attach(t, Spec{Source: "test", Lower: opaths(t, d+"/low"), Writable: true,
		Upper: opath(t, d+"/up"), Work: opath(t, d+"/work"), UserXattr: userXattr()}, d+"/u")

	writeFile(t, d+"/u/new", "created")
	if got := readFile(t, d+"/up/new"); got != "created" {
		t.Errorf("created file in the create member holds %q", got)
	}
	// Writing a lower file copies it up: the lower member keeps its
	// content and the write is in the create member, not lost.
	writeFile(t, d+"/u/x", "written")
	if got := readFile(t, d+"/low/x"); got != "lower" {
		t.Errorf("lower member's file changed to %q", got)
	}
	if got := readFile(t, d+"/up/x"); got != "written" {
		t.Errorf("copied-up file holds %q", got)
	}
	if err := os.Remove(d + "/u/gone"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(d + "/low/gone"); err != nil {
		t.Errorf("removing through the union removed the lower file: %v", err)
	}
	if _, err := os.Stat(d + "/u/gone"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("removed file still visible: %v", err)
	}
	// The work directory never shows in the union.
	if got := names(t, d+"/u"); slices.Contains(got, "work") {
		t.Errorf("work directory visible in the union: %q", got)
	}
	// What was created stays on disk after the union is gone.
	detach()
	if got := readFile(t, d+"/up/new"); got != "created" {
		t.Errorf("after unmount the created file holds %q", got)
	}
}

func TestHardNames(t *testing.T) {
	needSession(t)
	d := t.TempDir()
	long := strings.Repeat("L", 200) + "/" + strings.Repeat("M", 150)
	dirs := []string{"we:ird,dir\\x", "sp ace", "eq=ual", "tab\tand\nnewline", long, "up", "work", "u"}
	mkdirs(t, d, dirs...)
	lowers := []string{d + "/" + dirs[0], d + "/" + dirs[1], d + "/" + dirs[2], d + "/" + dirs[3], d + "/" + dirs[4]}
	for i, l := range lowers {
		writeFile(t, l+"/f", fmt.Sprint(i))
		writeFile(t, l+fmt.Sprintf("/only%d", i), "")
	}
	if len(lowers[4]) <= 300 {
		t.Fatalf("long path is only %d bytes", len(lowers[4]))
	}
	m, _ := attach(t, Spec{Source: "test", Lower: opaths(t, lowers...), Writable: true,
		Upper: opath(t, d+"/up"), Work: opath(t, d+"/work"), UserXattr: userXattr()}, d+"/u")
	if got := readFile(t, d+"/u/f"); got != "0" {
		t.Errorf("f = %q, want the first member's", got)
	}
	if got := names(t, d+"/u"); len(got) != 6 {
		t.Errorf("listing %q, want f and five only* files", got)
	}
	got := ParseOptions(superOptions(mountinfoLine(t, m.Fd())))
	want := Layers{Lower: lowers, Upper: d + "/up", Work: d + "/work"}
	if !slices.Equal(got.Lower, want.Lower) || got.Upper != want.Upper || got.Work != want.Work {
		t.Errorf("layers from mountinfo\n got %#v\nwant %#v", got, want)
	}
}

func TestMaxMembers(t *testing.T) {
	needSession(t)
	d := t.TempDir()
	var lowers []string
	for i := range MaxMembers + 1 {
		l := fmt.Sprintf("%s/m%03d", d, i)
		lowers = append(lowers, l)
		mkdirs(t, d, filepath.Base(l))
		writeFile(t, fmt.Sprintf("%s/f%03d", l, i), "")
	}
	mkdirs(t, d, "u", "up", "work")
	fds := opaths(t, lowers...)
	attach(t, Spec{Source: "test", Lower: fds[:MaxMembers], UserXattr: userXattr()}, d+"/u")
	if _, err := os.Stat(fmt.Sprintf("%s/u/f%03d", d, MaxMembers-1)); err != nil {
		t.Errorf("last of %d members not visible: %v", MaxMembers, err)
	}
	if got := len(names(t, d+"/u")); got != MaxMembers {
		t.Errorf("union of %d members lists %d names", MaxMembers, got)
	}
	_, err := New(Spec{Lower: fds, UserXattr: userXattr()})
	if !errors.Is(err, ErrTooManyMembers) || !strings.Contains(err.Error(), "501 members") {
		t.Errorf("%d lower members: %v, want a clear error", MaxMembers+1, err)
	}
	_, err = New(Spec{Lower: fds[:MaxMembers], Writable: true, Upper: opath(t, d+"/up"), Work: opath(t, d+"/work"), UserXattr: userXattr()})
	if !errors.Is(err, ErrTooManyMembers) {
		t.Errorf("%d lower members and a create member: %v, want a clear error", MaxMembers, err)
	}
}

func TestSingleMemberIsReadOnlyBind(t *testing.T) {
	needSession(t)
	d := t.TempDir()
	mkdirs(t, d, "a", "u")
	writeFile(t, d+"/a/x", "a")
	m, _ := attach(t, Spec{Lower: opaths(t, d+"/a")}, d+"/u")
	if got := readFile(t, d+"/u/x"); got != "a" {
		t.Errorf("x = %q", got)
	}
	if err := os.WriteFile(d+"/u/x", nil, 0o644); !errors.Is(err, syscall.EROFS) {
		t.Errorf("write: %v, want EROFS", err)
	}
	if line := mountinfoLine(t, m.Fd()); strings.Contains(line, " - overlay ") {
		t.Errorf("single member built as an overlay: %s", line)
	}
}

// TestReplaceIsAtomic rebuilds a union 1,000 times while readers list it:
// every listing must be one of the two whole states, never a mix.
func TestReplaceIsAtomic(t *testing.T) {
	needSession(t)
	d := t.TempDir()
	mkdirs(t, d, "a", "b", "c", "u")
	for _, m := range []string{"a", "b", "c"} {
		writeFile(t, d+"/"+m+"/"+m, "")
	}
	states := [][]int{opaths(t, d+"/a", d+"/b"), opaths(t, d+"/a", d+"/c")}
	want := map[string]bool{"a b": true, "a c": true}
	first, err := New(Spec{Lower: states[0], UserXattr: userXattr()})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	if err := Attach(first, opath(t, d+"/u")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(d+"/u", unix.MNT_DETACH); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})

	watch := testenv.WatchListings(d+"/u", want)
	for i := range 1000 {
		m, err := New(Spec{Lower: states[(i+1)%2], UserXattr: userXattr()})
		if err != nil {
			t.Fatal(err)
		}
		top, err := unix.Openat2(unix.AT_FDCWD, d+"/u", &unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC})
		if err != nil {
			t.Fatal(err)
		}
		err = Replace(m, top)
		unix.Close(top)
		m.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d listings during 1000 rebuilds", watch.Stop(t))
}

func TestOverlappingMembers(t *testing.T) {
	needSession(t)
	d := t.TempDir()
	mkdirs(t, d, "a/inner", "u")
	_, err := New(Spec{Lower: opaths(t, d+"/a", d+"/a/inner"), UserXattr: userXattr()})
	if !errors.Is(err, ErrOverlap) {
		t.Errorf("members inside one another: %v, want %v", err, ErrOverlap)
	}
}
