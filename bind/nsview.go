package bind

import (
	"fmt"
	"strings"

	"nsh.dev/nsh/bind/nsfile"
	"nsh.dev/nsh/union"
)

// unionSource marks the overlay mounts nsh builds; the generation that
// follows it says when the union was built (see forkGeneration).
const unionSource = "nsh-union"

// The file system types the 9P bridge's FUSE mounts show (see package
// p9srv/p9fuse): a cached mount (mount -C) has a type of its own, so that
// ns can print the -C back.
const (
	ninepType       = "fuse.9p"
	cachedNinepType = "fuse.9pc"
)

// isNinepType reports whether fstype is that of a 9P mount.
func isNinepType(fstype string) bool {
	return fstype == ninepType || fstype == cachedNinepType
}

// nsView reads a mount table as Plan 9 namespace operations: which mounts
// the session made, what each one is, and the nsh lines that rebuild them.
type nsView struct {
	t        *mountTable
	baseline map[string]bool // keys of the mounts present at session start
	stage    string          // the staging directory, "" if none
	index    map[*mountEntry]int
	origins  map[*mountEntry]originResult
}

type originResult struct {
	path string
	ok   bool
}

func newView(t *mountTable, baseline map[string]bool, stage string) *nsView {
	v := &nsView{t: t, baseline: baseline, stage: stage,
		index: map[*mountEntry]int{}, origins: map[*mountEntry]originResult{}}
	for i, m := range t.list {
		v.index[m] = i
	}
	return v
}

// staged reports whether path is in nsh's staging directory.
func (v *nsView) staged(path string) bool {
	return v.stage != "" && under(path, v.stage)
}

// inBaseline reports whether m was there when the session started.
func (v *nsView) inBaseline(m *mountEntry) bool {
	return v.baseline[v.t.key(m)]
}

// changed reports whether m is one of the session's own mounts: not in the
// baseline, not propagated from the host, not one of nsh's staging mounts.
func (v *nsView) changed(m *mountEntry) bool {
	return !v.inBaseline(m) && !m.master() && !v.staged(m.Point)
}

// inherited reports whether m is a union an enclosing session built (it
// was there when this nested session started). This session edits it by
// putting a union of its own, made from the same members, on top of it;
// ns looks through it, since a fresh top-level session replaying the
// lines would not have it: the directory below is the one its lines
// name.
func (v *nsView) inherited(m *mountEntry) bool {
	return isUnion(m) && v.inBaseline(m)
}

// isUnion reports whether m is the root of a union nsh built.
func isUnion(m *mountEntry) bool {
	return m.FSType == "overlay" && m.Root == "/" && strings.HasPrefix(m.Source, unionSource)
}

// isNinep reports whether m is the root of a 9P mount.
func isNinep(m *mountEntry) bool {
	return isNinepType(m.FSType) && m.Root == "/"
}

// existedAt reports whether c could be seen when the mount at index idx was
// made: baseline mounts always, session mounts only if they are older.
func (v *nsView) existedAt(c *mountEntry, idx int) bool {
	return v.inBaseline(c) || v.index[c] < idx
}

// resolveAt resolves path over the mounts that existed when the mount at
// index idx was made.
func (v *nsView) resolveAt(path string, idx int) *mountEntry {
	m := v.t.root()
	if m == nil {
		return nil
	}
	// topAt follows the stack of mounts on point above m, as far as they
	// existed then, and returns the topmost that is not an inherited union
	// (m if there is none).
	topAt := func(m *mountEntry, point string) *mountEntry {
		top := m
		for c := v.t.childAt[m.ID][point]; c != nil && v.existedAt(c, idx); c = v.t.childAt[c.ID][point] {
			if !v.inherited(c) {
				top = c
			}
		}
		return top
	}
	m = topAt(m, "/")
	prefix := ""
	for _, c := range strings.Split(strings.TrimPrefix(path, "/"), "/") {
		if c == "" {
			continue
		}
		prefix += "/" + c
		m = topAt(m, prefix)
	}
	return m
}

