package bind

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"
)

// openPath resolves an absolute path once, to an O_PATH descriptor; every
// later step acts on the descriptor, so a symlink swapped in afterwards
// cannot redirect it. Magic links (/proc/PID/fd/N) are refused: they could
// name anything.
func openPath(path string) (int, error) {
	if !filepath.IsAbs(path) {
		return -1, &PathError{Path: path, Err: errors.New("not an absolute path")}
	}
	fd, err := unix.Openat2(unix.AT_FDCWD, path, &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_NO_MAGICLINKS,
	})
	if err != nil {
		return -1, &PathError{Path: path, Err: err}
	}
	return fd, nil
}

// openBeneath resolves name inside the directory dirfd without leaving it,
// following no symlinks and crossing no mount.
func openBeneath(dirfd int, name string) (int, error) {
	if name == "" {
		name = "."
	}
	return unix.Openat2(dirfd, name, &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_XDEV | unix.RESOLVE_NO_MAGICLINKS,
	})
}

// fileInfo is what nsh needs to know about a resolved path.
type fileInfo struct {
	dir       bool
	dev       string // major:minor, as mountinfo writes it
	ino       uint64
	mountRoot bool   // the path is the root of a mount
	mntID     uint64 // the mount's id (as in mountinfo)
}

// same reports whether a and b are the same file.
func (a fileInfo) same(b fileInfo) bool { return a.dev == b.dev && a.ino == b.ino }

func statFd(fd int) (fileInfo, error) {
	var st unix.Statx_t
	err := unix.Statx(fd, "", unix.AT_EMPTY_PATH|unix.AT_STATX_DONT_SYNC,
		unix.STATX_TYPE|unix.STATX_INO|unix.STATX_MNT_ID, &st)
	if err != nil {
		return fileInfo{}, err
	}
	return fileInfo{
		dir:       st.Mode&unix.S_IFMT == unix.S_IFDIR,
		dev:       strconv.FormatUint(uint64(st.Dev_major), 10) + ":" + strconv.FormatUint(uint64(st.Dev_minor), 10),
		ino:       st.Ino,
		mountRoot: st.Attributes_mask&unix.STATX_ATTR_MOUNT_ROOT != 0 && st.Attributes&unix.STATX_ATTR_MOUNT_ROOT != 0,
		mntID:     st.Mnt_id,
	}, nil
}

// uniqueMountID returns the 64-bit id of the mount fd is on, which the
// kernel never reuses (unlike the ids mountinfo shows).
func uniqueMountID(fd int) (uint64, error) {
	var st unix.Statx_t
	if err := unix.Statx(fd, "", unix.AT_EMPTY_PATH|unix.AT_STATX_DONT_SYNC, unix.STATX_MNT_ID_UNIQUE, &st); err != nil {
		return 0, err
	}
	if st.Mask&unix.STATX_MNT_ID_UNIQUE == 0 {
		return 0, errors.New("kernel without unique mount ids (Linux 6.8 or later needed)")
	}
	return st.Mnt_id, nil
}

// errLockedBelow explains why a directory cannot be a union member in a
// rootless session.
var errLockedBelow = errors.New("has mounts below it that a rootless session may not uncover, so it cannot be a union member (overlayfs would show the directory without them)")

// cloneTree makes a detached copy of the mount tree at fd (open_tree
// OPEN_TREE_CLONE), with what is mounted below it if recursive. In a user
// namespace the kernel refuses a copy without the mounts below that came
// from the host (locked mounts): it would uncover what they hide.
func cloneTree(fd int, recursive bool) (int, error) {
	flags := uint(unix.OPEN_TREE_CLONE | unix.O_CLOEXEC | unix.AT_EMPTY_PATH)
	if recursive {
		flags |= unix.AT_RECURSIVE
	}
	t, err := unix.OpenTree(fd, "", flags)
	if err == unix.EINVAL && !recursive {
		return -1, errLockedBelow
	}
	if err != nil {
		return -1, fmt.Errorf("open_tree: %w", err)
	}
	return t, nil
}

// moveMount attaches the mount tree from onto the directory or file to.
func moveMount(from, to int) error {
	if err := unix.MoveMount(from, "", to, "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH); err != nil {
		return fmt.Errorf("move_mount: %w", err)
	}
	return nil
}

// fdPath names a descriptor through /proc, for the calls that take only a
// path (umount2) or to learn the kernel's name for it.
func fdPath(fd int) string {
	return "/proc/thread-self/fd/" + strconv.Itoa(fd)
}

// realPath returns the kernel's name for what fd refers to.
func realPath(fd int) (string, error) {
	return os.Readlink(fdPath(fd))
}

// readMountinfo reads the mount table of the calling thread's namespace.
func readMountinfo() (*mountTable, error) {
	b, err := os.ReadFile("/proc/thread-self/mountinfo")
	if err != nil {
		return nil, err
	}
	return parseMountinfo(string(b))
}

// mntIDReq is the kernel's struct mnt_id_req for listmount(2).
type mntIDReq struct {
	size    uint32
	spare   uint32
	mntID   uint64
	param   uint64
	mntNsID uint64
}

// hasChildren reports whether anything is mounted on the mount with the
// given unique id (listmount, Linux 6.8), without reading mountinfo.
func hasChildren(uniqueID uint64) (bool, error) {
	req := mntIDReq{size: uint32(unsafe.Sizeof(mntIDReq{})), mntID: uniqueID}
	var ids [1]uint64
	n, _, errno := unix.Syscall6(unix.SYS_LISTMOUNT, uintptr(unsafe.Pointer(&req)),
		uintptr(unsafe.Pointer(&ids[0])), 1, 0, 0, 0)
	if errno != 0 {
		return false, errno
	}
	return n > 0, nil
}
