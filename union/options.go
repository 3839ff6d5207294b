package union

import (
	"strings"

	"nsh.dev/nsh/internal/mountinfo"
)

// Layers are the layers of an overlay mount as the kernel shows them in the
// super options of /proc/PID/mountinfo.
type Layers struct {
	// Lower holds the lower layers, top first.
	Lower []string
	// Upper and Work are the upper and work directories, "" for a
	// read-only overlay.
	Upper, Work string
	// Legacy reports layers given with the old colon-separated lowerdir=
	// option, which this package never writes; their paths are split on
	// unescaped colons.
	Legacy bool
}

// ParseOptions extracts the layers from the super options field of an
// overlay's mountinfo line (still escaped as the kernel writes it).
//
// The kernel lists each layer added with lowerdir+ as its own
// "lowerdir+=PATH" option, PATH being the layer's path when it was added,
// with ',' ' ' '\t' '\n' and '\' written as octal escapes (\054 \040 \011
// \012 \134). A raw comma therefore always separates options, and the first
// '=' of an option ends its name, so the text is unambiguous.
func ParseOptions(super string) Layers {
	var l Layers
	for _, opt := range strings.Split(super, ",") {
		name, value, _ := strings.Cut(opt, "=")
		switch name {
		case "lowerdir+":
			l.Lower = append(l.Lower, mountinfo.Unescape(value))
		case "lowerdir":
			// Legacy form: colons separate layers, "\:" is a colon.
			l.Legacy = true
			l.Lower = append(l.Lower, splitLegacy(mountinfo.Unescape(value))...)
		case "upperdir":
			l.Upper = mountinfo.Unescape(value)
		case "workdir":
			l.Work = mountinfo.Unescape(value)
		}
	}
	return l
}

func splitLegacy(s string) []string {
	var out []string
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
		case s[i] == ':':
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(s[i])
		}
	}
	return append(out, cur.String())
}
