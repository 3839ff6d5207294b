package interp_test

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"nsh.dev/nsh/nsh"
	"nsh.dev/nsh/nsh/interp"
)

// recorder is a System whose namespace side records what it is asked to
// do; files and programs are the plain OS's. Forks record under their
// own name (fork1, fork2, ...) into the same log.
type recorder struct {
	nsh.OSSystem
	name string
	log  *recLog
}

type recLog struct {
	mu    sync.Mutex
	calls []string
	forks int
	fail  map[string]error // by path: Bind and friends fail on it
}

func newRecorder() *recorder {
	return &recorder{name: "root", log: &recLog{fail: map[string]error{}}}
}

func (r *recorder) record(format string, args ...any) {
	r.log.mu.Lock()
	defer r.log.mu.Unlock()
	r.log.calls = append(r.log.calls, r.name+": "+fmt.Sprintf(format, args...))
}

func (r *recorder) failFor(paths ...string) error {
	r.log.mu.Lock()
	defer r.log.mu.Unlock()
	for _, p := range paths {
		if err, ok := r.log.fail[p]; ok {
			return err
		}
	}
	return nil
}

func (r *recorder) calls() string {
	r.log.mu.Lock()
	defer r.log.mu.Unlock()
	return strings.Join(r.log.calls, "\n")
}

func flagString(f interp.MountFlags) string {
	s := "-"
	for _, x := range []struct {
		bit interp.MountFlags
		c   string
	}{{interp.MountBefore, "b"}, {interp.MountAfter, "a"}, {interp.MountCreate, "c"}, {interp.MountCache, "C"}} {
		if f&x.bit != 0 {
			s += x.c
		}
	}
	return s
}

func (r *recorder) Bind(new, old string, flags interp.MountFlags) error {
	r.record("bind %s %s %s", flagString(flags), new, old)
	return r.failFor(new, old)
}

func (r *recorder) Mount(addr, old, aname string, flags interp.MountFlags) error {
	r.record("mount %s %s %s %q", flagString(flags), addr, old, aname)
	return r.failFor(addr, old)
}

func (r *recorder) Unmount(new, old string) error {
	r.record("unmount %q %s", new, old)
	return r.failFor(new, old)
}

func (r *recorder) WriteNamespace(w io.Writer) error {
	r.record("ns")
	_, err := io.WriteString(w, "bind -b /home/x/bin /bin\nmount /srv/ram /n/ram\n")
	return err
}

func (r *recorder) ForkNamespace() (interp.System, error) {
	r.log.mu.Lock()
	r.log.forks++
	name := fmt.Sprintf("fork%d", r.log.forks)
	r.log.mu.Unlock()
	r.record("fork -> %s", name)
	return &recorder{name: name, log: r.log}, nil
}

func (r *recorder) ClearNamespace() error {
	r.record("clear")
	return nil
}

func (r *recorder) Close() error {
	r.record("close")
	return nil
}

// Start records whether the program gets a process group of its own.
func (r *recorder) Start(attr *interp.ProcAttr) (interp.Process, error) {
	if attr.Background {
		r.record("start %s in its own process group", attr.Args[0])
	}
	return r.OSSystem.Start(attr)
}

