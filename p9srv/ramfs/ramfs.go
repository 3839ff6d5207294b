// Package ramfs is a file system kept in memory, like Plan 9's ramfs(4):
// a writable tree where clients create, write, truncate, rename (also
// across directories), link and remove files, make directories and
// symbolic links, and change modes and times. It is a p9srv.Dir made
// writable, so it shares the framework's listings, QIDs and limits.
//
// Serve it with p9srv.NewServer(ramfs.New()).
package ramfs

import "nsh.dev/nsh/p9srv"

// New returns the root of an empty tree (mode 0755) owned by the
// serving user. Each file is limited to p9srv.MaxMemFileSize bytes.
func New() *p9srv.Dir {
	return p9srv.NewDir().Writable()
}
