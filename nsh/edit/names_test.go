package edit

import (
	"io/fs"
	"os"
	"sort"
)

// osNames is a Names backed by the real file system, with /srv mapped to
// a directory of the test's choosing. The pty helper uses it too.
type osNames struct {
	dir       string
	srv       string
	builtins  []string
	functions []string
	vars      map[string][]string
}

func (n *osNames) Builtins() []string  { return n.builtins }
func (n *osNames) Functions() []string { return n.functions }
func (n *osNames) Variables() []string {
	var names []string
	for k := range n.vars {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
func (n *osNames) Var(name string) []string { return n.vars[name] }
func (n *osNames) Dir() string              { return n.dir }
func (n *osNames) ReadDir(dir string) ([]fs.DirEntry, error) {
	if dir == SrvDir && n.srv != "" {
		dir = n.srv
	}
	return os.ReadDir(dir)
}
func (n *osNames) Stat(name string) (fs.FileInfo, error) { return os.Stat(name) }
