package edit

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
)

// The terminal tests run this test binary again as a child on the slave
// side of a pseudo-terminal, in helper mode: a small shell loop around an
// Editor that prints what it read.
const helperEnv = "NSH_EDIT_TEST_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		os.Exit(helperMain())
	}
	os.Exit(m.Run())
}

// helperMain reads commands until end of input, printing each as
// [got "..."], and runs the ones of the form "run COMMAND" with sh -c and
// the terminal, as the shell would. It takes its prompts from
// NSH_EDIT_PROMPT1 and NSH_EDIT_PROMPT2 and its history file from
// NSH_EDIT_HISTORY ("default" for DefaultHistoryFile).
func helperMain() int {
	// As the shell does: catch SIGINT and SIGQUIT, never ignore them.
	// SIGQUIT is shown, so that the tests see whether Ctrl-\ raised it.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGQUIT)
	go func() {
		for s := range sig {
			if s == syscall.SIGQUIT {
				fmt.Println("[sigquit]")
			}
		}
	}()
	hist := os.Getenv("NSH_EDIT_HISTORY")
	if hist == "default" {
		var err error
		if hist, err = DefaultHistoryFile(); err != nil {
			fmt.Println(err)
			return 1
		}
	}
	cwd, err := os.Getwd()
	if err != nil {
		fmt.Println(err)
		return 1
	}
	ed, err := New(Config{
		Prompt: func(cont bool) string {
			if cont {
				return os.Getenv("NSH_EDIT_PROMPT2")
			}
			return os.Getenv("NSH_EDIT_PROMPT1")
		},
		Incomplete: testIncomplete,
		Names: &osNames{
			dir:      cwd,
			builtins: []string{"cd", "echo", "exit"},
			vars:     map[string][]string{"home": {cwd}, "path": {"/usr/bin", "/bin"}},
		},
		HistoryFile: hist,
	})
	if err != nil {
		fmt.Println(err)
		return 1
	}
	for {
		cmd, err := ed.ReadCommand()
		switch {
		case err == io.EOF:
			fmt.Println("[eof]")
			ed.Close()
			return 0
		case err == ErrInterrupted:
			fmt.Println("[interrupted]")
		case err == ErrIncomplete:
			fmt.Printf("nsh: %v\n", err)
		case err != nil:
			fmt.Printf("[error %v]\n", err)
			return 1
		default:
			fmt.Printf("[got %q]\n", cmd)
			if sh, ok := strings.CutPrefix(cmd, "run "); ok {
				c := exec.Command("/bin/sh", "-c", sh)
				c.Stdin, c.Stdout, c.Stderr = os.Stdin, os.Stdout, os.Stderr
				if err := c.Run(); err != nil {
					fmt.Printf("[run: %v]\n", err)
				}
				if err := ed.SaveTerminalMode(); err != nil {
					fmt.Printf("[save: %v]\n", err)
				}
				fmt.Println("[ran]")
			}
		}
	}
}

// testIncomplete stands in for the rc parser: text is incomplete while a
// quote or a brace is open.
func testIncomplete(src string) bool {
	depth, inQuote := 0, false
	for _, c := range src {
		switch {
		case inQuote:
			inQuote = c != '\''
		case c == '\'':
			inQuote = true
		case c == '{':
			depth++
		case c == '}':
			depth--
		}
	}
	return inQuote || depth > 0
}
