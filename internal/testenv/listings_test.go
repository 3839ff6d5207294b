package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// errorTB records Error calls.
type errorTB struct {
	fakeTB
	errors []string
}

func (e *errorTB) Error(args ...any) { e.errors = append(e.errors, fmt.Sprint(args...)) }

// A listing that is no whole state is reported, and whole ones are not.
func TestWatchListings(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	states := map[string]bool{"a": true}

	var good errorTB
	w := WatchListings(dir, states)
	time.Sleep(10 * time.Millisecond)
	if n := w.Stop(&good); n == 0 || len(good.errors) != 0 {
		t.Errorf("a directory in a whole state: %d listings, %d errors", n, len(good.errors))
	}

	var bad errorTB
	w = WatchListings(dir, states)
	if err := os.WriteFile(filepath.Join(dir, "b"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
	w.Stop(&bad)
	if !strings.Contains(strings.Join(bad.errors, "\n"), `saw ["a" "b"]`) {
		t.Errorf("a listing \"a b\", no allowed state, was not reported: %q", bad.errors)
	}
}
