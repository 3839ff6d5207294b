// Package bind is nsh's namespace: Plan 9's bind, mount, unmount, ns and
// rfork n on a Linux mount namespace.
//
// Every nsh session runs in a mount namespace of its own (package
// bind/session makes it before the Go runtime starts), so the whole process
// and every program it starts share one namespace, and edits made from any
// goroutine are seen by all of them. Session returns that namespace;
// Namespace.Fork makes a private copy for rfork n, served by an OS thread of
// its own on which every operation of the copy runs (Namespace.Do).
//
// Plan 9 semantics on Linux:
//   - bind new old (no flag) replaces old with new: a plain bind mount,
//     recursive, read-write. Plan 9 forbids creating files in it without -c;
//     Linux users get an ordinary bind, where creation works, so bind -c
//     without -a or -b is the same as bind.
//   - bind -b/-a new old makes old a union (overlayfs, see package union):
//     the first -a or -b on a plain directory makes that directory a member.
//     Binding onto a union edits it; a union bound as new contributes its
//     members (never an overlay on an overlay). The create member (-c) must be
//     the first one, so bind -bc works and bind -ac is refused; a union without
//     a create member is read-only.
//   - unmount new old removes one member, unmount old removes everything the
//     session put on old and shows the original again. Mounts that were
//     there when the session began are not the session's to remove.
//   - ns prints the session's changes as replayable nsh lines, derived from
//     the kernel's mountinfo of that namespace and a baseline of the mounts
//     present when the session started.
//   - A session nested in another of the same user starts with the
//     enclosing session's unions, whose members are all reachable on its
//     staging mounts: it edits such an inherited union from its members,
//     by putting a union of its own on top of it (never an overlay on an
//     overlay); unmount old removes that and shows the inherited union
//     again, and ns looks through the inherited union, printing the whole
//     union relative to the directory below it.
//
// Unions keep their members on staging mounts under /srv/.nsh/m (the
// session's private /srv): each member is a mount of its own there, so any
// nsh process of the session can rebuild a union from what the kernel shows,
// and a member stays the directory it was when it joined even if its path
// is later covered. The create member's work directory sits beside it on
// the same file system, named .nsh-work-*, and is removed when the union is
// rebuilt or removed, and by a reaper process when the session ends, even by
// kill -9.
//
// Every path is resolved once (openat2) and every mount is made through
// descriptors (open_tree, fsmount, move_mount), so a symlink swapped in
// between check and use cannot redirect a bind. Every descriptor is
// close-on-exec.
package bind
