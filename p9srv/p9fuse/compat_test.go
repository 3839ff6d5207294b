package p9fuse

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hugelgupf/p9/p9"

	"nsh.dev/nsh/internal/testenv"
)

// msg builds a 9P message of type typ and tag 1 from its body.
func msg(typ byte, body ...[]byte) []byte {
	b := binary.LittleEndian.AppendUint32(nil, 0)
	b = append(b, typ)
	b = binary.LittleEndian.AppendUint16(b, 1)
	for _, p := range body {
		b = append(b, p...)
	}
	binary.LittleEndian.PutUint32(b, uint32(len(b)))
	return b
}

func u32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
func str(s string) []byte { return appendString(nil, s) }

func tattach(uname, aname string, nUname uint32) []byte {
	return msg(msgTattach, u32(1), u32(^uint32(0)), str(uname), str(aname), u32(nUname))
}

func TestRewriteAttach(t *testing.T) {
	noUID := uint32(p9.NoUID)
	for _, c := range []struct {
		in, want []byte
	}{
		{tattach("", "/export", noUID), tattach("alice", "/export", 1000)},
		{tattach("", "", noUID), tattach("alice", "", 1000)},
		{tattach("bob", "x", noUID), tattach("bob", "x", 1000)},
		{tattach("", "x", 7), tattach("alice", "x", 7)},
		{tattach("bob", "x", 7), tattach("bob", "x", 7)},
		{msg(msgTattach, u32(1)), msg(msgTattach, u32(1))}, // too short: left alone
	} {
		if got := rewriteAttach(c.in, "alice", 1000); !bytes.Equal(got, c.want) {
			t.Errorf("rewriteAttach(% x) = % x, want % x", c.in, got, c.want)
		}
	}
}

func TestRewriteVersion(t *testing.T) {
	in := msg(msgTversion, u32(8192), str("9P2000.L.Google.7"))
	want := msg(msgTversion, u32(8192), str("9P2000.L"))
	if got := rewriteVersion(in, "9P2000.L"); !bytes.Equal(got, want) {
		t.Errorf("rewriteVersion = % x, want % x", got, want)
	}
}

// TestCompatConnFraming writes a stream of messages in pieces of every
// size and checks what reaches the other end: the same stream, with
// Tversion and Tattach rewritten.
func TestCompatConnFraming(t *testing.T) {
	noUID := uint32(p9.NoUID)
	payload := bytes.Repeat([]byte("data"), 5000)
	in := [][]byte{
		msg(msgTversion, u32(65536), str("9P2000.L.Google.7")),
		tattach("", "/x", noUID),
		msg(118, u32(2), binary.LittleEndian.AppendUint64(nil, 0), u32(uint32(len(payload))), payload), // Twrite
		msg(120, u32(2)), // Tclunk
	}
	want := [][]byte{
		msg(msgTversion, u32(65536), str("9P2000.L")),
		tattach("carol", "/x", 42),
		in[2],
		in[3],
	}
	for _, piece := range []int{1, 2, 3, 7, 11, 100, 4096, 1 << 20} {
		a, b := net.Pipe()
		c := newCompatConn(a, "9P2000.L", "carol", 42)
		got := make(chan []byte)
		go func() {
			data, _ := io.ReadAll(b)
			got <- data
		}()
		for _, m := range in {
			for len(m) > 0 {
				k := min(piece, len(m))
				if n, err := c.Write(m[:k]); err != nil || n != k {
					t.Fatalf("piece %d: Write = %d, %v", piece, n, err)
				}
				m = m[k:]
			}
		}
		a.Close()
		if data := <-got; !bytes.Equal(data, bytes.Join(want, nil)) {
			t.Errorf("pieces of %d bytes: the other end read %d bytes, not the %d expected", piece, len(data), len(bytes.Join(want, nil)))
		}
	}
}

// fakeServer answers Tversion and Tattach the way diod does: it refuses
// the Google dialect with Rlerror and grants at most 8192 bytes.
type fakeServer struct {
	versions []string
	uname    string
	nUname   uint32
}

