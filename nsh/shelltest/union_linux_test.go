package shelltest

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// showFn defines show LABEL DIR, which prints a directory's names on one
// line.
const showFn = "fn show { echo $1: `{ls $2} }\n"

// TestBindFlags runs every flag of bind through the shell: replace, -b,
// -a, -c, -bc, -q; which member wins a lookup; where creates and writes
// land; what is refused and with which message; unmount of one member
// and of all.
func TestBindFlags(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		b := newBox(t, u)
		b.files("a/fa=a\n", "a/shared=a\n", "b/fb=b\n", "b/shared=b", "c/", "t/ft=t\n", "t/shared=t\n")
		r := b.nsh("-c", showFn+`bind a t; show replace t; cat t/shared
unmount t; show restored t
bind -b a t; show before t; cat t/shared
bind -a b t; show after t; cat t/shared
unmount a t; show 'unmount a' t; cat t/shared
touch t/new >[2]/dev/null; echo read-only union: $status
bind -bc c t; show create t
echo made >t/new; echo changed >t/ft; rm t/fb; show writes t
cat c/new c/ft b/fb t/ft
ns
bind -ac a t; echo $status
bind -ab a t; echo $status
bind -q /nonexistent t; echo q $status
bind /nonexistent t; echo $status
bind a/fa t; echo $status
bind -b a/fa b/fb; echo $status
bind a/fa b/fb; cat b/fb
unmount a t; echo $status
unmount b t; show 'unmount b' t
unmount t; show 'unmount all' t
unmount t; echo $status
bind -c a t; show 'bind -c' t; echo x >t/x; cat a/x
`)
		wantOut := `replace: fa shared
a
restored: ft shared
before: fa ft shared
a
after: fa fb ft shared
a
unmount a: fb ft shared
t
read-only union: 1
create: fb ft shared
writes: ft new shared
made
changed
b
changed
bind -a BOX/b BOX/t
bind -bc BOX/c BOX/t
cd BOX
bind: BOX/t: overlayfs creates files only in the first member of a union: use -bc to add a create member
usage
q 
bind: /nonexistent: no such file or directory
bind: BOX/t: inconsistent mount
bind: BOX/b/fb: inconsistent mount
a
unmount: not in union
unmount b: ft new shared
unmount all: ft shared
unmount: not mounted
bind -c: fa shared
x
`
		wantErr := `nsh: bind: BOX/t: overlayfs creates files only in the first member of a union: use -bc to add a create member
usage: bind [-abcq] new old
nsh: bind: /nonexistent: no such file or directory
nsh: bind: BOX/t: inconsistent mount
nsh: bind: BOX/b/fb: inconsistent mount
nsh: unmount: not in union
nsh: unmount: not mounted
`
		if got := b.rel(r.stdout); got != wantOut {
			t.Errorf("stdout:\n%s\nwant:\n%s", got, wantOut)
		}
		if got := b.rel(r.stderr); got != wantErr {
			t.Errorf("stderr:\n%s\nwant:\n%s", got, wantErr)
		}
		if r.code != 0 {
			t.Errorf("exit %d, want 0 (the last command succeeded)", r.code)
		}
		// What was written through the union stays in the create member,
		// owned by the user; the other members never changed.
		b.checkNoTrace(hostMountinfo(t))
		for name, want := range map[string]string{"c/new": "made\n", "c/ft": "changed\n", "t/ft": "t\n", "b/fb": "b\n", "a/x": "x\n"} {
			got, err := os.ReadFile(b.path(name))
			if err != nil || string(got) != want {
				t.Errorf("%s after the session: %q, %v; want %q", name, got, err, want)
			}
		}
		if uid := ownerOf(t, b.path("c/new")); uid != u.uid {
			t.Errorf("c/new belongs to uid %d, want %d", uid, u.uid)
		}
	})
}

// rel replaces the box's path in s by BOX.
func (b *box) rel(s string) string { return strings.ReplaceAll(s, b.dir, "BOX") }

