package p9fuse

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// nobody is the unprivileged uid and gid the rootless tests run as.
const nobody = 65534

// TestRootless runs the bridge as an ordinary user, the way a rootless
// nsh session does: uid 65534 in a user namespace of its own with
// CAP_SYS_ADMIN there only, /dev/fuse usable by everyone (as many
// distributions make it; this test makes it so for its duration).
func TestRootless(t *testing.T) {
	for _, kind := range []string{"synth", "diod", "p9srv", "export"} {
		t.Run(kind, func(t *testing.T) {
			needFUSE(t)
			openDevFUSE(t)
			base := sharedDir(t)
			exe := copyTestBinary(t, base)
			mnt := mkdirAll(t, filepath.Join(base, "mnt"))
			var args []string
			switch kind {
			case "synth":
				srv := startServer(t, base, "synth")
				args = []string{"synth", srv.addr, mnt, ""}
			case "diod":
				dir := mkdirAll(t, filepath.Join(base, "export"))
				srv := startDiod(t, base, dir)
				args = []string{"rw", srv.addr, mnt, dir}
			case "p9srv":
				srv := startServer(t, base, "p9srv")
				args = []string{"synth", srv.addr, mnt, ""}
			case "export":
				dir := mkdirAll(t, filepath.Join(base, "export"))
				srv := startServer(t, base, "export", dir)
				args = []string{"rw", srv.addr, mnt, ""}
			}
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
			if ps := mountsUnder(mnt); len(ps) > 0 {
				t.Errorf("the rootless mount leaked into the host's namespace: %v", ps)
			}
		})
	}
}

// openDevFUSE makes /dev/fuse usable by every user until the test ends.
func openDevFUSE(t *testing.T) {
	t.Helper()
	st, err := os.Stat("/dev/fuse")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.Chmod("/dev/fuse", st.Mode().Perm()); err != nil {
			t.Errorf("restoring the mode of /dev/fuse: %v", err)
		}
	})
	if err := os.Chmod("/dev/fuse", 0o666); err != nil {
		t.Fatal(err)
	}
}

// copyTestBinary copies the test binary where the unprivileged user can
// run it (go test builds it in a directory only root can enter).
func copyTestBinary(t *testing.T, dir string) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.Open(self)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	exe := filepath.Join(dir, "p9fuse.test")
	dst, err := os.OpenFile(exe, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	return exe
}

// rootlessMain is the unprivileged side of TestRootless: MODE ADDR MNT
// ANAME. It runs the bridge through the process protocol, checks the
// mount (MODE synth or rw), stops the bridge and checks that the mount
// is gone.
func rootlessMain(args []string) int {
	if err := rootless(args); err != nil {
		fmt.Fprintln(os.Stderr, "rootless:", err)
		return 1
	}
	return 0
}

func rootless(args []string) error {
	if len(args) != 4 {
		return fmt.Errorf("want MODE ADDR MNT ANAME, got %q", args)
	}
	mode, addr, mnt, aname := args[0], args[1], args[2], args[3]
	if os.Getuid() != nobody || os.Geteuid() != nobody {
		return fmt.Errorf("running as uid %d/%d, want %d", os.Getuid(), os.Geteuid(), nobody)
	}
	// Keep this namespace's mounts out of the host's.
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_SLAVE, ""); err != nil {
		return fmt.Errorf("make / rslave: %w", err)
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
	if b.ready != "ok" {
		return fmt.Errorf("bridge: %s; stderr: %s", b.ready, b.stderr.String())
	}
	m, ok := mountAt(mnt)
	if !ok || m.fstype != "fuse.9p" {
		return fmt.Errorf("no fuse.9p mount on %s: %+v", mnt, m)
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
