package p9fuse

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"nsh.dev/nsh/internal/testenv"
)

// nobody is the unprivileged uid and gid the rootless tests run as.
const nobody = 65534

// TestRootless runs the bridge as an ordinary user, the way a rootless
// nsh session does: uid 65534 in a user namespace of its own with
// CAP_SYS_ADMIN there only, and /dev/fuse usable by everyone, as many
// distributions make it. Rather than change the mode of the machine's
// /dev/fuse (other packages' tests run at the same time), the test makes
// a FUSE device node of mode 0666 and the child mounts it over /dev/fuse
// in its own mount namespace.
func TestRootless(t *testing.T) {
	for _, kind := range []string{"synth", "diod", "p9srv", "export"} {
		t.Run(kind, func(t *testing.T) {
			needFUSE(t)
			base := testenv.PublicTempDir(t, "p9fuse-test-")
			exe := testenv.CopyTestBinary(t, base, "p9fuse.test")
			dev := openFUSEDevice(t, base)
			mnt := mkdirAll(t, filepath.Join(base, "mnt"))
			var args []string
			switch kind {
			case "synth", "p9srv":
				srv := startServer(t, base, kind)
				args = []string{"synth", srv.addr, mnt, "", dev}
			case "diod":
				dir := mkdirAll(t, filepath.Join(base, "export"))
				srv := startDiod(t, base, dir)
				args = []string{"rw", srv.addr, mnt, dir, dev}
			case "export":
				dir := mkdirAll(t, filepath.Join(base, "export"))
				srv := startServer(t, base, "export", dir)
				args = []string{"rw", srv.addr, mnt, "", dev}
			}
			runRootless(t, exe, args)
			if ps := mountsUnder(mnt); len(ps) > 0 {
				t.Errorf("the rootless mount leaked into the host's namespace: %v", ps)
			}
		})
	}
}

// TestRootlessNoFUSE checks what an ordinary user is told where
// /dev/fuse is root's alone (as Debian ships it).
func TestRootlessNoFUSE(t *testing.T) {
	t.Run("message", func(t *testing.T) {
		needFUSE(t)
		base := testenv.PublicTempDir(t, "p9fuse-test-")
		exe := testenv.CopyTestBinary(t, base, "p9fuse.test")
		srv := startServer(t, base, "staticfs")
		mnt := mkdirAll(t, filepath.Join(base, "mnt"))
		// The child covers /dev/fuse with this root-only file.
		rootOnly := filepath.Join(base, "fuse-root-only")
		if err := os.WriteFile(rootOnly, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		runRootless(t, exe, []string{"nofuse", srv.addr, mnt, "", rootOnly})
	})
}

// openFUSEDevice makes a FUSE device node (10:229) that every user may
// open.
func openFUSEDevice(t *testing.T, dir string) string {
	t.Helper()
	dev := filepath.Join(dir, "fuse")
	if err := unix.Mknod(dev, unix.S_IFCHR|0o666, int(unix.Mkdev(10, 229))); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dev, 0o666); err != nil { // past the umask
		t.Fatal(err)
	}
	return dev
}

// runRootless runs the rootless helper (see rootlessMain) as uid and gid
// 65534 in a user namespace of its own, with CAP_SYS_ADMIN there (as a
// rootless nsh session starts its bridge).
func runRootless(t *testing.T, exe string, args []string) {
	t.Helper()
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), testHelperEnv+"=rootless")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: nobody, HostID: nobody, Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: nobody, HostID: nobody, Size: 1}},
		Credential:  &syscall.Credential{Uid: nobody, Gid: nobody, NoSetGroups: true},
		AmbientCaps: []uintptr{unix.CAP_SYS_ADMIN},
		Pdeathsig:   syscall.SIGKILL,
	}
	if err := within(2*time.Minute, cmd.Run); err != nil {
		t.Fatalf("rootless run: %v\n%s", err, out.String())
	}
}

// rootlessMain is the unprivileged side of the rootless tests: MODE ADDR
// MNT ANAME FUSEDEV. It mounts FUSEDEV over /dev/fuse, runs the bridge
// through the process protocol and then, by MODE: synth and rw check the
// mount, stop the bridge and check that the mount is gone; nofuse checks
// the bridge's message about an unusable /dev/fuse.
func rootlessMain(args []string) int {
	if err := rootless(args); err != nil {
		fmt.Fprintln(os.Stderr, "rootless:", err)
		return 1
	}
	return 0
}

func rootless(args []string) error {
	if len(args) != 5 {
		return fmt.Errorf("want MODE ADDR MNT ANAME FUSEDEV, got %q", args)
	}
	mode, addr, mnt, aname, dev := args[0], args[1], args[2], args[3], args[4]
	if os.Getuid() != nobody || os.Geteuid() != nobody {
		return fmt.Errorf("running as uid %d/%d, want %d", os.Getuid(), os.Geteuid(), nobody)
	}
	// Keep this namespace's mounts out of the host's.
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_SLAVE, ""); err != nil {
		return fmt.Errorf("make / rslave: %w", err)
	}
	if err := unix.Mount(dev, "/dev/fuse", "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("mount %s on /dev/fuse: %w", dev, err)
	}
	var bargs []string
	if aname != "" {
		bargs = append(bargs, "-aname", aname)
	}
	b, err := startBridgeProc(append(bargs, addr, mnt)...)
	if err != nil {
		return err
	}
	defer b.stop()
	if mode == "nofuse" {
		b.waitExit(10 * time.Second)
		if want := "error: /dev/fuse: permission denied"; !strings.HasPrefix(b.ready, want) {
			return fmt.Errorf("bridge without access to /dev/fuse said %q, want %s...", b.ready, want)
		}
		return nil
	}
	if b.ready != "ok" {
		return fmt.Errorf("bridge: %s; stderr: %s", b.ready, b.stderr.String())
	}
	m, ok := mountAt(mnt)
	if !ok || m.fstype != FSType {
		return fmt.Errorf("no %s mount on %s: %+v", FSType, mnt, m)
	}
	switch mode {
	case "synth":
		err = within(time.Minute, func() error { return checkSynth(mnt) })
	case "rw":
		err = within(time.Minute, func() error { return checkRW(mnt, rwFeatures{chmod: true, links: true}) })
	default:
		err = fmt.Errorf("unknown mode %q", mode)
	}
	if err != nil {
		return err
	}
	if !b.stop() {
		return fmt.Errorf("bridge did not exit on SIGTERM")
	}
	if ps := mountsUnder(mnt); len(ps) > 0 {
		return fmt.Errorf("mounts left after SIGTERM: %v", ps)
	}
	return nil
}