// pathOf finds a path that showed the directory (dev, root) when the mount
// at index idx was made, preferring mounts of the baseline and then the
// most specific one. skip is a mount not to use (the one being explained).
func (v *nsView) pathOf(dev, root string, idx int, skip *mountEntry) (string, bool) {
	var best *mountEntry
	bestPath := ""
	for _, c := range v.t.list {
		if c == skip || c.Dev != dev || !under(root, c.Root) || v.staged(c.Point) || !v.existedAt(c, idx) {
			continue
		}
		if skip != nil && v.descends(c, skip) {
			continue
		}
		p := join(c.Point, rel(root, c.Root))
		if v.resolveAt(p, idx) != c {
			continue // covered by another mount
		}
		if best == nil || v.better(c, best) {
			best, bestPath = c, p
		}
	}
	return bestPath, best != nil
}

func (v *nsView) better(c, best *mountEntry) bool {
	cb, bb := v.inBaseline(c), v.inBaseline(best)
	if cb != bb {
		return cb
	}
	return len(c.Root) > len(best.Root)
}

// descends reports whether c is mounted somewhere inside m.
func (v *nsView) descends(c, m *mountEntry) bool {
	seen := map[int]bool{}
	for c != nil && !seen[c.ID] {
		if c.Parent == m.ID {
			return true
		}
		seen[c.ID] = true
		c = v.t.byID[c.Parent]
	}
	return false
}

// origin returns the path whose contents the plain bind m shows.
func (v *nsView) origin(m *mountEntry) (string, bool) {
	if r, ok := v.origins[m]; ok {
		return r.path, r.ok
	}
	p, ok := v.pathOf(m.Dev, m.Root, v.index[m], m)
	v.origins[m] = originResult{p, ok}
	return p, ok
}

// copied reports whether m came along with a recursive bind of its parent:
// the parent is a plain bind (or itself such a copy) of a directory where
// the same mount is found at the same place. Such mounts need no line of
// their own.
func (v *nsView) copied(m *mountEntry) bool {
	p := v.t.byID[m.Parent]
	if p == nil || !v.changed(p) || isUnion(p) || isNinep(p) {
		return false
	}
	src, ok := v.origin(p)
	if !ok {
		return false
	}
	want := join(src, rel(m.Point, p.Point))
	for _, n := range v.t.list {
		if n != m && n.Point == want && n.Dev == m.Dev && n.Root == m.Root {
			return true
		}
	}
	return false
}

// member is one member of a union as ns explains it.
type nsMember struct {
	create   bool
	original bool
	ninep    []string // ADDR [ANAME] of a 9P member
	cache    bool     // the 9P member was mounted with -C
	path     string
	ok       bool   // path is known
	dev      string // the member directory's identity
	root     string
}

// underneath returns what the union u covers: the directory its mount point
// showed before (dev, root), looking through the inherited unions u is
// stacked on.
func (v *nsView) underneath(u *mountEntry) (dev, root string, ok bool) {
	p := v.t.byID[u.Parent]
	seen := map[int]bool{}
	for p != nil && v.inherited(p) && p.Point == u.Point && !seen[p.ID] {
		seen[p.ID] = true
		p = v.t.byID[p.Parent]
	}
	if p == nil {
		return "", "", false
	}
	if !under(u.Point, p.Point) {
		return "", "", false
	}
	return p.Dev, join(p.Root, rel(u.Point, p.Point)), true
}

// members explains the layers of the union u.
func (v *nsView) members(u *mountEntry) []nsMember {
	layers := union.ParseOptions(u.Super)
	var out []nsMember
	if layers.Upper != "" {
		m := v.member(u, layers.Upper)
		m.create = true
		out = append(out, m)
	}
	for _, l := range layers.Lower {
		out = append(out, v.member(u, l))
	}
	return out
}

func (v *nsView) member(u *mountEntry, layer string) nsMember {
	if !v.staged(layer) {
		return nsMember{path: layer, ok: true}
	}
	s := v.t.resolve(layer)
	if s == nil || !under(layer, s.Point) {
		return nsMember{path: layer}
	}
	dev, root := s.Dev, join(s.Root, rel(layer, s.Point))
	if isNinepType(s.FSType) && root == "/" {
		words, err := nsfile.Fields(s.Source)
		if err == nil && len(words) >= 1 {
			return nsMember{ninep: words, cache: s.FSType == cachedNinepType, ok: true, dev: dev, root: root}
		}
	}
	if d, r, ok := v.underneath(u); ok && d == dev && r == root {
		return nsMember{original: true, path: u.Point, ok: true, dev: dev, root: root}
	}
	p, ok := v.pathOf(dev, root, v.index[u], nil)
	return nsMember{path: p, ok: ok, dev: dev, root: root}
}

