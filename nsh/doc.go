// Package nsh starts the shell: it reads the command line, builds the
// interpreter on a System, applies a namespace file given with --ns, and
// runs -c, a script, or the commands on standard input.
//
// A script or -c is parsed whole before any of it runs, so a syntax error
// anywhere runs none of it (rc runs the commands before the error).
// Standard input that is not a terminal is read command by command, as
// rc does: lines are gathered until the parser finds a complete command,
// which then runs. The reading goes through a buffer, so a program that
// reads the same standard input does not see the lines the shell has
// read ahead.
//
// An interactive shell whose standard input is a terminal reads through
// the line editor of package nsh/edit: prompts from $prompt after fn
// prompt, continuation lines while Incomplete says so, the history file
// $history (set to $XDG_STATE_HOME/nsh/history unless the environment
// set it, so that history=() turns it off), and Tab completion from the
// interpreter's names and its System, so that file names are the shell's
// namespace's. Ctrl-C at the prompt discards the command being typed and
// sets $status to sigint; after each command the terminal's mode is kept,
// or put back when a signal killed the command. Another reader plugs in
// through Options.Interactive.
//
// Start-up files: $home/lib/profile for a login shell (-l, or a name
// starting with -), then $XDG_CONFIG_HOME/nsh/rc for an interactive one;
// --norc skips both.
//
// The System plugs in through Options.System (OSSystem by default, which
// has no namespace of its own).
package nsh
