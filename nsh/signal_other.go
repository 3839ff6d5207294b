//go:build !linux

package nsh

import (
	"os"
	"os/signal"
	"sync"

	"nsh.dev/nsh/nsh/interp"
)

type signalState struct {
	c    chan os.Signal
	once sync.Once
}

func notifySignals(in *interp.Interp, interactive bool) *signalState {
	s := &signalState{c: make(chan os.Signal, 4)}
	signal.Notify(s.c, os.Interrupt)
	go func() {
		for range s.c {
			in.Notify("sigint")
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

func raise(name string) {}

func isTerminal(f *os.File) bool { return false }

func selfPath() string {
	p, _ := os.Executable()
	return p
}
