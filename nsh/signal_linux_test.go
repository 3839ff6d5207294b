package nsh_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"strings"
	"syscall"
	"testing"
	"time"

	"nsh.dev/nsh/internal/testenv"
)

// TestSignals sends signals to a running nsh once it has printed ready:
// to nsh alone, or to its process group as a terminal's Ctrl-C does.
func TestSignals(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		sig     syscall.Signal
		group   bool
		stdout  string         // after ready
		killed  syscall.Signal // nsh dies of this signal; 0: it exits
		code    int
		noError bool // nothing on standard error
	}{
		{name: "quit is ignored", src: "echo ready; sleep 0.5; echo after", sig: syscall.SIGQUIT,
			stdout: "after\n", noError: true},
		{name: "term ends the shell", src: "echo ready; sleep 3 >/dev/null >[2=1]; echo after", sig: syscall.SIGTERM,
			killed: syscall.SIGTERM},
		{name: "term handler", src: "fn sigterm {echo caught}; echo ready; sleep 0.5; echo after", sig: syscall.SIGTERM,
			stdout: "caught\nafter\n"},
		{name: "hangup ends the shell", src: "echo ready; sleep 3 >/dev/null >[2=1]; echo after", sig: syscall.SIGHUP,
			killed: syscall.SIGHUP},
		{name: "hangup handler", src: "fn sighup {echo hup}; echo ready; sleep 0.5; echo after", sig: syscall.SIGHUP,
			stdout: "hup\nafter\n"},
		{name: "interrupt from the terminal", src: "echo ready; sleep 10; echo after", sig: syscall.SIGINT, group: true,
			killed: syscall.SIGINT},
		{name: "interrupt handler", src: "fn sigint {echo caught}; echo ready; sleep 10; echo after", sig: syscall.SIGINT, group: true,
			stdout: "caught\nafter\n"},
		{name: "interrupt a builtin loop", src: "echo ready; while(~ a a) x=1", sig: syscall.SIGINT,
			killed: syscall.SIGINT},
		{name: "interrupt a loop in a pipeline", src: "echo ready; {while(~ a a) x=1} | cat; echo after", sig: syscall.SIGINT,
			group: true, killed: syscall.SIGINT},
		{name: "interrupt handler in a loop", src: "fn sigint {echo caught; x=()}; x=1; echo ready; while(~ $x 1) y=1; echo after",
			sig: syscall.SIGINT, stdout: "caught\nafter\n"},
		{name: "interrupt handled by the program", src: "echo ready; sh -c 'trap \"exit 0\" INT; sleep 1'; echo after",
			sig: syscall.SIGINT, group: true, stdout: "after\n"},
		{name: "quit in a one-command script", src: "eval 'echo ready; sleep 0.5; echo after'", sig: syscall.SIGQUIT,
			stdout: "after\n", noError: true},
		{name: "sigexit runs on a signal", src: "fn sigexit {echo bye}; echo ready; sleep 3 >/dev/null >[2=1]", sig: syscall.SIGTERM,
			stdout: "bye\n", killed: syscall.SIGTERM},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cmd := nshCommand(ctx, testenv.PublicTempDir(t, "nsh-work"), "", "-c", tc.src)
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			var errb bytes.Buffer
			cmd.Stderr = &errb
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			r := bufio.NewReader(out)
			line, err := r.ReadString('\n')
			if line != "ready\n" {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("first line %q, %v; stderr %s", line, err, errb.String())
			}
			// Let the next command start.
			time.Sleep(200 * time.Millisecond)
			pid := cmd.Process.Pid
			if tc.group {
				pid = -pid
			}
			start := time.Now()
			if err := syscall.Kill(pid, tc.sig); err != nil {
				t.Fatal(err)
			}
			rest, _ := io.ReadAll(r)
			err = cmd.Wait()
			if time.Since(start) > 5*time.Second {
				t.Errorf("nsh took %v to act on the signal", time.Since(start))
			}
			if string(rest) != tc.stdout {
				t.Errorf("stdout after ready %q, want %q", rest, tc.stdout)
			}
			if strings.Contains(errb.String(), "goroutine") {
				t.Fatalf("goroutine dump:\n%s", errb.String())
			}
			if tc.noError && errb.Len() > 0 {
				t.Errorf("stderr %q", errb.String())
			}
			ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
			switch {
			case tc.killed != 0:
				if !ws.Signaled() || ws.Signal() != tc.killed {
					t.Errorf("nsh ended with %v (%v), want killed by %v", cmd.ProcessState, err, tc.killed)
				}
			case ws.Signaled() || ws.ExitStatus() != tc.code:
				t.Errorf("nsh ended with %v, want exit %d", cmd.ProcessState, tc.code)
			}
		})
	}
}
