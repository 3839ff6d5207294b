package shelltest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"nsh.dev/nsh/internal/testenv"
)

// A user is who runs the programs in a test.
type user struct {
	name string
	uid  int // and gid
}

var (
	rootUser = user{"root", 0}
	// nobody runs nsh in a rootless session.
	nobody = user{"nobody", 65534}
)

func (u user) rootless() bool { return u.uid != 0 }

// eachUser runs f as root and as nobody, each in a subtest.
func eachUser(t *testing.T, f func(t *testing.T, u user)) {
	t.Helper()
	for _, u := range []user{rootUser, nobody} {
		t.Run(u.name, func(t *testing.T) {
			testenv.NeedRoot(t)
			f(t, u)
		})
	}
}

// needFUSE requires a usable FUSE device for 9P mounts.
func needFUSE(t *testing.T) {
	t.Helper()
	_, err := os.Stat("/dev/fuse")
	testenv.Need(t, err == nil && fuseDev != "", "FUSE (/dev/fuse; modprobe fuse)")
}

// runTimeout bounds every program a test runs: long enough for a loaded
// machine, short enough that a hang fails the test instead of the run.
const runTimeout = 60 * time.Second

// A box is one test's world as one user: a scratch directory the user
// owns, and a mark in the environment of every program the test starts,
// by which the end of the test finds and stops whatever is still running
// (background servers, bridges), by pid.
type box struct {
	t   testing.TB
	u   user
	dir string
	id  string
}

var boxes atomic.Int64

// newBox makes a box for t, run by u.
func newBox(t testing.TB, u user) *box {
	t.Helper()
	dir, err := os.MkdirTemp(testRoot, "box-")
	if err != nil {
		t.Fatal(err)
	}
	return boxAt(t, u, dir)
}

// boxAt makes a box of the directory dir, which becomes u's with
// everything in it, and is removed at the end of the test.
func boxAt(t testing.TB, u user, dir string) *box {
	t.Helper()
	b := &box{t: t, u: u, dir: dir, id: fmt.Sprintf("%d.%d", os.Getpid(), boxes.Add(1))}
	t.Cleanup(b.removeDir)
	t.Cleanup(func() {
		if left := b.stopProcesses(); len(left) > 0 {
			t.Logf("stopped at the end of the test: %s", strings.Join(left, "; "))
		}
	})
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, u.uid, u.uid)
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// path returns the absolute path of a name in the box.
func (b *box) path(name string) string { return filepath.Join(b.dir, name) }

// files makes directories and files in the box, owned by its user: a
// name ending in / is a directory, "name=text" a file holding text.
func (b *box) files(specs ...string) {
	b.t.Helper()
	for _, s := range specs {
		name, text, isFile := strings.Cut(s, "=")
		p := b.path(name)
		if err := b.mkdirAll(filepath.Dir(p)); err != nil {
			b.t.Fatal(err)
		}
		if !isFile {
			if err := b.mkdirAll(p); err != nil {
				b.t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			b.t.Fatal(err)
		}
		if err := os.Chown(p, b.u.uid, b.u.uid); err != nil {
			b.t.Fatal(err)
		}
	}
}

// mkdirAll makes a directory and its parents inside the box, owned by
// the box's user.
func (b *box) mkdirAll(p string) error {
	if !under(p, b.dir) {
		return fmt.Errorf("%s is outside the box", p)
	}
	if p == b.dir {
		return nil
	}
	if err := b.mkdirAll(filepath.Dir(p)); err != nil {
		return err
	}
	if err := os.Mkdir(p, 0o755); err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil
		}
		return err
	}
	return os.Chown(p, b.u.uid, b.u.uid)
}

// env is the environment of the programs the box runs.
func (b *box) env() []string {
	return []string{
		"PATH=" + binDir + ":/usr/bin:/bin:/usr/sbin:/sbin",
		"HOME=" + b.dir,
		"LANG=C",
		"NSHTEST_BOX=" + b.id,
		"NSHTEST_FUSE=" + fuseDev,
	}
}

// command returns a command that runs prog as the box's user, in the box.
func (b *box) command(ctx context.Context, prog string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Dir = b.dir
	cmd.Env = b.env()
	cmd.WaitDelay = 2 * time.Second
	if b.u.rootless() {
		id := uint32(b.u.uid)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: id, Gid: id}}
	}
	return cmd
}

// A result is what a program did.
type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// run runs prog with args as the box's user and returns what it did; a
// program still running after runTimeout fails the test.
func (b *box) run(stdin, prog string, args ...string) result {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := b.command(ctx, prog, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	if ctx.Err() != nil {
		b.t.Fatalf("%s %q did not finish within %v\n%v", prog, args, runTimeout, r)
	}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	default:
		b.t.Fatalf("%s %q: %v", prog, args, err)
	}
	return r
}

