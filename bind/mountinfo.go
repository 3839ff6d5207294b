package bind

import (
	"fmt"
	"strconv"
	"strings"

	"nsh.dev/nsh/internal/mountinfo"
)

// mountEntry is one line of /proc/PID/mountinfo.
type mountEntry struct {
	ID, Parent int
	Dev        string // major:minor
	Root       string // the mount's root within its file system
	Point      string // where it is mounted
	Opts       string // per-mount options
	Optional   []string
	FSType     string
	Source     string
	Super      string // super options, still escaped
	// rawRoot and rawPoint keep the kernel's escaped text: it has no
	// spaces or newlines, which makes it fit for keys.
	rawRoot, rawPoint string
}

// master reports whether the mount receives propagation from a mount
// outside the session (the host's): such mounts are not the session's.
func (m *mountEntry) master() bool {
	for _, o := range m.Optional {
		if strings.HasPrefix(o, "master:") {
			return true
		}
	}
	return false
}

// mountTable is a parsed mountinfo: the mount tree of one namespace.
type mountTable struct {
	list    []*mountEntry // in the kernel's order
	byID    map[int]*mountEntry
	childAt map[int]map[string]*mountEntry // parent id -> mount point -> child
}

// parseMountinfo parses the text of /proc/PID/mountinfo.
func parseMountinfo(text string) (*mountTable, error) {
	t := &mountTable{byID: map[int]*mountEntry{}, childAt: map[int]map[string]*mountEntry{}}
	for n, line := range strings.Split(text, "\n") {
		if line == "" {
			continue
		}
		m, err := parseMountLine(line)
		if err != nil {
			return nil, fmt.Errorf("mountinfo line %d: %w", n+1, err)
		}
		t.list = append(t.list, m)
		t.byID[m.ID] = m
	}
	for _, m := range t.list {
		if m.Parent == m.ID || t.byID[m.Parent] == nil {
			continue
		}
		c := t.childAt[m.Parent]
		if c == nil {
			c = map[string]*mountEntry{}
			t.childAt[m.Parent] = c
		}
		c[m.Point] = m
	}
	return t, nil
}

func parseMountLine(line string) (*mountEntry, error) {
	f := strings.Split(line, " ")
	sep := -1
	for i := 6; i < len(f); i++ {
		if f[i] == "-" {
			sep = i
			break
		}
	}
	// The fields after the separator are the type, the source and
	// (normally) the super options.
	if sep < 0 || sep+2 >= len(f) {
		return nil, fmt.Errorf("malformed: %q", line)
	}
	id, err1 := strconv.Atoi(f[0])
	parent, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("malformed mount ids: %q", line)
	}
	m := &mountEntry{
		ID: id, Parent: parent, Dev: f[2],
		rawRoot: f[3], rawPoint: f[4],
		Root: mountinfo.Unescape(f[3]), Point: mountinfo.Unescape(f[4]),
		Opts: f[5], Optional: f[6:sep],
		FSType: mountinfo.Unescape(f[sep+1]), Source: mountinfo.Unescape(f[sep+2]),
	}
	if sep+3 < len(f) {
		m.Super = f[sep+3]
	}
	return m, nil
}

// root returns the namespace's root mount: the topmost mount on "/".
func (t *mountTable) root() *mountEntry {
	for _, m := range t.list {
		if m.Point == "/" && (m.Parent == m.ID || t.byID[m.Parent] == nil) {
			return t.top(m, "/")
		}
	}
	return nil
}

// top follows the stack of mounts on point that starts at m and returns the
// topmost.
func (t *mountTable) top(m *mountEntry, point string) *mountEntry {
	for {
		c := t.childAt[m.ID][point]
		if c == nil {
			return m
		}
		m = c
	}
}

// resolve returns the mount a lookup of the absolute, clean path ends on
// (ignoring symlinks): the mount that shows path.
func (t *mountTable) resolve(path string) *mountEntry {
	m := t.root()
	if m == nil {
		return nil
	}
	prefix := ""
	for _, c := range strings.Split(strings.TrimPrefix(path, "/"), "/") {
		if c == "" {
			continue
		}
		prefix += "/" + c
		if child := t.childAt[m.ID][prefix]; child != nil {
			m = t.top(child, prefix)
		}
	}
	return m
}

// visible reports whether m is the mount its own mount point shows.
func (t *mountTable) visible(m *mountEntry) bool {
	return t.resolve(m.Point) == m
}

// key identifies a mount by its place in the tree, not by its id: mount ids
// differ in a copy of the namespace (rfork n), keys do not.
func (t *mountTable) key(m *mountEntry) string {
	var parts []string
	seen := map[int]bool{}
	for m != nil && !seen[m.ID] {
		seen[m.ID] = true
		parts = append(parts, m.rawPoint+" "+m.Dev+" "+m.rawRoot)
		if m.Parent == m.ID {
			break
		}
		m = t.byID[m.Parent]
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return strings.Join(parts, "|")
}

// keys returns the keys of every mount in the table.
func (t *mountTable) keys() map[string]bool {
	k := make(map[string]bool, len(t.list))
	for _, m := range t.list {
		k[t.key(m)] = true
	}
	return k
}

// under reports whether path is dir or inside it.
func under(path, dir string) bool {
	if dir == "/" {
		return strings.HasPrefix(path, "/")
	}
	return path == dir || strings.HasPrefix(path, dir+"/")
}

// rel returns path relative to dir ("" when equal), for a path under dir.
func rel(path, dir string) string {
	if path == dir {
		return ""
	}
	if dir == "/" {
		return strings.TrimPrefix(path, "/")
	}
	return strings.TrimPrefix(path, dir+"/")
}

// join joins a relative path onto dir.
func join(dir, r string) string {
	switch {
	case r == "":
		return dir
	case dir == "/":
		return "/" + r
	}
	return dir + "/" + r
}