// flattened replaces runs of members that are all the members of an older
// union, if some of them have no path of their own (a union's original
// directory, covered by the union): naming that union instead rebuilds the
// run, as binding a union contributes its members.
func (v *nsView) flattened(u *mountEntry, mem []nsMember) []nsMember {
	missing := false
	for _, m := range mem {
		missing = missing || !m.ok
	}
	if !missing {
		return mem
	}
	idx := v.index[u]
	for _, o := range v.t.list {
		if o == u || !isUnion(o) || v.inherited(o) || !v.existedAt(o, idx) || v.resolveAt(o.Point, idx) != o {
			continue
		}
		om := v.members(o)
		for i := 0; i+len(om) <= len(mem); i++ {
			run := mem[i : i+len(om)]
			if !sameMembers(run, om) || !hasMissing(run) {
				continue
			}
			out := append([]nsMember{}, mem[:i]...)
			out = append(out, nsMember{path: o.Point, ok: true})
			out = append(out, mem[i+len(om):]...)
			return v.flattened(u, out)
		}
	}
	return mem
}

func sameMembers(a, b []nsMember) bool {
	for i := range a {
		if a[i].dev == "" || a[i].dev != b[i].dev || a[i].root != b[i].root || a[i].create {
			return false
		}
	}
	return true
}

func hasMissing(mem []nsMember) bool {
	for _, m := range mem {
		if !m.ok {
			return true
		}
	}
	return false
}

// lines returns the namespace file lines that rebuild the session's
// changes, in the order the kernel lists the mounts.
func (v *nsView) lines() []string {
	var out []string
	for _, m := range v.t.list {
		if !v.changed(m) || v.copied(m) {
			continue
		}
		switch {
		case isUnion(m):
			out = append(out, v.unionLines(m)...)
		case isNinep(m):
			out = append(out, mountLine("", nsMember{ninep: ninepWords(m.Source), cache: m.FSType == cachedNinepType, ok: true}, m.Point))
		default:
			src, ok := v.origin(m)
			if !ok {
				out = append(out, fmt.Sprintf("# %s: %s mount of %s %s not made by nsh", Quote(m.Point), m.FSType, Quote(m.Source), Quote(m.Root)))
				continue
			}
			out = append(out, "bind "+Quote(src)+" "+Quote(m.Point))
		}
	}
	return out
}

// ninepWords reads ADDR [ANAME] from a 9P mount's source.
func ninepWords(source string) []string {
	w, err := nsfile.Fields(source)
	if err != nil || len(w) == 0 {
		return []string{source}
	}
	return w
}

// unionLines rebuilds a union from its members: around the original
// directory with -a and -b if it is a member, otherwise from the last member
// with a plain bind and the rest with -b, so that the create member (always
// the first) gets its -c from a -bc line.
func (v *nsView) unionLines(u *mountEntry) []string {
	mem := v.flattened(u, v.members(u))
	k := -1
	for i, m := range mem {
		if m.original {
			k = i
			break
		}
	}
	var out []string
	if k < 0 {
		out = append(out, mountLine("", mem[len(mem)-1], u.Point))
		for i := len(mem) - 2; i >= 0; i-- {
			out = append(out, mountLine("-b", mem[i], u.Point))
		}
		return out
	}
	for i := k + 1; i < len(mem); i++ {
		out = append(out, mountLine("-a", mem[i], u.Point))
	}
	for i := k - 1; i >= 0; i-- {
		out = append(out, mountLine("-b", mem[i], u.Point))
	}
	return out
}

// mountLine writes one bind or mount line for member m on point.
func mountLine(flags string, m nsMember, point string) string {
	if m.create && flags != "" {
		flags += "c"
	}
	if m.ninep != nil && m.cache {
		if flags == "" {
			flags = "-"
		}
		flags += "C"
	}
	var words []string
	switch {
	case m.ninep != nil:
		words = append(words, "mount")
		if flags != "" {
			words = append(words, flags)
		}
		words = append(words, Quote(m.ninep[0]), Quote(point))
		for _, w := range m.ninep[1:] {
			words = append(words, Quote(w))
		}
	case !m.ok:
		return fmt.Sprintf("# %s: a member is no longer reachable by any path", Quote(point))
	default:
		words = append(words, "bind")
		if flags != "" {
			words = append(words, flags)
		}
		words = append(words, Quote(m.path), Quote(point))
	}
	return strings.Join(words, " ")
}
