package p9test

import (
	"fmt"

	"nsh.dev/nsh/p9srv/internal/wire"
)

// ReadDir lists the open directory fid through Treaddir requests of
// count bytes each, following the cookies, and returns every entry and
// the number of replies it took.
func (r *Raw) ReadDir(fid uint32, count uint32) ([]wire.Dirent, int) {
	r.t.Helper()
	var all []wire.Dirent
	var off uint64
	for replies := 1; ; replies++ {
		rep := r.RPC(&wire.Fcall{Type: wire.Treaddir, Tag: 4, Fid: fid, Offset: off, Count: count})
		if rep.Type != wire.Rreaddir {
			r.t.Fatalf("readdir at %d: got %v", off, rep)
		}
		if len(rep.Data) > int(count) {
			r.t.Fatalf("readdir returned %d bytes for count %d", len(rep.Data), count)
		}
		ents := wire.Dirents(rep.Data)
		if len(ents) == 0 {
			return all, replies
		}
		all = append(all, ents...)
		off = ents[len(ents)-1].Offset
		if replies > 1<<20 {
			r.t.Fatalf("readdir does not end")
		}
	}
}

// CheckNames fails unless ents are exactly want, each once, in any order.
func CheckNames(ents []wire.Dirent, want []string) error {
	seen := make(map[string]int)
	for _, e := range ents {
		seen[e.Name]++
	}
	for _, w := range want {
		if seen[w] != 1 {
			return fmt.Errorf("%q listed %d times, want once", w, seen[w])
		}
		delete(seen, w)
	}
	for n := range seen {
		return fmt.Errorf("%q listed but not expected", n)
	}
	return nil
}
