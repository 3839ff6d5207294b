package shelltest

import (
	"os"
	"testing"
)

// TestSrv: every session has a private, writable /srv (mode 1777): what
// one session posts there, the host and another session at the same time
// do not see; a nested nsh keeps its session's /srv.
func TestSrv(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		b := newBox(t, u)
		var out, errb syncBuffer
		cmd := b.start(&out, &errb, "-c", pauseFn+`stat -c '%a %F' /srv
echo mine >/srv/mine
p9srv -s posted ramfs &
while(! test -S /srv/posted) sleep 0.02
ls /srv
nsh -c 'ls /srv'
pause posted
kill $apid
wait
ls /srv`)
		b.waitPaused("posted", &errb)
		other := b.script("ls -A /srv")
		hostMine, hostPosted := exists("/srv/mine"), exists("/srv/posted")
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

// exists reports whether a file exists on the host.
func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}
