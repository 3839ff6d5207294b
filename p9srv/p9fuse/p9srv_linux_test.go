package p9fuse

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestP9srv mounts nsh's own servers: a synthetic tree made with the
// p9srv framework, ramfs and an exported directory.
func TestP9srv(t *testing.T) {
	t.Run("synthetic", func(t *testing.T) {
		needFUSE(t)
		base := sharedDir(t)
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
		base := sharedDir(t)
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
		base := sharedDir(t)
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
			base := sharedDir(t)
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
