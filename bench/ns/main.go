//go:build linux

// Command ns measures nsh's namespace operations against the peer tools and
// raw system calls, in one run, and prints the figures and ratios:
//
//   - session start: a program that only starts an nsh session, against
//     unshare -m true (root), unshare -Urm true (uid 65534) and
//     bwrap --dev-bind / / true, timed by hyperfine;
//   - 1,000 binds: bind.Bind against open_tree + move_mount;
//   - bind -a onto a union of N members, N = 2, 10, 100, 500.
//
// Run it as root: go run ./bench/ns. The mount figures are taken as root and
// again as uid 65534 in a rootless session.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"nsh.dev/nsh/bind"
	"nsh.dev/nsh/bind/session"
)

var (
	mountsOnly = flag.Bool("mounts", false, "only the mount figures (used for the uid 65534 run)")
	runs       = flag.Int("runs", 300, "hyperfine runs per command")
)

func main() {
	flag.Parse()
	if err := session.Err(); err != nil {
		fail(err)
	}
	if !session.Created() {
		fail(fmt.Errorf("no session: run this program directly, without --share"))
	}
	if err := bind.SetupSession(); err != nil {
		fail(err)
	}
	if *mountsOnly {
		mounts()
		return
	}
	if os.Geteuid() != 0 {
		fail(fmt.Errorf("run as root: the rootless figures come from a run as uid 65534 this program starts"))
	}
	dir, err := os.MkdirTemp("", "nsh-bench-")
	check(err)
	atExit(func() { os.RemoveAll(dir) })
	defer runAtExit()
	check(os.Chmod(dir, 0o755))
	self := filepath.Join(dir, "bench")
	copyFile("/proc/self/exe", self)
	sessionTrue := filepath.Join(dir, "sessiontrue")
	build(sessionTrue)

	fmt.Printf("nsh namespace benchmarks (%s, %d CPUs, %s)\n\n", kernel(), runtime.NumCPU(), runtime.Version())
	fmt.Println("session start (hyperfine, median; the machine's other load shows in the means):")
	sessionStart("root", nil, []string{sessionTrue + " -setup", sessionTrue, "unshare -m true", "bwrap --dev-bind / / true"})
	sessionStart("uid 65534", []string{"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"},
		[]string{sessionTrue + " -setup", sessionTrue, "unshare -Urm true", "bwrap --unshare-user --dev-bind / / true"})

	fmt.Println("\nmount operations as root:")
	mounts()
	fmt.Println("\nmount operations as uid 65534 (rootless session):")
	cmd := exec.Command(self, "-mounts")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.Dir = "/"
	cmd.Env = append(os.Environ(), "TMPDIR=/tmp")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	check(cmd.Run())
}

// sessionStart times the commands with hyperfine (prefixed by wrap, to run
// them as another user) and prints the first (a session as nsh starts it)
// against each of the others (the second is the same without preparing
// /srv).
func sessionStart(who string, wrap []string, commands []string) {
	out, err := os.CreateTemp("", "hyperfine-*.json")
	check(err)
	out.Close()
	defer os.Remove(out.Name())
	if len(wrap) > 0 {
		check(os.Chown(out.Name(), 65534, 65534))
	}
	args := append(wrap, "hyperfine", "-N", "--warmup", "20", "--runs", fmt.Sprint(*runs), "--export-json", out.Name())
	args = append(args, commands...)
	cmd := exec.Command(args[0], args[1:]...)
	if b, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "%s\n", b)
		fail(fmt.Errorf("hyperfine: %v", err))
	}
	var res struct {
		Results []struct {
			Command string
			Median  float64
			Min     float64
		}
	}
	b, err := os.ReadFile(out.Name())
	check(err)
	check(json.Unmarshal(b, &res))
	base := res.Results[0].Median
	fmt.Printf("  %s:\n", who)
	for i, r := range res.Results {
		name := r.Command
		switch i {
		case 0:
			name = "nsh session with /srv (sessiontrue -setup)"
		case 1:
			name = "nsh session alone (sessiontrue)"
		}
		ratio := ""
		if i > 0 {
			ratio = fmt.Sprintf("  nsh is %.2f× this", base/r.Median)
		}
		fmt.Printf("    %-44s %6.2f ms (min %.2f)%s\n", name, r.Median*1000, r.Min*1000, ratio)
	}
}