// ownerOf returns the uid that owns a file.
func ownerOf(t *testing.T, p string) int {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	return int(fi.Sys().(*syscall.Stat_t).Uid)
}

// TestUnionPaths makes a union of members whose paths hold a comma, a
// colon, a space and a quote, and one more than 300 bytes long, with a
// create member among them; lookup, creation and ns replay work.
func TestUnionPaths(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		b := newBox(t, u)
		long := strings.Repeat("l", 200) + "/" + strings.Repeat("m", 255)
		b.files("a,b/comma=1", "c:d/colon=2", "e f/space=3", "it's/quote=4", long+"/long=5", "t/", "new,er:dir x/")
		r := b.nsh("-c", `bind -b 'a,b' t
bind -a 'c:d' t
bind -a 'e f' t
bind -a 'it''s' t
bind -a `+long+` t
bind -bc 'new,er:dir x' t
ls t
cat t/comma t/colon t/space t/quote t/long
echo created >t/made
ns >ns.out
`)
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("%v", r)
		}
		if want := "colon\ncomma\nlong\nquote\nspace\n12345"; r.stdout != want {
			t.Errorf("got:\n%s\nwant:\n%s", r.stdout, want)
		}
		if got, err := os.ReadFile(b.path("new,er:dir x/made")); err != nil || string(got) != "created\n" {
			t.Errorf("the file created through the union: %q, %v", got, err)
		}
		ns, err := os.ReadFile(b.path("ns.out"))
		if err != nil {
			t.Fatal(err)
		}
		wantNS := `bind -a BOX/c:d BOX/t
bind -a 'BOX/e f' BOX/t
bind -a 'BOX/it''s' BOX/t
bind -a BOX/` + long + ` BOX/t
bind -b BOX/a,b BOX/t
bind -bc 'BOX/new,er:dir x' BOX/t
cd BOX
`
		if got := b.rel(string(ns)); got != wantNS {
			t.Errorf("ns:\n%s\nwant:\n%s", got, wantNS)
		}
		// The printed namespace rebuilds the same union.
		out := b.script(". ns.out; ls t; cat t/comma t/colon t/space t/quote t/long t/made")
		if want := "colon\ncomma\nlong\nmade\nquote\nspace\n12345created\n"; out != want {
			t.Errorf("replayed:\n%s\nwant:\n%s", out, want)
		}
		b.checkNoTrace(hostMountinfo(t))
	})
}

// TestUnion500 builds a union of 500 members (the directory itself and
// 499 more) through the shell; a 501st is refused with a clear error.
func TestUnion500(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		b := newBox(t, u)
		specs := []string{"t/f0=0"}
		for i := 1; i <= 500; i++ {
			specs = append(specs, fmt.Sprintf("d%d/f%d=%d", i, i, i))
		}
		b.files(specs...)
		r := b.nsh("-c", "for(i in `{seq 499}) bind -a d$i t\n"+
			"ls t | wc -l; cat t/f0 t/f1 t/f250 t/f499; echo\nbind -a d500 t; echo $status; ns | wc -l")
		wantOut := "500\n01250499\nbind: BOX/t: 501 members: too many members in a union (overlayfs allows at most 500)\n500\n"
		wantErr := "nsh: bind: BOX/t: 501 members: too many members in a union (overlayfs allows at most 500)\n"
		if got := b.rel(r.stdout); got != wantOut {
			t.Errorf("stdout:\n%s\nwant:\n%s", got, wantOut)
		}
		if got := b.rel(r.stderr); got != wantErr {
			t.Errorf("stderr:\n%s\nwant:\n%s", got, wantErr)
		}
	})
}

