package nsh

import (
	"fmt"
	"strings"
)

// usageText is the synopsis printed by --help and after a usage error.
const usageText = `usage: nsh [-eilnsvxI] [--ns FILE] [--share] [--norc] [-c COMMAND [ARG ...] | FILE [ARG ...]]`

const helpText = usageText + `

nsh is a Plan 9 style shell: it speaks rc, and every session has its own
mount namespace, edited with bind, mount and unmount and shown by ns.

  -c COMMAND  run COMMAND; the arguments after it are $*
  FILE        run the script FILE; the arguments after it are $*
              (with neither, commands are read from standard input)
  -e          exit when a simple command fails (outside conditions)
  -x          print each simple command on standard error before it runs
  -v          print input lines as they are read
  -n          read and check the commands, run none
  -s          print the status after each command that fails
  -i          interactive: prompt, and survive errors (the default when
              standard input is a terminal)
  -I          not interactive, even on a terminal
  -l          login shell: run $home/lib/profile first (also when the
              program's name starts with -)
  --ns FILE   apply the namespace file FILE before anything runs
  --share     run in the caller's session rather than a new one
  --norc      run no start-up file: neither the profile of -l nor the
              interactive shell's $XDG_CONFIG_HOME/nsh/rc
  --help      print this help
  --version   print the version

An interactive shell on a terminal edits lines (Emacs keys, Tab
completes, Up and Ctrl-R search the history in $history, by default
$XDG_STATE_HOME/nsh/history), prompts with $prompt, and runs fn prompt
before each prompt. Ctrl-C interrupts the command, Ctrl-D at an empty
prompt exits. The builtin help describes the builtins; man nsh the rest.

Single-letter flags may be grouped: -ex. Exit status: 0 when the last
status was true, 1 when false, 2 for a usage error, 126 when a program
could not be run, 127 when it was not found, 128+n after signal n.
`

// options are the parsed command line.
type options struct {
	flags   string // single-letter flags, in order
	command string
	hasCmd  bool
	file    string // script; "" reads standard input
	args    []string
	nsFile  string
	share   bool
	norc    bool // --norc: no start-up files
	help    bool
	version bool
}

func (o *options) has(c byte) bool { return strings.IndexByte(o.flags, c) >= 0 }

// parseArgs reads the command line the way getopt does: single-letter
// flags may be grouped (-ex), -c takes the next argument (or the rest of
// its group: -cCMD), and the first argument that is not a flag ends
// them. Long options: --help, --version, --share, --norc, --ns FILE,
// --ns=FILE.
func parseArgs(args []string) (*options, error) {
	o := &options{}
	i := 1
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			i++
			break
		}
		if strings.HasPrefix(a, "--") {
			name, val, hasVal := strings.Cut(a[2:], "=")
			switch name {
			case "help":
				o.help = true
			case "version":
				o.version = true
			case "share":
				o.share = true
			case "norc":
				o.norc = true
			case "ns":
				if !hasVal {
					if i+1 >= len(args) {
						return nil, fmt.Errorf("--ns needs a file")
					}
					i++
					val = args[i]
				}
				o.nsFile = val
			default:
				return nil, fmt.Errorf("unknown option %s", a)
			}
			if hasVal && name != "ns" {
				return nil, fmt.Errorf("option --%s takes no value", name)
			}
			continue
		}
		if len(a) < 2 || a[0] != '-' {
			break
		}
		for k := 1; k < len(a); k++ {
			c := a[k]
			switch {
			case c == 'c':
				o.hasCmd = true
				if k+1 < len(a) {
					o.command = a[k+1:]
				} else {
					if i+1 >= len(args) {
						return nil, fmt.Errorf("-c needs a command")
					}
					i++
					o.command = args[i]
				}
				k = len(a)
			// The session's constructor scans these letters too, before
			// the runtime starts (bind/session/session_linux.c): keep the
			// two lists in step.
			case strings.IndexByte("eilnsvxI", c) >= 0:
				o.flags += string(c)
			case c == 'h':
				o.help = true
			default:
				return nil, fmt.Errorf("unknown flag -%c", c)
			}
		}
		if o.hasCmd {
			i++
			break
		}
	}
	rest := args[i:]
	if !o.hasCmd && len(rest) > 0 {
		o.file, rest = rest[0], rest[1:]
	}
	if len(rest) > 0 {
		o.args = rest
	}
	if o.has('i') && o.has('I') {
		return nil, fmt.Errorf("-i and -I exclude each other")
	}
	return o, nil
}
