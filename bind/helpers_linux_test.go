package bind

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
	"golang.org/x/sys/unix"
)

// fakeBridge stands in for nsh's 9P bridge in these tests: it speaks the
// same protocol (arguments, status line on descriptor 3) and makes a FUSE
// mount of type fuse.9p (fuse.9pc with -cache) whose source is ADDR
// [ANAME], but instead of
// speaking 9P it serves the directory ADDR itself (go-fuse's loopback). An
// ADDR starting with "fail:" makes it report an error.
func fakeBridge(args []string) int {
	status := os.NewFile(3, "status")
	fail := func(format string, a ...any) int {
		fmt.Fprintf(status, "error: "+format+"\n", a...)
		return 1
	}
	fl := flag.NewFlagSet("nsh-9pfuse", flag.ContinueOnError)
	aname := fl.String("aname", "", "")
	cache := fl.Bool("cache", false, "")
	watch := fl.Int("watch", 0, "")
	if err := fl.Parse(args[1:]); err != nil || fl.NArg() != 2 {
		return fail("usage: nsh-9pfuse [-aname NAME] [-cache] -watch PID ADDR MOUNTPOINT")
	}
	addr, point := fl.Arg(0), fl.Arg(1)
	if msg, ok := strings.CutPrefix(addr, "fail:"); ok {
		return fail("%s", msg)
	}
	if st, err := os.Stat(addr); err != nil || !st.IsDir() {
		return fail("%s: no such server", addr)
	}
	dev := os.Getenv("NSH_TEST_FUSE_DEV")
	if dev == "" {
		dev = "/dev/fuse"
	}
	fd, err := unix.Open(dev, unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return fail("%s: %v", dev, err)
	}
	source := Quote(addr)
	if *aname != "" {
		source += " " + Quote(*aname)
	}
	opts := fmt.Sprintf("fd=%d,rootmode=40000,user_id=%d,group_id=%d", fd, os.Geteuid(), os.Getegid())
	fstype := ninepType
	if *cache {
		fstype = cachedNinepType
	}
	if err := unix.Mount(source, point, fstype, unix.MS_NOSUID|unix.MS_NODEV, opts); err != nil {
		return fail("mount %s: %v", point, err)
	}
	root, err := fs.NewLoopbackRoot(addr)
	if err != nil {
		return fail("%v", err)
	}
	server, err := fuse.NewServer(fs.NewNodeFS(root, &fs.Options{}), fmt.Sprintf("/dev/fd/%d", fd), &fuse.MountOptions{})
	if err != nil {
		return fail("%v", err)
	}
	if *watch > 0 {
		go func() {
			pidfd, err := unix.PidfdOpen(*watch, 0)
			if err != nil {
				os.Exit(1)
			}
			p := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}
			for {
				if _, err := unix.Poll(p, -1); err != unix.EINTR {
					os.Exit(0)
				}
			}
		}()
	}
	fmt.Fprintln(status, "ok")
	status.Close()
	server.Serve()
	return 0
}
