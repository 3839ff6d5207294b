package p9srv

import (
	"errors"
	"fmt"
	"net"
	"strings"
)

// An Addr is a 9P server address in Plan 9 dial-string form.
type Addr struct {
	// Network is "unix" or "tcp".
	Network string
	// Address is the socket path for unix, host:port for tcp.
	Address string
}

// ParseAddr parses a dial string: unix!PATH, tcp!HOST!PORT, or a plain
// path naming a posted unix socket (/srv/ram). TCP needs an explicit host
// and port: nothing listens or dials on the network unless asked to.
func ParseAddr(s string) (Addr, error) {
	if s == "" {
		return Addr{}, errors.New("empty address")
	}
	if !strings.Contains(s, "!") {
		return Addr{Network: "unix", Address: s}, nil
	}
	f := strings.Split(s, "!")
	switch f[0] {
	case "unix":
		path := strings.Join(f[1:], "!")
		if path == "" {
			return Addr{}, fmt.Errorf("%s: missing socket path", s)
		}
		return Addr{Network: "unix", Address: path}, nil
	case "tcp":
		if len(f) != 3 || f[1] == "" || f[2] == "" {
			return Addr{}, fmt.Errorf("%s: want tcp!HOST!PORT", s)
		}
		return Addr{Network: "tcp", Address: net.JoinHostPort(f[1], f[2])}, nil
	default:
		return Addr{}, fmt.Errorf("%s: unknown network %q (want unix or tcp)", s, f[0])
	}
}

// String returns the address in dial-string form.
func (a Addr) String() string {
	if a.Network == "tcp" {
		host, port, err := net.SplitHostPort(a.Address)
		if err == nil {
			return "tcp!" + host + "!" + port
		}
	}
	return a.Network + "!" + a.Address
}

// Dial connects to a 9P server.
func Dial(addr string) (net.Conn, error) {
	a, err := ParseAddr(addr)
	if err != nil {
		return nil, err
	}
	return net.Dial(a.Network, a.Address)
}

// Listen listens on a dial string (unix!PATH or tcp!HOST!PORT).
func Listen(addr string) (net.Listener, error) {
	a, err := ParseAddr(addr)
	if err != nil {
		return nil, err
	}
	return net.Listen(a.Network, a.Address)
}
