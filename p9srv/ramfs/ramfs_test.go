package ramfs

import (
	"testing"

	"github.com/hugelgupf/p9/p9"

	"nsh.dev/nsh/p9srv/p9test"
)

func TestAcceptance(t *testing.T) {
	p9test.WritableFS(t, func(*testing.T) p9.Attacher { return New() })
}
