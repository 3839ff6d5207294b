package bind

import (
	"os"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// capSysAdmin is CAP_SYS_ADMIN's number.
const capSysAdmin = 21

// SysProcAttrFor returns the process attributes for starting the program at
// path: in a rootless session, nsh's own binary (a nested nsh, a background
// block, the 9P bridge) gets CAP_SYS_ADMIN as an ambient capability so that
// it can edit the session's namespace (its own start clears the ambient set
// again, so the commands it runs get none); a background command gets a
// process group of its own. It returns nil when neither applies.
func SysProcAttrFor(path string, background bool) *syscall.SysProcAttr {
	var a *syscall.SysProcAttr
	if background {
		a = &syscall.SysProcAttr{Setpgid: true}
	}
	if os.Geteuid() != 0 && holdsSysAdmin() && isSelf(path) {
		if a == nil {
			a = &syscall.SysProcAttr{}
		}
		a.AmbientCaps = []uintptr{capSysAdmin}
	}
	return a
}

var self struct {
	once sync.Once
	dev  uint64
	ino  uint64
	ok   bool
}

// isSelf reports whether path is the running program's file (same device
// and inode as /proc/self/exe).
func isSelf(path string) bool {
	self.once.Do(func() {
		var st unix.Stat_t
		if unix.Stat("/proc/self/exe", &st) == nil {
			self.dev, self.ino, self.ok = st.Dev, st.Ino, true
		}
	})
	var st unix.Stat_t
	if !self.ok || unix.Stat(path, &st) != nil {
		return false
	}
	return st.Dev == self.dev && st.Ino == self.ino
}

// holdsSysAdmin reports whether the process has CAP_SYS_ADMIN in its
// effective set (in its user namespace).
func holdsSysAdmin() bool {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return false
	}
	return data[0].Effective&(1<<capSysAdmin) != 0
}
