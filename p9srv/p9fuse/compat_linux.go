package p9fuse

import (
	"net"
	"syscall"
)

// hangupErrnos are the errors of writing to or reading from a socket
// whose peer has gone.
var hangupErrnos = []error{syscall.EPIPE, syscall.ECONNRESET}

// rawCompatConn is a compatConn over a socket. Exposing the socket lets
// the p9 client read each reply with one recvmsg into its buffers.
type rawCompatConn struct {
	*compatConn
	raw syscall.Conn
}

func (c rawCompatConn) SyscallConn() (syscall.RawConn, error) {
	return c.raw.SyscallConn()
}

// wrapConn puts the compatibility layer on conn.
func wrapConn(conn net.Conn, version, uname string, uid uint32) net.Conn {
	c := newCompatConn(conn, version, uname, uid)
	if raw, ok := conn.(syscall.Conn); ok {
		return rawCompatConn{c, raw}
	}
	return c
}
