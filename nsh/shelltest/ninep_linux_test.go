package shelltest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"nsh.dev/nsh/internal/testenv"
)

// ninep runs script in a session that can mount 9P servers, as the box's
// user, and fails the test unless it succeeds quietly; it returns the
// standard output. The p9srv servers the script posted must end with the
// session.
func (b *box) ninep(script string) string {
	b.t.Helper()
	out := b.fuseScript(pauseFn + script)
	b.checkServersEnded()
	return out
}

// startNinep starts script in the background in a session that can
// mount 9P servers.
func (b *box) startNinep(out, errb *testenv.SyncBuffer, script string) *exec.Cmd {
	b.t.Helper()
	return b.start(out, errb, b.fuseArgs("-c", pauseFn+script)...)
}

// checkServersEnded fails the test unless every p9srv the box started has
// ended within 5 seconds: a server ends when its session's nsh does.
func (b *box) checkServersEnded() {
	b.t.Helper()
	if !waitFor(5*time.Second, func() bool { return len(b.serverPids("p9srv ")) == 0 }) {
		b.t.Errorf("p9srv outlived its session: %v", b.serverPids("p9srv "))
	}
}

// bridges returns the 9P bridge processes the box started.
func (b *box) bridges() []string {
	var found []string
	for pid, cmd := range b.processes() {
		if strings.HasPrefix(cmd, "nsh-9pfuse ") {
			found = append(found, fmt.Sprintf("%d %s", pid, cmd))
		}
	}
	return found
}

// TestMountRamfs: p9srv -s ram ramfs and mount /srv/ram DIR, then
// create, write, read, list, rename, link and remove through the mount;
// ns shows the mount; unmount stops the bridge; rm /srv/ram stops the
// server.
func TestMountRamfs(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		needFUSE(t)
		b := newBox(t, u)
		b.files("m/underneath=u\n")
		sh := b.run("", "/bin/sh", "-c", "ls /proc/self/fd")
		var out, errb testenv.SyncBuffer
		cmd := b.startNinep(&out, &errb, `p9srv -s ram ramfs
mount -c /srv/ram m
echo hello >m/f; cat m/f
mkdir m/d; echo deep >m/d/g; ls m; ls m/d; cat m/d/g
mv m/d/g m/d/h; ls m/d
ln -s d/h m/link; cat m/link
echo more >>m/f; cat m/f
rm m/f; ls m
ns
ls /proc/self/fd >fds
pause mounted
unmount m
pause unmounted
ls m
rm /srv/ram
pause removed`)
		b.waitPaused("mounted", &errb)
		if len(b.bridges()) != 1 {
			t.Errorf("bridges while mounted: %q, want one", b.bridges())
		}
		b.resume("mounted")
		b.waitPaused("unmounted", &errb)
		if !waitFor(5*time.Second, func() bool { return len(b.bridges()) == 0 }) {
			t.Errorf("unmount did not stop the bridge: %q", b.bridges())
		}
		b.resume("unmounted")
		b.waitPaused("removed", &errb)
		if !waitFor(5*time.Second, func() bool { return len(b.serverPids("p9srv ")) == 0 }) {
			t.Errorf("rm /srv/ram did not end the server: %v", b.serverPids("p9srv "))
		}
		b.resume("removed")
		if err := cmd.Wait(); err != nil || errb.Len() > 0 {
			t.Fatalf("nsh: %v\n%s", err, errb.String())
		}
		want := `hello
d
f
g
deep
h
deep
hello
more
d
link
mount /srv/ram BOX/m
cd BOX
underneath
`
		if got := b.rel(out.String()); got != want {
			t.Errorf("got:\n%s\nwant:\n%s", got, want)
		}
		if fds := b.read("fds"); fds != sh.stdout {
			t.Errorf("a command in a session with a 9P mount has descriptors\n%s/bin/sh's command has\n%s", fds, sh.stdout)
		}
	})
}

