package p9fuse

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
	"github.com/hugelgupf/p9/p9"
	"golang.org/x/sys/unix"
)

// Options configure a mount.
type Options struct {
	// Aname is the tree to attach to ("" for the server's default).
	Aname string
	// Cache lets the kernel cache entries and attributes for a second
	// and file data in the page cache (Plan 9's mount -C): for exported
	// real files. Without it nothing is cached and files use direct I/O,
	// as synthetic files need.
	Cache bool
	// Heartbeat is how often the server is asked for the root's
	// attributes, and HeartbeatTimeout how long it may take to answer
	// before the connection counts as lost. Zero means the defaults.
	Heartbeat, HeartbeatTimeout time.Duration
}

// Default heartbeat: a killed server is noticed at once through its
// socket; these only catch one that stops answering.
const (
	DefaultHeartbeat        = 2 * time.Second
	DefaultHeartbeatTimeout = 10 * time.Second
)

// cacheTTL is how long entries and attributes live with Options.Cache.
const cacheTTL = time.Second

// A Bridge serves one live 9P mount through FUSE.
type Bridge struct {
	b      *fsys
	server *fuse.Server
	dev    uint64 // the mount's device number, to find it wherever it moves

	stop     chan struct{} // closed to stop the watchers
	done     chan struct{} // closed when the mount has ended
	stopOnce sync.Once
	err      error // why the mount ended by itself; nil after Close
}

// Mount attaches to the 9P server at addr and mounts it on mountpoint.
func Mount(addr, mountpoint string, o Options) (*Bridge, error) {
	clearStaleMount(mountpoint)
	if err := unix.Access("/dev/fuse", unix.R_OK|unix.W_OK); err != nil {
		return nil, fmt.Errorf("/dev/fuse: %w (9P mounts need FUSE usable by the user: many systems make /dev/fuse mode 0666)", err)
	}
	c, err := Dial(addr, o.Aname, DefaultMsize)
	if err != nil {
		return nil, &AddrError{Addr: addr, Err: err}
	}
	c.conn.SetDeadline(time.Now().Add(handshakeTimeout))
	q, valid, attr, err := c.Root.GetAttr(p9.AttrMaskAll)
	c.conn.SetDeadline(time.Time{})
	if err != nil {
		c.Close()
		return nil, &AddrError{Addr: addr, Err: fmt.Errorf("attributes of the root: %w", err)}
	}
	b := &fsys{
		s:     newSession(c),
		cache: o.Cache,
		uid:   uint32(os.Getuid()),
		gid:   uint32(os.Getgid()),
		uids:  readIDMap("/proc/self/uid_map"),
		gids:  readIDMap("/proc/self/gid_map"),
		chunk: chunkSize(c.Msize),
		fids:  newFidCache(),
	}
	var rootAttr fuse.Attr
	b.fillAttr(&rootAttr, q, valid, attr)
	if rootAttr.Mode&unix.S_IFMT != unix.S_IFDIR {
		c.Close()
		return nil, &AddrError{Addr: addr, Err: errors.New("the root of the tree is not a directory")}
	}

	ttl := time.Duration(0)
	if o.Cache {
		ttl = cacheTTL
	}
	opts := &fs.Options{
		MountOptions: fuse.MountOptions{
			FsName:             FsName(addr, o.Aname),
			Name:               fuseSubtype(o.Cache),
			DirectMountStrict:  true,
			MaxWrite:           maxIO,
			MaxBackground:      64,
			DisableXAttrs:      true,
			DisableReadDirPlus: true,
			// Replies carry data from memory, never from a file
			// descriptor go-fuse could splice.
			DisableSplice: true,
		},
		EntryTimeout:    &ttl,
		AttrTimeout:     &ttl,
		NegativeTimeout: &ttl,
		RootStableAttr:  &fs.StableAttr{Ino: rootAttr.Ino},
	}
	server, err := fs.Mount(mountpoint, b.newRoot(c.Root), opts)
	if err != nil {
		c.Close()
		return nil, &MountpointError{Path: mountpoint, Err: mountError(err)}
	}
	var st unix.Stat_t
	if err := unix.Stat(mountpoint, &st); err != nil {
		server.Unmount()
		c.Close()
		return nil, &MountpointError{Path: mountpoint, Err: err}
	}
	if o.Cache {
		setReadahead(st.Dev)
	}
	m := &Bridge{b: b, server: server, dev: st.Dev, stop: make(chan struct{}), done: make(chan struct{})}
	if err := m.watch(o); err != nil {
		m.Close()
		return nil, &AddrError{Addr: addr, Err: err}
	}
	return m, nil
}

// chunkSize is the most data a Tread carries with message size msize,
// rounded down to whole pages: the p9 client splits reads at msize less
// its largest fixed header, and 4 KiB is well beyond that.
func chunkSize(msize uint32) int {
	return max(int(msize)-4096, 4096) &^ 4095
}

// readahead is the kernel readahead a cached mount asks for: enough for
// several 1 MiB requests in flight at once. The default (128 KiB) sends
// one small request at a time.
const readahead = 4 * maxIO

