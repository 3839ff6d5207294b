// Package exportfs serves a real directory over 9P, read-write, like
// Plan 9's exportfs(4) or diod: p9srv.NewServer(exportfs.New(dir)).
//
// It is written on openat2 and the *at system calls rather than on
// hugelgupf/p9's localfs, whose directory reads drop entries when a
// listing spans several replies. Every fid holds an O_PATH descriptor
// of its file, got by resolving one name at a time beneath its parent's
// descriptor with RESOLVE_BENEATH and RESOLVE_NO_MAGICLINKS, never
// following a symbolic link: clients see symbolic links as links and
// read their targets, and the server never follows one, so neither "..",
// nor a link pointing out (absolute or relative), nor a link swapped in
// while a client walks, reaches anything outside the exported directory.
// Only regular files and directories can be opened (a FIFO or device
// would block the server); files are created with exactly the mode the
// client asks for, owned by the serving user.
//
// The package works on Linux only.
package exportfs
