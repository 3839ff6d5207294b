package edit

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkCompleteCommand completes a command name against the real
// /usr/bin and /bin, the slowest completion: every directory on $path is
// listed for each Tab.
func BenchmarkCompleteCommand(b *testing.B) {
	names := &osNames{dir: "/", vars: map[string][]string{"path": {"/usr/bin", "/bin"}}}
	for b.Loop() {
		Complete("g", 1, names)
	}
}

// BenchmarkLoadHistory loads the last HistoryLimit commands of a history
// file as long as it gets without being trimmed.
func BenchmarkLoadHistory(b *testing.B) {
	path := filepath.Join(b.TempDir(), "history")
	writeRecords(b, path, historyTrimAt) // just under the threshold: no rewrite
	for b.Loop() {
		if _, err := loadHistory(path); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := os.Stat(path); err != nil {
		b.Fatal(err)
	}
}
