package main

import (
	"fmt"
	"io"
)

// modeResult holds the figures of one mount mode.
type modeResult struct {
	cache               bool
	native, p9srv, diod results
}

// report prints one table per mount mode, with the ratios the targets
// are stated in: p9srv at least as fast as diod on every figure, and a
// sequential read through the bridge at least 40% of a native one.
func report(w io.Writer, modes []modeResult) {
	for _, m := range modes {
		native := m.native
		title := "mount (no caching: entry and attribute TTL 0, direct I/O)"
		if m.cache {
			title = "mount -C (1 s TTLs, page cache; the file's pages are dropped before each read)"
		}
		fmt.Fprintf(w, "\n%s\n", title)
		fmt.Fprintf(w, "%-22s %12s %12s %12s %14s %12s\n", "", "native", "p9srv", "diod", "p9srv/native", "p9srv/diod")
		row := func(name string, n, p, d float64) {
			fmt.Fprintf(w, "%-22s %12.0f %12.0f %12.0f %13.1f%% %11.2fx\n", name, n, p, d, 100*p/n, p/d)
		}
		row("seq read MiB/s", native.seqMiBps, m.p9srv.seqMiBps, m.diod.seqMiBps)
		row("stat/s", native.statPerSec, m.p9srv.statPerSec, m.diod.statPerSec)
		row("open+read 4K+close/s", native.openPerSec, m.p9srv.openPerSec, m.diod.openPerSec)
		verdict := func(ok bool) string {
			if ok {
				return "met"
			}
			return "MISSED"
		}
		fmt.Fprintf(w, "targets: p9srv >= diod on every figure: %s; seq read >= 40%% of native: %s\n",
			verdict(m.p9srv.seqMiBps >= m.diod.seqMiBps && m.p9srv.statPerSec >= m.diod.statPerSec && m.p9srv.openPerSec >= m.diod.openPerSec),
			verdict(m.p9srv.seqMiBps >= 0.4*native.seqMiBps))
	}
}
