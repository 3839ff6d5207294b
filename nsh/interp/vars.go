package interp

import (
	"sort"
	"strings"
)

// Variables that belong to one process and so are not exported to
// children nor imported from the environment.
func private(name string) bool {
	switch name {
	case "*", "0", "pid", "apid", "status":
		return true
	}
	return false
}

// importEnv reads the environment: NAME=a\001b is the list (a b),
// fn#NAME={...} a function. $path follows $PATH and $home follows $HOME.
// Then the defaults: $ifs, $prompt, $home, $path.
func (in *Interp) importEnv(env []string) {
	for _, kv := range env {
		name, val, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			continue
		}
		if fn, ok := strings.CutPrefix(name, "fn#"); ok {
			if fn != "" {
				in.fns[fn] = &function{text: strings.TrimRight(val, "\n"), name: fn}
			}
			continue
		}
		if private(name) {
			continue
		}
		in.vars[name] = strings.Split(val, "\x01")
	}
	// As rc's rcmain does: a sigexit in the environment belongs to the
	// shell that exported it.
	delete(in.fns, "sigexit")
	if p, ok := in.vars["PATH"]; ok {
		in.vars["path"] = splitPath(strings.Join(p, "\x01"))
	} else if p, ok := in.vars["path"]; ok {
		in.vars["PATH"] = []string{joinPath(p)}
	}
	if h, ok := in.vars["HOME"]; ok {
		in.vars["home"] = h
	} else if h, ok := in.vars["home"]; ok {
		in.vars["HOME"] = []string{strings.Join(h, " ")}
	}
	if len(in.vars["ifs"]) == 0 {
		in.vars["ifs"] = []string{" \t\n"}
	}
	if len(in.vars["prompt"]) == 0 {
		in.vars["prompt"] = []string{"; ", ""}
	}
	if len(in.vars["home"]) == 0 {
		in.vars["home"] = []string{"/"}
		in.vars["HOME"] = []string{"/"}
	}
	if len(in.vars["path"]) == 0 {
		in.vars["path"] = []string{"/usr/local/bin", "/usr/bin", "/bin"}
		in.vars["PATH"] = []string{"/usr/local/bin:/usr/bin:/bin"}
	}
}

// splitPath turns $PATH into $path; an empty element is the current
// directory.
func splitPath(s string) []string {
	if s == "" {
		return nil
	}
	p := strings.Split(s, ":")
	for i, d := range p {
		if d == "" {
			p[i] = "."
		}
	}
	return p
}

func joinPath(p []string) string { return strings.Join(p, ":") }

// lookup returns the value of a variable. The slice must not be changed:
// values are shared, never modified in place.
func (in *Interp) lookup(name string) []string {
	if name == "status" {
		return []string{in.status}
	}
	if v, ok := in.vars[name]; ok {
		return v
	}
	if n, ok := argIndex(name); ok {
		args := in.vars["*"]
		if n <= len(args) {
			return args[n-1 : n : n]
		}
	}
	return nil
}

// argIndex recognizes $1, $2, ... as elements of $*.
func argIndex(name string) (int, bool) {
	if name == "" || name[0] < '1' || name[0] > '9' {
		return 0, false
	}
	n := 0
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c < '0' || c > '9' || n > 1<<24 {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// setVar assigns a variable. An empty list unsets it. $path and $PATH,
// $home and $HOME are kept in step.
func (in *Interp) setVar(name string, val []string) {
	switch name {
	case "status":
		in.status = strings.Join(val, " ")
		return
	case "path":
		in.store("PATH", []string{joinPath(val)})
	case "PATH":
		in.store("path", splitPath(strings.Join(val, ":")))
	case "home":
		in.store("HOME", []string{strings.Join(val, " ")})
	case "HOME":
		in.store("home", val)
	}
	in.store(name, val)
}

func (in *Interp) store(name string, val []string) {
	if len(val) == 0 {
		delete(in.vars, name)
	} else {
		in.vars[name] = val
	}
	in.envDirty = true
}

// savedVar is a variable's value before a local assignment.
type savedVar struct {
	name    string
	val     []string
	had     bool
	partner *savedVar // the other of path/PATH, home/HOME
}

func (in *Interp) save(name string) savedVar {
	s := in.save1(name)
	var p string
	switch name {
	case "path":
		p = "PATH"
	case "PATH":
		p = "path"
	case "home":
		p = "HOME"
	case "HOME":
		p = "home"
	}
	if p != "" {
		ps := in.save1(p)
		s.partner = &ps
	}
	return s
}

func (in *Interp) save1(name string) savedVar {
	v, had := in.vars[name]
	return savedVar{name: name, val: v, had: had}
}

func (in *Interp) restore(s savedVar) {
	if s.name == "status" {
		return // the command's status stands
	}
	if s.had {
		in.vars[s.name] = s.val
	} else {
		delete(in.vars, s.name)
	}
	if s.partner != nil {
		in.restore(*s.partner)
	}
	in.envDirty = true
}

// environ is the environment for a child: every variable but the private
// ones, lists joined with \001, and every function as fn#name={...},
// as plan9port's rc has them.
func (in *Interp) environ() []string {
	if !in.envDirty && in.envCache != nil {
		return in.envCache
	}
	env := make([]string, 0, len(in.vars)+len(in.fns))
	for name, val := range in.vars {
		if len(val) == 0 || private(name) || !exportable(name) {
			continue
		}
		v := strings.Join(val, "\x01")
		if strings.IndexByte(v, 0) >= 0 {
			continue
		}
		env = append(env, name+"="+v)
	}
	for name, fn := range in.fns {
		if !exportable(name) {
			continue
		}
		text := fn.source()
		if text == "" || strings.IndexByte(text, 0) >= 0 {
			continue
		}
		// plan9port's rc wants the definition to end with a newline.
		env = append(env, "fn#"+name+"="+text+"\n")
	}
	sort.Strings(env)
	in.envCache = env
	in.envDirty = false
	return env
}

func exportable(name string) bool {
	return name != "" && !strings.ContainsAny(name, "=\x00")
}
