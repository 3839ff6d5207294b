package interp

import (
	"strings"

	"nsh.dev/nsh/nsh/syntax"
)

// help [name ...] lists the builtins, or documents those named.
func bHelp(in *Interp, argv []string, pos syntax.Pos) error {
	var out strings.Builder
	in.status = ""
	if len(argv) == 1 {
		out.WriteString("Builtins (help NAME describes one; man nsh the shell):\n")
		width := 0
		for _, name := range Builtins() {
			width = max(width, len(helpTexts[name].synopsis))
		}
		for _, name := range Builtins() {
			h := helpTexts[name]
			out.WriteString("  " + h.synopsis + strings.Repeat(" ", width-len(h.synopsis)+2) + h.summary + "\n")
		}
		in.flush(&out)
		return nil
	}
	for i, name := range argv[1:] {
		h, ok := helpTexts[name]
		if !ok {
			in.flush(&out)
			reason := "not a builtin"
			switch {
			case in.IsFunc(name):
				reason += " but a function (whatis " + syntax.Quote(name) + " shows it)"
			default:
				if _, status, _ := in.findProgram(name); status == "" {
					reason += " but a program (try man " + syntax.Quote(name) + ")"
				}
			}
			in.fail("help", name+": "+reason, "help: "+name+": not a builtin")
			continue
		}
		if i > 0 {
			out.WriteString("\n")
		}
		out.WriteString("usage: " + h.synopsis + "\n\n" + h.body)
	}
	in.flush(&out)
	return nil
}
