package main

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// nsh starts for every session and every script, and is linked
// statically: it must not carry the 9P bridge (a FUSE file system and a
// 9P client, whose package initialisation costs every start) nor the C
// lookups of os/user and net, which a static C library cannot serve.
func TestStartupDependencies(t *testing.T) {
	gotool := filepath.Join(runtime.GOROOT(), "bin", "go")
	out, err := exec.Command(gotool, "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps listed only %q", deps)
	}
	for _, d := range deps {
		for _, banned := range []string{"github.com/hanwen/go-fuse", "github.com/hugelgupf/p9", "nsh.dev/nsh/p9srv", "os/user", "net"} {
			if d == banned || strings.HasPrefix(d, banned+"/") {
				t.Errorf("nsh depends on %s", d)
			}
		}
	}
}