// TestMountUnion: mount -b and -a make a 9P server a member of a union
// with a directory; the first member holding a name wins; such a union
// is read-only until a -bc directory takes the creates, and a write to
// the server's file lands there, never on the server.
func TestMountUnion(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		needFUSE(t)
		b := newBox(t, u)
		b.files("m/", "c/", "t/ft=t\n", "t/shared=t\n")
		r := b.nsh(b.fuseArgs("-c", `p9srv -s ram ramfs
mount /srv/ram m; echo 9p >m/shared; echo 9p >m/only9p; unmount m
mount -b /srv/ram t; ls t; cat t/shared
unmount /srv/ram t; ls t
mount -a /srv/ram t; cat t/shared t/only9p
touch t/new >[2]/dev/null; echo read-only: $status
mount -bc /srv/ram t; echo $status
bind -bc c t; echo x >t/new; echo changed >t/only9p; cat c/new c/only9p
mount /srv/ram m; cat m/only9p
ns
unmount t; unmount m; ls t`)...)
		wantOut := `ft
only9p
shared
9p
ft
shared
t
9p
read-only: 1
mount: a 9P mount cannot be a union's create member: writes would be copied up and never reach the server (mount it without -c, or bind -bc a directory)
x
changed
9p
mount -a /srv/ram BOX/t
bind -bc BOX/c BOX/t
mount /srv/ram BOX/m
cd BOX
ft
shared
`
		wantErr := "nsh: mount: a 9P mount cannot be a union's create member: writes would be copied up and never reach the server (mount it without -c, or bind -bc a directory)\n"
		if got := b.rel(r.stdout); got != wantOut || r.stderr != wantErr || r.code != 0 {
			t.Errorf("%v\nwant stdout:\n%s\nwant stderr:\n%s", r, wantOut, wantErr)
		}
		b.checkServersEnded()
		b.checkNoTrace(hostMountinfo(t))
	})
}

// TestMountNet uses p9srv's net file system against a TCP listener of
// the test's: a size-0 synthetic file (clone) reads its content, echo
// connect ... >ctl dials, data carries the bytes both ways.
func TestMountNet(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		needFUSE(t)
		b := newBox(t, u)
		b.files("n/")
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		served := make(chan string, 1)
		go func() {
			c, err := ln.Accept()
			if err != nil {
				served <- err.Error()
				return
			}
			defer c.Close()
			line, err := bufio.NewReader(c).ReadString('\n')
			if err != nil {
				served <- err.Error()
				return
			}
			fmt.Fprintf(c, "echo: %s", line)
			served <- strings.TrimSpace(line)
		}()
		port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
		out := b.ninep(`p9srv -s net net
mount /srv/net n
stat -c '%s %n' n/tcp/clone
{
	c=` + "`" + `{cat <[0=3]}
	~ $c [0-9]* && echo conversation
	echo connect 127.0.0.1!` + port + ` >n/tcp/$c/ctl
	cat n/tcp/$c/remote
	echo ping >n/tcp/$c/data
	cat n/tcp/$c/data
} <>[3]n/tcp/clone`)
		want := "0 n/tcp/clone\nconversation\n127.0.0.1!" + port + "\necho: ping\n"
		if out != want {
			t.Errorf("got:\n%s\nwant:\n%s", out, want)
		}
		select {
		case got := <-served:
			if got != "ping" {
				t.Errorf("the TCP peer got %q, want ping", got)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("the TCP peer heard nothing")
		}
	})
}

// TestServerDies kills the p9srv behind a mount: a read on a file opened
// before fails with an error within a second, nothing hangs, the mount
// goes away and the bridge exits.
func TestServerDies(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		needFUSE(t)
		b := newBox(t, u)
		b.files("m/")
		var out, errb testenv.SyncBuffer
		cmd := b.startNinep(&out, &errb, `p9srv -s ram ramfs
mount /srv/ram m
echo hello >m/f
{
	pause killed
	cat <[0=3] >[2]cat.err; echo cat $status
	date +%s%N
} <[3]m/f
ls m >[2]ls.err; echo ls $status
for(i in `+"`"+`{seq 100}) if(grep -s ' fuse.9p ' /proc/self/mountinfo >/dev/null) sleep 0.05
grep -c ' fuse.9p ' /proc/self/mountinfo
pause gone`)
		b.waitPaused("killed", &errb)
		servers := b.serverPids("p9srv -s ram")
		if len(servers) != 1 {
			t.Fatalf("p9srv processes: %v", servers)
		}
		killed := time.Now()
		if err := syscall.Kill(servers[0], syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		b.resume("killed")
		b.waitPaused("gone", &errb)
		if !waitFor(5*time.Second, func() bool { return len(b.bridges()) == 0 }) {
			t.Errorf("the bridge outlived its server: %q", b.bridges())
		}
		b.resume("gone")
		if err := cmd.Wait(); err != nil || errb.Len() > 0 {
			t.Fatalf("nsh: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errb.String())
		}
		got := lines(out.String())
		if len(got) != 4 {
			t.Fatalf("got %q", got)
		}
		if got[0] == "cat " {
			t.Errorf("a read from the dead server's file succeeded")
		}
		// EIO from the bridge; or, when the read reaches the kernel as the
		// bridge goes, ECONNABORTED (the FUSE connection aborted under it),
		// ENOTCONN or ENODEV.
		if catErr := b.read("cat.err"); !regexp.MustCompile(`^cat: -: (Input/output error|Software caused connection abort|Transport endpoint is not connected|No such device)\n`).MatchString(catErr) {
			t.Errorf("cat said %q", catErr)
		}
		if ns, err := strconv.ParseInt(got[1], 10, 64); err != nil {
			t.Errorf("date: %q", got[1])
		} else if d := time.Unix(0, ns).Sub(killed); d > time.Second {
			t.Errorf("the read failed %v after the server died, want within a second", d)
		} else {
			t.Logf("the read failed %v after the server died", d)
		}
		// By then the mount may be gone (ls lists the directory under it)
		// or still failing; either way ls returned.
		if got[2] != "ls " && got[2] != "ls 2" {
			t.Errorf("ls on the mount: %s (%s)", got[2], b.read("ls.err"))
		}
		if got[3] != "0" {
			t.Errorf("%s fuse.9p mounts left in the session after the server died", got[3])
		}
	})
}

