//go:build !linux

package p9fuse

import "net"

// hangupErrnos are the errors of writing to or reading from a socket
// whose peer has gone (the closed-connection errors of package net and io
// are checked everywhere).
var hangupErrnos []error

// wrapConn puts the compatibility layer on conn.
func wrapConn(conn net.Conn, version, uname string, uid uint32) net.Conn {
	return newCompatConn(conn, version, uname, uid)
}
