package bind

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"

	"golang.org/x/sys/unix"
)

// Namespace is a mount namespace nsh edits: the session's (shared by the
// whole process) or a private copy made by Fork (rfork n).
type Namespace struct {
	// thread runs every operation of a forked namespace; nil for the
	// session's namespace, which every thread of the process is in.
	thread *nsThread

	// Guarded by editMu.
	unions   map[uint64]*unionState // unions this process built, by unique mount id
	ours     map[uint64][]string    // plain binds (nil) and 9P mounts (ADDR [ANAME]) this process made
	baseline map[string]bool        // see baselineKeys
}

// editMu serializes the namespace edits of this process; the lock file in
// the staging directory serializes them with other nsh processes of the
// session.
var editMu sync.Mutex

var sessionNS = &Namespace{}

// Session returns the namespace of the process: the session's, unless the
// process was started with --share.
func Session() *Namespace { return sessionNS }

// nsThread is an OS thread locked to a goroutine that lives in a forked
// namespace and runs its operations.
type nsThread struct {
	tid  int
	work chan func()
	done chan struct{}
}

// Do runs f inside n: on n's thread if it has one (then every file opened,
// path resolved and process started by f acts in n), or directly.
func (n *Namespace) Do(f func() error) error {
	if n.thread == nil || unix.Gettid() == n.thread.tid {
		return f()
	}
	var err error
	ran := make(chan struct{})
	select {
	case n.thread.work <- func() { err = f(); close(ran) }:
	case <-n.thread.done:
		return errors.New("namespace closed")
	}
	<-ran
	return err
}

// Fork returns a private copy of n (rfork n): binds made in the copy are
// invisible to n and to processes started from it, and the reverse. The
// copy is served by an OS thread of its own until Close.
func (n *Namespace) Fork() (*Namespace, error) {
	// The parent's namespace, as a descriptor the new thread can join.
	parent := -1
	if n.thread != nil {
		err := n.Do(func() error {
			fd, err := unix.Open("/proc/thread-self/ns/mnt", unix.O_RDONLY|unix.O_CLOEXEC, 0)
			parent = fd
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("rfork n: %w", err)
		}
	}
	var keys map[string]bool
	n.edit(func(stage string) error {
		keys = n.baselineKeys(stage)
		return nil
	})
	child := &Namespace{thread: &nsThread{work: make(chan func()), done: make(chan struct{})}}
	// The copy starts with the parent's baseline: what the session began
	// with is the same in both.
	inherit := func(stage string) error {
		if err := recordSessionPid(stage); err != nil {
			return err
		}
		if keys == nil {
			return nil
		}
		return child.saveBaseline(stage, keys)
	}
	ready := make(chan error, 1)
	go child.thread.serve(parent, inherit, ready)
	if err := <-ready; err != nil {
		return nil, fmt.Errorf("rfork n: %w", err)
	}
	return child, nil
}

// serve locks the goroutine to its thread for good (the thread dies with
// it, never to run another goroutine in the wrong namespace), moves the
// thread into a copy of the parent namespace, and runs work until Close.
func (t *nsThread) serve(parent int, after func(stage string) error, ready chan<- error) {
	runtime.LockOSThread()
	defer close(t.done)
	t.tid = unix.Gettid()
	err := t.enter(parent, after)
	if parent >= 0 {
		unix.Close(parent)
	}
	ready <- err
	if err != nil {
		return
	}
	for f := range t.work {
		f()
	}
}

func (t *nsThread) enter(parent int, after func(stage string) error) error {
	// setns refuses a thread that shares its filesystem attributes with
	// others, as Go's threads do.
	if err := unix.Unshare(unix.CLONE_FS); err != nil {
		return fmt.Errorf("unshare(CLONE_FS): %w", err)
	}
	if parent >= 0 {
		if err := unix.Setns(parent, unix.CLONE_NEWNS); err != nil {
			return fmt.Errorf("setns: %w", err)
		}
	}
	// The copy must not share a writable union's overlay with its parent
	// across a rebuild (see forkGeneration), so the generation moves on
	// under the session lock before the copy is made.
	return withLock(func(stage string) error {
		if stage != "" {
			if err := bumpForkGeneration(stage); err != nil {
				return err
			}
		}
		if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
			return fmt.Errorf("unshare(CLONE_NEWNS): %w", err)
		}
		return after(stage)
	})
}

