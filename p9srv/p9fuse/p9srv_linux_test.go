package p9fuse

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"nsh.dev/nsh/internal/testenv"
)

// TestP9srv mounts nsh's own servers: a synthetic tree made with the
// p9srv framework, ramfs and an exported directory.
func TestP9srv(t *testing.T) {
	t.Run("synthetic", func(t *testing.T) {
		needFUSE(t)
		base := testenv.PublicTempDir(t, "p9fuse-test-")
		srv := startServer(t, base, "p9srv")
		mnt := mkdirAll(t, filepath.Join(base, "mnt"))
		startBridge(t, srv.addr, mnt)
		if err := within(time.Minute, func() error { return checkSynth(mnt) }); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("events", func(t *testing.T) {
		// cat events waits; echo x > ctl wakes it with x; Ctrl-C ends
		// the next wait at once.
		needFUSE(t)
		base := testenv.PublicTempDir(t, "p9fuse-test-")
		srv := startServer(t, base, "p9srv")
		mnt := mkdirAll(t, filepath.Join(base, "mnt"))
		startBridge(t, srv.addr, mnt)
		cat := exec.Command("cat", filepath.Join(mnt, "events"))
		out, err := cat.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cat.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cat.Wait() }()
		lines := bufio.NewReader(out)
		time.Sleep(200 * time.Millisecond) // let cat open events first
		if err := within(5*time.Second, func() error {
			return os.WriteFile(filepath.Join(mnt, "ctl"), []byte("wake up\n"), 0o666)
		}); err != nil {
			t.Fatal(err)
		}
		line, err := readLine(lines, 5*time.Second)
		if err != nil || line != "wake up" {
			t.Fatalf("cat events read %q, %v; want the command written to ctl", line, err)
		}
		cat.Process.Signal(syscall.SIGINT)
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			cat.Process.Kill()
			t.Fatal("cat of an event file ignored SIGINT")
		}
	})
	t.Run("ramfs", func(t *testing.T) {
		needFUSE(t)
		base := testenv.PublicTempDir(t, "p9fuse-test-")
		srv := startServer(t, base, "ramfs")
		mnt := mkdirAll(t, filepath.Join(base, "mnt"))
		startBridge(t, srv.addr, mnt)
		if err := within(time.Minute, func() error { return checkRW(mnt, rwFeatures{chmod: true, links: true}) }); err != nil {
			t.Fatal(err)
		}
	})
	for _, cache := range []bool{false, true} {
		t.Run(fmt.Sprintf("export/cache=%v", cache), func(t *testing.T) {
			needFUSE(t)
			base := testenv.PublicTempDir(t, "p9fuse-test-")
			dir := mkdirAll(t, filepath.Join(base, "export"))
			srv := startServer(t, base, "export", dir)
			mnt := mkdirAll(t, filepath.Join(base, "mnt"))
			startBridge(t, bridgeArgs(cache, "", srv.addr, mnt)...)
			if err := within(time.Minute, func() error { return checkRW(mnt, rwFeatures{chmod: true, links: true}) }); err != nil {
				t.Fatal(err)
			}
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

// TestInterruptedReadKeepsData checks that a read given up on after a
// signal loses nothing: the program that caught the signal reads again,
// and that read gets the event the first one was waiting for.
func TestInterruptedReadKeepsData(t *testing.T) {
	t.Run("events", func(t *testing.T) {
		needFUSE(t)
		base := testenv.PublicTempDir(t, "p9fuse-test-")
		srv := startServer(t, base, "p9srv")
		mnt := mkdirAll(t, filepath.Join(base, "mnt"))
		startBridge(t, srv.addr, mnt)
		exe, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		reader := exec.Command(exe, filepath.Join(mnt, "events"))
		reader.Env = append(os.Environ(), testHelperEnv+"=readsignalled")
		reader.Stderr = os.Stderr
		out, err := reader.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := reader.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { reader.Process.Kill(); reader.Wait() }()
		lines := bufio.NewReader(out)
		tidLine, err := readLine(lines, 5*time.Second)
		var tid int
		if _, serr := fmt.Sscan(tidLine, &tid); err != nil || serr != nil {
			t.Fatalf("reader: %q, %v", tidLine, err)
		}
		// Interrupt the blocked read twice, each time for longer than
		// the grace the bridge gives an interrupted request.
		for range 2 {
			time.Sleep(interruptGrace + 200*time.Millisecond)
			if err := unix.Tgkill(reader.Process.Pid, tid, unix.SIGUSR1); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(interruptGrace + 200*time.Millisecond)
		if err := within(5*time.Second, func() error {
			return os.WriteFile(filepath.Join(mnt, "ctl"), []byte("after signals\n"), 0o666)
		}); err != nil {
			t.Fatal(err)
		}
		line, err := readLine(lines, 5*time.Second)
		if err != nil || line != "after signals" {
			t.Fatalf("reader got %q, %v; want the event written after the signals", line, err)
		}
		if eintr, _ := readLine(lines, 5*time.Second); eintr == "" || eintr == "0" {
			t.Errorf("reader saw %q interrupted reads, want at least one (the signals did not interrupt the request)", eintr)
		}
	})
}

// readSignalledMain reads FILE on a thread whose id it prints first,
// catching SIGUSR1 and reading again after each EINTR; it prints what it
// read, then the number of EINTRs.
func readSignalledMain(args []string) int {
	runtime.LockOSThread()
	signal.Notify(make(chan os.Signal, 1), unix.SIGUSR1)
	fd, err := unix.Open(args[0], unix.O_RDONLY, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(unix.Gettid())
	buf := make([]byte, 4096)
	eintr := 0
	for {
		n, err := unix.Read(fd, buf)
		if err == unix.EINTR {
			eintr++
			continue
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Print(string(buf[:n]))
		fmt.Println(eintr)
		return 0
	}
}

// fewFids is the fid limit of the export-fewfids test server.
const fewFids = 300

// TestFidBudget walks more files than the server lets a connection hold
// fids: the bridge must give up the fids of nodes it has not used lately
// instead of running out.
func TestFidBudget(t *testing.T) {
	t.Run("export", func(t *testing.T) {
		needFUSE(t)
		t.Setenv(maxNodeFidsEnv, "100")
		base := testenv.PublicTempDir(t, "p9fuse-test-")
		dir := mkdirAll(t, filepath.Join(base, "export"))
		const files = 1000
		for i := range files {
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprint(i)), []byte(fmt.Sprint(i)), 0o666); err != nil {
				t.Fatal(err)
			}
		}
		srv := startServer(t, base, "export-fewfids", dir)
		mnt := mkdirAll(t, filepath.Join(base, "mnt"))
		// Cached, so that the kernel holds on to every inode.
		startBridge(t, "-cache", srv.addr, mnt)
		err := within(time.Minute, func() error {
			for range 2 {
				for i := range files {
					if err := expect(filepath.Join(mnt, fmt.Sprint(i)), fmt.Sprint(i)); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
