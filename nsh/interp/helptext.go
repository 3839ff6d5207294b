package interp

// helpText documents one builtin for the help builtin: its synopsis, a
// line for the list that help prints alone, and the rest (what it does,
// its flags, examples), each line ending in a newline.
type helpText struct {
	synopsis string
	summary  string
	body     string
}

// helpTexts holds the documentation of every builtin, by name. A test
// checks that it names exactly the builtins there are.
var helpTexts = map[string]helpText{
	".": {
		synopsis: ". [-i] file [arg ...]",
		summary:  "run the commands of a file in this shell",
		body: `Reads file and runs its commands in this shell, so that the
variables, functions, directory and namespace it sets stay set. With
arguments, $* is set to them while the file runs. A file named without a
/ is looked for in the directories of $path. -i is accepted, as in Plan 9,
and changes nothing.

Examples:
	. $home/lib/profile
	. ./settings.rc a b       # $* is (a b) inside
`,
	},
	"builtin": {
		synopsis: "builtin command [arg ...]",
		summary:  "run a builtin or program, never a function",
		body: `Runs command as a builtin or, failing that, as a program found on
$path, skipping any function of that name. It lets a function wrap the
command it is named after.

Examples:
	fn cd { builtin cd $* && echo now in ` + "`" + `{pwd} }
`,
	},
	"cd": {
		synopsis: "cd [dir]",
		summary:  "change the shell's directory",
		body: `Changes the current directory to dir, or to $home without an
argument. A dir that does not begin with /, ./ or ../ is looked for in
each directory of $cdpath (the empty string or . meaning here); when it
is found through $cdpath elsewhere than here, cd prints where it went on
standard error. The status is "can't cd" when it fails.

Examples:
	cd /tmp
	cdpath=(. $home/src); cd nsh
`,
	},
	"eval": {
		synopsis: "eval [arg ...]",
		summary:  "run the arguments, joined by spaces, as commands",
		body: `Joins its arguments with spaces and runs the result as rc
commands in this shell. A syntax error sets the status "syntax error".

Examples:
	cmd='echo hello'; eval $cmd
	eval $name^'=value'       # assign to a variable named by $name
`,
	},
	"exec": {
		synopsis: "exec [command [arg ...]]",
		summary:  "replace the shell with a program",
		body: `Replaces the shell with command, which keeps the shell's pid, its
descriptors and its namespace; nothing after exec runs. With only
redirections (exec >file) the redirections stay for the rest of the
shell's life instead.

Examples:
	exec vi notes
	exec >log >[2=1]          # from now on, all output goes to log
`,
	},
	"exit": {
		synopsis: "exit [status]",
		summary:  "leave the shell",
		body: `Ends the shell with the status given (its words joined by spaces),
or with the current $status. fn sigexit runs first when it is defined.
The exit code is 0 for a true status, the number for a numeric one, and 1
for any other string (127 for "not found", 126 for "not executable",
128+n for a death by signal n).

Examples:
	exit
	exit 3
	exit 'no input'
`,
	},
	"flag": {
		synopsis: "flag f [+-]",
		summary:  "test, set or clear one of the shell's flags",
		body: `With one argument, the status is true when the single-letter flag
f is set (as on the command line: e, x, i, l, ...). With + it sets the
flag, with - it clears it; -e and -x take effect at once.

Examples:
	flag x +; make; flag x -  # trace the commands in between
	if(flag i) echo interactive
`,
	},
	"help": {
		synopsis: "help [name ...]",
		summary:  "describe the builtins",
		body: `Without arguments, lists the builtins with a line on each. With
names, prints the synopsis, description and examples of each builtin
named. A name that is not a builtin is an error: for a function or a
program, whatis tells what it is, and man describes most programs (man
nsh describes the shell itself).

Examples:
	help
	help bind mount
`,
	},
	"shift": {
		synopsis: "shift [n]",
		summary:  "drop the first arguments from $*",
		body: `Removes the first n elements (1 by default) of $*. Shifting more
than there are is an error.

Examples:
	while(! ~ $#* 0) { echo $1; shift }
`,
	},
	"wait": {
		synopsis: "wait [pid]",
		summary:  "wait for background commands",
		body: `Waits for the background command whose process id is pid ($apid
right after cmd &), or for all of them, and sets $status to the status of
the one waited for (the last one, without pid). An interrupt stops the
wait, not the commands.

Examples:
	sleep 10 & p=$apid; wait $p; echo $status
	for(f in *.c) { cc -c $f & }; wait
`,
	},
	"whatis": {
		synopsis: "whatis name ...",
		summary:  "show what names mean, as rc input",
		body: `Prints, for each name, what the shell would use: the variable's
value as an assignment, the function's definition, "builtin name", or the
path of the program found on $path. The status is "not found" when a name
is none of these.

Examples:
	whatis path cd ls
	whatis myfn >>$home/lib/profile
`,
	},
	"bind": {
		synopsis: "bind [-abcq] new old",
		summary:  "make a file or directory appear at another path",
		body: `Makes old show new, for this session (and the other processes
sharing its namespace) only. Without flags new replaces old, discarding
any union on it; a file may be bound onto a file.

	-b  put new before the members of the union on old (directories only;
	    the first -b or -a makes the plain directory old a member too)
	-a  put new after them
	-c  new is where files created in the union go; it must be the first
	    member, so use -bc (-ac is refused)
	-q  fail silently, with a true status

The first member holding a name wins a lookup. A union is read-only
without a -c member. -a with -b is a usage error; -a or -b on a file, or a
file onto a directory, fails with "inconsistent mount". unmount undoes a
bind, and ns shows them all.

Examples:
	bind -b $home/bin /usr/bin    # your programs first, no $path change
	bind -bc $home/tmp /tmp       # new files in /tmp land in $home/tmp
	bind $home/hosts /etc/hosts   # a file onto a file
	@{ rfork n; bind /tmp/x /etc; cat /etc/passwd }  # for one block
`,
	},
	"mount": {
		synopsis: "mount [-abcCq] addr old [aname]",
		summary:  "attach a 9P file server to the namespace",
		body: `Dials the 9P2000.L server at addr and attaches its tree aname (the
server's root when absent) on old, through nsh's 9P-to-FUSE bridge. addr
is a posted socket (/srv/NAME), unix!PATH or tcp!HOST!PORT. The flags -a,
-b and -q are as for bind. A 9P member is never the one a union creates
files in (its writes would never reach the server), so -c with -a or -b
is refused; a plain mount is writable as far as the server allows.

	-C  cache: entries and attributes for a second, data in the page
	    cache; for exported real files. Without it every operation asks
	    the server, so synthetic files read fresh each time.

Examples:
	p9srv -s ram ramfs &; mount /srv/ram /n/ram
	mount -b unix!/tmp/fs.sock /mnt
	mount -C tcp!fileserver!564 /n/fs /export/home
`,
	},
	"unmount": {
		synopsis: "unmount [new] old",
		summary:  "undo a bind or mount",
		body: `With two arguments, removes the member new from the union on old
(name a 9P mount by its address). With one, removes everything the
session put on old, so the original shows again. Errors: "not in union",
"not mounted". Mounts that existed when the session started are not the
session's to remove.

Examples:
	unmount $home/bin /usr/bin
	unmount /n/ram
`,
	},
	"ns": {
		synopsis: "ns",
		summary:  "print the namespace as nsh commands",
		body: `Prints what the session changed in its namespace, as bind, mount
and unmount lines in the order they were made, then a cd to the current
directory, quoted as rc reads them. The output is a namespace file and a
script: another session rebuilds the same view with nsh --ns FILE or
. FILE. It is read from the kernel's mount table, so it also shows what
other nsh processes of the session did.

Examples:
	ns
	ns > $home/lib/namespace.dev; nsh --ns $home/lib/namespace.dev
`,
	},
	"rfork": {
		synopsis: "rfork [nNeEsfFm]",
		summary:  "stop sharing the namespace, environment or descriptors",
		body: `Changes what this shell shares with the processes it came from,
after Plan 9's rfork(2):

	n  a private copy of the namespace: later binds no longer affect the
	   shell it was shared with, nor theirs it
	N  a clean namespace: the session's changes undone
	m  no more mounts (binds still work)
	s  later programs start in a process group of their own
	E  an empty environment: only $*, $0, $pid, $apid, $status, $ifs and
	   $prompt stay
	F  only descriptors 0, 1 and 2 stay open
	e, f  accepted; nsh's variables and descriptors are already its own

Without letters it means ens.

Examples:
	@{ rfork n; bind -b /opt/new/bin /usr/bin; make }  # only make sees it
	rfork N                   # back to the session's starting namespace
`,
	},
}
