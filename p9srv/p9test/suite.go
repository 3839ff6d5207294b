package p9test

import (
	"sort"
	"testing"

	"github.com/hugelgupf/p9/fsimpl/test"
	"github.com/hugelgupf/p9/p9"
)

// ReadOnlyFS runs test.TestReadOnlyFS on a in process and over the
// wire, and fails unless the suite walked to every entry it listed and
// listed at least minEntries names.
func ReadOnlyFS(t *testing.T, a p9.Attacher, minEntries int, expect ...test.Expect) {
	t.Run("in-process", func(t *testing.T) {
		w := NewWatch(a)
		test.TestReadOnlyFS(t, w, expect...)
		checkWalked(t, w, minEntries)
	})
	t.Run("wire", func(t *testing.T) {
		w := NewWatch(Wire(t, a))
		test.TestReadOnlyFS(t, w, expect...)
		checkWalked(t, w, minEntries)
	})
}

// WritableFS runs test.TestFile on an empty writable directory in
// process and over the wire; fresh returns a new empty tree each time.
func WritableFS(t *testing.T, fresh func(t *testing.T) p9.Attacher) {
	t.Run("in-process", func(t *testing.T) {
		w := NewWatch(fresh(t))
		test.TestFile(t, w)
		// TestFile creates file2 and must then have walked to it.
		checkWalked(t, w, 1)
	})
	t.Run("wire", func(t *testing.T) {
		w := NewWatch(Wire(t, fresh(t)))
		test.TestFile(t, w)
		checkWalked(t, w, 1)
	})
}

func checkWalked(t *testing.T, w *Watch, minEntries int) {
	t.Helper()
	if n := w.Listed(); n < minEntries {
		t.Errorf("the suite listed %d entries, want at least %d: its readdir-walk subtests did not run", n, minEntries)
	}
	if u := w.Unwalked(); len(u) > 0 {
		sort.Strings(u)
		t.Errorf("the suite listed but never walked to %v", u)
	}
}