// TestRforkAndSubshell: @{ } shares the shell's namespace, unless it
// does rfork n; after rfork n the shell's binds no longer reach a
// program started before it.
func TestRforkAndSubshell(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		b := newBox(t, u)
		b.files("a/fa=a", "b/fb=b", "t/ft=t")
		out := b.script(`@{bind a t}; echo shared: ` + "`" + `{ls t}
unmount t
@{rfork n; bind a t; echo inside: ` + "`" + `{ls t}}; echo outside: ` + "`" + `{ls t}
x=` + "`" + `{readlink /proc/self/ns/mnt}
{sleep 1; echo started before: ` + "`" + `{ls t}} &
rfork n
~ $x ` + "`" + `{readlink /proc/self/ns/mnt} || echo a namespace of its own
bind b t; echo after rfork: ` + "`" + `{ls t}
wait`)
		want := `shared: fa
inside: fa
outside: ft
a namespace of its own
after rfork: fb
started before: ft
`
		if out != want {
			t.Errorf("got:\n%s\nwant:\n%s", out, want)
		}
	})
}

// TestSymlinkSwap binds onto a path that is a symbolic link the test
// swaps, as fast as it can, between two directories and a file: every
// bind lands on the one directory the link named when it was resolved,
// and ns names that directory; onto the file, bind says inconsistent
// mount.
func TestSymlinkSwap(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		b := newBox(t, u)
		b.files("a/marker=a", "d1/", "d2/", "f=file")
		link := b.path("t")
		if err := os.Symlink("d1", link); err != nil {
			t.Fatal(err)
		}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			tmp := b.path("t.tmp")
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				os.Remove(tmp)
				os.Symlink([]string{"d1", "d2", "f"}[i%3], tmp)
				os.Rename(tmp, link)
			}
		}()
		r := b.nsh("-c", `for(i in `+"`"+`{seq 300}){
	if(bind a t >[2]err){
		w=`+"`"+`{ns | awk '$1 == "bind" { print $NF }'}
		echo ok $w `+"`"+`{test -e d1/marker && echo d1} `+"`"+`{test -e d2/marker && echo d2}
		unmount $w
	}
	if not cat err
}
ns`)
		close(stop)
		wg.Wait()
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("%v", r)
		}
		valid := regexp.MustCompile(`^(ok BOX/d1 d1|ok BOX/d2 d2|nsh: bind: BOX/t: inconsistent mount|cd BOX)$`)
		seen := map[string]int{}
		for _, l := range lines(b.rel(r.stdout)) {
			if !valid.MatchString(l) {
				t.Errorf("unexpected line: %q", l)
			}
			seen[l]++
		}
		t.Logf("outcomes: %v", seen)
		if seen["cd BOX"] != 1 {
			t.Errorf("the namespace was not back to its start at the end: %q", r.stdout)
		}
	})
}

// TestDescriptors: a program run by nsh sees no more descriptors than
// the same program run by /bin/sh, also after binds, unions, rfork, in
// a subshell, a pipeline and the background.
func TestDescriptors(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		b := newBox(t, u)
		b.files("a/fa=a", "c/", "t/", "u/")
		sh := b.run("", "/bin/sh", "-c", "ls /proc/self/fd")
		if sh.code != 0 {
			t.Fatalf("/bin/sh: %v", sh)
		}
		for _, script := range []string{
			"ls /proc/self/fd",
			"bind a u; bind -bc c t; ls /proc/self/fd",
			"rfork n; bind a u; ls /proc/self/fd",
			"@{rfork n; bind -b a t; ls /proc/self/fd}",
			"ls /proc/self/fd | cat",
			"ls /proc/self/fd & wait",
			"bind -b a t; nsh -c 'ls /proc/self/fd'",
		} {
			if got := b.script(script); got != sh.stdout {
				t.Errorf("nsh -c %q lists descriptors\n%s\n/bin/sh -c lists\n%s", script, got, sh.stdout)
			}
		}
	})
}

