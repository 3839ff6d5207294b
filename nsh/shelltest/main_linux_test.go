package shelltest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"nsh.dev/nsh/nsh/internal/nshtest"
)

// The programs under test and the directory everything lives in.
var (
	// testRoot holds the programs and every test's scratch directory. It
	// is outside /tmp, which a demo mounts over inside its session.
	testRoot string
	// binDir holds nsh and p9srv, readable by everyone.
	binDir string
	// nshPath and p9srvPath are the programs.
	nshPath, p9srvPath string
	// fuseDev is a FUSE device node of mode 0666, which the rootless
	// tests bind over /dev/fuse in their sessions; "" when it could not
	// be made (not root).
	fuseDev string
	// fuseBinDir holds a program named nsh that runs nsh with the
	// FUSE device bound over /dev/fuse (see box.fuseArgs), for the
	// rootless transcripts' terminal commands.
	fuseBinDir string
	// machineMount holds the IDs of the mounts on the machine when the
	// tests started.
	machineMount map[string]bool
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	base := "/var/tmp"
	if _, err := os.Stat(base); err != nil {
		base = os.TempDir()
	}
	var err error
	testRoot, err = os.MkdirTemp(base, "nsh-shelltest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(testRoot)
	if err := os.Chmod(testRoot, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	binDir = filepath.Join(testRoot, "bin")
	if err := os.Mkdir(binDir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if nshPath, err = nshtest.Build(binDir); err == nil {
		p9srvPath, err = nshtest.BuildP9srv(binDir)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if os.Geteuid() == 0 {
		fuseDev = filepath.Join(testRoot, "fuse")
		if err := makeFUSEDevice(fuseDev); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	fuseBinDir = filepath.Join(testRoot, "fusebin")
	if err := writeFUSEWrapper(fuseBinDir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}

	before, err := readMounts()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	machineMount = map[string]bool{}
	for _, e := range before {
		machineMount[e.id] = true
	}
	code := m.Run()
	after, err := readMounts()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if leaked := ourNewMounts(before, after); len(leaked) > 0 {
		fmt.Fprintln(os.Stderr, "FAIL: the tests left mounts on the machine:")
		for _, e := range leaked {
			fmt.Fprintf(os.Stderr, "\t%s\n", e.line)
		}
		detach(leaked)
		code = 1
	}
	return code
}

// ourNewMounts returns the mounts in after and not in before that these
// tests could have made: anything under testRoot, on /tmp, /srv or /mnt
// (which the demos mount on inside their sessions), or a session's /srv
// (source nsh-srv). Other packages' tests may mount elsewhere at the same
// time; they are not this package's to judge.
func ourNewMounts(before, after []mountEntry) []mountEntry {
	old := map[string]bool{}
	for _, e := range before {
		old[e.id] = true
	}
	var leaked []mountEntry
	for _, e := range after {
		if old[e.id] {
			continue
		}
		if under(e.point, testRoot) || e.point == "/tmp" || e.point == "/srv" || e.point == "/mnt" ||
			e.source == "nsh-srv" || strings.Contains(e.source, testRoot) {
			leaked = append(leaked, e)
		}
	}
	return leaked
}

// makeFUSEDevice makes a FUSE device node (10:229) every user may open.
func makeFUSEDevice(path string) error {
	if err := unix.Mknod(path, unix.S_IFCHR|0o666, int(unix.Mkdev(10, 229))); err != nil {
		return fmt.Errorf("mknod %s: %w", path, err)
	}
	return os.Chmod(path, 0o666) // past the umask
}

// writeFUSEWrapper writes dir/nsh, a shell script that runs nsh (with
// its arguments) in a session enclosed by one that binds fuseDev over
// /dev/fuse. The session gets a $PATH without dir, so that an nsh run
// inside it is nsh itself.
func writeFUSEWrapper(dir string) error {
	if err := os.Mkdir(dir, 0o755); err != nil {
		return err
	}
	script := "#!/bin/sh\nPATH=" + binDir + ":/usr/bin:/bin:/usr/sbin:/sbin\nexport PATH\nexec " +
		nshPath + " -c '" + fuseWrap + "' \"$@\"\n"
	return os.WriteFile(filepath.Join(dir, "nsh"), []byte(script), 0o755)
}
