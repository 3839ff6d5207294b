package shelltest

import (
	"os"
	"strings"
	"testing"
)

// listingFn defines listing, which prints every file under $home/v with
// its content, as the namespace shows them.
const listingFn = `fn listing { cd $home/v && find . | sort && find . -type f -exec grep -H '' '{}' + | sort }
`

// TestNSReplay: ns > f in one session, then nsh --ns f and . f in fresh
// sessions rebuild the same view: the same ns output, the same files
// with the same contents, and creates landing in the same member.
func TestNSReplay(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		b := newBox(t, u)
		b.files("a/fa=a\n", "a/shared=a\n", "b/fb=b\n", "b/shared=b\n", "c/fc=c\n", "cr/", "it's x/q=q\n", "f=f\n",
			"v/t1/ft1=t1\n", "v/t1/shared=t1\n", "v/t2/ft2=t2\n", "v/t3/ft3=t3\n", "v/file=v\n")
		build := listingFn + `cd v
bind -b $home/a t1
bind -a $home/b t1
bind -a $home/'it''s x' t1
bind $home/c t2
bind -b $home/a t3
bind -bc $home/cr t3
bind $home/f file
cd t1
ns >$home/ns.out
listing >$home/listing.out
`
		b.script(build)
		ns, listing := b.read("ns.out"), b.read("listing.out")
		// ns prints a union's members from the kernel's view: those after
		// the original directory (-a), then those before it (-b).
		wantNS := `bind -a BOX/b BOX/v/t1
bind -a 'BOX/it''s x' BOX/v/t1
bind -b BOX/a BOX/v/t1
bind BOX/c BOX/v/t2
bind -b BOX/a BOX/v/t3
bind -bc BOX/cr BOX/v/t3
bind BOX/f BOX/v/file
cd BOX/v/t1
`
		if got := b.rel(ns); got != wantNS {
			t.Errorf("ns:\n%s\nwant:\n%s", got, wantNS)
		}
		if !strings.Contains(listing, "./t1/fb:b\n") || !strings.Contains(listing, "./t1/shared:a\n") || !strings.Contains(listing, "./file:f\n") {
			t.Errorf("the first session's view is not the one built:\n%s", listing)
		}
		check := listingFn + "ns; pwd; listing; echo new >$home/v/t3/new; cat $home/cr/new"
		for _, args := range [][]string{
			{"--ns", "ns.out", "-c", check},
			{"-c", ". $home/ns.out; " + check},
		} {
			r := b.nsh(args...)
			want := ns + b.path("v/t1") + "\n" + listing + "new\n"
			if r.code != 0 || r.stderr != "" || r.stdout != want {
				t.Errorf("nsh %q:\n%v\nwant stdout:\n%s", args, r, want)
			}
			if err := os.Remove(b.path("cr/new")); err != nil {
				t.Errorf("the replayed union did not create in the same member: %v", err)
			}
		}
		b.checkNoTrace(hostMountinfo(t))
	})
}

// TestNSFileErrors: a namespace file's error stops it with FILE:LINE:
// reason and nsh runs nothing; -q on a line keeps Plan 9's silence;
// comments, $variables, cd, clear, unmount and nested files work.
func TestNSFileErrors(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		b := newBox(t, u)
		b.files("a/fa=a\n", "b/fb=b\n", "c/fc=c\n", "t/ft=t\n",
			"good=# a comment\nbind -q /nonexistent $home/t\nbind $home/a $home/t\nclear\nbind -b $home/b $home/t\ncd $home/a\nbind -a ../c ../t\nunmount $home/b $home/t\n. $home/inner\n",
			"inner=bind -q $home/none $home/t\nbind -b $home/a $home/t\n",
			"nested=bind $home/a $home/t\n. $home/bad\n",
			"bad=# fine\nbind /nonexistent $home/t\n",
			"quote=bind 'a t\n",
			"unknown=\nfrob x\n",
			"usage=bind -ab $home/a $home/t\n",
			"notunion=unmount $home/b $home/t\n",
		)
		r := b.nsh("--ns", "good", "-c", "ns; pwd; ls $home/t")
		want := "bind -a BOX/c BOX/t\nbind -b BOX/a BOX/t\ncd BOX/a\nBOX/a\nfa\nfc\nft\n"
		if got := b.rel(r.stdout); r.code != 0 || r.stderr != "" || got != want {
			t.Errorf("nsh --ns good:\n%v\nwant stdout:\n%s", r, want)
		}
		for _, c := range []struct{ file, err string }{
			{"bad", "nsh: --ns: bad:2: bind: /nonexistent: no such file or directory\n"},
			{"nested", "nsh: --ns: BOX/bad:2: bind: /nonexistent: no such file or directory\n"},
			{"quote", "nsh: --ns: quote:1: unterminated quote\n"},
			{"unknown", `nsh: --ns: unknown:2: unknown directive "frob" (want bind, mount, unmount, cd, clear or .)` + "\n"},
			{"usage", "nsh: --ns: usage:1: bind: -a and -b exclude each other\n"},
			{"notunion", "nsh: --ns: notunion:1: unmount: not mounted\n"},
			{"missing", "nsh: --ns: missing: no such file or directory\n"},
		} {
			r := b.nsh("--ns", c.file, "-c", "echo ran")
			if r.code != 1 || r.stdout != "" || b.rel(r.stderr) != c.err {
				t.Errorf("nsh --ns %s: %v\nwant exit 1, no output and stderr %q", c.file, r, c.err)
			}
		}
	})
}

// read returns the content of a file in the box.
func (b *box) read(name string) string {
	b.t.Helper()
	data, err := os.ReadFile(b.path(name))
	if err != nil {
		b.t.Fatal(err)
	}
	return string(data)
}
