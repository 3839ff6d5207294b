//go:build !linux

package p9fuse

import "net"

// wrapConn puts the compatibility layer on conn.
func wrapConn(conn net.Conn, version, uname string, uid uint32) net.Conn {
	return newCompatConn(conn, version, uname, uid)
}
