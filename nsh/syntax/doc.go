// Package syntax reads and writes Plan 9 rc, the language nsh speaks.
//
// Parse turns source text into a tree of [Cmd] and [Word] nodes, each of
// which knows its position; [Fprint] writes a tree back as text that parses
// to the same tree. The grammar the hand-written parser follows is in
// grammar.txt, one page, next to this file.
//
// A syntax error is an [*Error]. Its Incomplete flag tells input that more
// lines could complete (an open brace or quote, a pipe at the end) from
// input that is wrong whatever follows; an interactive shell keeps reading
// while [IsIncomplete] reports true.
//
// The package uses only the standard library.
package syntax
