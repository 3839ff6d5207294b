package interp_test

import (
	"os"
	"testing"

	"nsh.dev/nsh/nsh/interp"
	"nsh.dev/nsh/nsh/syntax"
)

// TestNotify checks what a pending signal does to the next command.
func TestNotify(t *testing.T) {
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	prog, err := syntax.Parse("t", []byte("x=ran"))
	if err != nil {
		t.Fatal(err)
	}
	handler, err := syntax.Parse("t", []byte("fn sigint {handled=yes}; fn sighup {hup=yes}"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		interactive bool
		handlers    bool
		notify      []string
		discard     string
		err         error
		ran         bool
		status      string
		exitSignal  string
	}{
		{name: "none", ran: true},
		{name: "interrupt ends a script", notify: []string{"sigint"}, err: interp.ErrExit, status: "sigint", exitSignal: "sigint"},
		{name: "interrupt abandons an interactive command", interactive: true, notify: []string{"sigint"}, err: interp.ErrAbort, status: "sigint"},
		{name: "discarded interrupt", interactive: true, notify: []string{"sigint"}, discard: "sigint", ran: true},
		{name: "hangup ends an interactive shell", interactive: true, notify: []string{"sighup"}, err: interp.ErrExit, status: "sighup", exitSignal: "sighup"},
		{name: "quit is ignored", notify: []string{"sigquit"}, ran: true},
		{name: "unknown signals are ignored", notify: []string{"sigusr1"}, ran: true},
		{name: "handlers run", handlers: true, notify: []string{"sigint", "sighup"}, ran: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in, err := interp.New(interp.Config{System: execEmulator{}, Dir: "/", Stdout: devnull, Stderr: devnull, Interactive: tc.interactive})
			if err != nil {
				t.Fatal(err)
			}
			defer in.Close()
			if tc.handlers {
				if err := in.Run(handler, interp.RunOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			for _, s := range tc.notify {
				in.Notify(s)
			}
			if tc.discard != "" {
				in.Discard(tc.discard)
			}
			err = in.Run(prog, interp.RunOptions{})
			if err != tc.err {
				t.Errorf("Run: %v, want %v", err, tc.err)
			}
			if ran := len(in.Lookup("x")) > 0; ran != tc.ran {
				t.Errorf("ran = %v, want %v", ran, tc.ran)
			}
			if in.Status() != tc.status {
				t.Errorf("status %q, want %q", in.Status(), tc.status)
			}
			if in.ExitSignal() != tc.exitSignal {
				t.Errorf("ExitSignal %q, want %q", in.ExitSignal(), tc.exitSignal)
			}
			if tc.handlers && (len(in.Lookup("handled")) == 0 || len(in.Lookup("hup")) == 0) {
				t.Errorf("handlers did not run: handled=%q hup=%q", in.Lookup("handled"), in.Lookup("hup"))
			}
		})
	}
}
