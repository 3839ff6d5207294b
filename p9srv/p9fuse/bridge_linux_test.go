package p9fuse

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"nsh.dev/nsh/internal/testenv"
)

// TestSynthetic mounts a synthetic server: files of size 0 read, echo x >
// ctl reaches the server, a 2,500-entry directory lists completely, and
// the mount shows as fuse.9p with the address as its source.
func TestSynthetic(t *testing.T) {
	t.Run("mount", func(t *testing.T) {
		needFUSE(t)
		base := testenv.PublicTempDir(t, "p9fuse-test-")
		srv := startServer(t, base, "synth")
		mnt := mkdirAll(t, filepath.Join(base, "mnt"))
		startBridge(t, srv.addr, mnt)
		m, ok := mountAt(mnt)
		if !ok || m.fstype != FSType || m.source != FsName(srv.addr, "") {
			t.Errorf("mountinfo for %s: %+v (found %v), want fuse.9p from %q", mnt, m, ok, FsName(srv.addr, ""))
		}
		if err := within(time.Minute, func() error { return checkSynth(mnt) }); err != nil {
			t.Fatal(err)
		}
	})
}

// TestStaticfs reads hugelgupf/p9's own static server.
func TestStaticfs(t *testing.T) {
	t.Run("read", func(t *testing.T) {
		needFUSE(t)
		base := testenv.PublicTempDir(t, "p9fuse-test-")
		srv := startServer(t, base, "staticfs")
		mnt := mkdirAll(t, filepath.Join(base, "mnt"))
		startBridge(t, srv.addr, mnt)
		err := within(10*time.Second, func() error {
			if err := expect(filepath.Join(mnt, "hello"), "hello, world\n"); err != nil {
				return err
			}
			if err := expect(filepath.Join(mnt, "empty"), ""); err != nil {
				return err
			}
			return checkList(mnt, []string{"empty", "hello"})
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestLocalfs writes through hugelgupf/p9's local file server; a mount
// with -cache shows a type of its own.
func TestLocalfs(t *testing.T) {
	for _, cache := range []bool{false, true} {
		t.Run(fmt.Sprintf("cache=%v", cache), func(t *testing.T) {
			needFUSE(t)
			base := testenv.PublicTempDir(t, "p9fuse-test-")
			dir := mkdirAll(t, filepath.Join(base, "export"))
			srv := startServer(t, base, "localfs", dir)
			mnt := mkdirAll(t, filepath.Join(base, "mnt"))
			startBridge(t, bridgeArgs(cache, "", srv.addr, mnt)...)
			// ns tells a cached mount by its type.
			want := FSType
			if cache {
				want = CachedFSType
			}
			if m, ok := mountAt(mnt); !ok || m.fstype != want {
				t.Errorf("mountinfo for %s: %+v (found %v), want type %s", mnt, m, ok, want)
			}
			if err := within(time.Minute, func() error { return checkRW(mnt, rwFeatures{links: true}) }); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestDiod mounts a directory exported by diod, a 9P server written in C
// that the p9 client cannot talk to unaided, and reads, writes and lists
// it, with and without caching.
func TestDiod(t *testing.T) {
	for _, cache := range []bool{false, true} {
		t.Run(fmt.Sprintf("cache=%v", cache), func(t *testing.T) {
			needFUSE(t)
			base := testenv.PublicTempDir(t, "p9fuse-test-")
			dir := mkdirAll(t, filepath.Join(base, "export"))
			srv := startDiod(t, base, dir)
			mnt := mkdirAll(t, filepath.Join(base, "mnt"))
			startBridge(t, bridgeArgs(cache, dir, srv.addr, mnt)...)
			if m, _ := mountAt(mnt); m.source != FsName(srv.addr, dir) {
				t.Errorf("mount source %q, want %q", m.source, FsName(srv.addr, dir))
			}
			if err := within(time.Minute, func() error { return checkRW(mnt, rwFeatures{chmod: true, links: true}) }); err != nil {
				t.Fatal(err)
			}

			// A directory of 2,100 files made outside lists whole.
			many := mkdirAll(t, filepath.Join(dir, "many"))
			var want []string
			for i := range 2100 {
				name := fmt.Sprintf("file-with-a-longish-name-%04d", i)
				want = append(want, name)
				if err := os.WriteFile(filepath.Join(many, name), nil, 0o666); err != nil {
					t.Fatal(err)
				}
			}
			if err := within(time.Minute, func() error { return checkList(filepath.Join(mnt, "many"), want) }); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func bridgeArgs(cache bool, aname, addr, mnt string) []string {
	var args []string
	if aname != "" {
		args = append(args, "-aname", aname)
	}
	if cache {
		args = append(args, "-cache")
	}
	return append(args, addr, mnt)
}

// TestInterrupt checks that a read blocked in the server can be
// interrupted: the p9 client cannot cancel it, so the bridge abandons it
// and cat dies of its SIGINT instead of hanging in D state.
func TestInterrupt(t *testing.T) {
	t.Run("cat", func(t *testing.T) {
		needFUSE(t)
		base := testenv.PublicTempDir(t, "p9fuse-test-")
		srv := startServer(t, base, "synth")
		mnt := mkdirAll(t, filepath.Join(base, "mnt"))
		startBridge(t, srv.addr, mnt)
		cat := exec.Command("cat", filepath.Join(mnt, "event"))
		if err := cat.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cat.Wait() }()
		time.Sleep(300 * time.Millisecond)
		select {
		case err := <-done:
			t.Fatalf("cat of a blocking file returned early: %v", err)
		default:
		}
		cat.Process.Signal(syscall.SIGINT)
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			cat.Process.Kill()
			t.Fatal("cat ignored SIGINT while its read was blocked in the server")
		}
		// The mount still works afterwards.
		if err := within(10*time.Second, func() error { return expect(filepath.Join(mnt, "ctl"), "") }); err != nil {
			t.Fatal(err)
		}
	})
}

// TestServerDeath kills the server under a mount: a blocked read and
// later operations fail within a second, the mount goes away and the
// bridge exits with an error.
func TestServerDeath(t *testing.T) {
	t.Run("kill", func(t *testing.T) {
		needFUSE(t)
		base := testenv.PublicTempDir(t, "p9fuse-test-")
		srv := startServer(t, base, "synth")
		mnt := mkdirAll(t, filepath.Join(base, "mnt"))
		b := startBridge(t, srv.addr, mnt)

		// Hold a file open, so that the unmount cannot be a plain one.
		held, err := os.Open(filepath.Join(mnt, "ctl"))
		if err != nil {
			t.Fatal(err)
		}
		defer held.Close()
		cat := exec.Command("cat", filepath.Join(mnt, "event"))
		if err := cat.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cat.Wait() }()
		time.Sleep(200 * time.Millisecond)

		srv.kill()
		killed := time.Now()
		select {
		case err := <-done:
			if err == nil {
				t.Errorf("cat of the blocked file succeeded after the server died")
			}
		case <-time.After(time.Second):
			cat.Process.Kill()
			t.Fatal("a read pending when the server died did not fail within a second")
		}
		err = within(time.Second, func() error {
			_, err := held.Read(make([]byte, 10))
			return err
		})
		if err == nil || strings.Contains(err.Error(), "blocked") {
			t.Errorf("read on a file open when the server died: %v, want an I/O error", err)
		}
		if !waitUnmounted(mnt, 2*time.Second) {
			t.Fatalf("mount still there %v after the server died", time.Since(killed))
		}
		if !b.waitExit(5 * time.Second) {
			t.Fatal("bridge still running after the server died")
		}
		var ee *exec.ExitError
		if !errors.As(b.err, &ee) || ee.ExitCode() == 0 {
			t.Errorf("bridge exit: %v, want a non-zero status", b.err)
		}
	})
}

// TestStop covers the other ways a bridge ends, each of which must leave
// no mount behind: SIGTERM, someone else unmounting it, and the exit of
// the process it watches.
func TestStop(t *testing.T) {
	t.Run("sigterm", func(t *testing.T) {
		needFUSE(t)
		base := testenv.PublicTempDir(t, "p9fuse-test-")
		srv := startServer(t, base, "staticfs")
		mnt := mkdirAll(t, filepath.Join(base, "mnt"))
		b := startBridge(t, srv.addr, mnt)
		// A busy mount: a process has its cwd in it.
		sleeper := exec.Command("sleep", "60")
		sleeper.Dir = mnt
		if err := sleeper.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { sleeper.Process.Kill(); sleeper.Wait() }()
		if !b.stop() {
			t.Fatal("bridge did not exit on SIGTERM")
		}
		if b.err != nil {
			t.Errorf("bridge exit after SIGTERM: %v, want status 0", b.err)
		}
		if ps := mountsUnder(mnt); len(ps) > 0 {
			t.Errorf("mounts left after SIGTERM: %v", ps)
		}
	})
	t.Run("unmounted", func(t *testing.T) {
		needFUSE(t)
		base := testenv.PublicTempDir(t, "p9fuse-test-")
		srv := startServer(t, base, "staticfs")
		mnt := mkdirAll(t, filepath.Join(base, "mnt"))
		b := startBridge(t, srv.addr, mnt)
		if err := syscall.Unmount(mnt, 0); err != nil {
			t.Fatal(err)
		}
		if !b.waitExit(5 * time.Second) {
			t.Fatal("bridge still running after its mount was unmounted")
		}
		if b.err != nil {
			t.Errorf("bridge exit after unmount: %v, want status 0", b.err)
		}
	})
	t.Run("watch", func(t *testing.T) {
		needFUSE(t)
		base := testenv.PublicTempDir(t, "p9fuse-test-")
		srv := startServer(t, base, "staticfs")
		mnt := mkdirAll(t, filepath.Join(base, "mnt"))
		sleeper := exec.Command("sleep", "60")
		if err := sleeper.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { sleeper.Process.Kill(); sleeper.Wait() }()
		b := startBridge(t, "-watch", fmt.Sprint(sleeper.Process.Pid), srv.addr, mnt)
		if b.waitExit(300 * time.Millisecond) {
			t.Fatalf("bridge exited while the watched process lives: %v", b.err)
		}
		sleeper.Process.Kill()
		sleeper.Wait()
		if !b.waitExit(5 * time.Second) {
			t.Fatal("bridge still running after the watched process exited")
		}
		if ps := mountsUnder(mnt); len(ps) > 0 {
			t.Errorf("mounts left after the watched process exited: %v", ps)
		}
	})
	t.Run("moved", func(t *testing.T) {
		// nsh moves the bridge's mount into place; the bridge must still
		// find and remove it.
		needFUSE(t)
		base := testenv.PublicTempDir(t, "p9fuse-test-")
		srv := startServer(t, base, "staticfs")
		priv := mkdirAll(t, filepath.Join(base, "priv"))
		if err := syscall.Mount("tmpfs", priv, "tmpfs", 0, "mode=0777"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { syscall.Unmount(priv, syscall.MNT_DETACH) })
		if err := syscall.Mount("", priv, "", syscall.MS_PRIVATE, ""); err != nil {
			t.Fatal(err)
		}
		first := mkdirAll(t, filepath.Join(priv, "first"))
		second := mkdirAll(t, filepath.Join(priv, "second"))
		b := startBridge(t, srv.addr, first)
		if err := syscall.Mount(first, second, "", syscall.MS_MOVE, ""); err != nil {
			t.Fatal(err)
		}
		if err := within(10*time.Second, func() error { return expect(filepath.Join(second, "hello"), "hello, world\n") }); err != nil {
			t.Fatal(err)
		}
		if !b.stop() {
			t.Fatal("bridge did not exit on SIGTERM")
		}
		if ps := mountsUnder(priv); len(ps) > 1 { // priv itself
			t.Errorf("mounts left after SIGTERM: %v", ps)
		}
	})
}

// TestStall stops the server without killing it: the heartbeat notices,
// operations fail instead of hanging, and the mount goes away.
func TestStall(t *testing.T) {
	t.Run("sigstop", func(t *testing.T) {
		needFUSE(t)
		base := testenv.PublicTempDir(t, "p9fuse-test-")
		srv := startServer(t, base, "staticfs")
		mnt := mkdirAll(t, filepath.Join(base, "mnt"))
		m, err := Mount(srv.addr, mnt, Options{Heartbeat: 100 * time.Millisecond, HeartbeatTimeout: 500 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			m.Close()
			if ps := mountsUnder(mnt); len(ps) > 0 {
				t.Errorf("mounts left: %v", ps)
				for _, p := range ps {
					syscall.Unmount(p, syscall.MNT_DETACH)
				}
			}
		})
		if err := expect(filepath.Join(mnt, "hello"), "hello, world\n"); err != nil {
			t.Fatal(err)
		}
		srv.cmd.Process.Signal(syscall.SIGSTOP)
		defer srv.cmd.Process.Signal(syscall.SIGCONT)
		if !waitStopped(srv.cmd.Process.Pid, 5*time.Second) {
			t.Fatal("server did not stop on SIGSTOP")
		}
		err = within(3*time.Second, func() error {
			_, err := os.ReadFile(filepath.Join(mnt, "hello"))
			return err
		})
		if err == nil || strings.Contains(err.Error(), "blocked") {
			t.Errorf("read from a stalled server: %v, want an error within the heartbeat timeout", err)
		}
		select {
		case <-m.Done():
		case <-time.After(3 * time.Second):
			t.Fatal("mount did not end after the server stalled")
		}
		if m.Err() == nil {
			t.Error("a stalled server ended the mount without a reason")
		}
		if !waitUnmounted(mnt, time.Second) {
			t.Error("mount still there after the server stalled")
		}
	})
}

// TestBadStart checks the readiness line and exit status when the bridge
// cannot mount.
func TestBadStart(t *testing.T) {
	base := testenv.PublicTempDir(t, "p9fuse-test-")
	missing := filepath.Join(base, "nothing.sock")
	mnt := mkdirAll(t, filepath.Join(base, "mnt"))
	for _, c := range []struct {
		name   string
		args   []string
		status int
		want   []string // in the error message
	}{
		{"no server", []string{missing, mnt}, 1, []string{missing, "no such file or directory"}},
		{"bad address", []string{"udp!host!1", mnt}, 1, []string{"udp!host!1", "unknown network"}},
		{"usage", []string{mnt}, 2, []string{"usage"}},
		{"bad flag", []string{"-x", missing, mnt}, 2, []string{"usage"}},
		{"dead watch", []string{"-watch", "999999999", missing, mnt}, 1, []string{"999999999"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, err := startBridgeProc(c.args...)
			if err != nil {
				t.Fatal(err)
			}
			if !b.waitExit(10 * time.Second) {
				b.stop()
				t.Fatal("bridge kept running after failing")
			}
			if !strings.HasPrefix(b.ready, "error: ") {
				t.Errorf("readiness line %q, want error: ...", b.ready)
			}
			for _, w := range c.want {
				if !strings.Contains(b.ready, w) {
					t.Errorf("readiness line %q does not mention %q", b.ready, w)
				}
			}
			var ee *exec.ExitError
			if !errors.As(b.err, &ee) || ee.ExitCode() != c.status {
				t.Errorf("exit: %v, want status %d", b.err, c.status)
			}
		})
	}
	t.Run("bad mountpoint", func(t *testing.T) {
		needFUSE(t)
		srv := startServer(t, base, "staticfs")
		nowhere := filepath.Join(base, "nowhere")
		b, err := startBridgeProc(srv.addr, nowhere)
		if err != nil {
			t.Fatal(err)
		}
		b.waitExit(10 * time.Second)
		if !strings.HasPrefix(b.ready, "error: "+nowhere+": ") {
			t.Errorf("readiness line %q, want error: %s: ...", b.ready, nowhere)
		}
		if b.err == nil {
			t.Error("bridge exited 0 after failing to mount")
		}
	})
}

// waitStopped waits until process pid is stopped by a signal (a signal
// is delivered asynchronously: until then the process runs on).
func waitStopped(pid int, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return false
		}
		// pid (comm) state ...: comm may hold spaces, so look past the last ')'.
		if i := strings.LastIndexByte(string(data), ')'); i >= 0 && i+2 < len(data) && data[i+2] == 'T' {
			return true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return false
}
