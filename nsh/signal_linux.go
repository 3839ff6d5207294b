package nsh

import (
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"nsh.dev/nsh/nsh/interp"
)

// signalState forwards the signals a shell acts on to its interpreter.
// It uses signal.Notify, never signal.Ignore, whose effect programs the
// shell runs would inherit; with Notify, SIGQUIT no longer makes the Go
// runtime print its goroutines, and a program started by the shell gets
// the default actions back at exec.
type signalState struct {
	c    chan os.Signal
	once sync.Once
}

var signalNames = map[syscall.Signal]string{
	syscall.SIGHUP:  "sighup",
	syscall.SIGINT:  "sigint",
	syscall.SIGTERM: "sigterm",
	syscall.SIGQUIT: "sigquit",
}

func notifySignals(in *interp.Interp, interactive bool) *signalState {
	s := &signalState{c: make(chan os.Signal, 4)}
	signal.Notify(s.c, syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM, syscall.SIGQUIT)
	go func() {
		for sig := range s.c {
			ss, ok := sig.(syscall.Signal)
			if !ok {
				continue
			}
			in.Notify(signalNames[ss])
		}
	}()
	return s
}

func (s *signalState) stop() {
	s.once.Do(func() {
		signal.Stop(s.c)
		close(s.c)
	})
}

// raise kills the shell with the signal called name, with its default
// action restored.
func raise(name string) {
	for sig, n := range signalNames {
		if n == name {
			signal.Reset(sig)
			unix.Kill(os.Getpid(), sig)
			// The signal is delivered at once; wait for it rather
			// than return an exit code.
			time.Sleep(time.Second)
			return
		}
	}
}

// isTerminal reports whether f is a terminal.
func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// selfPath is the nsh program, for the children that run a block in the
// background.
func selfPath() string { return "/proc/self/exe" }
