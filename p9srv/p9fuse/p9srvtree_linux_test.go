package p9fuse

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"nsh.dev/nsh/p9srv"
)

// p9srvTree is a synthetic tree made with p9srv's framework, as nsh's
// own servers are:
//
//	time      each open reads "tick N\n"
//	ctl       "echo CMD > ctl" makes status CMD and sends CMD as an event
//	events    a read waits for the next event
//	many/     manyFiles empty files f00000 ...
func p9srvTree() *p9srv.Dir {
	var ticks atomic.Int64
	var mu sync.Mutex
	status := ""
	ev := p9srv.NewEvents()
	many := p9srv.NewDir()
	for i := range manyFiles {
		many.Add(fmt.Sprintf("f%05d", i), p9srv.StaticFile(""))
	}
	return p9srv.NewDir(
		p9srv.E("time", p9srv.ReadFile(func() ([]byte, error) {
			return fmt.Appendf(nil, "tick %d\n", ticks.Add(1)), nil
		})),
		p9srv.E("ctl", p9srv.CtlFile(func(_ context.Context, cmd string) error {
			mu.Lock()
			status = cmd + "\n"
			mu.Unlock()
			ev.Send([]byte(cmd + "\n"))
			return nil
		}, func() string {
			mu.Lock()
			defer mu.Unlock()
			return status
		})),
		p9srv.E("events", ev.File()),
		p9srv.E("many", many),
	)
}
