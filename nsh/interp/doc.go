// Package interp runs rc programs parsed by nsh/syntax, with Plan 9 rc's
// semantics: values are lists of strings, $status is a string (a pipeline
// joins its members' statuses with |) that counts as true when it holds
// only 0s and |s, variables are dynamically scoped, and an error such as a
// null list in a concatenation abandons the script.
//
// The interpreter never makes a system call. Files, processes and the
// mount namespace are reached through a [System]; the interpreter keeps
// the current directory itself and hands the System absolute paths. Pipes
// between in-process commands come from os.Pipe.
//
// Pipeline members that are blocks, functions or builtins, @{...} and
// `{...} run in the same process as goroutines, each with its own copy of
// the shell's state (variables, functions, descriptors, directory) and the
// same System, so that @{bind ...} changes the namespace of the shell that
// runs it, as in Plan 9, unless the block does rfork n. A block run in the
// background ({...} &) is a child nsh (Config.Self), so that $apid names a
// process that kill and wait can reach.
package interp
