package bind

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkBind measures a plain bind onto a fresh directory; bench/ns
// compares it with the raw system calls.
func BenchmarkBind(b *testing.B) {
	needSession(b)
	n := Session()
	d := b.TempDir()
	src := filepath.Join(d, "src")
	os.Mkdir(src, 0o755)
	var targets []string
	for i := range b.N {
		p := filepath.Join(d, fmt.Sprint(i))
		os.Mkdir(p, 0o755)
		targets = append(targets, p)
	}
	b.ResetTimer()
	for i := range b.N {
		if err := n.Bind(src, targets[i], 0); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	n.Clear()
}

// BenchmarkUnionAppend10 measures bind -a onto a union of 10 members.
func BenchmarkUnionAppend10(b *testing.B) {
	needSession(b)
	n := Session()
	d := b.TempDir()
	target := filepath.Join(d, "t")
	os.Mkdir(target, 0o755)
	for i := 1; i < 10; i++ {
		m := filepath.Join(d, fmt.Sprint(i))
		os.Mkdir(m, 0o755)
		if err := n.Bind(m, target, After); err != nil {
			b.Fatal(err)
		}
	}
	extra := filepath.Join(d, "extra")
	os.Mkdir(extra, 0o755)
	b.ResetTimer()
	for range b.N {
		if err := n.Bind(extra, target, After); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := n.Unmount(extra, target); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.StopTimer()
	n.Clear()
}