// serverPids returns the pids of the box's processes whose command line
// starts with prefix.
func (b *box) serverPids(prefix string) []int {
	var pids []int
	for pid, cmd := range b.processes() {
		if strings.HasPrefix(cmd, prefix) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// TestMountDiod mounts a directory exported by diod, a 9P server nobody
// here wrote, and reads and writes it; the changes are on disk.
func TestMountDiod(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		needFUSE(t)
		b := newBox(t, u)
		b.files("m/", "export/hello=hello\n", "export/old=old\n")
		// diod squashes every user to nobody.
		if err := os.Chmod(b.path("export"), 0o777); err != nil {
			t.Fatal(err)
		}
		sock := b.startDiod(b.path("export"))
		out := b.ninep(`mount unix!` + sock + ` m $home/export
ls m; cat m/hello
echo written >m/new; cat m/new
mkdir m/sub; mv m/new m/sub/moved; ls m/sub
rm m/old; ls m
ns
unmount m`)
		want := "hello\nold\nhello\nwritten\nmoved\nhello\nsub\nmount unix!BOX/diod.sock BOX/m BOX/export\ncd BOX\n"
		if got := b.rel(out); got != want {
			t.Errorf("got:\n%s\nwant:\n%s", got, want)
		}
		if got := b.read("export/sub/moved"); got != "written\n" {
			t.Errorf("export/sub/moved on disk: %q", got)
		}
		if exists(b.path("export/old")) {
			t.Errorf("export/old is still on disk")
		}
	})
}

// startDiod starts diod exporting dir without authentication, every user
// squashed to nobody, on a unix socket in the box, and returns the
// socket's path. The test's end stops it.
func (b *box) startDiod(dir string) string {
	b.t.Helper()
	diod := testenv.NeedProgram(b.t, "diod", "diod")
	sock := b.path("diod.sock")
	cmd := exec.Command(diod, "-f", "-n", "-S", "-l", sock, "-e", dir)
	var errb testenv.SyncBuffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		b.t.Fatal(err)
	}
	b.t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	if !waitFor(10*time.Second, func() bool {
		c, err := net.Dial("unix", sock)
		if err == nil {
			c.Close()
		}
		return err == nil
	}) {
		b.t.Fatalf("diod did not listen on %s: %s", sock, errb.String())
	}
	if err := os.Chmod(sock, 0o777); err != nil {
		b.t.Fatal(err)
	}
	return sock
}

// TestDiodClients: diod's own clients list and read p9srv's trees, by
// the posted socket's path.
func TestDiodClients(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		needFUSE(t)
		testenv.NeedProgram(t, "diodls", "diod")
		b := newBox(t, u)
		b.files("m/", "ex/file=exported\n", "ex/dir/inner=inner\n")
		out := b.ninep(`p9srv -s ram ramfs
mount /srv/ram m; echo hello >m/g; mkdir m/d; echo deep >m/d/h
diodls -s /srv/ram -a / | sort
diodcat -s /srv/ram -a / g
diodcat -s /srv/ram -a /d h
p9srv -s ex export $home/ex
diodls -s /srv/ex -a / | sort
diodcat -s /srv/ex -a / file
diodcat -s /srv/ex -a /dir inner`)
		want := "d\ng\nhello\ndeep\ndir\nfile\nexported\ninner\n"
		if out != want {
			t.Errorf("got:\n%s\nwant:\n%s", out, want)
		}
	})
}

