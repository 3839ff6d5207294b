package bind

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// The reaper removes the work directories of a session's unions when the
// session's nsh dies, however it dies: the directories live on the user's
// disk, beside the create members, and must not outlive the session. It is
// nsh's own binary started with NSH_HELPER=reaper (see ReaperMain). nsh
// registers each work directory (a descriptor of the directory that holds
// it, and its name) before making it, and unregisters it after removing it.
//
// The reaper's descriptors:
//	3  a connected socket to the nsh that started it
//	4  a pidfd of the session's nsh: when it is readable, clean up and exit
//	5  (optional) a listening socket, reaper.NSID in the staging directory
//	   (NSID naming the mount namespace), where other nsh processes of the
//	   session register theirs
//
// Each session (a nested one too) has its own reaper, watching its own nsh:
// a session's unions die with its namespace, and so may their work
// directories.

var reaperClient struct {
	sync.Mutex
	conn int // -1 until connected
	cmd  *exec.Cmd
}

func init() { reaperClient.conn = -1 }

// reaperAdd registers the directory name in dirfd for removal at session
// end.
func reaperAdd(dirfd int, name string) error {
	return reaperSend("add", dirfd, name)
}

// reaperDel unregisters it.
func reaperDel(dirfd int, name string) {
	reaperSend("del", dirfd, name)
}

func reaperSend(verb string, dirfd int, name string) error {
	reaperClient.Lock()
	defer reaperClient.Unlock()
	if reaperClient.conn < 0 {
		if verb == "del" {
			return nil
		}
		if err := connectReaper(); err != nil {
			return fmt.Errorf("starting the work directory reaper: %w", err)
		}
	}
	msg := []byte(verb + "\x00" + name)
	err := unix.Sendmsg(reaperClient.conn, msg, unix.UnixRights(dirfd), nil, 0)
	if err != nil {
		unix.Close(reaperClient.conn)
		reaperClient.conn = -1
		return fmt.Errorf("registering a work directory with the reaper: %w", err)
	}
	return nil
}

// connectReaper connects to the session's reaper, starting one if there is
// none.
func connectReaper() error {
	stage := stagingDir()
	id, err := nsID()
	if err != nil {
		return err
	}
	if stage != "" {
		fd, err := dialReaper(stage + "/reaper." + id)
		if err == nil {
			reaperClient.conn = fd
			return nil
		}
	}
	return startReaper(stage, id)
}

func dialReaper(path string) (int, error) {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	if err := unix.Connect(fd, &unix.SockaddrUnix{Name: path}); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

func startReaper(stage, id string) error {
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	mine, theirs := pair[0], os.NewFile(uintptr(pair[1]), "reaper-conn")
	defer theirs.Close()
	pidfd, err := unix.PidfdOpen(sessionPid(stage, id), 0)
	if err != nil {
		unix.Close(mine)
		return fmt.Errorf("pidfd_open: %w", err)
	}
	pidFile := os.NewFile(uintptr(pidfd), "session-pidfd")
	defer pidFile.Close()
	files := []*os.File{theirs, pidFile}
	if stage != "" {
		if l, err := listenReaper(stage + "/reaper." + id); err == nil {
			defer l.Close()
			files = append(files, l)
		}
	}
	cmd := exec.Command("/proc/self/exe", "nsh-reaper")
	cmd.Env = append(os.Environ(), "NSH_HELPER=reaper")
	cmd.ExtraFiles = files
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		unix.Close(mine)
		return err
	}
	go cmd.Wait()
	reaperClient.conn, reaperClient.cmd = mine, cmd
	return nil
}

func listenReaper(path string) (*os.File, error) {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	unix.Unlink(path) // a dead reaper's
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: path}); err != nil {
		unix.Close(fd)
		return nil, err
	}
	if err := unix.Listen(fd, 16); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return os.NewFile(uintptr(fd), "reaper-listener"), nil
}

// sessionPid returns the pid of the nsh that made the namespace id (its
// session, or rfork n) if that process is alive, otherwise this process's.
// A namespace copied from the session's (rfork n, a nested session) has
// pid.NSID; the session's own, pid.
func sessionPid(stage, id string) int {
	if stage == "" {
		return os.Getpid()
	}
	for _, name := range []string{"pid." + id, "pid"} {
		b, err := os.ReadFile(stage + "/" + name)
		if err != nil {
			continue
		}
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && unix.Kill(pid, 0) == nil {
			return pid
		}
		break
	}
	return os.Getpid()
}

// removeWork removes a work directory now and unregisters it.
func removeWork(dirfd int, name string) error {
	err := removeAllAt(dirfd, name)
	reaperDel(dirfd, name)
	return err
}

