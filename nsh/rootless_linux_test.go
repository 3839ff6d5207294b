package nsh_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"nsh.dev/nsh/internal/testenv"
)

// TestUnprivileged runs nsh as an ordinary user (nobody, 65534): the
// language needs no privilege, and a file, a pipe, a background block
// and a here document all work for that user, in a rootless session where
// bind works and reports a missing path.
func TestUnprivileged(t *testing.T) {
	testenv.NeedRoot(t)
	dir := testenv.PublicTempDir(t, "nsh-work")
	scratch := filepath.Join(dir, "scratch")
	if err := os.Mkdir(scratch, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(scratch, 0o777); err != nil {
		t.Fatal(err)
	}
	script := `id -u
cd scratch
echo made >f.t; cat f.t
touch a.x b.x; echo *.x
{echo from a block $1} & wait
cat <<EOF | tr a-z A-Z
here
EOF
x=‵{id -u}; ~ $x 65534 && echo backquote
mkdir x y; touch x/in
bind x y; ls y
bind /a /b
echo status $status
`
	script = string(bytes.ReplaceAll([]byte(script), []byte("‵"), []byte("`")))
	if err := os.WriteFile(filepath.Join(dir, "s.rc"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := nshCommand(ctx, dir, "", "s.rc", "arg")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("nsh as nobody: %v\n%s", err, errb.String())
	}
	want := "65534\nmade\na.x b.x\nfrom a block arg\nHERE\nbackquote\nin\nstatus bind: /a: no such file or directory\n"
	if out.String() != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", out.String(), want)
	}
	wantErr := "nsh: bind: /a: no such file or directory\n"
	if errb.String() != wantErr {
		t.Errorf("stderr %q, want %q", errb.String(), wantErr)
	}
	fi, err := os.Stat(filepath.Join(scratch, "f.t"))
	if err != nil {
		t.Fatal(err)
	}
	if st := fi.Sys().(*syscall.Stat_t); st.Uid != 65534 {
		t.Errorf("f.t belongs to uid %d, want 65534", st.Uid)
	}
}