// mounts prints the bind and union figures in this process's session.
func mounts() {
	dir, err := os.MkdirTemp("", "nsh-bench-mounts-")
	check(err)
	atExit(func() { os.RemoveAll(dir) })
	defer os.RemoveAll(dir)
	ns := bind.Session()

	// 1,000 binds, in five rounds of 200; each round starts from the same
	// mounts (mount calls slow down as the namespace fills), and the
	// median round counts.
	const rounds, per = 5, 200
	src := filepath.Join(dir, "src")
	check(os.MkdirAll(src, 0o755))
	var raws, ours []time.Duration
	for r := range rounds {
		var rawTargets, bindTargets []string
		for i := range per {
			a := filepath.Join(dir, fmt.Sprintf("raw%d-%d", r, i))
			b := filepath.Join(dir, fmt.Sprintf("bind%d-%d", r, i))
			check(os.MkdirAll(a, 0o755))
			check(os.MkdirAll(b, 0o755))
			rawTargets, bindTargets = append(rawTargets, a), append(bindTargets, b)
		}
		start := time.Now()
		for _, t := range rawTargets {
			rawBind(src, t)
		}
		raws = append(raws, time.Since(start)/per)
		for _, t := range rawTargets {
			check(unix.Unmount(t, unix.MNT_DETACH))
		}
		start = time.Now()
		for _, t := range bindTargets {
			check(ns.Bind(src, t, 0))
		}
		ours = append(ours, time.Since(start)/per)
		check(ns.Clear())
	}
	raw, our := median(raws), median(ours)
	fmt.Printf("  1,000 binds: open_tree+move_mount %v/op, bind.Bind %v/op: %v above the raw calls (target ≤ 50µs), %.2f×\n",
		round(raw), round(our), round(our-raw), float64(our)/float64(raw))

	fmt.Println("  bind -a onto a union of N members (a rebuild: N+1 members swapped in; medians):")
	var perMember []float64
	for _, c := range []struct{ members, iters int }{{2, 300}, {10, 300}, {100, 50}, {499, 10}} {
		target := filepath.Join(dir, fmt.Sprintf("union%d", c.members))
		check(os.MkdirAll(target, 0o755))
		// The original and c.members-1 more.
		for i := 1; i < c.members; i++ {
			m := filepath.Join(dir, fmt.Sprintf("m%d-%d", c.members, i))
			check(os.MkdirAll(m, 0o755))
			check(ns.Bind(m, target, bind.After))
		}
		extra := filepath.Join(dir, "extra")
		check(os.MkdirAll(extra, 0o755))
		var times []time.Duration
		for range c.iters {
			start := time.Now()
			check(ns.Bind(extra, target, bind.After))
			times = append(times, time.Since(start))
			check(ns.Unmount(extra, target))
		}
		per := median(times)
		raw := rawUnion(dir, c.members+1, c.iters)
		note := ""
		if c.members == 10 {
			note = " (target ≤ 200µs)"
		}
		label := fmt.Sprint(c.members)
		if c.members == 499 {
			label = "499 → 500"
		}
		fmt.Printf("    N = %-9s %9v/op, %v per member; the bare overlay rebuild %v: %v above it%s\n",
			label, round(per), round(per/time.Duration(c.members+1)), round(raw), round(per-raw), note)
		perMember = append(perMember, float64(per)/float64(c.members+1))
		check(ns.Unmount("", target))
	}
	fmt.Printf("    growth: per-member cost at N=500 is %.2f× that at N=10\n", perMember[3]/perMember[1])
	check(ns.Clear())
}