// nsh runs nsh with args.
func (b *box) nsh(args ...string) result {
	b.t.Helper()
	return b.run("", nshPath, args...)
}

// script runs nsh -c script and fails the test unless it succeeds with
// nothing on standard error; it returns the standard output.
func (b *box) script(script string) string {
	b.t.Helper()
	r := b.nsh("-c", script)
	if r.code != 0 || r.stderr != "" {
		b.t.Fatalf("nsh -c %q:\n%v", script, r)
	}
	return r.stdout
}

// fuseArgs turns nsh's arguments into ones that give a rootless session
// a usable /dev/fuse: an enclosing session binds the test's FUSE device
// over /dev/fuse and then runs nsh with args, which starts the session
// proper (its namespace starts with the bind, so ns does not show it).
// As root the arguments stay as they are.
func (b *box) fuseArgs(args ...string) []string {
	if !b.u.rootless() {
		return args
	}
	return append([]string{"-c", fuseWrap}, args...)
}

// fuseWrap is the enclosing session's script for fuseArgs: $* holds the
// arguments of the session proper.
const fuseWrap = "bind $NSHTEST_FUSE /dev/fuse && exec nsh $*"

// fuseScript is script for a session that mounts 9P servers.
func (b *box) fuseScript(script string) string {
	b.t.Helper()
	r := b.nsh(b.fuseArgs("-c", script)...)
	if r.code != 0 || r.stderr != "" {
		b.t.Fatalf("nsh -c %q:\n%v", script, r)
	}
	return r.stdout
}

// start starts nsh with args in the background; the test's end stops it.
func (b *box) start(stdout, stderr *testenv.SyncBuffer, args ...string) *exec.Cmd {
	b.t.Helper()
	cmd := b.command(context.Background(), nshPath, args...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		b.t.Fatal(err)
	}
	b.t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd
}

// processes returns the processes still running that the box started
// (its mark is in their environment), as "PID COMMAND".
func (b *box) processes() map[int]string {
	mark := []byte("NSHTEST_BOX=" + b.id + "\x00")
	found := map[int]string{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		env, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
		if err != nil || !bytes.Contains(env, mark) {
			continue
		}
		if st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil && isZombie(st) {
			continue
		}
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		found[pid] = strings.TrimSpace(strings.ReplaceAll(string(cmdline), "\x00", " "))
	}
	return found
}

// isZombie reports whether /proc/PID/stat describes a process that has
// exited and waits for its parent.
func isZombie(stat []byte) bool {
	i := bytes.LastIndexByte(stat, ')')
	return i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z'
}

// stopProcesses kills what the box started and is still running, by pid,
// waits for them to go, and says what they were.
func (b *box) stopProcesses() []string {
	var left []string
	for pid, cmd := range b.processes() {
		syscall.Kill(pid, syscall.SIGKILL)
		left = append(left, fmt.Sprintf("%d %s", pid, cmd))
	}
	if len(left) > 0 {
		waitFor(5*time.Second, func() bool { return len(b.processes()) == 0 })
	}
	return left
}

// removeDir removes the box's directory, after failing the test for
// any mount it left there on the host (and detaching it, so that the
// removal cannot reach through it).
func (b *box) removeDir() {
	left, err := mountsUnder(b.dir)
	if err != nil {
		b.t.Error(err)
	}
	if len(left) > 0 {
		var lines []string
		for _, e := range left {
			lines = append(lines, e.line)
		}
		b.t.Errorf("mounts left on the host under %s:\n%s", b.dir, strings.Join(lines, "\n"))
		detach(left)
	}
	os.RemoveAll(b.dir)
}

// waitFor polls cond until it holds or d passes, and says which.
func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// lines splits output into lines, without the final newline.
func lines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// pauseFn defines the rc function pause NAME, by which a script running
// in the background waits for the test: it creates paused.NAME in $home
// and waits until the test creates resume.NAME (see waitPaused, resume).
const pauseFn = `fn pause { echo >$home/paused.$1; while(! test -e $home/resume.$1) sleep 0.02; true }
`

// waitPaused waits until a script reaches pause NAME; stderr is the
// script's, for the failure message.
func (b *box) waitPaused(name string, stderr *testenv.SyncBuffer) {
	b.t.Helper()
	p := b.path("paused." + name)
	if !waitFor(runTimeout, func() bool { _, err := os.Stat(p); return err == nil }) {
		b.t.Fatalf("the script did not reach pause %s within %v: %s", name, runTimeout, stderr.String())
	}
}

// resume lets a script go on past pause NAME.
func (b *box) resume(name string) {
	b.t.Helper()
	if err := os.WriteFile(b.path("resume."+name), nil, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// dirNames lists a directory as the host sees it, names joined by spaces.
func dirNames(t *testing.T, dir string) string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return strings.Join(names, " ")
}
