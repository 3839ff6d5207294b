package shelltest

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"nsh.dev/nsh/internal/testenv"
)

// TestDemos runs the transcripts of testdata/demos, nsh's first-minute
// demos, as root and as nobody: each .txtar is a testscript whose
// transcript command plays a terminal session (see transcript) through
// the real programs and compares every step's output with the one
// written down.
func TestDemos(t *testing.T) {
	eachUser(t, func(t *testing.T, u user) {
		needFUSE(t)
		testenv.NeedProgram(t, "diodcat", "diod") // the watch-9p demo
		// A directory of its own each run (go test -count=N runs it
		// again in the same testRoot), which every user can enter.
		root, err := os.MkdirTemp(testRoot, "demos-"+u.name+"-")
		if err == nil {
			err = os.Chmod(root, 0o755)
		}
		if err != nil {
			t.Fatal(err)
		}
		testscript.Run(t, testscript.Params{
			Dir:         "testdata/demos",
			WorkdirRoot: root,
			Setup: func(env *testscript.Env) error {
				env.Values[boxKey{}] = boxAt(env.T().(testing.TB), u, env.WorkDir)
				return nil
			},
			Condition: func(cond string) (bool, error) {
				return cond == "rootless" && u.rootless(), nil
			},
			Cmds: map[string]func(*testscript.TestScript, bool, []string){
				"transcript": cmdTranscript,
			},
		})
	})
}

// boxKey finds the script's box among its testscript values.
type boxKey struct{}

// cmdTranscript is the testscript command "transcript FILE": it plays the
// transcript FILE and fails unless what happened is what FILE says.
func cmdTranscript(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: transcript FILE")
	}
	b := ts.Value(boxKey{}).(*box)
	want := ts.ReadFile(args[0])
	tr, err := parseTranscript(want)
	if err != nil {
		ts.Fatalf("%s: %v", args[0], err)
	}
	got, err := tr.play(b)
	if err != nil {
		ts.Fatalf("%s: %v\nso far:\n%s", args[0], err, got)
	}
	if got != want {
		ts.Fatalf("%s: the session went\n%s\nnot as written down:\n%s", args[0], got, want)
	}
}