// TestP9srvTrace: p9srv -D prints every T- and R-message of a mount's
// traffic on its standard error, one line each; the server in the
// background keeps a file given as its standard error.
func TestP9srvTrace(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		needFUSE(t)
		b := newBox(t, u)
		b.files("m/")
		out := b.ninep(`p9srv -D -s ram ramfs >[2]trace
mount /srv/ram m
echo hi >m/greeting; cat m/greeting
rm m/greeting
unmount m`)
		if out != "hi\n" {
			t.Errorf("got %q", out)
		}
		trace := b.read("trace")
		for _, re := range []string{
			`<-1- Tversion tag \d+ msize \d+ version "9P2000\.L[^"]*"`,
			`-1-> Rversion tag \d+ msize \d+ version "9P2000\.L[^"]*"`,
			`<-1- Tattach tag \d+ fid \d+ afid -1 uname "[^"]+" aname ""`,
			`-1-> Rattach tag \d+ qid \(0+1 0 d\)`,
			`<-1- T\w*create tag \d+ fid \d+ name "greeting"`,
			`<-1- Twrite tag \d+ fid \d+ offset 0 count 3 "hi\\n"`,
			`-1-> Rwrite tag \d+ count 3`,
			`<-1- Tread tag \d+ fid \d+ offset 0 count \d+`,
			`-1-> Rread tag \d+ count 3 "hi\\n"`,
			`<-1- T\w*(unlinkat|remove) tag \d+ .*greeting`,
			`<-1- Tclunk tag \d+ fid \d+`,
		} {
			if !regexp.MustCompile(`(?m)^` + re).MatchString(trace) {
				t.Errorf("no line matching %s in the trace", re)
			}
		}
		for _, l := range lines(trace) {
			if !regexp.MustCompile(`^(<-\d+- T|-\d+-> R)\w+ tag \d+`).MatchString(l) {
				t.Errorf("a trace line not in the form of the others: %q", l)
			}
		}
		if t.Failed() {
			t.Logf("trace:\n%s", trace)
		}
	})
}

// TestNSMountReplay: ns prints mount ADDR old for 9P mounts (also as
// union members), and replaying it in fresh sessions, with nsh --ns and
// with ., mounts the same server again while it runs.
func TestNSMountReplay(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		needFUSE(t)
		b := newBox(t, u)
		b.files("m/", "t/ft=t\n")
		sock := b.startP9srv("ramfs")
		view := "cat $home/m/f; ls $home/t; ns"
		out := b.ninep(`mount -c unix!` + sock + ` m; echo x >m/f
mount -a unix!` + sock + ` t
ns >ns.out; cat ns.out; ` + view)
		wantNS := "mount unix!BOX/ram.sock BOX/m\nmount -a unix!BOX/ram.sock BOX/t\ncd BOX\n"
		want := wantNS + "x\nf\nft\n" + wantNS
		if got := b.rel(out); got != want {
			t.Fatalf("got:\n%s\nwant:\n%s", got, want)
		}
		for _, args := range [][]string{
			{"--ns", "ns.out", "-c", view},
			{"-c", ". ./ns.out; " + view},
		} {
			r := b.nsh(b.fuseArgs(args...)...)
			if got := b.rel(r.stdout); got != "x\nf\nft\n"+wantNS || r.stderr != "" || r.code != 0 {
				t.Errorf("nsh %q:\n%v\nwant stdout:\nx\nf\nft\n%s", args, r, wantNS)
			}
		}
	})
}

// startP9srv starts p9srv serving fs on the unix socket ram.sock in the
// box, as the box's user, and returns the socket's path; the test's end
// stops it.
func (b *box) startP9srv(fs ...string) string {
	b.t.Helper()
	sock := b.path("ram.sock")
	var errb testenv.SyncBuffer
	cmd := b.command(context.Background(), p9srvPath, append([]string{"-l", "unix!" + sock}, fs...)...)
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		b.t.Fatal(err)
	}
	b.t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	if !waitFor(10*time.Second, func() bool {
		c, err := net.Dial("unix", sock)
		if err == nil {
			c.Close()
		}
		return err == nil
	}) {
		b.t.Fatalf("p9srv did not listen on %s: %s", sock, errb.String())
	}
	return sock
}

