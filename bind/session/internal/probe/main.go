//go:build linux

// Command probe reports what session creation did to the process it runs
// in, for the session package's tests: one "key value" line per fact.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"

	"nsh.dev/nsh/bind/session"
)

func main() {
	fmt.Printf("created %v\n", session.Created())
	fmt.Printf("rootless %v\n", session.Rootless())
	fmt.Printf("shared %v\n", session.Shared())
	fmt.Printf("helper %v\n", session.Helper())
	fmt.Printf("err %v\n", session.Err())
	fmt.Printf("uid %d\n", os.Getuid())
	ns, _ := os.Readlink("/proc/self/ns/mnt")
	fmt.Printf("mntns %s\n", ns)
	user, _ := os.Readlink("/proc/self/ns/user")
	fmt.Printf("userns %s\n", user)
	fmt.Printf("capeff %s\n", capEff("/proc/self/status"))
	// A child reports its own view: the uid and capabilities programs
	// started by the session get.
	out, err := exec.Command("/bin/sh", "-c", `echo "childuid $(id -u)"; grep CapEff /proc/self/status | tr -d '\t' | sed 's/CapEff:/childcapeff /'; grep CapAmb /proc/self/status | tr -d '\t' | sed 's/CapAmb:/childcapamb /'; readlink /proc/self/ns/mnt | sed 's/^/childmntns /'; if mount -t tmpfs nshprobe /mnt 2>/dev/null; then echo "childmount ok"; else echo "childmount failed"; fi`).CombinedOutput()
	if err != nil {
		fmt.Printf("childerr %v %s\n", err, out)
	}
	os.Stdout.Write(out)
	if os.Getenv("PROBE_NESTED") != "" {
		// Start this program again the way nsh starts itself: with
		// CAP_SYS_ADMIN as an ambient capability and --share.
		cmd := exec.Command("/proc/self/exe", "--share")
		cmd.Env = append(os.Environ(), "PROBE_NESTED=")
		cmd.SysProcAttr = &syscall.SysProcAttr{AmbientCaps: []uintptr{capSysAdmin}}
		out, err := cmd.CombinedOutput()
		if err != nil {
			fmt.Printf("nestederr %v\n", err)
		}
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			fmt.Printf("nested%s\n", l)
		}
	}
}

// capSysAdmin is CAP_SYS_ADMIN's number.
const capSysAdmin = 21

func capEff(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "?"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "CapEff:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}
