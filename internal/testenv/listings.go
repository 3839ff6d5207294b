package testenv

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// A ListingWatch lists a directory in a loop, from two goroutines, while
// a test changes what the directory shows (rebuilding a union), and
// checks that every listing is one whole state, never a mix.
type ListingWatch struct {
	stop  atomic.Bool
	reads atomic.Int64
	wg    sync.WaitGroup
	errs  chan error
}

// WatchListings starts listing dir. states holds the listings allowed:
// the names of the entries, in the order os.ReadDir gives them (sorted),
// joined by spaces.
func WatchListings(dir string, states map[string]bool) *ListingWatch {
	w := &ListingWatch{errs: make(chan error, 2)}
	for range 2 {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			for !w.stop.Load() {
				ents, err := os.ReadDir(dir)
				if err != nil {
					w.errs <- err
					return
				}
				names := make([]string, len(ents))
				for i, e := range ents {
					names[i] = e.Name()
				}
				if !states[strings.Join(names, " ")] {
					w.errs <- fmt.Errorf("a reader of %s saw %q", dir, names)
					return
				}
				w.reads.Add(1)
			}
		}()
	}
	return w
}

// Stop stops the readers and fails t for every listing that was not a
// whole state, and if the readers never listed the directory at all. It
// returns how many listings they made.
func (w *ListingWatch) Stop(t testing.TB) int64 {
	t.Helper()
	w.stop.Store(true)
	w.wg.Wait()
	close(w.errs)
	for err := range w.errs {
		t.Error(err)
	}
	n := w.reads.Load()
	if n == 0 {
		t.Error("the readers never listed the directory")
	}
	return n
}
