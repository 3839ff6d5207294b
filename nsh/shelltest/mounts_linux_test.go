package shelltest

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// A mountEntry is one line of /proc/PID/mountinfo.
type mountEntry struct {
	id, point, fstype, source string
	line                      string
}

// readMounts reads the mount table of the test process, which is the
// host's.
func readMounts() ([]mountEntry, error) {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	return parseMountinfo(b)
}

// parseMountinfo parses mountinfo text (proc(5)).
func parseMountinfo(b []byte) ([]mountEntry, error) {
	var es []mountEntry
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		f := strings.Fields(line)
		sep := -1
		for i, w := range f {
			if w == "-" {
				sep = i
				break
			}
		}
		if len(f) < 5 || sep < 0 || sep+2 >= len(f) {
			return nil, fmt.Errorf("mountinfo: bad line %q", line)
		}
		es = append(es, mountEntry{
			id:     f[0],
			point:  unescapeMount(f[4]),
			fstype: f[sep+1],
			source: unescapeMount(f[sep+2]),
			line:   line,
		})
	}
	return es, sc.Err()
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// under reports whether path is dir or lies beneath it.
func under(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, dir+"/")
}

// mountsUnder returns the host's mounts at or beneath dir.
func mountsUnder(dir string) ([]mountEntry, error) {
	es, err := readMounts()
	if err != nil {
		return nil, err
	}
	var in []mountEntry
	for _, e := range es {
		if under(e.point, dir) {
			in = append(in, e)
		}
	}
	return in, nil
}

// detach removes mounts a failed test left behind, deepest first, so that
// removing the test's files afterwards cannot reach through them.
func detach(es []mountEntry) {
	for i := len(es) - 1; i >= 0; i-- {
		unix.Unmount(es[i].point, unix.MNT_DETACH)
	}
}
