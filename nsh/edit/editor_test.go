package edit

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestEditorHistory(t *testing.T) {
	dir := t.TempDir()
	first := filepath.Join(dir, "first")
	if err := os.WriteFile(first, []byte("echo old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var warnings []error
	e, err := New(Config{HistoryFile: first, Warn: func(err error) { warnings = append(warnings, err) }})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if !reflect.DeepEqual(e.hist, []string{"echo old"}) {
		t.Fatalf("loaded %q", e.hist)
	}
	for _, c := range []string{"echo new", "echo new", "  \t", "", "echo old"} {
		e.remember(c)
	}
	data, _ := os.ReadFile(first)
	if want := "echo old\necho new\necho old\n"; string(data) != want {
		t.Errorf("history file holds %q, want %q (no blank or repeated commands)", data, want)
	}

	// No history: nothing is written anywhere, recall is empty.
	if err := e.SetHistoryFile(""); err != nil {
		t.Fatal(err)
	}
	e.remember("echo unrecorded")
	if data2, _ := os.ReadFile(first); string(data2) != string(data) {
		t.Errorf("with no history file, the old one changed to %q", data2)
	}
	if e.HistoryFile() != "" || !reflect.DeepEqual(e.hist, []string{"echo unrecorded"}) {
		t.Errorf("HistoryFile() = %q, recall %q", e.HistoryFile(), e.hist)
	}

	// A file that cannot be written is reported once, not per command.
	blocked := filepath.Join(dir, "file", "history") // under a plain file
	if err := os.WriteFile(filepath.Join(dir, "file"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := e.SetHistoryFile(blocked); err == nil {
		t.Error("SetHistoryFile of a file under a plain file: no error")
	}
	e.remember("echo a")
	e.remember("echo b")
	if len(warnings) != 1 {
		t.Errorf("warnings %q, want one", warnings)
	}
	if e.HistoryFile() != blocked || !reflect.DeepEqual(e.hist, []string{"echo a", "echo b"}) {
		t.Errorf("HistoryFile() = %q, recall %q", e.HistoryFile(), e.hist)
	}
}
