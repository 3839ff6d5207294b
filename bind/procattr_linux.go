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
// block, the 9P bridge) gets the capabilities this process holds in the
// session's user namespace as ambient capabilities, so that it can edit the
// session's namespace (its own start clears the ambient set again, so the
// commands it runs get none); a background command gets a process group of
// its own. It returns nil when neither applies.
//
// CAP_SYS_ADMIN alone is not enough: overlayfs does its work as the
// process that mounts, in a work directory it makes mode 000, which takes
// CAP_DAC_OVERRIDE. Inside the user namespace these capabilities reach no
// further than the user's own files.
func SysProcAttrFor(path string, background bool) *syscall.SysProcAttr {
	var a *syscall.SysProcAttr
	if background {
		a = &syscall.SysProcAttr{Setpgid: true}
	}
	if caps := ambientCaps(); caps != nil && isSelf(path) {
		if a == nil {
			a = &syscall.SysProcAttr{}
		}
		a.AmbientCaps = caps
	}
	return a
}

// ambientCaps returns, in a rootless session (this process holds
// CAP_SYS_ADMIN without being root), the capabilities it holds, to be
// passed to one of nsh's own programs as ambient capabilities; nil
// otherwise.
func ambientCaps() []uintptr {
	caps := heldCaps()
	if os.Geteuid() == 0 || caps&(1<<capSysAdmin) == 0 {
		return nil
	}
	var list []uintptr
	for c := uintptr(0); c < 64; c++ {
		if caps&(1<<c) != 0 {
			list = append(list, c)
		}
	}
	return list
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

// heldCaps returns the process's effective capabilities (in its user
// namespace) as a bit set.
func heldCaps() uint64 {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return 0
	}
	return uint64(data[0].Effective) | uint64(data[1].Effective)<<32
}
