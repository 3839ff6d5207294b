package bind

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// The baseline is the set of mounts present when the session started,
// identified by their place in the mount tree (mountTable.key) so that it
// holds in copies of the namespace too. It is the only thing nsh records:
// everything else is read from the kernel. It is kept in memory and in the
// staging directory (baseline.NSID, NSID being the mount namespace's
// inode), where other nsh processes of the session find it.
//
// It is taken just before the first edit of the namespace by any nsh
// process (or its first ns or clear), not when the session starts: until
// then the namespace is as it started, and a session that never binds
// (nsh -c true) never pays for reading the mount table. (Mounts made
// meanwhile by commands run as root count as the session's start.)

// errNoBaseline is returned by ns and clear outside an nsh session.
var errNoBaseline = errors.New("not in an nsh session (no record of the mounts it started with)")

// nsID names the calling thread's mount namespace.
func nsID() (string, error) {
	link, err := os.Readlink("/proc/thread-self/ns/mnt")
	if err != nil {
		return "", err
	}
	// "mnt:[4026531841]"
	return strings.TrimSuffix(strings.TrimPrefix(link, "mnt:["), "]"), nil
}

// baselineKeys returns n's baseline, loading it from the staging directory
// if this process did not record it; nil if there is none.
func (n *Namespace) baselineKeys(stage string) map[string]bool {
	if n.baseline != nil || stage == "" {
		return n.baseline
	}
	id, err := nsID()
	if err != nil {
		return nil
	}
	b, err := os.ReadFile(stage + "/baseline." + id)
	if err != nil {
		return nil
	}
	keys := map[string]bool{}
	for _, k := range strings.Split(string(b), "\n") {
		if k != "" {
			keys[k] = true
		}
	}
	n.baseline = keys
	return keys
}

// ensureBaseline makes sure n has a baseline, taking it now if no nsh
// process has yet. Outside a session (no staging directory, no
// SetupSession) there is none.
func (n *Namespace) ensureBaseline(stage string) map[string]bool {
	if k := n.baselineKeys(stage); k != nil {
		return k
	}
	if stage == "" && !(n == sessionNS && setupDone) {
		return nil
	}
	t, err := readMountinfo()
	if err != nil {
		return nil
	}
	keys := t.keys()
	if n.saveBaseline(stage, keys) != nil {
		return nil
	}
	return keys
}

// forgetBaseline removes the baseline recorded for the calling thread's
// namespace, if any.
func forgetBaseline(stage string) error {
	id, err := nsID()
	if err != nil {
		return err
	}
	if err := os.Remove(stage + "/baseline." + id); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing a stale session baseline: %w", err)
	}
	return nil
}

// saveBaseline records keys as n's baseline.
func (n *Namespace) saveBaseline(stage string, keys map[string]bool) error {
	n.baseline = keys
	if stage == "" {
		return nil
	}
	id, err := nsID()
	if err != nil {
		return err
	}
	var b strings.Builder
	for k := range keys {
		b.WriteString(k)
		b.WriteByte('\n')
	}
	if err := writeFileAtomic(stage+"/baseline."+id, b.String()); err != nil {
		return fmt.Errorf("recording the session baseline: %w", err)
	}
	return nil
}