// Close releases a forked namespace's thread; processes started in it keep
// the namespace. Closing the session's namespace does nothing.
func (n *Namespace) Close() error {
	if n.thread == nil {
		return nil
	}
	select {
	case <-n.thread.done:
		return nil
	default:
	}
	err := n.Do(func() error {
		editMu.Lock()
		defer editMu.Unlock()
		for _, u := range n.unions {
			u.release()
		}
		n.unions, n.ours = nil, nil
		return nil
	})
	close(n.thread.work)
	<-n.thread.done
	return err
}

// edit runs f inside n with the session's edit lock held, after making
// sure the namespace's starting state is recorded.
func (n *Namespace) edit(f func(stage string) error) error {
	return n.Do(func() error {
		return withLock(func(stage string) error {
			n.ensureBaseline(stage)
			return f(stage)
		})
	})
}

// withLock holds this process's edit mutex and the session's lock file
// while f runs; stage is the staging directory ("" if the namespace has
// none).
func withLock(f func(stage string) error) error {
	editMu.Lock()
	defer editMu.Unlock()
	stage := stagingDir()
	if stage != "" {
		fd, err := lockFile(stage)
		if err != nil {
			return err
		}
		if err := unix.Flock(fd, unix.LOCK_EX); err != nil {
			return fmt.Errorf("locking %s/lock: %w", stage, err)
		}
		defer unix.Flock(fd, unix.LOCK_UN)
	}
	return f(stage)
}

var lock struct {
	fd    int
	stage string
}

// lockFile returns the open lock file of the staging directory. One open
// file serves the whole process (editMu orders its goroutines).
func lockFile(stage string) (int, error) {
	if lock.stage == stage && lock.fd > 0 {
		return lock.fd, nil
	}
	fd, err := unix.Open(stage+"/lock", unix.O_RDWR|unix.O_CREAT|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0o600)
	if err != nil {
		return -1, fmt.Errorf("session lock: %w", err)
	}
	if lock.fd > 0 {
		unix.Close(lock.fd)
	}
	lock.fd, lock.stage = fd, stage
	return fd, nil
}

// forkGeneration counts the copies made of the session's namespace (rfork
// n, nested sessions). A union remembers the generation it was built in (in
// its mount source); a copy made since may still use its overlay, so its
// work directory is then left for the reaper instead of being removed when
// the union is rebuilt. The count is the size of the file forkgen, so that
// reading it, on every union edit, takes one stat.
func forkGeneration(stage string) (int, error) {
	if stage == "" {
		return 0, nil
	}
	var st unix.Stat_t
	err := unix.Stat(stage+"/forkgen", &st)
	if err == unix.ENOENT {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return int(st.Size), nil
}

func bumpForkGeneration(stage string) error {
	f, err := os.OpenFile(stage+"/forkgen", os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write([]byte{'+'}); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeFileAtomic replaces name with content, so that a reader never sees a
// partial file.
func writeFileAtomic(name, content string) error {
	tmp := fmt.Sprintf("%s.%d", name, unix.Gettid())
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, name)
}

func (n *Namespace) rememberUnion(id uint64, u *unionState) {
	if n.unions == nil {
		n.unions = map[uint64]*unionState{}
	}
	n.unions[id] = u
}

func (n *Namespace) rememberMount(id uint64, ninep []string) {
	if n.ours == nil {
		n.ours = map[uint64][]string{}
	}
	n.ours[id] = ninep
}

// forget drops what the cache knows about the mount with unique id id,
// returning the union state it held (nil if none).
func (n *Namespace) forget(id uint64) *unionState {
	delete(n.ours, id)
	u := n.unions[id]
	delete(n.unions, id)
	return u
}
