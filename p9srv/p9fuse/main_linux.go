package p9fuse

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// HelperEnv is the environment variable, and HelperName its value, with
// which nsh starts itself as the bridge; nsh's main then calls [Main].
const (
	HelperEnv  = "NSH_HELPER"
	HelperName = "9pfuse"
)

// readyFD is the descriptor on which the bridge reports that its mount
// is live ("ok") or why it failed ("error: MESSAGE").
const readyFD = 3

const usage = "usage: nsh-9pfuse [-aname NAME] [-cache] [-watch PID] ADDR MOUNTPOINT"

// Main runs the bridge process:
//
//	nsh-9pfuse [-aname NAME] [-cache] [-watch PID] ADDR MOUNTPOINT
//
// It mounts the 9P server at ADDR on MOUNTPOINT and writes one line on
// file descriptor 3: "ok" once the mount is live, or "error: MESSAGE"
// before it exits with a non-zero status. It then serves the mount until
// the connection to the server breaks, the process -watch names exits,
// it gets SIGTERM or SIGINT, or someone else unmounts it; in every case
// its mounts are gone when it exits. args[0] is the program name.
func Main(args []string) int {
	ready := os.NewFile(readyFD, "ready")
	fail := func(status int, msg string) int {
		fmt.Fprintf(ready, "error: %s\n", msg)
		ready.Close()
		fmt.Fprintf(os.Stderr, "nsh-9pfuse: %s\n", msg)
		return status
	}

	fl := flag.NewFlagSet("nsh-9pfuse", flag.ContinueOnError)
	fl.SetOutput(io.Discard)
	aname := fl.String("aname", "", "attach to `NAME`")
	cache := fl.Bool("cache", false, "cache entries, attributes and file data")
	watch := fl.Int("watch", 0, "exit when process `PID` exits")
	if len(args) > 0 {
		args = args[1:]
	}
	if err := fl.Parse(args); err != nil {
		return fail(2, err.Error()+"; "+usage)
	}
	if fl.NArg() != 2 {
		return fail(2, usage)
	}
	addr, mountpoint := fl.Arg(0), fl.Arg(1)

	// Catch signals before mounting: a SIGTERM now must still unmount.
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(signals)

	stopWatch := make(chan struct{})
	defer close(stopWatch)
	var watched <-chan struct{}
	if *watch != 0 {
		if *watch < 0 {
			return fail(2, fmt.Sprintf("-watch %d: not a process id", *watch))
		}
		w, err := watchProcess(*watch, stopWatch)
		if err != nil {
			return fail(1, err.Error())
		}
		watched = w
	}

	m, err := Mount(addr, mountpoint, Options{Aname: *aname, Cache: *cache})
	if err != nil {
		return fail(1, err.Error())
	}
	fmt.Fprintln(ready, "ok")
	ready.Close()

	select {
	case <-signals:
	case <-watched:
	case <-m.Done():
		if err := m.Err(); err != nil && !errors.Is(err, ErrUnmounted) {
			fmt.Fprintf(os.Stderr, "nsh-9pfuse: %s: %v\n", addr, err)
			return 1
		}
		return 0
	}
	m.Close()
	return 0
}
