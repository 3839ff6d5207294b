// Package session puts a program in a new nsh session before the Go runtime
// starts: a private mount namespace (and, for an ordinary user, a user
// namespace that maps the user's uid and gid onto themselves), with / made a
// recursive slave so that nothing the session mounts ever reaches the host.
//
// The work happens in a C constructor, because unshare(CLONE_NEWUSER) fails
// in a multithreaded process and a mount namespace made later from Go would
// belong to one thread only. Importing this package (for its side effect) is
// what makes a program start sessions, so only nsh's main package imports it;
// libraries, test binaries of other packages and helper programs never do.
//
// The constructor makes no session when the command line asks for --share
// (per nsh's syntax: options end at the first operand, at "--", and after the
// operand of -c) or when the environment variable NSH_HELPER is set (nsh's own
// helper processes stay in their parent's namespace). In every case it clears
// the ambient and inheritable capability sets, so that programs the process
// runs never inherit capabilities from it.
//
// A rootless session's process keeps the user's uid and holds every
// capability inside its user namespace, on every thread, because it never
// executed a program since entering it; the programs it starts lose them.
// Rootless nsh is a namespace convenience, not a security boundary: anything
// the user could do outside the session, the user can still do inside it.
package session