// TestNestedSessionUnion: a session started inside another (nsh -c run
// from nsh) sees the enclosing session's unions and can add to them and
// remove from them, however deep the nesting and whatever the members:
// it puts a union of its own, made of the same members, on top (never an
// overlay on an overlay), which unmount removes to show the enclosing
// session's union again; its ns names the whole union, which a fresh
// session replays.
func TestNestedSessionUnion(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		t.Run("directories", func(t *testing.T) {
			b := newBox(t, u)
			b.files("a/fa=a\n", "b/fb=b\n", "c/fc=c\n", "t/ft=t\n")
			// Each shell goes on after its nested one, rather than
			// replace itself with it.
			r := b.nsh("-c", `bind -b a t
nsh -c 'bind -a b t; nsh -c ''bind -a c t; ls t; ns''; echo level 2 done'
echo level 1 done`)
			if want := "fa\nfb\nfc\nft\nbind -a BOX/b BOX/t\nbind -a BOX/c BOX/t\nbind -b BOX/a BOX/t\ncd BOX\nlevel 2 done\nlevel 1 done\n"; b.rel(r.stdout) != want || r.stderr != "" || r.code != 0 {
				t.Errorf("a union edited two sessions deep:\n%v\nwant stdout:\n%s", r, want)
			}
		})
		t.Run("ns and unmount", func(t *testing.T) {
			b := newBox(t, u)
			b.files("a/fa=a\n", "b/fb=b\n", "c/fc=c\n", "t/ft=t\n", "nested="+showFn+`bind -a b t; show nested t; ns >$home/ns.nested
unmount a t; show 'unmount a' t
echo new >t/new
unmount t; show 'unmount t' t
unmount t >[2]/dev/null || echo again: not mounted
`)
			before := hostMountinfo(t)
			r := b.nsh("-c", showFn+`bind -b a t; bind -bc c t
nsh $home/nested
show enclosing t; ns`)
			want := `nested: fa fb fc ft
unmount a: fb fc ft
unmount t: fa fc ft new
again: not mounted
enclosing: fa fc ft new
bind -b BOX/a BOX/t
bind -bc BOX/c BOX/t
cd BOX
`
			if got := b.rel(r.stdout); got != want || r.stderr != "" || r.code != 0 {
				t.Errorf("a nested session's edits of the enclosing union:\n%v\nwant stdout:\n%s", r, want)
			}
			// The nested session's ns names the whole union, relative to
			// the original directory: a fresh session replays it.
			wantNS := "bind -a BOX/b BOX/t\nbind -b BOX/a BOX/t\nbind -bc BOX/c BOX/t\ncd BOX\n"
			if got := b.rel(b.read("ns.nested")); got != wantNS {
				t.Errorf("the nested session's ns:\n%s\nwant:\n%s", got, wantNS)
			}
			r = b.nsh("--ns", "ns.nested", "-c", showFn+"show replayed t; ns")
			if got := b.rel(r.stdout); got != "replayed: fa fb fc ft new\n"+wantNS || r.stderr != "" || r.code != 0 {
				t.Errorf("replaying the nested session's ns:\n%v\nwant stdout:\nreplayed: fa fb fc ft new\n%s", r, wantNS)
			}
			if got := b.read("c/new"); got != "new\n" {
				t.Errorf("c/new, written through the nested union: %q", got)
			}
			b.checkNoTrace(before)
		})
		t.Run("9P member", func(t *testing.T) {
			needFUSE(t)
			b := newBox(t, u)
			b.files("b/fb=b\n", "m/", "t/ft=t\n")
			r := b.nsh(b.fuseArgs("-c", `p9srv -s ram ramfs
mount -c /srv/ram m; echo 9p >m/f9; unmount m
mount -a /srv/ram t
nsh -c 'bind -a b t; ls t; ns'`)...)
			if want := "f9\nfb\nft\nmount -a /srv/ram BOX/t\nbind -a BOX/b BOX/t\ncd BOX\n"; b.rel(r.stdout) != want || r.stderr != "" || r.code != 0 {
				t.Errorf("a nested session's bind onto a union with a 9P member:\n%v\nwant stdout:\n%s", r, want)
			}
			b.checkServersEnded()
		})
	})
}
