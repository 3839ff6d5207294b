//go:build !linux

package nsh

import "nsh.dev/nsh/nsh/interp"

// sessionSystem is the plain OS: there are no mount namespaces here.
func sessionSystem(created bool) (interp.System, error) { return OSSystem{}, nil }
