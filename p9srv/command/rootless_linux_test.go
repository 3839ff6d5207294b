package command

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/hugelgupf/p9/p9"
	"golang.org/x/sys/unix"

	"nsh.dev/nsh/internal/testenv"
)

// An ordinary user exports their directory: files clients create are
// theirs, and what they may not touch stays untouched.
func TestExportRootless(t *testing.T) {
	testenv.NeedRoot(t)
	const nobody = 65534
	base := t.TempDir()
	// t.TempDir makes two levels of 0700 directories; nobody must pass.
	must(t, os.Chmod(filepath.Dir(base), 0755))
	must(t, os.Chmod(base, 0755))
	data, sockDir := filepath.Join(base, "data"), filepath.Join(base, "sock")
	for _, d := range []string{data, sockDir} {
		must(t, os.Mkdir(d, 0755))
		must(t, os.Chown(d, nobody, nobody))
	}
	secret := filepath.Join(base, "secret")
	must(t, os.WriteFile(secret, []byte("root only"), 0600))
	must(t, os.Symlink(secret, filepath.Join(data, "link-out")))
	must(t, os.WriteFile(filepath.Join(data, "rootfile"), []byte("root's"), 0644))

	sock := filepath.Join(sockDir, "9p")
	cmd := exec.Command("/proc/self/exe")
	cmd.Env = append(os.Environ(), "P9SRV_TEST_ARGS=-l\nunix!"+sock+"\nexport\n"+data)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	var stderr testenv.SyncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	var nc net.Conn
	for i := 0; ; i++ {
		var err error
		if nc, err = net.Dial("unix", sock); err == nil {
			break
		}
		if i > 500 {
			t.Fatalf("p9srv as uid %d did not listen: %s", nobody, stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	c, err := p9.NewClient(nc)
	if err != nil {
		t.Fatal(err)
	}
	root, err := c.Attach("")
	if err != nil {
		t.Fatal(err)
	}
	_, dir, _ := root.Walk(nil)
	if _, _, _, err := dir.Create("made", p9.ReadWrite, 0640, p9.NoUID, p9.NoGID); err != nil {
		t.Fatalf("create: %v", err)
	}
	dir.WriteAt([]byte("by nobody"), 0)
	dir.Close()
	var st unix.Stat_t
	if err := unix.Stat(filepath.Join(data, "made"), &st); err != nil || st.Uid != nobody || st.Mode&0777 != 0640 {
		t.Errorf("made: uid %d mode %o (%v); want uid %d mode 0640", st.Uid, st.Mode&0777, err, nobody)
	}
	// The server's user cannot change root's file, nor give files away.
	_, rf, _ := root.Walk([]string{"rootfile"})
	if _, _, err := rf.Open(p9.WriteOnly); err == nil {
		t.Error("opened root's file for writing as nobody")
	}
	rf.Close()
	_, mf, _ := root.Walk([]string{"made"})
	if err := mf.SetAttr(p9.SetAttrMask{UID: true}, p9.SetAttr{UID: 0}); err == nil {
		t.Error("gave a file to root as nobody")
	}
	mf.Close()
	// A link to a root-only file outside is a link, not a way in.
	_, lf, _ := root.Walk([]string{"link-out"})
	if target, err := lf.Readlink(); err != nil || target != secret {
		t.Errorf("readlink: %q, %v", target, err)
	}
	if _, _, err := lf.Open(p9.ReadOnly); err == nil {
		t.Error("opened a symlink")
	}
	lf.Close()
	root.Close()
	c.Close()

	cmd.Process.Signal(unix.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Errorf("p9srv as nobody after SIGTERM: %v: %s", err, stderr.String())
	}
	if _, err := os.Lstat(sock); !os.IsNotExist(err) {
		t.Errorf("socket left after SIGTERM: %v", err)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
