package bind

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// SetupSession prepares a new session's namespace, once, early: a private
// writable tmpfs on /srv (mount source nsh-srv, mode 1777) for posted
// servers, and nsh's hidden staging directory /srv/.nsh under it, which
// will hold the record of the mounts the session started with (see
// ensureBaseline).
//
// A session started inside another (nested nsh) by the same user keeps the
// enclosing session's /srv, so that servers posted there stay reachable.
//
// If /srv does not exist, root creates it; an ordinary user cannot, and
// gets an error meant as a warning: the session works, but posting servers,
// unions and 9P mounts do not.
func SetupSession() error {
	editMu.Lock()
	defer editMu.Unlock()
	if setupDone {
		return nil
	}
	setupDone = true
	stage := ""
	var warning error
	if inheritedSrv() {
		stage = "/srv/.nsh"
		setStagingDir(stage)
		// This namespace is a copy of the enclosing session's, overlays
		// included: see forkGeneration.
		if err := withFileLock(stage, func() error { return bumpForkGeneration(stage) }); err != nil {
			return err
		}
		// The namespace is new, so a baseline recorded under its id is a
		// dead namespace's whose id the kernel has given again: taken for
		// this one's, it would count the enclosing session's mounts as
		// this session's changes.
		if err := forgetBaseline(stage); err != nil {
			return err
		}
		return recordSessionPid(stage)
	}
	stage, warning = mountSrv()
	setStagingDir(stage)
	if stage != "" {
		// The tmpfs is this session's own: its pid file needs no
		// namespace in its name (see sessionPid).
		if err := os.WriteFile(stage+"/pid", []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600); err != nil {
			return err
		}
	}
	return warning
}

// inheritedSrv reports whether /srv is the /srv of an enclosing session
// that this user may use: a tmpfs holding nsh's staging directory. (Only
// nsh makes /srv/.nsh/m, and only in its own tmpfs; looking costs two
// system calls where the mount table would cost a read of every mount.)
func inheritedSrv() bool {
	var fs unix.Statfs_t
	if unix.Statfs("/srv", &fs) != nil || fs.Type != unix.TMPFS_MAGIC {
		return false
	}
	return unix.Access("/srv/.nsh/m", unix.W_OK|unix.X_OK) == nil
}

// setupDone makes SetupSession do its work once; guarded by editMu.
var setupDone bool

// withFileLock holds the session's lock file (without editMu, which the
// caller holds).
func withFileLock(stage string, f func() error) error {
	fd, err := lockFile(stage)
	if err != nil {
		return err
	}
	if err := unix.Flock(fd, unix.LOCK_EX); err != nil {
		return err
	}
	defer unix.Flock(fd, unix.LOCK_UN)
	return f()
}

// mountSrv mounts the session's /srv and makes the staging directory. It
// returns the staging directory ("" if there is none) and a warning.
func mountSrv() (string, error) {
	if _, err := os.Lstat("/srv"); errors.Is(err, os.ErrNotExist) {
		if os.Geteuid() != 0 {
			return "", errors.New("/srv does not exist and only root can create it (mkdir /srv as root): posting servers, unions and 9P mounts will not work in this session")
		}
		if err := os.Mkdir("/srv", 0o755); err != nil {
			return "", fmt.Errorf("creating /srv: %w", err)
		}
	}
	srv, err := openPath("/srv")
	if err != nil {
		return "", err
	}
	defer unix.Close(srv)
	if info, err := statFd(srv); err != nil || !info.dir {
		return "", errors.New("/srv is not a directory: posting servers, unions and 9P mounts will not work in this session")
	}
	ctx, err := unix.Fsopen("tmpfs", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return "", fmt.Errorf("/srv: fsopen tmpfs: %w", err)
	}
	defer unix.Close(ctx)
	for _, kv := range [][2]string{{"source", srvSource}, {"mode", "1777"}} {
		if err := unix.FsconfigSetString(ctx, kv[0], kv[1]); err != nil {
			return "", fmt.Errorf("/srv: tmpfs %s: %w", kv[0], err)
		}
	}
	if err := unix.FsconfigCreate(ctx); err != nil {
		return "", fmt.Errorf("/srv: creating tmpfs: %w", err)
	}
	mnt, err := unix.Fsmount(ctx, unix.FSMOUNT_CLOEXEC, unix.MOUNT_ATTR_NOSUID|unix.MOUNT_ATTR_NODEV)
	if err != nil {
		return "", fmt.Errorf("/srv: fsmount: %w", err)
	}
	defer unix.Close(mnt)
	if err := moveMount(mnt, srv); err != nil {
		return "", fmt.Errorf("/srv: %w", err)
	}
	stage := "/srv/.nsh"
	for _, d := range []string{stage, stage + "/m"} {
		if err := os.Mkdir(d, 0o700); err != nil {
			return "", fmt.Errorf("staging directory: %w", err)
		}
	}
	return stage, nil
}
