// Command session measures how long the nsh program takes to start a
// session, against the peer tools, in one run, and prints the figures and
// the ratios:
//
//   - as root: nsh -c true against unshare -m true (target: at most 2×)
//     and bwrap --dev-bind / / true (target: faster);
//   - as uid 65534: nsh -c true against unshare -Urm true (target: at most
//     2×) and bwrap --dev-bind / / true (target: faster);
//   - in both, nsh --share -c true, the same shell without a session, to
//     show what the session itself costs, and exectrue, a Go program that
//     only execs true, to show what any Go program costs to start.
//
// Every command is timed by hyperfine, without a shell, in the same run.
// Run it as root, from the repository (it builds cmd/nsh):
//
//	go run ./bench/session [-runs N]
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"
)

var runs = flag.Int("runs", 300, "hyperfine runs per command")

func main() {
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench/session:", err)
		os.Exit(1)
	}
}

func run() error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("run as root: the rootless figures come from runs as uid 65534 that this program starts")
	}
	for _, p := range []string{"hyperfine", "unshare", "bwrap"} {
		if _, err := lookPath(p); err != nil {
			return fmt.Errorf("%s not found (apt-get install hyperfine util-linux bubblewrap)", p)
		}
	}
	dir, err := os.MkdirTemp("", "nsh-bench-session-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	// Reachable by uid 65534.
	if err := os.Chmod(dir, 0o755); err != nil {
		return err
	}
	nsh, exectrue := filepath.Join(dir, "nsh"), filepath.Join(dir, "exectrue")
	if err := build(nsh, "nsh.dev/nsh/cmd/nsh"); err != nil {
		return err
	}
	if err := build(exectrue, "nsh.dev/nsh/bench/session/exectrue"); err != nil {
		return err
	}

	fmt.Printf("nsh session start (%s, %d CPUs, %s; hyperfine, %d runs each, medians)\n",
		kernel(), runtime.NumCPU(), runtime.Version(), *runs)
	for _, who := range []struct {
		name    string
		uid     int
		unshare string
	}{
		{"root", 0, "unshare -m true"},
		{"uid 65534 (rootless)", 65534, "unshare -Urm true"},
	} {
		cmds := []string{nsh + " -c true", nsh + " --share -c true", exectrue, who.unshare, "bwrap --dev-bind / / true"}
		res, err := hyperfine(dir, who.uid, *runs, cmds)
		if err != nil {
			return err
		}
		report(who.name, res)
	}
	return nil
}

// report prints one user's figures: nsh's session start, then each peer
// with the ratio of nsh's median to its median.
func report(who string, res []result) {
	nsh, share, goFloor, unshare, bwrap := res[0], res[1], res[2], res[3], res[4]
	fmt.Printf("\nas %s:\n", who)
	line := func(name string, r result, note string) {
		fmt.Printf("  %-28s %6.2f ms (min %5.2f, mean %5.2f ± %4.2f)  %s\n",
			name, r.Median*1e3, r.Min*1e3, r.Mean*1e3, r.Stddev*1e3, note)
	}
	line("nsh -c true", nsh, "")
	line("nsh --share -c true", share, fmt.Sprintf("the session's own cost: %.2f ms", (nsh.Median-share.Median)*1e3))
	line("exectrue (Go, exec true)", goFloor, fmt.Sprintf("nsh above any Go program: %.2f ms", (nsh.Median-goFloor.Median)*1e3))
	line(unshare.Command, unshare, verdict("nsh", nsh.Median/unshare.Median, 2))
	line(bwrap.Command, bwrap, verdict("nsh", nsh.Median/bwrap.Median, 1))
}

// verdict gives a ratio and whether it meets the target (at most max).
func verdict(name string, ratio, max float64) string {
	ok := "meets"
	if ratio > max {
		ok = "misses"
	}
	target := fmt.Sprintf("≤ %g×", max)
	if max == 1 {
		target = "< 1×, faster"
	}
	return fmt.Sprintf("%s/this = %.2f× (%s the target %s)", name, ratio, ok, target)
}

func kernel() string {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return "Linux"
	}
	return "Linux " + strings.TrimRight(string(u.Release[:]), "\x00")
}