// removeAllAt removes name in dirfd and everything in it, through
// descriptors only, following no symlinks. overlayfs makes its work
// directories mode 000; they are made searchable first.
func removeAllAt(dirfd int, name string) error {
	err := unix.Unlinkat(dirfd, name, 0)
	if err == nil || err == unix.ENOENT {
		return nil
	}
	if err != unix.EISDIR && err != unix.EPERM {
		return err
	}
	fd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err == unix.EACCES {
		unix.Fchmodat(dirfd, name, 0o700, 0)
		fd, err = unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	}
	if err != nil {
		if err == unix.ENOENT {
			return nil
		}
		return err
	}
	dir := os.NewFile(uintptr(fd), name)
	names, rerr := dir.Readdirnames(-1)
	var first error
	for _, n := range names {
		if err := removeAllAt(fd, n); err != nil && first == nil {
			first = err
		}
	}
	dir.Close()
	if err := unix.Unlinkat(dirfd, name, unix.AT_REMOVEDIR); err != nil && err != unix.ENOENT && first == nil {
		first = err
	}
	if first == nil {
		first = rerr
	}
	return first
}

// ReaperMain is the reaper process (NSH_HELPER=reaper): it collects the
// work directories nsh processes register and removes them when the
// session's nsh exits. It returns the exit status.
func ReaperMain(args []string) int {
	r := &reaper{entries: map[reapKey]int{}, listener: -1}
	r.conns = []int{3}
	pidfd := 4
	if _, err := unix.FcntlInt(5, unix.F_GETFD, 0); err == nil {
		r.listener = 5
	}
	for {
		conns := r.conns
		pfds := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}
		if r.listener >= 0 {
			pfds = append(pfds, unix.PollFd{Fd: int32(r.listener), Events: unix.POLLIN})
		}
		first := len(pfds)
		for _, c := range conns {
			pfds = append(pfds, unix.PollFd{Fd: int32(c), Events: unix.POLLIN})
		}
		if _, err := unix.Poll(pfds, -1); err != nil {
			if err == unix.EINTR {
				continue
			}
			fmt.Fprintf(os.Stderr, "nsh-reaper: poll: %v\n", err)
			r.drain()
			r.clean()
			return 1
		}
		if pfds[0].Revents != 0 {
			r.drain()
			r.clean()
			return 0
		}
		var live []int
		for j, c := range conns {
			if pfds[first+j].Revents != 0 && !r.read(c) {
				unix.Close(c)
				continue
			}
			live = append(live, c)
		}
		if r.listener >= 0 && pfds[1].Revents&unix.POLLIN != 0 {
			if c, _, err := unix.Accept4(r.listener, unix.SOCK_CLOEXEC); err == nil {
				live = append(live, c)
			}
		}
		r.conns = live
	}
}

type reapKey struct {
	dev, ino uint64
	name     string
}

type reaper struct {
	entries  map[reapKey]int // -> directory descriptor
	conns    []int
	listener int
}

// read handles one message; it returns false when the connection is done.
func (r *reaper) read(c int) bool {
	buf := make([]byte, 4096)
	oob := make([]byte, unix.CmsgSpace(4*4))
	n, oobn, _, _, err := unix.Recvmsg(c, buf, oob, unix.MSG_CMSG_CLOEXEC)
	if err == unix.EAGAIN || err == unix.EINTR {
		return true
	}
	if err != nil || n == 0 {
		return false
	}
	var fds []int
	if msgs, err := unix.ParseSocketControlMessage(oob[:oobn]); err == nil {
		for _, m := range msgs {
			if f, err := unix.ParseUnixRights(&m); err == nil {
				fds = append(fds, f...)
			}
		}
	}
	verb, name, ok := bytes.Cut(buf[:n], []byte{0})
	if !ok || len(fds) != 1 {
		for _, f := range fds {
			unix.Close(f)
		}
		return true
	}
	var st unix.Stat_t
	if err := unix.Fstat(fds[0], &st); err != nil {
		unix.Close(fds[0])
		return true
	}
	k := reapKey{dev: st.Dev, ino: st.Ino, name: string(name)}
	switch string(verb) {
	case "add":
		if old, ok := r.entries[k]; ok {
			unix.Close(old)
		}
		r.entries[k] = fds[0]
	case "del":
		unix.Close(fds[0])
		if old, ok := r.entries[k]; ok {
			unix.Close(old)
			delete(r.entries, k)
		}
	default:
		unix.Close(fds[0])
	}
	return true
}

// drain reads what the connections still hold: registrations sent just
// before nsh died.
func (r *reaper) drain() {
	for _, c := range r.conns {
		unix.SetNonblock(c, true)
		for {
			var p [1]unix.PollFd
			p[0] = unix.PollFd{Fd: int32(c), Events: unix.POLLIN}
			if n, _ := unix.Poll(p[:], 0); n <= 0 || p[0].Revents&unix.POLLIN == 0 {
				break
			}
			if !r.read(c) {
				break
			}
		}
	}
}

func (r *reaper) clean() {
	for k, fd := range r.entries {
		if err := removeAllAt(fd, k.name); err != nil {
			fmt.Fprintf(os.Stderr, "nsh-reaper: %s: %v\n", k.name, err)
		}
		unix.Close(fd)
	}
	r.entries = map[reapKey]int{}
}

// recordSessionPid notes that this process made the calling thread's
// namespace, for the reaper of other nsh processes in it.
func recordSessionPid(stage string) error {
	if stage == "" {
		return nil
	}
	id, err := nsID()
	if err != nil {
		return err
	}
	return writeFileAtomic(stage+"/pid."+id, strconv.Itoa(os.Getpid())+"\n")
}
