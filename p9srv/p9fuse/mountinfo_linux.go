package p9fuse

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strings"

	"golang.org/x/sys/unix"

	"nsh.dev/nsh/internal/mountinfo"
)

// mountsOfDev lists the mount points in this mount namespace where the
// file system with device number dev is mounted, deepest first: the
// bridge's own mount, wherever it has been moved, and any binds of it.
func mountsOfDev(dev uint64) ([]string, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	want := fmt.Sprintf("%d:%d", unix.Major(dev), unix.Minor(dev))
	var points []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		// id parent major:minor root mountpoint options ... - fstype source superopts
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 || fields[2] != want {
			continue
		}
		points = append(points, mountinfo.Unescape(fields[4]))
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(points, func(i, j int) bool {
		return strings.Count(points[i], "/") > strings.Count(points[j], "/")
	})
	return points, nil
}

// unmountDev removes every mount of device dev in this namespace: a
// plain unmount where nothing holds it, else a lazy one, so that the
// mount disappears from view at once either way. A mount point is only
// unmounted after checking it still is the device's.
func unmountDev(dev uint64) error {
	points, err := mountsOfDev(dev)
	if err != nil {
		return err
	}
	var first error
	for _, p := range points {
		// AT_STATX_DONT_SYNC answers from what the kernel knows,
		// without asking the (possibly dead) bridge.
		var stx unix.Statx_t
		err := unix.Statx(unix.AT_FDCWD, p, unix.AT_SYMLINK_NOFOLLOW|unix.AT_STATX_DONT_SYNC, 0, &stx)
		if err == nil && unix.Mkdev(stx.Dev_major, stx.Dev_minor) != dev {
			continue
		}
		if err := unix.Unmount(p, 0); err == nil {
			continue
		}
		if err := unix.Unmount(p, unix.MNT_DETACH); err != nil && first == nil {
			first = fmt.Errorf("unmount %s: %w", p, err)
		}
	}
	return first
}
