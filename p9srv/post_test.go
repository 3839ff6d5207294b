package p9srv

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSessionSrvIn(t *testing.T) {
	const root = "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
	session := root + "90 22 0:50 / /srv rw,nosuid,nodev - tmpfs nsh-srv rw,mode=1777\n"
	cases := []struct {
		name, info, dev string
		ok              bool
	}{
		{"session", session, "0:50", true},
		{"host /srv", root, "8:1", false},
		{"other tmpfs", root + "90 22 0:50 / /srv rw - tmpfs tmpfs rw\n", "0:50", false},
		{"nsh-srv but not tmpfs", root + "90 22 0:50 / /srv rw - ramfs nsh-srv rw\n", "0:50", false},
		{"covered by a later mount", session + "91 90 0:51 / /srv rw - tmpfs other rw\n", "0:51", false},
		{"shadowed (device differs)", session, "0:77", false},
		{"elsewhere", root + "90 22 0:50 / /srv2 rw - tmpfs nsh-srv rw\n", "8:1", false},
	}
	for _, c := range cases {
		err := sessionSrvIn(c.info, "/srv", c.dev)
		if (err == nil) != c.ok {
			t.Errorf("%s: got %v, want ok=%v", c.name, err, c.ok)
		}
	}
}

func TestListenUnixReplacesStaleSockets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s")
	// A stale socket: bound, then its listener gone without unlinking.
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	l.SetUnlinkOnClose(false)
	l.Close()

	p, err := ListenUnix(path)
	if err != nil {
		t.Fatalf("ListenUnix over a stale socket: %v", err)
	}
	if !p.Replaced {
		t.Error("Replaced is false after replacing a stale socket")
	}
	// A live one is an error.
	if _, err := ListenUnix(path); err == nil || !strings.Contains(err.Error(), "already posted") {
		t.Errorf("ListenUnix over a live socket: %v", err)
	}
	p.Close()
	if _, err := os.Lstat(path); !os.IsNotExist(err) {
		t.Errorf("socket still there after Close: %v", err)
	}

	// Close leaves alone a socket that someone else put in its place.
	p, err = ListenUnix(path)
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(path)
	other, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	p.Close()
	if _, err := os.Lstat(path); err != nil {
		t.Errorf("Close removed another server's socket: %v", err)
	}

	// Not a socket: refused, left alone.
	file := filepath.Join(t.TempDir(), "f")
	os.WriteFile(file, []byte("keep"), 0644)
	if _, err := ListenUnix(file); err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Errorf("ListenUnix over a file: %v", err)
	}
	if b, _ := os.ReadFile(file); string(b) != "keep" {
		t.Errorf("the file was touched")
	}
}

func TestPostRefusesOutsideASession(t *testing.T) {
	for _, bad := range []string{"", ".", "..", "a/b", ".hidden"} {
		if _, err := Post(bad); err == nil {
			t.Errorf("Post(%q) succeeded", bad)
		}
	}
	t.Run("host /srv", func(t *testing.T) {
		if checkSessionSrv(SrvDir) == nil {
			t.Skip("running inside an nsh session; TestSessionSrvIn covers the refusal")
		}
		if _, err := Post("ram"); !errors.Is(err, ErrNotSession) {
			t.Errorf("Post outside a session: %v, want ErrNotSession", err)
		}
	})
}
