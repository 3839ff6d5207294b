package bind

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// bridgeTimeout bounds the wait for the 9P bridge to say whether the mount
// is live.
const bridgeTimeout = 30 * time.Second

// Mount attaches the 9P server at addr on old (mount [-abcC] addr old
// [aname]) through nsh's 9P-to-FUSE bridge, the program nsh-9pfuse (see
// [BridgeProgram]) started with NSH_HELPER=9pfuse, in n, as
//
//	nsh-9pfuse [-aname NAME] [-cache] -watch PID ADDR MOUNTPOINT
//
// with descriptor 3 a pipe on which it writes "ok" once the FUSE mount is
// live at MOUNTPOINT, or "error: MESSAGE". The bridge mounts in the staging
// directory; without -a or -b the mount then moves onto old, with them it
// becomes a member of the union on old. A 9P member is never the create
// member: writes through a union would be copied up and never reach the
// server.
func (n *Namespace) Mount(addr, old, aname string, f Flag) error {
	if f&Before != 0 && f&After != 0 {
		return ErrBeforeAfter
	}
	return n.edit(func(stage string) error {
		return n.mount(stage, addr, old, aname, f)
	})
}

var errNinepCreate = errors.New("a 9P mount cannot be a union's create member: writes would be copied up and never reach the server (mount it without -c, or bind -bc a directory)")

func (n *Namespace) mount(stage, addr, old, aname string, f Flag) error {
	if stage == "" {
		return errNoStaging
	}
	if f&Create != 0 && f&(Before|After) != 0 {
		return errNinepCreate
	}
	if addr == "" {
		return errors.New("empty address")
	}
	od, err := resolve(old)
	if err != nil {
		return err
	}
	defer od.closeOld()
	if !od.info.dir {
		return pathErr(od.path, ErrInconsistent)
	}
	// The bridge lives as long as the namespace's nsh, not this process:
	// nsh --share -c 'mount ...' run inside a session exits at once.
	id, err := nsID()
	if err != nil {
		return err
	}
	point, err := newStagingPoint(stage)
	if err != nil {
		return err
	}
	if err := startBridge(addr, aname, f&Cache != 0, point, sessionPid(stage, id)); err != nil {
		return err
	}
	s, err := openStaged(point)
	if err == nil {
		s.refresh()
		if info, serr := statFd(s.fd); serr != nil || !info.mountRoot {
			s.close()
			err = fmt.Errorf("the 9P bridge reported success but nothing is mounted on %s", point)
		}
	}
	if err != nil {
		unix.Unmount(point, unix.MNT_DETACH)
		return err
	}
	words := []string{addr}
	if aname != "" {
		words = append(words, aname)
	}
	cur, err := n.inspect(stage, od.fd, od.info)
	if err != nil {
		s.unstage()
		return pathErr(old, err)
	}
	if f&(Before|After) != 0 {
		stagedInfo[s.path] = memberInfo{ninep: words}
		return n.bindUnion(stage, nil, od, cur, &current{}, f, s)
	}
	// Move the mount itself (not a copy) from the staging directory onto
	// old.
	tree, err := unix.OpenTree(s.fd, "", unix.O_CLOEXEC|unix.AT_EMPTY_PATH)
	if err != nil {
		s.unstage()
		return fmt.Errorf("open_tree: %w", err)
	}
	defer unix.Close(tree)
	if err := n.installTree(cur, tree, false, words); err != nil {
		s.unstage()
		return pathErr(old, err)
	}
	s.close()
	return nil
}

// BridgeName is the name of the 9P bridge's program.
const BridgeName = "nsh-9pfuse"

// BridgeProgram, when set, is the path of the program mount runs as the
// 9P bridge. When it is empty, mount runs the nsh-9pfuse that lies
// beside the running program, or else the one $PATH finds: the bridge
// is a program of its own, so that nsh, which every session starts,
// does not carry (and start up) a FUSE file system and a 9P client.
var BridgeProgram string

// bridgeProgram finds the bridge's program.
func bridgeProgram() (string, error) {
	if BridgeProgram != "" {
		return BridgeProgram, nil
	}
	if self, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(self), BridgeName)
		if unix.Access(p, unix.X_OK) == nil {
			return p, nil
		}
	}
	p, err := exec.LookPath(BridgeName)
	if err != nil {
		return "", fmt.Errorf("the 9P bridge %s is neither beside nsh nor on $PATH (build it with go build ./cmd/%s)", BridgeName, BridgeName)
	}
	return p, nil
}

// startBridge runs the 9P bridge, which ends when the process watch
// ends, and waits for its verdict.
func startBridge(addr, aname string, cache bool, point string, watch int) error {
	args := []string{"nsh-9pfuse"}
	if aname != "" {
		args = append(args, "-aname", aname)
	}
	if cache {
		args = append(args, "-cache")
	}
	args = append(args, "-watch", strconv.Itoa(watch), addr, point)
	prog, err := bridgeProgram()
	if err != nil {
		return err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	cmd := exec.Command(prog)
	cmd.Args = args
	// NSH_HELPER tells a program that enters a session of its own as
	// it starts (nsh, and tests standing in for the bridge) not to: the
	// bridge mounts in this namespace.
	cmd.Env = append(os.Environ(), "NSH_HELPER=9pfuse")
	cmd.ExtraFiles = []*os.File{w}
	// The bridge mounts FUSE: in a rootless session it needs this
	// process's capabilities in the session's user namespace, which
	// reach no further than the user's own files. A Ctrl-C at the
	// terminal must not reach it.
	cmd.SysProcAttr = &syscall.SysProcAttr{AmbientCaps: ambientCaps(), Setsid: true}
	err = cmd.Start()
	w.Close()
	if err != nil {
		return fmt.Errorf("starting the 9P bridge: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case l := <-line:
		switch {
		case l == "ok":
			return nil
		case strings.HasPrefix(l, "error: "):
			return errors.New(strings.TrimPrefix(l, "error: "))
		case l == "":
			select {
			case err := <-exited:
				return fmt.Errorf("the 9P bridge exited without mounting (%v)", err)
			case <-time.After(time.Second):
				return errors.New("the 9P bridge closed its status pipe without mounting")
			}
		default:
			return fmt.Errorf("the 9P bridge said %q", l)
		}
	case <-time.After(bridgeTimeout):
		cmd.Process.Kill()
		return fmt.Errorf("the 9P bridge did not answer within %v", bridgeTimeout)
	}
}
