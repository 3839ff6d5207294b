package p9srv

import "testing"

func TestParseAddr(t *testing.T) {
	good := []struct{ in, network, address, str string }{
		{"/srv/ram", "unix", "/srv/ram", "unix!/srv/ram"},
		{"unix!/tmp/s", "unix", "/tmp/s", "unix!/tmp/s"},
		{"unix!/tmp/a!b", "unix", "/tmp/a!b", "unix!/tmp/a!b"},
		{"tcp!127.0.0.1!564", "tcp", "127.0.0.1:564", "tcp!127.0.0.1!564"},
		{"tcp!::1!564", "tcp", "[::1]:564", "tcp!::1!564"},
	}
	for _, g := range good {
		a, err := ParseAddr(g.in)
		if err != nil {
			t.Errorf("ParseAddr(%q): %v", g.in, err)
			continue
		}
		if a.Network != g.network || a.Address != g.address || a.String() != g.str {
			t.Errorf("ParseAddr(%q) = %+v (%s), want %s %s (%s)", g.in, a, a, g.network, g.address, g.str)
		}
	}
	for _, bad := range []string{"", "unix!", "tcp!host", "tcp!!1", "tcp!h!", "udp!h!1", "tcp!a!b!c"} {
		if a, err := ParseAddr(bad); err == nil {
			t.Errorf("ParseAddr(%q) = %+v, want an error", bad, a)
		}
	}
}
