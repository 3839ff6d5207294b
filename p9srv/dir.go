package p9srv

import (
	"fmt"
	"strings"
	"time"

	"github.com/hugelgupf/p9/linux"
	"github.com/hugelgupf/p9/p9"
)

// A Dir is a directory of a synthetic tree. Its entries keep the order
// in which they were added, and listings of it stay complete however many
// Treaddir replies they take.
//
// A Dir is read-only to clients unless Writable is called: then clients
// may create files (kept in memory), directories and symbolic links in
// it, link, rename and remove entries, and change modes and times.
type Dir struct {
	meta
	names    []string
	children map[string]Node
	parent   *Dir
	subdirs  int
	writable bool
	removed  bool
}

// An Entry names a node for NewDir.
type Entry struct {
	Name string
	Node Node
}

// E makes an Entry, to keep tree literals short:
//
//	p9srv.NewDir(p9srv.E("hello", p9srv.StaticFile("hello\n")))
func E(name string, n Node) Entry { return Entry{name, n} }

// NewDir returns a read-only directory (mode 0555) holding entries. It
// panics on an invalid or repeated name, which is a programming error
// like a bad regexp literal; use Add to add names that come from input.
func NewDir(entries ...Entry) *Dir {
	d := &Dir{children: make(map[string]Node)}
	d.init(p9.ModeDirectory | 0555)
	for _, e := range entries {
		if err := d.Add(e.Name, e.Node); err != nil {
			panic("p9srv.NewDir: " + err.Error())
		}
	}
	return d
}

// Writable lets clients change the directory and, recursively, the
// directories they create in it; it sets the mode to 0755 and returns d.
func (d *Dir) Writable() *Dir {
	treeMu.Lock()
	d.writable = true
	treeMu.Unlock()
	d.mu.Lock()
	d.mode = p9.ModeDirectory | 0755
	d.chmodable = true
	d.mu.Unlock()
	return d
}

// WithPerm sets the permission bits and returns d.
func (d *Dir) WithPerm(perm uint32) *Dir {
	d.setPerm(p9.FileMode(perm))
	return d
}

// checkName refuses names that cannot be a single path element.
func checkName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") {
		return fmt.Errorf("invalid file name %q", name)
	}
	return nil
}

// Add adds n under name. A directory can be added to only one parent.
func (d *Dir) Add(name string, n Node) error {
	if err := checkName(name); err != nil {
		return err
	}
	if n == nil {
		return fmt.Errorf("%s: nil node", name)
	}
	treeMu.Lock()
	defer treeMu.Unlock()
	if _, ok := d.children[name]; ok {
		return fmt.Errorf("%s: %w", name, linux.EEXIST)
	}
	if sub, ok := n.(*Dir); ok {
		if sub.parent != nil || sub == d || sub.isAncestorOf(d) {
			return fmt.Errorf("%s: directory already has a parent", name)
		}
	}
	d.link(name, n)
	return nil
}

// Remove removes the entry name.
func (d *Dir) Remove(name string) error {
	treeMu.Lock()
	defer treeMu.Unlock()
	if _, ok := d.children[name]; !ok {
		return fmt.Errorf("%s: %w", name, linux.ENOENT)
	}
	d.unlink(name)
	return nil
}

// Lookup returns the entry name, or nil.
func (d *Dir) Lookup(name string) Node {
	treeMu.RLock()
	defer treeMu.RUnlock()
	return d.children[name]
}

// Names returns the entry names in order.
func (d *Dir) Names() []string {
	treeMu.RLock()
	defer treeMu.RUnlock()
	return append([]string(nil), d.names...)
}

// link adds n; treeMu must be held for writing.
func (d *Dir) link(name string, n Node) {
	d.children[name] = n
	d.names = append(d.names, name)
	m := n.base()
	m.mu.Lock()
	m.nlink++
	if d.writable {
		m.chmodable = true
	}
	m.mu.Unlock()
	if sub, ok := n.(*Dir); ok {
		sub.parent = d
		sub.removed = false
		d.subdirs++
		if d.writable {
			sub.writable = true
		}
	}
	d.touch()
}

// unlink removes name; treeMu must be held for writing.
func (d *Dir) unlink(name string) Node {
	n := d.children[name]
	delete(d.children, name)
	for i, s := range d.names {
		if s == name {
			d.names = append(d.names[:i], d.names[i+1:]...)
			break
		}
	}
	m := n.base()
	m.mu.Lock()
	m.nlink--
	m.ctime = time.Now()
	m.mu.Unlock()
	if sub, ok := n.(*Dir); ok {
		sub.parent = nil
		sub.removed = true
		d.subdirs--
	}
	d.touch()
	return n
}

// linkCount is a directory's link count as on Linux: its entry in the
// parent, its own ".", and the ".." of each subdirectory.
func (d *Dir) linkCount() uint64 {
	treeMu.RLock()
	defer treeMu.RUnlock()
	return 2 + uint64(d.subdirs)
}

// isAncestorOf reports whether d is x or contains it; treeMu must be held.
func (d *Dir) isAncestorOf(x *Dir) bool {
	for ; x != nil; x = x.parent {
		if x == d {
			return true
		}
	}
	return false
}

// Attach implements p9.Attacher: a Dir is the root of a tree that a
// Server can serve.
func (d *Dir) Attach() (p9.File, error) {
	return &fid{node: d}, nil
}