func (s *fakeServer) serve(t *testing.T, c net.Conn) {
	defer c.Close()
	for {
		var hdr [headerLen]byte
		if _, err := io.ReadFull(c, hdr[:]); err != nil {
			return
		}
		body := make([]byte, binary.LittleEndian.Uint32(hdr[:])-headerLen)
		if _, err := io.ReadFull(c, body); err != nil {
			return
		}
		tag := hdr[5:7]
		reply := func(typ byte, parts ...[]byte) {
			m := msg(typ, parts...)
			copy(m[5:7], tag)
			c.Write(m)
		}
		switch hdr[4] {
		case msgTversion:
			v, _ := readString(body[4:])
			s.versions = append(s.versions, v)
			if v != "9P2000.L" {
				reply(msgRlerror, u32(5))
				continue
			}
			reply(msgRversion, u32(min(binary.LittleEndian.Uint32(body), 8192)), str(v))
		case msgTattach:
			s.uname, _ = readString(body[8:])
			rest := body[8+2+len(s.uname):]
			aname, _ := readString(rest)
			s.nUname = binary.LittleEndian.Uint32(rest[2+len(aname):])
			reply(105, []byte{0x80}, u32(0), binary.LittleEndian.AppendUint64(nil, 1)) // Rattach qid
		default:
			reply(msgRlerror, u32(38))
		}
	}
}

func TestNewClientFallsBack(t *testing.T) {
	a, b := net.Pipe()
	s := &fakeServer{}
	done := make(chan struct{})
	go func() {
		s.serve(t, b)
		close(done)
	}()
	c, err := NewClient(a, "/export", 0)
	if err != nil {
		t.Fatal(err)
	}
	if c.Version != "9P2000.L" || c.Msize != 8192 {
		t.Errorf("negotiated %s msize %d, want 9P2000.L msize 8192", c.Version, c.Msize)
	}
	wantVersions := []string{p9.HighestVersionString(), "9P2000.L", "9P2000.L"}
	if strings.Join(s.versions, " ") != strings.Join(wantVersions, " ") {
		t.Errorf("server saw versions %q, want %q (the client's own Tversion rewritten)", s.versions, wantVersions)
	}
	uname, uid := currentUser()
	if s.uname != uname || s.nUname != uid {
		t.Errorf("attached as %q uid %d, want %q uid %d", s.uname, s.nUname, uname, uid)
	}
	c.Close()
	<-done
}

func TestNewClientErrors(t *testing.T) {
	for _, c := range []struct {
		name  string
		serve func(net.Conn)
		want  string
	}{
		{"hang up", func(c net.Conn) { c.Close() }, "server hung up"},
		{"not 9P2000.L", func(c net.Conn) {
			for range 2 {
				var hdr [headerLen]byte
				io.ReadFull(c, hdr[:])
				io.ReadFull(c, make([]byte, binary.LittleEndian.Uint32(hdr[:])-headerLen))
				m := msg(msgRversion, u32(8192), str("unknown"))
				copy(m[5:7], hdr[5:7])
				c.Write(m)
			}
			c.Close()
		}, "does not speak 9P2000.L"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, b := net.Pipe()
			go c.serve(b)
			_, err := NewClient(a, "", 0)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("NewClient: %v, want an error saying %q", err, c.want)
			}
		})
	}
}

func TestDialErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "none.sock")
	if _, err := Dial(missing, "", 0); err == nil || !strings.Contains(err.Error(), "no such file or directory") {
		t.Errorf("Dial(%s): %v, want no such file or directory", missing, err)
	}
	if _, err := Dial("tcp!nowhere", "", 0); err == nil {
		t.Error("Dial of a malformed address succeeded")
	}
}

// TestDialDiod talks to diod, which the p9 client alone cannot, and
// reads a directory listing and a file.
func TestDialDiod(t *testing.T) {
	t.Run("read", func(t *testing.T) {
		testenv.NeedRoot(t) // diod squashes users to nobody, which needs root
		testenv.NeedProgram(t, "diod", "diod")
		base := testenv.PublicTempDir(t, "p9fuse-test-")
		dir := mkdirAll(t, filepath.Join(base, "export"))
		if err := exec.Command("sh", "-c", "echo hello > "+filepath.Join(dir, "greeting")).Run(); err != nil {
			t.Fatal(err)
		}
		srv := startDiod(t, base, dir)
		c, err := Dial(srv.addr, dir, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if c.Version != "9P2000.L" || c.Msize > DefaultMsize {
			t.Errorf("negotiated %s msize %d", c.Version, c.Msize)
		}
		_, f, err := c.Root.Walk([]string{"greeting"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.Open(p9.ReadOnly); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 100)
		deadline := time.Now().Add(5 * time.Second)
		n, err := f.ReadAt(buf, 0)
		if (err != nil && err != io.EOF) || string(buf[:n]) != "hello\n" || time.Now().After(deadline) {
			t.Errorf("read %q, %v; want hello", buf[:n], err)
		}
	})
}
