package session

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
)

// stage names the step of session creation that failed.
type stage int

const (
	stageNone stage = iota
	stageUnshareNS
	stageUnshareUser
	stageSetgroups
	stageUIDMap
	stageGIDMap
	stageSlave
)

var stageNames = map[stage]string{
	stageUnshareNS:   "unshare(CLONE_NEWNS)",
	stageUnshareUser: "unshare(CLONE_NEWUSER|CLONE_NEWNS)",
	stageSetgroups:   "writing /proc/self/setgroups",
	stageUIDMap:      "writing /proc/self/uid_map",
	stageGIDMap:      "writing /proc/self/gid_map",
	stageSlave:       "making / a recursive slave mount",
}

// readSysctl returns the trimmed value of a sysctl, or "" if it does not
// exist on this kernel.
var readSysctl = func(name string) string {
	b, err := os.ReadFile("/proc/sys/" + strings.ReplaceAll(name, ".", "/"))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// explain turns a failed stage into an error that says why and names the
// setting to change.
func explain(s stage, errno syscall.Errno) error {
	msg := fmt.Sprintf("cannot create a session: %s: %v", stageNames[s], errno)
	if hint := hint(s, errno); hint != "" {
		msg += "; " + hint
	}
	msg += " (nsh --share runs without a session of its own)"
	return errors.New(msg)
}

func hint(s stage, errno syscall.Errno) string {
	switch s {
	case stageUnshareUser:
		if errno == syscall.ENOSPC || errno == syscall.EUSERS {
			return "the limit on user namespaces is reached or zero: raise it with sysctl user.max_user_namespaces=" + suggestMax()
		}
		if errno == syscall.EPERM || errno == syscall.EACCES {
			var hints []string
			if readSysctl("kernel.unprivileged_userns_clone") == "0" {
				hints = append(hints, "unprivileged user namespaces are disabled: enable them with sysctl kernel.unprivileged_userns_clone=1")
			}
			if readSysctl("user.max_user_namespaces") == "0" {
				hints = append(hints, "user namespaces are disabled: enable them with sysctl user.max_user_namespaces="+suggestMax())
			}
			if readSysctl("kernel.apparmor_restrict_unprivileged_userns") == "1" {
				hints = append(hints, "AppArmor restricts unprivileged user namespaces: allow them with sysctl kernel.apparmor_restrict_unprivileged_userns=0 or an AppArmor profile for nsh")
			}
			if len(hints) == 0 {
				return "user namespaces are not permitted here (a container's seccomp policy, or sysctls user.max_user_namespaces / kernel.unprivileged_userns_clone)"
			}
			return strings.Join(hints, "; ")
		}
	case stageSetgroups, stageUIDMap, stageGIDMap:
		if readSysctl("kernel.apparmor_restrict_unprivileged_userns") == "1" {
			return "AppArmor restricts unprivileged user namespaces: allow them with sysctl kernel.apparmor_restrict_unprivileged_userns=0 or an AppArmor profile for nsh"
		}
		return "the user namespace refused the uid/gid map (check kernel.apparmor_restrict_unprivileged_userns and any LSM policy)"
	case stageUnshareNS:
		return "creating a mount namespace needs CAP_SYS_ADMIN"
	}
	return ""
}

func suggestMax() string {
	return "15000"
}