// setReadahead raises the readahead of the mount's backing device. Only
// root can (it is a sysfs file); elsewhere the mount keeps the default.
func setReadahead(dev uint64) {
	path := fmt.Sprintf("/sys/class/bdi/%d:%d/read_ahead_kb", unix.Major(dev), unix.Minor(dev))
	os.WriteFile(path, []byte(fmt.Sprint(readahead>>10)), 0)
}

// clearStaleMount lazily unmounts a FUSE mount left on mountpoint by a
// bridge that was killed (it answers every call with ENOTCONN).
func clearStaleMount(mountpoint string) {
	var st unix.Stat_t
	if err := unix.Stat(mountpoint, &st); errors.Is(err, unix.ENOTCONN) {
		unix.Unmount(mountpoint, unix.MNT_DETACH)
	}
}

// mountError makes go-fuse's mount failures read as the system's.
func mountError(err error) error {
	var errno unix.Errno
	if errors.As(err, &errno) {
		return fmt.Errorf("mount: %w", errno)
	}
	return err
}

// watch starts what ends the mount by itself: the server hanging up, the
// heartbeat going unanswered, and the FUSE mount going away.
func (m *Bridge) watch(o Options) error {
	hup, err := watchHangup(m.b.s.client.conn, m.stop)
	if err != nil {
		return err
	}
	go func() {
		select {
		case <-hup:
			m.b.s.fail(errors.New("server hung up"))
		case <-m.stop:
		}
	}()
	interval, timeout := o.Heartbeat, o.HeartbeatTimeout
	if interval <= 0 {
		interval = DefaultHeartbeat
	}
	if timeout <= 0 {
		timeout = DefaultHeartbeatTimeout
	}
	go m.heartbeat(interval, timeout)
	unmounted := make(chan struct{})
	go func() {
		m.server.Wait()
		close(unmounted)
	}()
	go func() {
		select {
		case <-m.b.s.dead:
			m.end(fmt.Errorf("connection lost: %w", m.b.s.deadErr))
		case <-unmounted:
			m.end(ErrUnmounted)
		case <-m.stop:
		}
	}()
	return nil
}

// heartbeat asks for the root's attributes every interval and fails the
// session when an answer takes longer than timeout.
func (m *Bridge) heartbeat(interval, timeout time.Duration) {
	root := m.b.s.client.Root
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-m.b.s.dead:
			return
		case <-tick.C:
		}
		answered := make(chan error, 1)
		go func() {
			_, _, _, err := root.GetAttr(p9.AttrMask{Mode: true})
			answered <- err
		}()
		select {
		case err := <-answered:
			var ce p9.ConnError
			if errors.As(err, &ce) {
				m.b.s.fail(err)
			}
		case <-time.After(timeout):
			m.b.s.fail(fmt.Errorf("server has not answered for %v", timeout))
		case <-m.stop:
			return
		}
	}
}

// end ends the mount: it stops the watchers, closes the connection (so
// calls still pending fail with EIO, and nothing can wait on a server
// that stopped answering) and removes every mount of the file system
// from this namespace. err records why. When the kernel has ended the
// file system (err is ErrUnmounted: the last mount of it went), its
// device number is free and may already be another mount's, even a new
// bridge's: removing the mounts of that number then would remove that
// one.
func (m *Bridge) end(err error) {
	m.stopOnce.Do(func() {
		m.err = err
		close(m.stop)
		m.b.s.fail(ErrUnmounted)
		if err != ErrUnmounted {
			unmountDev(m.dev)
		}
		close(m.done)
	})
}

// ErrUnmounted is why a mount ends when someone else unmounts it.
var ErrUnmounted = errors.New("unmounted")

// Done is closed when the mount has ended, by Close or by itself.
func (m *Bridge) Done() <-chan struct{} { return m.done }

// Err tells why a mount ended by itself: the connection was lost, or
// someone else unmounted it ([ErrUnmounted]). It is nil while the mount
// lives and after Close.
func (m *Bridge) Err() error {
	select {
	case <-m.done:
		return m.err
	default:
		return nil
	}
}

// Close unmounts and closes the connection. The FUSE server stops once
// the last file open on the mount is closed (a lazy unmount leaves open
// files working until then); Close waits for that at most a second.
func (m *Bridge) Close() error {
	m.end(nil)
	waited := make(chan struct{})
	go func() {
		m.server.Wait()
		close(waited)
	}()
	select {
	case <-waited:
	case <-time.After(time.Second):
	}
	return nil
}

// An AddrError is a failure to reach or attach to the server.
type AddrError struct {
	Addr string
	Err  error
}

func (e *AddrError) Error() string { return e.Addr + ": " + e.Err.Error() }
func (e *AddrError) Unwrap() error { return e.Err }

// A MountpointError is a failure to mount on the mount point.
type MountpointError struct {
	Path string
	Err  error
}

func (e *MountpointError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *MountpointError) Unwrap() error { return e.Err }
