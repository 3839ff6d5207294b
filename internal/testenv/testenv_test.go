package testenv

import (
	"strings"
	"testing"
)

func TestInCI(t *testing.T) {
	for _, c := range []struct {
		v    string
		want bool
	}{{"true", true}, {"1", true}, {"", false}, {"false", false}, {"no", false}} {
		t.Setenv("CI", c.v)
		if got := InCI(); got != c.want {
			t.Errorf("CI=%q: InCI() = %v, want %v", c.v, got, c.want)
		}
	}
}

func TestNeedFailsInCI(t *testing.T) {
	t.Setenv("CI", "true")
	ft := &fakeTB{}
	func() {
		defer func() { recover() }()
		Need(ft, false, "something")
	}()
	if !ft.failed || ft.skipped {
		t.Errorf("in CI a missing prerequisite must fail, not skip: failed=%v skipped=%v", ft.failed, ft.skipped)
	}
	t.Setenv("CI", "")
	ft = &fakeTB{}
	func() {
		defer func() { recover() }()
		Need(ft, false, "something")
	}()
	if ft.failed || !ft.skipped {
		t.Errorf("outside CI a missing prerequisite must skip: failed=%v skipped=%v", ft.failed, ft.skipped)
	}
}

// fakeTB records Fatalf and Skipf; both stop the caller with a panic, as
// the real ones stop it with runtime.Goexit.
type fakeTB struct {
	testing.TB
	failed, skipped bool
}

func (f *fakeTB) Helper()               {}
func (f *fakeTB) Fatalf(string, ...any) { f.failed = true; panic("fatal") }
func (f *fakeTB) Skipf(string, ...any)  { f.skipped = true; panic("skip") }

func TestSyncBuffer(t *testing.T) {
	var b SyncBuffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 1000 {
			b.Write([]byte("ab"))
		}
	}()
	for range 1000 {
		_ = b.String() // reads while the writer writes (go test -race)
		_ = b.Len()
	}
	<-done
	if b.Len() != 2000 || b.String() != strings.Repeat("ab", 1000) {
		t.Errorf("after 1000 writes of %q: Len %d, String %.20q...", "ab", b.Len(), b.String())
	}
}
