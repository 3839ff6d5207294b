// Package shelltest holds end-to-end tests of nsh and p9srv: they build
// the two programs and run them as a user would — nsh -c scripts, nested
// and concurrent sessions, p9srv servers posted in /srv and mounted
// through the 9P bridge, diod and its clients — once as root and once as
// uid 65534 in a rootless session, and check what the programs print,
// what the namespace shows and that nothing is left on the machine
// afterwards: no mount, no process, no overlay work directory.
//
// The transcripts in testdata/demos are nsh's five first-minute demos (a
// private /tmp, your bin before /usr/bin, watching 9P happen, the
// environment as files, printing the namespace and replaying it), written
// as terminal sessions and run through the real programs by testscript.
//
// The tests need root (they run the rootless half as uid 65534 from the
// root test) and, for 9P mounts, FUSE; in CI a missing prerequisite fails.
// For the rootless 9P tests the tests make a FUSE device node of their own,
// mode 0666, and bind it over /dev/fuse inside an enclosing session, so
// that the machine's /dev/fuse (mode 0600 on Debian) never changes.
package shelltest
