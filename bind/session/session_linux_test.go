//go:build linux && cgo

package session

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"nsh.dev/nsh/internal/testenv"
)

func TestWantsShare(t *testing.T) {
	tests := []struct {
		args []string
		want bool
	}{
		{[]string{"nsh"}, false},
		{[]string{"nsh", "--share"}, true},
		{[]string{"nsh", "-e", "--share", "-c", "true"}, true},
		{[]string{"nsh", "-ex", "--share"}, true},
		{[]string{"nsh", "-n", "--share"}, true},
		{[]string{"nsh", "-Ih", "--share"}, true},
		{[]string{"nsh", "--norc", "--share"}, true},
		{[]string{"nsh", "--ns", "--share"}, false},
		{[]string{"nsh", "--ns", "f", "--share"}, true},
		{[]string{"nsh", "--ns=f", "--share"}, true},
		{[]string{"nsh", "-c", "--share"}, false},
		{[]string{"nsh", "-c", "bind a b", "--share"}, false},
		{[]string{"nsh", "-ec", "x", "--share"}, false},
		{[]string{"nsh", "script", "--share"}, false},
		{[]string{"nsh", "--", "--share"}, false},
		{[]string{"nsh", "-", "--share"}, false},
		{[]string{"nsh", "-q", "--share"}, false},
		{[]string{"nsh", "--version", "--share"}, true},
		{[]string{"bind.test", "-test.run=X", "--share"}, false},
	}
	for _, tt := range tests {
		if got := wantsShare(tt.args); got != tt.want {
			t.Errorf("wantsShare(%q) = %v, want %v", tt.args, got, tt.want)
		}
	}
}

// buildProbe builds the probe program into a directory every user can
// reach.
func buildProbe(t *testing.T) string {
	t.Helper()
	dir := testenv.PublicTempDir(t, "nsh-session-test-")
	exe := filepath.Join(dir, "probe")
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	out, err := exec.Command(gobin, "build", "-o", exe, "./internal/probe").CombinedOutput()
	if err != nil {
		t.Fatalf("building probe: %v\n%s", err, out)
	}
	return exe
}

// facts runs the probe and returns its "key value" lines as a map.
func facts(t *testing.T, cmd *exec.Cmd) map[string]string {
	t.Helper()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", cmd.Args, err, out)
	}
	m := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		k, v, _ := strings.Cut(l, " ")
		m[k] = v
	}
	return m
}

func expect(t *testing.T, m map[string]string, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %q, want %q (all: %v)", k, m[k], v, m)
		}
	}
}

func TestSession(t *testing.T) {
	testenv.NeedRoot(t)
	probe := buildProbe(t)
	self, err := os.Readlink("/proc/self/ns/mnt")
	if err != nil {
		t.Fatal(err)
	}

	t.Run("root", func(t *testing.T) {
		m := facts(t, exec.Command(probe))
		expect(t, m, map[string]string{
			"created": "true", "rootless": "false", "err": "<nil>",
			"uid": "0", "childuid": "0", "childcapamb": "0000000000000000",
		})
		if m["mntns"] == self {
			t.Errorf("session kept the caller's mount namespace %s", self)
		}
		if m["childmntns"] != m["mntns"] {
			t.Errorf("child namespace %s differs from the session's %s", m["childmntns"], m["mntns"])
		}
	})
	t.Run("share", func(t *testing.T) {
		m := facts(t, exec.Command(probe, "-e", "--share", "-c", "x"))
		expect(t, m, map[string]string{"created": "false", "shared": "true", "mntns": self, "err": "<nil>"})
	})
	t.Run("helper", func(t *testing.T) {
		cmd := exec.Command(probe)
		cmd.Env = append(os.Environ(), "NSH_HELPER=9pfuse")
		expect(t, facts(t, cmd), map[string]string{"created": "false", "helper": "true", "mntns": self})
	})
	t.Run("rootless", func(t *testing.T) {
		cmd := exec.Command(probe)
		cmd.Env = append(os.Environ(), "PROBE_NESTED=1")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		m := facts(t, cmd)
		expect(t, m, map[string]string{
			"created": "true", "rootless": "true", "err": "<nil>",
			"uid": "65534", "capeff": "000001ffffffffff",
			// Commands keep the user's uid and hold no capabilities.
			"childuid": "65534", "childcapeff": "0000000000000000",
			"childcapamb": "0000000000000000", "childmount": "failed",
			// A nested nsh --share started with CAP_SYS_ADMIN keeps it
			// and the session, but its commands do not get it.
			"nestedcreated": "false", "nestedshared": "true",
			"nestedmntns": m["mntns"], "nestedcapeff": "0000000000200000",
			"nestedchilduid": "65534", "nestedchildcapeff": "0000000000000000",
			"nestedchildcapamb": "0000000000000000", "nestedchildmount": "failed",
		})
		if m["mntns"] == self {
			t.Errorf("rootless session kept the caller's mount namespace")
		}
		if m["childmntns"] != m["mntns"] {
			t.Errorf("child namespace %s differs from the session's %s", m["childmntns"], m["mntns"])
		}
	})
	t.Run("no-userns", func(t *testing.T) {
		// In a user namespace whose limit on further user namespaces is
		// zero, the error must say so and name the setting.
		cmd := exec.Command("/bin/sh", "-c", `echo 0 > /proc/sys/user/max_user_namespaces && exec setpriv --reuid 65534 --regid 65534 --clear-groups "$0"`, probe)
		cmd.SysProcAttr = &syscall.SysProcAttr{
			Cloneflags:  syscall.CLONE_NEWUSER,
			UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}, {ContainerID: 65534, HostID: 65534, Size: 1}},
			GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}, {ContainerID: 65534, HostID: 65534, Size: 1}},
			// setpriv --clear-groups calls setgroups.
			GidMappingsEnableSetgroups: true,
		}
		m := facts(t, cmd)
		expect(t, m, map[string]string{"created": "false"})
		for _, want := range []string{"unshare(CLONE_NEWUSER|CLONE_NEWNS)", "user.max_user_namespaces"} {
			if !strings.Contains(m["err"], want) {
				t.Errorf("error %q does not mention %q", m["err"], want)
			}
		}
	})
}
