package edit

import (
	"testing"

	"nsh.dev/nsh/internal/testenv"
)

func needRoot(t *testing.T) {
	t.Helper()
	testenv.NeedRoot(t)
}
