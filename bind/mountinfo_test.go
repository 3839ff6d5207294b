package bind

import (
	"strings"
	"testing"
)

const sampleMountinfo = `22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
40 27 0:40 / /srv rw,nosuid,nodev - tmpfs nsh-srv rw,mode=1777
41 40 254:0 /home/u/bin /srv/.nsh/m/aa rw - ext4 /dev/vda rw
42 40 254:0 /usr/bin /srv/.nsh/m/bb rw - ext4 /dev/vda rw
43 27 0:41 / /usr/bin rw - overlay nsh-union:0 ro,lowerdir+=/srv/.nsh/m/aa,lowerdir+=/srv/.nsh/m/bb
44 27 254:0 /opt/a\040b /mnt/x\134y rw master:7 - ext4 /dev/vda rw
45 27 254:0 /home/u/test/hosts /etc/hosts rw - ext4 /dev/vda rw
`

func TestParseMountinfo(t *testing.T) {
	tab, err := parseMountinfo(sampleMountinfo)
	if err != nil {
		t.Fatal(err)
	}
	m := tab.byID[44]
	if m.Root != "/opt/a b" || m.Point != `/mnt/x\y` || !m.master() || m.FSType != "ext4" {
		t.Errorf("entry 44: %+v", m)
	}
	if tab.byID[27].master() {
		t.Error("a shared mount counted as propagated from the host")
	}
	if got := tab.resolve("/usr/bin/ls"); got == nil || got.ID != 43 {
		t.Errorf("resolve /usr/bin/ls = %+v", got)
	}
	if got := tab.resolve("/usr"); got == nil || got.ID != 27 {
		t.Errorf("resolve /usr = %+v", got)
	}
	if !strings.HasPrefix(tab.key(tab.byID[41]), tab.key(tab.byID[40])+"|") {
		t.Errorf("a child's key does not extend its parent's: %q, %q", tab.key(tab.byID[41]), tab.key(tab.byID[40]))
	}
	for _, bad := range []string{"1 2 3", "x 1 0:1 / / rw - ext4 a b", "1 1 0:1 / / rw ext4 a b"} {
		if _, err := parseMountinfo(bad); err == nil {
			t.Errorf("parseMountinfo(%q) succeeded", bad)
		}
	}
}

// TestViewLines explains a mount table as ns does: the baseline is the
// root, /proc and /srv; the rest are the session's.
func TestViewLines(t *testing.T) {
	tab, err := parseMountinfo(sampleMountinfo)
	if err != nil {
		t.Fatal(err)
	}
	base := map[string]bool{}
	for _, id := range []int{22, 27, 40} {
		base[tab.key(tab.byID[id])] = true
	}
	got := newView(tab, base, "/srv/.nsh").lines()
	want := []string{
		"bind -b /home/u/bin /usr/bin",
		"bind /home/u/test/hosts /etc/hosts",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("lines\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestViewLinesNinep: ns prints 9P mounts, plain and cached (the bridge
// gives a mount -C the type fuse.9pc), on their own and as union members.
func TestViewLinesNinep(t *testing.T) {
	const info = `27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
40 27 0:40 / /srv rw,nosuid,nodev - tmpfs nsh-srv rw,mode=1777
50 27 0:50 / /n/ram rw,nosuid,nodev - fuse.9p /srv/ram rw,user_id=0,group_id=0
51 27 0:51 / /n/ex rw,nosuid,nodev - fuse.9pc 'unix!/tmp/ex\040sock'\040/a rw,user_id=0,group_id=0
52 40 0:52 / /srv/.nsh/m/cc rw,nosuid,nodev - fuse.9pc /srv/ex rw,user_id=0,group_id=0
53 40 254:0 /usr/bin /srv/.nsh/m/dd rw - ext4 /dev/vda rw
54 27 0:53 / /usr/bin rw - overlay nsh-union:0 ro,lowerdir+=/srv/.nsh/m/dd,lowerdir+=/srv/.nsh/m/cc
`
	tab, err := parseMountinfo(info)
	if err != nil {
		t.Fatal(err)
	}
	base := map[string]bool{}
	for _, id := range []int{27, 40} {
		base[tab.key(tab.byID[id])] = true
	}
	got := newView(tab, base, "/srv/.nsh").lines()
	want := []string{
		"mount /srv/ram /n/ram",
		"mount -C 'unix!/tmp/ex sock' /n/ex /a",
		"mount -aC /srv/ex /usr/bin",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("lines\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestViewLinesInherited: in a nested session, the enclosing session's
// union on /t (43, with its staging mounts, in the baseline) is edited by
// a union of the nested session's own on top of it (45), and bound as new
// onto /z (46, of copies of its members). ns looks through the inherited
// union: the lines rebuild both unions in a fresh session, where /t is the
// directory below it.
func TestViewLinesInherited(t *testing.T) {
	const info = `27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
40 27 0:40 / /srv rw,nosuid,nodev - tmpfs nsh-srv rw,mode=1777
41 40 254:0 /a /srv/.nsh/m/aa rw - ext4 /dev/vda rw
42 40 254:0 /t /srv/.nsh/m/tt rw - ext4 /dev/vda rw
43 27 0:41 / /t rw - overlay nsh-union:0 ro,lowerdir+=/srv/.nsh/m/aa,lowerdir+=/srv/.nsh/m/tt
47 40 254:0 /a /srv/.nsh/m/a2 rw - ext4 /dev/vda rw
48 40 254:0 /t /srv/.nsh/m/t2 rw - ext4 /dev/vda rw
46 27 0:43 / /z rw - overlay nsh-union:1 ro,lowerdir+=/srv/.nsh/m/a2,lowerdir+=/srv/.nsh/m/t2
44 40 254:0 /b /srv/.nsh/m/bb rw - ext4 /dev/vda rw
45 43 0:42 / /t rw - overlay nsh-union:1 ro,lowerdir+=/srv/.nsh/m/aa,lowerdir+=/srv/.nsh/m/tt,lowerdir+=/srv/.nsh/m/bb
`
	tab, err := parseMountinfo(info)
	if err != nil {
		t.Fatal(err)
	}
	base := map[string]bool{}
	for _, id := range []int{27, 40, 41, 42, 43} {
		base[tab.key(tab.byID[id])] = true
	}
	v := newView(tab, base, "/srv/.nsh")
	if !v.inherited(tab.byID[43]) || v.inherited(tab.byID[45]) {
		t.Errorf("inherited: 43 %v, 45 %v; want true, false", v.inherited(tab.byID[43]), v.inherited(tab.byID[45]))
	}
	got := v.lines()
	want := []string{
		"bind /t /z",
		"bind -b /a /z",
		"bind -a /b /t",
		"bind -b /a /t",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("lines\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"/usr/bin":      "/usr/bin",
		"tcp!h!564":     "tcp!h!564",
		"a,b:c%d@e+f":   "a,b:c%d@e+f",
		"":              "''",
		"sp ace":        "'sp ace'",
		"it's":          "'it''s'",
		"#c":            "'#c'",
		"$home":         "'$home'",
		"a=b":           "'a=b'",
		"x*":            "'x*'",
		"tab\tnew\nl":   "'tab\tnew\nl'",
		"(x){y}<z>|;&^": "'(x){y}<z>|;&^'",
	} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestFlagString(t *testing.T) {
	for f, want := range map[Flag]string{0: "", After: "-a", Before | Create: "-bc", Create: "-c", Cache: "-C"} {
		if got := f.String(); got != want {
			t.Errorf("%d: %q, want %q", f, got, want)
		}
	}
}
