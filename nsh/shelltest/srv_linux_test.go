package shelltest

import (
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"nsh.dev/nsh/internal/testenv"
)

// TestSrv: every session has a private, writable /srv (mode 1777): what
// one session posts there, the host and another session at the same time
// do not see; a nested nsh keeps its session's /srv. A server told to
// stop removes its socket.
func TestSrv(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		b := newBox(t, u)
		var out, errb testenv.SyncBuffer
		cmd := b.start(&out, &errb, "-c", pauseFn+`stat -c '%a %F' /srv
echo mine >/srv/mine
p9srv -s posted ramfs
ls /srv
nsh -c 'ls /srv'
pause posted
ls /srv`)
		b.waitPaused("posted", &errb)
		other := b.script("ls -A /srv")
		hostMine, hostPosted := exists("/srv/mine"), exists("/srv/posted")
		// The server, found by the credentials of a connection to its
		// socket, stops on SIGTERM.
		sock := fmt.Sprintf("/proc/%d/root/srv/posted", cmd.Process.Pid)
		pid, err := peerPid(sock)
		if err != nil {
			t.Fatal(err)
		}
		if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if !waitFor(5*time.Second, func() bool { return len(b.serverPids("p9srv ")) == 0 }) {
			t.Errorf("p9srv did not end on SIGTERM: %v", b.serverPids("p9srv "))
		}
		b.resume("posted")
		if err := cmd.Wait(); err != nil || errb.Len() > 0 {
			t.Fatalf("first session: %v\n%s", err, errb.String())
		}
		if want := "1777 directory\nmine\nposted\nmine\nposted\nmine\n"; out.String() != want {
			t.Errorf("the session printed:\n%s\nwant:\n%s", out.String(), want)
		}
		if other != ".nsh\n" {
			t.Errorf("another session's /srv holds:\n%s\nwant only .nsh", other)
		}
		if hostMine || hostPosted {
			t.Errorf("a session's /srv reached the host's /srv")
		}
	})
}

// peerPid returns the pid of the process that listens on the unix socket
// sock, from the peer credentials of a connection to it.
func peerPid(sock string) (int, error) {
	c, err := net.Dial("unix", sock)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	raw, err := c.(*net.UnixConn).SyscallConn()
	if err != nil {
		return 0, err
	}
	var cred *unix.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) { cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED) }); err != nil {
		return 0, err
	}
	if cerr != nil {
		return 0, cerr
	}
	return int(cred.Pid), nil
}

// exists reports whether a file exists on the host.
func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}
