//go:build !linux

package nsh

import (
	"errors"
	"os"

	"nsh.dev/nsh/nsh/interp"
)

func startProcess(attr *interp.ProcAttr) (*os.Process, error) {
	return os.StartProcess(attr.Path, attr.Args, &os.ProcAttr{
		Dir:   attr.Dir,
		Env:   attr.Env,
		Files: attr.Files,
	})
}

func execProgram(attr *interp.ProcAttr) error {
	return errors.ErrUnsupported
}