func TestNamespaceBuiltins(t *testing.T) {
	tests := []struct {
		name   string
		src    string
		calls  string // each recorded call on a line; DIR is the directory
		stdout string
		stderr string
		failed bool
	}{
		{name: "bind", src: `bind /a /b`, calls: "root: bind - /a /b"},
		{name: "bind relative", src: `bind a ../b`, calls: "root: bind - DIR/a " + "PARENT/b"},
		{name: "bind before", src: `bind -b /a /b`, calls: "root: bind -b /a /b"},
		{name: "bind after create", src: `bind -ac /a /b`, calls: "root: bind -ac /a /b"},
		{name: "bind flags apart", src: `bind -a -c /a /b`, calls: "root: bind -ac /a /b"},
		{name: "bind double dash", src: `bind -- /a /b`, calls: "root: bind - /a /b"},
		{name: "bind a and b", src: `bind -ab /a /b`, stderr: "usage: bind [-abcq] new old\n", failed: true},
		{name: "bind a then b", src: `bind -a -b /a /b`, stderr: "usage: bind [-abcq] new old\n", failed: true},
		{name: "bind unknown flag", src: `bind -z /a /b`, stderr: "usage: bind [-abcq] new old\n", failed: true},
		{name: "bind one argument", src: `bind /a`, stderr: "usage: bind [-abcq] new old\n", failed: true},
		{name: "bind three arguments", src: `bind /a /b /c`, stderr: "usage: bind [-abcq] new old\n", failed: true},
		{name: "bind error", src: `bind /missing /b`, calls: "root: bind - /missing /b",
			stderr: "nsh: bind: /missing: no such file or directory\n", failed: true},
		{name: "bind quiet error", src: `bind -q /missing /b; echo $status`, calls: "root: bind - /missing /b", stdout: "\n"},
		{name: "bind status", src: `bind /missing /b; echo $status`, calls: "root: bind - /missing /b",
			stdout: "bind: /missing: no such file or directory\n", stderr: "nsh: bind: /missing: no such file or directory\n"},
		{name: "mount", src: `mount /srv/ram /n/ram`, calls: `root: mount - /srv/ram /n/ram ""`},
		{name: "mount aname and cache", src: `mount -bC 'tcp!host!564' /n/x tree`, calls: `root: mount -bC tcp!host!564 /n/x "tree"`},
		{name: "mount relative socket", src: `mount ram /n`, calls: `root: mount - DIR/ram /n ""`},
		{name: "mount usage", src: `mount /srv/ram`, stderr: "usage: mount [-abcCq] addr old [aname]\n", failed: true},
		{name: "mount a and b", src: `mount -a -b /srv/ram /n`, stderr: "usage: mount [-abcCq] addr old [aname]\n", failed: true},
		{name: "unmount one", src: `unmount /n/ram`, calls: `root: unmount "" /n/ram`},
		{name: "unmount two", src: `unmount /home/x/bin /bin`, calls: `root: unmount "/home/x/bin" /bin`},
		{name: "unmount by address", src: `unmount 'tcp!host!564' /n/x`, calls: `root: unmount "tcp!host!564" /n/x`},
		{name: "unmount relative socket", src: `unmount ram /n`, calls: `root: unmount "DIR/ram" /n`},
		{name: "unmount usage", src: `unmount`, stderr: "usage: unmount [new] old\n", failed: true},
		{name: "unmount error", src: `unmount /missing`, calls: `root: unmount "" /missing`,
			stderr: "nsh: unmount: /missing: no such file or directory\n", failed: true},
		{name: "ns", src: `ns`, calls: "root: ns", stdout: "bind -b /home/x/bin /bin\nmount /srv/ram /n/ram\ncd DIR\n"},
		{name: "ns quotes the directory", src: `mkdir 'a b'; cd 'a b'; ns`, calls: "root: ns",
			stdout: "bind -b /home/x/bin /bin\nmount /srv/ram /n/ram\ncd 'DIR/a b'\n"},
		{name: "ns usage", src: `ns -r`, stderr: "usage: ns\n", failed: true},
		{name: "ns to file", src: `ns >ns.out; cat ns.out | wc -l`, calls: "root: ns", stdout: "3\n"},
		{name: "rfork n", src: `rfork n; bind /a /b`, calls: "root: fork -> fork1\nfork1: bind - /a /b\nfork1: close"},
		{name: "rfork n twice", src: `rfork n; rfork n; bind /a /b`,
			calls: "root: fork -> fork1\nfork1: fork -> fork2\nfork1: close\nfork2: bind - /a /b\nfork2: close"},
		{name: "subshell shares the namespace", src: `@{bind /a /b}; bind /c /d`, calls: "root: bind - /a /b\nroot: bind - /c /d"},
		{name: "subshell rfork n", src: `@{rfork n; bind /a /b}; bind /c /d`,
			calls: "root: fork -> fork1\nfork1: bind - /a /b\nfork1: close\nroot: bind - /c /d"},
		{name: "pipeline member shares", src: `bind /a /b | cat`, calls: "root: bind - /a /b"},
		{name: "rfork N", src: `rfork N`, calls: "root: clear"},
		{name: "rfork nN", src: `rfork nN; bind /a /b`, calls: "root: fork -> fork1\nfork1: clear\nfork1: bind - /a /b\nfork1: close"},
		{name: "rfork m refuses mount", src: `rfork m; mount /srv/ram /n; echo $status; bind /a /b`,
			calls: "root: bind - /a /b", stdout: "mount: mount/attach disallowed\n", stderr: "nsh: mount: mount/attach disallowed\n"},
		{name: "rfork m quiet", src: `rfork m; mount -q /srv/ram /n`},
		{name: "rfork e", src: `x=1; rfork e; echo $x`, stdout: "1\n"},
		{name: "rfork E", src: `x=1; fn f {}; rfork E; /bin/echo $#x $#path $#home; whatis f >[2]/dev/null || /bin/echo no f`, stdout: "0 0 0\nno f\n"},
		{name: "rfork E keeps the shell's own", src: `rfork E; /bin/echo $#ifs $#prompt $#pid`, stdout: "1 2 1\n"},
		{name: "rfork bare is ens", src: `x=1; rfork; echo $x`, stdout: "1\n",
			calls: "root: fork -> fork1\nfork1: start echo in its own process group\nfork1: close"},
		{name: "rfork s", src: `rfork s; /bin/true`, calls: "root: start /bin/true in its own process group"},
		{name: "rfork f", src: `rfork f; echo ok`, stdout: "ok\n"},
		{name: "rfork F", src: `{rfork F; /bin/echo on 3 >[1=3] >[2]/dev/null; echo $status} >[3]three.t; cat three.t`,
			stdout: "1\n"},
		{name: "without rfork F", src: `{/bin/echo on 3 >[1=3]} >[3]three.t; cat three.t`, stdout: "on 3\n"},
		{name: "rfork usage", src: `rfork x`, stderr: "usage: rfork [nNeEsfFm]\n", failed: true},
		{name: "rfork too many", src: `rfork n n`, stderr: "usage: rfork [nNeEsfFm]\n", failed: true},
		{name: "builtin bind", src: `fn bind {echo not this}; builtin bind /a /b`, calls: "root: bind - /a /b"},
		{name: "whatis bind", src: `whatis bind rfork ns`, stdout: "builtin bind\nbuiltin rfork\nbuiltin ns\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := scriptDir(t)
			sys := newRecorder()
			sys.log.fail["/missing"] = errors.New("/missing: no such file or directory")
			got := runWith(t, sys, dir, tc.src, "")
			parent := dir[:strings.LastIndex(dir, "/")]
			want := strings.NewReplacer("DIR", dir, "PARENT", parent)
			if c := sys.calls(); c != want.Replace(tc.calls) {
				t.Errorf("calls:\n%s\nwant:\n%s", c, want.Replace(tc.calls))
			}
			if got.stdout != want.Replace(tc.stdout) {
				t.Errorf("stdout %q, want %q", got.stdout, want.Replace(tc.stdout))
			}
			if got.stderr != tc.stderr {
				t.Errorf("stderr %q, want %q", got.stderr, tc.stderr)
			}
			if (got.code != 0) != tc.failed {
				t.Errorf("exit %d, want failed=%v", got.code, tc.failed)
			}
		})
	}
}

// TestNoNamespace checks what the builtins say on the plain-OS System.
func TestNoNamespace(t *testing.T) {
	got := runInProcess(t, scriptDir(t), "bind /a /b; ns; rfork n; echo $status", "")
	want := "nsh: bind: no namespace (this nsh was started without a session): unsupported operation\n" +
		"nsh: ns: no namespace (this nsh was started without a session): unsupported operation\n" +
		"nsh: rfork: no namespace (this nsh was started without a session): unsupported operation\n"
	if got.stderr != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", got.stderr, want)
	}
	if !strings.HasPrefix(got.stdout, "rfork: no namespace") {
		t.Errorf("status after rfork n: %q", got.stdout)
	}
}
