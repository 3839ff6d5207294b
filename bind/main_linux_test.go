package bind

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"nsh.dev/nsh/bind/nsfile"
	"nsh.dev/nsh/bind/session"
	"nsh.dev/nsh/internal/testenv"
)

// The test binary imports bind/session, so it runs in a session of its own
// (as root, or as uid 65534 when TestRootless runs it), like nsh: nothing
// the tests mount reaches the host. Helper processes come back here with
// NSH_HELPER set.
func TestMain(m *testing.M) {
	// The test binary stands in for the 9P bridge (fakeBridge).
	BridgeProgram = "/proc/self/exe"
	switch os.Getenv("NSH_HELPER") {
	case "reaper":
		os.Exit(ReaperMain(os.Args))
	case "9pfuse":
		os.Exit(fakeBridge(os.Args))
	case "nshcmd":
		os.Exit(nshCmdMain(os.Args))
	case "rebuilds":
		os.Exit(rebuildsMain(os.Args))
	}
	inherited = inheritedFds()
	if session.Created() {
		if err := SetupSession(); err != nil {
			fmt.Fprintln(os.Stderr, "SetupSession:", err)
			os.Exit(1)
		}
	}
	os.Exit(m.Run())
}

// inherited holds the descriptors the test binary was started with beyond
// 0, 1 and 2 (not close-on-exec): its commands inherit those, as any
// program's do.
var inherited map[int]bool

func inheritedFds() map[int]bool {
	m := map[int]bool{}
	for fd := 3; fd < 1024; fd++ {
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err == nil && flags&unix.FD_CLOEXEC == 0 {
			m[fd] = true
		}
	}
	return m
}

// needSession makes sure the test runs in a session of its own.
func needSession(t testing.TB) {
	t.Helper()
	testenv.Need(t, session.Created(), fmt.Sprintf("a private session (%v)", session.Err()))
}

// needFUSE makes sure the FUSE device exists, for the tests that mount
// through the stand-in 9P bridge.
func needFUSE(t testing.TB) {
	t.Helper()
	_, err := os.Stat("/dev/fuse")
	testenv.Need(t, err == nil, "FUSE (/dev/fuse; modprobe fuse)")
}

// tree makes directories and files under a new temporary directory: a name
// ending in / is a directory, "name=text" a file.
func tree(t *testing.T, specs ...string) string {
	t.Helper()
	d := t.TempDir()
	for _, s := range specs {
		name, text, isFile := strings.Cut(s, "=")
		p := filepath.Join(d, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if !isFile {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// bindT binds and removes the bind when the test ends.
func bindT(t *testing.T, n *Namespace, new, old string, f Flag) {
	t.Helper()
	if err := n.Bind(new, old, f); err != nil {
		t.Fatalf("bind %s %s %s: %v", f, new, old, err)
	}
	cleanupMount(t, n, old)
}

func cleanupMount(t *testing.T, n *Namespace, old string) {
	t.Cleanup(func() {
		if err := n.Unmount("", old); err != nil && !errors.Is(err, ErrNotMounted) {
			t.Errorf("cleanup: unmount %s: %v", old, err)
		}
	})
}

func read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func list(t *testing.T, dir string) []string {
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

func nsText(t *testing.T, n *Namespace) string {
	t.Helper()
	var b strings.Builder
	if err := n.WriteNS(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// nsLines returns the ns lines that mention dir; a line whose quote spans
// a newline counts as one.
func nsLines(t *testing.T, n *Namespace, dir string) []string {
	t.Helper()
	var out []string
	cur := ""
	for _, l := range strings.Split(nsText(t, n), "\n") {
		if cur != "" {
			cur += "\n"
		}
		cur += l
		if strings.Count(cur, "'")%2 != 0 {
			continue
		}
		if strings.Contains(cur, dir) {
			out = append(out, cur)
		}
		cur = ""
	}
	return out
}

func expectList(t *testing.T, dir string, want ...string) {
	t.Helper()
	if got := list(t, dir); !slices.Equal(got, want) {
		t.Errorf("%s lists %q, want %q", dir, got, want)
	}
}

func expectLines(t *testing.T, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("ns lines\n got %q\nwant %q", got, want)
	}
}

// run runs a command in the namespace n and returns its output.
func run(t *testing.T, n *Namespace, name string, args ...string) string {
	t.Helper()
	var out []byte
	err := n.Do(func() error {
		var err error
		out, err = exec.Command(name, args...).CombinedOutput()
		return err
	})
	if err != nil {
		t.Fatalf("%s %q: %v\n%s", name, args, err, out)
	}
	return string(out)
}

func rootless() bool { return os.Getenv(rootlessEnv) != "" }

// rootlessEnv marks the run of the test binary as uid 65534.
const rootlessEnv = "NSH_TEST_ROOTLESS"

func parseNS(t *testing.T, text string) []nsOp {
	t.Helper()
	var ops []nsOp
	for _, op := range mustParse(t, text) {
		ops = append(ops, nsOp{Cmd: op.Cmd, Flags: op.Flags, Args: op.Args})
	}
	return ops
}

type nsOp struct {
	Cmd, Flags string
	Args       []string
}

func mustParse(t *testing.T, text string) []nsfile.Op {
	t.Helper()
	ops, err := nsfile.Parse("ns", []byte(text), nil)
	if err != nil {
		t.Fatal(err)
	}
	return ops
}
