// Package edit reads commands from a person at a terminal for the
// interactive nsh: line editing, continuation lines, history and Tab
// completion, on top of github.com/peterh/liner.
//
// The package knows nothing of the interpreter. The caller says when the
// text gathered so far is an incomplete command (Config.Incomplete), what
// the prompts are (Config.Prompt) and which names exist (Names); the
// package does the terminal work around liner's known faults:
//
//   - liner leaves the terminal raw after Prompt returns; the Editor puts
//     the terminal in cooked mode between prompts, so a command such as
//     head -n1 reads a line with echo, and re-captures that mode when asked
//     (SaveTerminalMode), so stty changes stick.
//   - liner reads standard input through a 4 KiB buffer, which would keep
//     type-ahead meant for the next command. The Editor hands liner the
//     terminal's bytes one at a time through a pipe and stops after the
//     Enter that ends a line, so what is typed ahead stays in the terminal
//     for the command that runs next.
//   - liner refuses prompts with control characters; see SanitizePrompt.
//   - liner has no continuation lines; ReadCommand shows the continuation
//     prompt and keeps reading while Config.Incomplete says so.
//   - liner's history file format is one entry a line, rewritten whole;
//     the Editor appends each command to its own history file as one
//     record, so concurrent sessions keep each other's commands
//     (Config.HistoryFile).
//
// Where liner cannot edit — TERM unset, dumb or cons25, standard output
// not a terminal, standard input not a terminal (nsh -i < file), or a
// terminal narrower than the prompt plus 10 columns, which includes a
// terminal whose size was never set (0 columns) — the Editor reads lines
// itself, one byte at a time and without editing beyond the terminal's own
// (erase, kill, word erase), still showing both prompts and honouring
// Ctrl-C and Ctrl-D. The choice is made again before every prompt, so a
// terminal that gets a size later gains editing at the next prompt.
//
// The Editor never ignores a signal (signal.Ignore would be inherited by
// the commands the shell runs): it only asks for SIGINT with signal.Notify
// while it reads a line without liner, and liner asks for SIGWINCH. The
// shell must itself catch SIGINT and SIGQUIT with signal.Notify, or Go's
// default action kills it (with a goroutine dump for Ctrl-\).
package edit
