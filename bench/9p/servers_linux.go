package main

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"nsh.dev/nsh/p9srv/command"
	"nsh.dev/nsh/p9srv/p9fuse"
)

// profileEnv names the file a helper writes its CPU profile to.
const profileEnv = "BENCH_9P_PROFILE"

// serveP9srv runs the p9srv command itself (its arguments are this
// process's), so that the figures are those of "p9srv -l unix!SOCK
// export DIR".
func serveP9srv() int {
	stop := startProfile()
	defer stop()
	return command.Main()
}

// startProfile starts a CPU profile if profileEnv names a file.
func startProfile() (stop func()) {
	path := os.Getenv(profileEnv)
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return func() {}
	}
	pprof.StartCPUProfile(f)
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// self returns a command running this binary with extra environment.
func self(env []string, args ...string) (*exec.Cmd, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	return cmd, nil
}

func profileFile(dir, name string) []string {
	if dir == "" {
		return nil
	}
	return []string{profileEnv + "=" + filepath.Join(dir, name+".pprof")}
}

// startExport runs "p9srv -l unix!SOCK export DIR".
func startExport(sock, dir, profile string) (*exec.Cmd, error) {
	cmd, err := self(append([]string{benchHelperEnv + "=p9srv"}, profileFile(profile, "p9srv")...), "-l", "unix!"+sock, "export", dir)
	if err != nil {
		return nil, err
	}
	cmd.Args[0] = "p9srv"
	return cmd, cmd.Start()
}

// startDiod starts diod exporting dir, without authentication, with all
// users squashed to nobody (as the bridge's tests run it).
func startDiod(diod, sock, dir string) (*exec.Cmd, error) {
	cmd := exec.Command(diod, "-f", "-n", "-S", "-l", sock, "-e", dir)
	return cmd, cmd.Start()
}

// waitListening waits until something accepts connections on sock.
func waitListening(sock string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("unix", sock)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("nothing listens on %s: %w", sock, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startBridge mounts addr on mnt with the bridge, through the process
// protocol nsh uses, and returns the running bridge.
func startBridge(addr, aname, mnt string, cache bool, profile []string) (*exec.Cmd, error) {
	var args []string
	if aname != "" {
		args = append(args, "-aname", aname)
	}
	if cache {
		args = append(args, "-cache")
	}
	args = append(args, addr, mnt)
	cmd, err := self(append([]string{p9fuse.HelperEnv + "=" + p9fuse.HelperName}, profile...), args...)
	if err != nil {
		return nil, err
	}
	cmd.Args[0] = "nsh-9pfuse"
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	cmd.ExtraFiles = []*os.File{w}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	err = cmd.Start()
	w.Close()
	if err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(r).ReadString('\n')
	line = strings.TrimSpace(line)
	if line != "ok" {
		stopProcess(cmd)
		if err != nil && line == "" {
			return nil, fmt.Errorf("bridge: %w", err)
		}
		return nil, errors.New("bridge: " + line)
	}
	return cmd, nil
}

// stopProcess sends SIGTERM and waits.
func stopProcess(cmd *exec.Cmd) {
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}
