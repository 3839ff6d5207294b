package p9fuse

import "testing"

func TestFsName(t *testing.T) {
	for _, c := range []struct{ addr, aname, want string }{
		{"/srv/ram", "", "/srv/ram"},
		{"unix!/tmp/s", "", "unix!/tmp/s"},
		{"tcp!127.0.0.1!564", "/export", "tcp!127.0.0.1!564 /export"},
		{"/srv/my ram", "", "'/srv/my ram'"},
		{"/srv/it's", "sub", "'/srv/it''s' sub"},
		{"/srv/ram", "a b", "/srv/ram 'a b'"},
		{"/srv/x", "", "/srv/x"},
		{"/srv/$x", "#c", "'/srv/$x' '#c'"},
		{"/srv/a*", "{b}", "'/srv/a*' '{b}'"},
		{"/srv/tab\there", "", "'/srv/tab\there'"},
		{"/srv/x", "back\\slash", "/srv/x 'back\\slash'"},
	} {
		if got := FsName(c.addr, c.aname); got != c.want {
			t.Errorf("FsName(%q, %q) = %q, want %q", c.addr, c.aname, got, c.want)
		}
	}
}
