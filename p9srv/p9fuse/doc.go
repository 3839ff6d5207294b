// Package p9fuse mounts a 9P2000.L file server through FUSE: it is the
// bridge that nsh's mount builtin starts, since the kernel may have no 9P
// client of its own.
//
// The bridge runs as its own process (see [Main]). It speaks 9P with the
// github.com/hugelgupf/p9 client through a small compatibility layer
// ([Dial]) that lets that client talk to servers it cannot reach unaided,
// such as diod: it negotiates the version string and message size itself
// and attaches as the calling user.
//
// What a mount does, and why:
//
//   - Without caching (the default, for synthetic servers) entries and
//     attributes are never cached and every file is opened with direct
//     I/O, so a file that reports size 0 still reads its content. With
//     caching (mount -C, for exported real files) entries and attributes
//     live for a second and reads go through the page cache.
//   - Without caching, a program streaming a file that the server
//     vouches is a plain file (p9srv's export does, see
//     [p9srv.IsPlainOpen]) gets the next few megabytes read ahead, one
//     Tread each, while it takes this one. Data read ahead is used only
//     within a few milliseconds, and never after a write through the
//     mount; a synthetic file, whose reads may have side effects, is
//     never read ahead.
//   - A directory listing is read whole when the directory is opened and
//     served from that copy, so no entry is lost however the kernel pages
//     through it.
//   - Every 9P call runs under the FUSE request's context: an interrupted
//     system call (Ctrl-C on cat of a file whose read blocks) returns EINTR
//     at once instead of waiting for the server.
//   - A dead server (its socket hangs up) or a stalled one (a heartbeat
//     goes unanswered) fails every pending and later operation with EIO,
//     and the bridge removes its mount and exits.
package p9fuse
