package p9srv

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"nsh.dev/nsh/internal/mountinfo"
)

// SrvDir is where Post puts sockets: the session's /srv.
const SrvDir = "/srv"

// SessionSrvSource is the mount source of a session's /srv, a private
// tmpfs that nsh mounts when a session starts.
const SessionSrvSource = "nsh-srv"

// A Posted is a listener on a unix socket that Post or ListenUnix made.
// Close stops it and removes the socket, if the socket is still the one
// it made.
type Posted struct {
	*net.UnixListener
	// Path is the socket's path.
	Path string
	// Replaced reports that a stale socket (one nobody answered on) was
	// in the way and has been removed.
	Replaced bool
	id       fileID
}

// Close closes the listener and removes its socket.
func (p *Posted) Close() error {
	err := p.UnixListener.Close()
	if id, ierr := statID(p.Path); ierr == nil && id == p.id {
		os.Remove(p.Path)
	}
	return err
}

// Post listens on /srv/name of the caller's session, as Plan 9 servers
// post to #s. It refuses unless /srv is a session's own (a tmpfs with
// mount source nsh-srv), so that nothing is ever posted into the host's
// /srv; a stale socket in the way is replaced, a live one is an error.
func Post(name string) (*Posted, error) {
	if err := checkSrvName(name); err != nil {
		return nil, err
	}
	if err := checkSessionSrv(SrvDir); err != nil {
		return nil, err
	}
	return ListenUnix(filepath.Join(SrvDir, name))
}

func checkSrvName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") || strings.HasPrefix(name, ".") {
		return fmt.Errorf("%q: a service name is one file name, not starting with a dot", name)
	}
	return nil
}

// ListenUnix listens on a unix socket at path. If a socket is already
// there and nobody answers on it, it is stale: it is removed and
// replaced (Replaced reports it). A socket a server answers on, or a file
// that is not a socket, is left alone and is an error.
func ListenUnix(path string) (*Posted, error) {
	replaced := false
	for attempt := 0; ; attempt++ {
		ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
		if err == nil {
			ln.SetUnlinkOnClose(false)
			id, err := statID(path)
			if err != nil {
				ln.Close()
				return nil, err
			}
			return &Posted{UnixListener: ln, Path: path, Replaced: replaced, id: id}, nil
		}
		if !isAddrInUse(err) || attempt > 0 {
			return nil, fmt.Errorf("%s: %w", path, unwrapOp(err))
		}
		fi, lerr := os.Lstat(path)
		if lerr != nil {
			return nil, fmt.Errorf("%s: %w", path, unwrapOp(err))
		}
		if fi.Mode()&os.ModeSocket == 0 {
			return nil, fmt.Errorf("%s: exists and is not a socket", path)
		}
		c, derr := net.DialTimeout("unix", path, 2*time.Second)
		if derr == nil {
			c.Close()
			return nil, fmt.Errorf("%s: already posted: a server answers on it", path)
		}
		if !isConnRefused(derr) {
			return nil, fmt.Errorf("%s: in use and not answering: %w", path, unwrapOp(derr))
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: stale socket: %w", path, err)
		}
		replaced = true
	}
}

func unwrapOp(err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		var se *os.SyscallError
		if errors.As(oe.Err, &se) {
			return se.Err
		}
		return oe.Err
	}
	return err
}

// ErrNotSession is returned by Post outside an nsh session.
var ErrNotSession = errors.New("/srv is not a session's /srv (posting needs nsh's private /srv: run p9srv inside nsh, or use -l unix!PATH)")

// sessionSrvIn checks a mount table (mountinfo text): the last mount on dir must be a
// tmpfs whose source is nsh-srv, and must be the one dir shows (its
// device is dev, "major:minor").
func sessionSrvIn(table, dir, dev string) error {
	var fstype, source, majmin string
	found := false
	for _, line := range strings.Split(table, "\n") {
		pre, post, ok := strings.Cut(line, " - ")
		if !ok {
			continue
		}
		f, g := strings.Fields(pre), strings.Fields(post)
		if len(f) < 5 || len(g) < 2 || mountinfo.Unescape(f[4]) != dir {
			continue
		}
		found, majmin, fstype, source = true, f[2], g[0], mountinfo.Unescape(g[1])
	}
	if !found || fstype != "tmpfs" || source != SessionSrvSource || majmin != dev {
		return ErrNotSession
	}
	return nil
}
