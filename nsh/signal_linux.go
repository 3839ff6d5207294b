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
	mu   sync.Mutex
	got  map[string]syscall.Signal
}

var signalNames = map[syscall.Signal]string{
	syscall.SIGHUP:  "sighup",
	syscall.SIGINT:  "sigint",
	syscall.SIGTERM: "sigterm",
	syscall.SIGQUIT: "sigquit",
}

func notifySignals(in *interp.Interp, interactive bool) *signalState {
	s := &signalState{c: make(chan os.Signal, 4), got: map[string]syscall.Signal{}}
	signal.Notify(s.c, syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM, syscall.SIGQUIT)
	go func() {
		for sig := range s.c {
			ss, ok := sig.(syscall.Signal)
			if !ok {
				continue
			}
			name := signalNames[ss]
			s.mu.Lock()
			s.got[name] = ss
			s.mu.Unlock()
			in.Notify(name)
		}
	}()
	return s
}

// received returns the signal called status if the shell received it.
func (s *signalState) received(status string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.got[status]; ok {
		return status
	}
	return ""
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
