package edit

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func writeRecords(t testing.TB, path string, n int) {
	t.Helper()
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "echo %d\n", i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

func countLines(t testing.TB, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(data), "\n")
}

func TestLoadHistoryMissing(t *testing.T) {
	cmds, err := loadHistory(filepath.Join(t.TempDir(), "none"))
	if err != nil || cmds != nil {
		t.Fatalf("loadHistory of a missing file = %q, %v", cmds, err)
	}
}

func TestLoadHistoryUnreadable(t *testing.T) {
	_, err := loadHistory(t.TempDir()) // a directory
	if err == nil || !strings.HasPrefix(err.Error(), "history: ") {
		t.Fatalf("loadHistory of a directory: err = %v, want a history: error", err)
	}
}

func TestLoadHistoryKeepsLast(t *testing.T) {
	for _, tt := range []struct {
		records, wantLines int
	}{
		{10, 10},
		{1500, 1500},                      // over the limit, not enough to rewrite
		{historyTrimAt, historyTrimAt},    // exactly at the threshold: kept
		{historyTrimAt + 1, HistoryLimit}, // over it: trimmed
		{50000, HistoryLimit},             // long: read from the end, trimmed
	} {
		t.Run(fmt.Sprint(tt.records), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "history")
			writeRecords(t, path, tt.records)
			cmds, err := loadHistory(path)
			if err != nil {
				t.Fatal(err)
			}
			want := min(tt.records, HistoryLimit)
			if len(cmds) != want {
				t.Fatalf("loaded %d commands, want %d", len(cmds), want)
			}
			if last := fmt.Sprintf("echo %d", tt.records-1); cmds[len(cmds)-1] != last {
				t.Errorf("last command %q, want %q", cmds[len(cmds)-1], last)
			}
			if first := fmt.Sprintf("echo %d", tt.records-want); cmds[0] != first {
				t.Errorf("first command %q, want %q", cmds[0], first)
			}
			if n := countLines(t, path); n != tt.wantLines {
				t.Errorf("file has %d lines after loading, want %d", n, tt.wantLines)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("file mode %v, want 0600", fi.Mode().Perm())
			}
		})
	}
}

func TestAppendHistory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "nsh")
	path := filepath.Join(dir, "history")
	cmds := []string{"echo one", "for(i in a b){\necho $i\n}", "a\xffb", `grep '\n' x`}
	for _, c := range cmds {
		if err := appendHistory(path, c); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "echo one\nfor(i in a b){\\necho $i\\n}\na\\xffb\ngrep '\\\\n' x\n"
	if string(data) != want {
		t.Errorf("file holds %q, want %q", data, want)
	}
	got, err := loadHistory(path)
	if err != nil || !reflect.DeepEqual(got, cmds) {
		t.Errorf("loadHistory = %q, %v; want %q", got, err, cmds)
	}
	for p, mode := range map[string]os.FileMode{path: 0o600, dir: 0o700, filepath.Dir(dir): 0o700} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != mode {
			t.Errorf("%s: mode %v, want %v", p, fi.Mode().Perm(), mode)
		}
	}
}

func TestAppendHistoryAfterCutRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history")
	if err := os.WriteFile(path, []byte("echo whole\necho cut sh"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := appendHistory(path, "echo next"); err != nil {
		t.Fatal(err)
	}
	got, err := loadHistory(path)
	want := []string{"echo whole", "echo cut sh", "echo next"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("loadHistory = %q, %v; want %q", got, err, want)
	}
}

func TestAppendHistoryUnwritable(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "history")
	if err := os.Mkdir(path, 0o700); err != nil { // a directory in the way
		t.Fatal(err)
	}
	err := appendHistory(path, "echo x")
	if err == nil || !strings.HasPrefix(err.Error(), "history: "+path+": ") {
		t.Fatalf("appendHistory onto a directory: err = %v", err)
	}
}

// TestHistoryConcurrentSessions appends from several sessions while
// others load (and so trim) the same file: no command may be lost or torn.
func TestHistoryConcurrentSessions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history")
	writeRecords(t, path, 3*historyTrimAt) // every load wants to trim
	const writers, each = 4, 100
	var wg sync.WaitGroup
	errs := make(chan error, writers*each+100)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if err := appendHistory(path, fmt.Sprintf("session %d command %d\nsecond line", w, i)); err != nil {
					errs <- err
				}
			}
		}()
	}
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				if _, err := loadHistory(path); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	seen := map[string]bool{}
	for _, l := range lines {
		seen[l] = true
	}
	for w := range writers {
		for i := range each {
			rec := encodeRecord(fmt.Sprintf("session %d command %d\nsecond line", w, i))
			if !seen[rec] {
				t.Errorf("record %q lost", rec)
			}
		}
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "echo ") && !strings.HasSuffix(l, `\nsecond line`) {
			t.Errorf("torn record %q", l)
		}
	}
}

func TestDefaultHistoryFile(t *testing.T) {
	t.Setenv("HOME", "/home/glenda")
	t.Setenv("XDG_STATE_HOME", "")
	if p, err := DefaultHistoryFile(); err != nil || p != "/home/glenda/.local/state/nsh/history" {
		t.Errorf("DefaultHistoryFile() = %q, %v", p, err)
	}
	t.Setenv("XDG_STATE_HOME", "/var/state")
	if p, err := DefaultHistoryFile(); err != nil || p != "/var/state/nsh/history" {
		t.Errorf("with XDG_STATE_HOME: DefaultHistoryFile() = %q, %v", p, err)
	}
	t.Setenv("XDG_STATE_HOME", "relative/state") // ignored, as the spec says
	if p, err := DefaultHistoryFile(); err != nil || p != "/home/glenda/.local/state/nsh/history" {
		t.Errorf("with a relative XDG_STATE_HOME: DefaultHistoryFile() = %q, %v", p, err)
	}
	t.Setenv("HOME", "")
	if _, err := DefaultHistoryFile(); err == nil {
		t.Error("DefaultHistoryFile() with no HOME: no error")
	}
}