// TestMountFlags: mount's usage errors, -q, a missing server, a TCP
// address, unmount by address, a mount in a private copy of the
// namespace (rfork n), and a mount made by nsh --share inside the
// session, which outlives that nsh.
func TestMountFlags(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		needFUSE(t)
		b := newBox(t, u)
		b.files("m/", "n/")
		sock := b.startP9srv("ramfs")
		tcp := b.startTCPP9srv()
		r := b.nsh(b.fuseArgs("-c", `mount -q /srv/none m; echo q $status
mount /srv/none m; echo $status
mount -ab unix!`+sock+` m; echo $status
mount m; echo $status
mount -c unix!`+sock+` m; echo x >m/f; unmount unix!`+sock+` m
mount `+tcp+` n; echo y >n/g; cat n/g; ns
unmount `+tcp+` n; ls n
@{rfork n; mount unix!`+sock+` n; cat n/f}; ls n
nsh --share -c 'mount unix!`+sock+` m'
sleep 0.3
cat m/f; ns`)...)
		wantOut := `q 
mount: /srv/none: no such file or directory
usage
usage
y
mount ` + tcp + ` BOX/n
cd BOX
x
x
mount unix!BOX/ram.sock BOX/m
cd BOX
`
		wantErr := `nsh: mount: /srv/none: no such file or directory
usage: mount [-abcCq] addr old [aname]
usage: mount [-abcCq] addr old [aname]
`
		if got := b.rel(r.stdout); got != wantOut || r.stderr != wantErr || r.code != 0 {
			t.Errorf("%v\nwant stdout:\n%s\nwant stderr:\n%s", r, wantOut, wantErr)
		}
	})
}

// startTCPP9srv starts p9srv serving ramfs on a TCP port of the loopback
// address that it picks, as the box's user, and returns its address
// (tcp!127.0.0.1!PORT); the test's end stops it.
func (b *box) startTCPP9srv() string {
	b.t.Helper()
	cmd := b.command(context.Background(), p9srvPath, "-l", "tcp!127.0.0.1!0", "ramfs")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		b.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.t.Fatal(err)
	}
	b.t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	// p9srv: listening on tcp!127.0.0.1!PORT
	line, err := bufio.NewReader(stderr).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "p9srv: listening on ")
	if err != nil || !ok {
		b.t.Fatalf("p9srv -l tcp!127.0.0.1!0 said %q (%v)", line, err)
	}
	go io.Copy(io.Discard, stderr)
	return addr
}

// TestNSMountCache: ns prints mount -C for a mount made with -C (also as
// a union member), so that replaying it keeps the kernel's caches: the
// replay's ns says so again, and its bridges run with -cache.
func TestNSMountCache(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		needFUSE(t)
		b := newBox(t, u)
		b.files("m/", "t/ft=t\n", "ex/file=exported\n")
		sock := b.startP9srv("export", b.path("ex"))
		out := b.ninep("mount -C unix!" + sock + " m; cat m/file; mount -aC unix!" + sock + " t; ns >ns.out; cat ns.out")
		wantNS := "mount -C unix!BOX/ram.sock BOX/m\nmount -aC unix!BOX/ram.sock BOX/t\ncd BOX\n"
		if want := "exported\n" + wantNS; b.rel(out) != want {
			t.Fatalf("got:\n%s\nwant:\n%s", b.rel(out), want)
		}
		if !waitFor(5*time.Second, func() bool { return len(b.bridges()) == 0 }) {
			t.Fatalf("bridges outlived their session: %q", b.bridges())
		}
		var replay, errb testenv.SyncBuffer
		cmd := b.start(&replay, &errb, b.fuseArgs("--ns", "ns.out", "-c", pauseFn+"cat t/file; ns; pause mounted")...)
		b.waitPaused("mounted", &errb)
		cached := 0
		for _, br := range b.bridges() {
			if strings.Contains(br, " -cache ") {
				cached++
			}
		}
		if cached != 2 {
			t.Errorf("bridges of the replay: %q, want two with -cache", b.bridges())
		}
		b.resume("mounted")
		if err := cmd.Wait(); err != nil || errb.Len() > 0 {
			t.Fatalf("nsh --ns ns.out: %v\n%s", err, errb.String())
		}
		if want := "exported\n" + wantNS; b.rel(replay.String()) != want {
			t.Errorf("the replay printed:\n%s\nwant:\n%s", b.rel(replay.String()), want)
		}
	})
}

// TestMountRightAfterPost: mount /srv/NAME right after p9srv -s NAME FS,
// as the README's first example does, works every time: p9srv -s returns
// once the socket is posted and accepting, as Plan 9's ramfs -S does.
// rm /srv/NAME ends each server.
func TestMountRightAfterPost(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		needFUSE(t)
		b := newBox(t, u)
		b.files("m/")
		out := b.ninep(`for(i in ` + "`" + `{seq 20}){
	p9srv -s ram$i ramfs
	if(mount /srv/ram$i m >[2]err) unmount m
	if not { echo mount $i failed: ; cat err }
	rm /srv/ram$i
}
ls /srv`)
		if out != "" {
			t.Errorf("mount right after p9srv -s:\n%s", out)
		}
	})
}