// rawUnion is the least a union rebuild of the given number of layers can
// cost: fsopen, a lowerdir+ per layer, fsmount, the swap beneath the old
// union and its detach.
func rawUnion(dir string, layers, iters int) time.Duration {
	target := filepath.Join(dir, fmt.Sprintf("raw%d", layers))
	check(os.MkdirAll(target, 0o755))
	var fds []int
	for i := range layers {
		p := filepath.Join(dir, fmt.Sprintf("raw%d-%d", layers, i))
		check(os.MkdirAll(p, 0o755))
		fd, err := unix.Open(p, unix.O_PATH|unix.O_CLOEXEC, 0)
		check(err)
		fds = append(fds, fd)
	}
	defer func() {
		for _, fd := range fds {
			unix.Close(fd)
		}
	}()
	build := func() int {
		ctx, err := unix.Fsopen("overlay", unix.FSOPEN_CLOEXEC)
		check(err)
		defer unix.Close(ctx)
		for _, fd := range fds {
			check(unix.FsconfigSetFd(ctx, "lowerdir+", fd))
		}
		check(unix.FsconfigCreate(ctx))
		m, err := unix.Fsmount(ctx, unix.FSMOUNT_CLOEXEC, 0)
		check(err)
		return m
	}
	m := build()
	check(unix.MoveMount(m, "", unix.AT_FDCWD, target, unix.MOVE_MOUNT_F_EMPTY_PATH))
	unix.Close(m)
	var times []time.Duration
	for range iters {
		start := time.Now()
		m := build()
		top, err := unix.Open(target, unix.O_PATH|unix.O_CLOEXEC, 0)
		check(err)
		check(unix.MoveMount(m, "", top, "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH|0x200))
		check(unix.Unmount(fmt.Sprintf("/proc/self/fd/%d", top), unix.MNT_DETACH))
		unix.Close(m)
		times = append(times, time.Since(start))
		unix.Close(top)
	}
	check(unix.Unmount(target, unix.MNT_DETACH))
	return median(times)
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// rawBind is the least a bind can cost: a detached clone and a move.
func rawBind(src, dst string) {
	fd, err := unix.OpenTree(unix.AT_FDCWD, src, unix.OPEN_TREE_CLONE|unix.O_CLOEXEC|unix.AT_RECURSIVE)
	check(err)
	check(unix.MoveMount(fd, "", unix.AT_FDCWD, dst, unix.MOVE_MOUNT_F_EMPTY_PATH))
	unix.Close(fd)
}

func round(d time.Duration) time.Duration {
	if d < 10*time.Microsecond && d > -10*time.Microsecond {
		return d.Round(10 * time.Nanosecond)
	}
	return d.Round(100 * time.Nanosecond)
}

func build(out string) {
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	cmd := exec.Command(gobin, "build", "-o", out, "nsh.dev/nsh/bench/ns/sessiontrue")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		fail(fmt.Errorf("building sessiontrue (run from the module): %v", err))
	}
}

func kernel() string {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return "?"
	}
	return "Linux " + strings.TrimRight(string(u.Release[:]), "\x00")
}

func copyFile(from, to string) {
	in, err := os.Open(from)
	check(err)
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	check(err)
	_, err = io.Copy(out, in)
	check(err)
	check(out.Close())
}

func check(err error) {
	if err != nil {
		fail(err)
	}
}

var exitFuncs []func()

// atExit registers f to run when the benchmark ends, also when it fails.
func atExit(f func()) { exitFuncs = append(exitFuncs, f) }

func runAtExit() {
	for i := len(exitFuncs) - 1; i >= 0; i-- {
		exitFuncs[i]()
	}
	exitFuncs = nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench/ns:", err)
	runAtExit()
	os.Exit(1)
}
