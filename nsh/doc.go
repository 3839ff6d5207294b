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
// The interactive line editor plugs in through Options.Interactive; the
// System through Options.System (OSSystem by default, which has no
// namespace of its own).
package nsh
