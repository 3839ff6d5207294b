package p9srv_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"

	"github.com/hugelgupf/p9/p9"

	"nsh.dev/nsh/p9srv"
)

// A synthetic tree, served on a unix socket and read back with a 9P
// client.
func Example() {
	var last string
	root := p9srv.NewDir(
		p9srv.E("hello", p9srv.StaticFile("hello, world\n")),
		p9srv.E("ctl", p9srv.CtlFile(func(_ context.Context, cmd string) error {
			last = cmd
			return nil
		}, func() string { return "last command: " + last + "\n" })),
	)
	dir, _ := os.MkdirTemp("", "p9srv-example")
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, "demo.sock")
	ln, _ := p9srv.Listen("unix!" + sock)
	srv := p9srv.NewServer(root)
	go srv.Serve(ln)
	defer srv.Close()

	nc, _ := net.Dial("unix", sock)
	c, _ := p9.NewClient(nc)
	defer c.Close()
	fsroot, _ := c.Attach("")

	_, ctl, _ := fsroot.Walk([]string{"ctl"})
	ctl.Open(p9.ReadWrite)
	ctl.WriteAt([]byte("reload\n"), 0)
	buf := make([]byte, 100)
	n, _ := ctl.ReadAt(buf, 0)
	fmt.Print(string(buf[:n]))

	_, hello, _ := fsroot.Walk([]string{"hello"})
	hello.Open(p9.ReadOnly)
	n, _ = hello.ReadAt(buf, 0)
	fmt.Print(string(buf[:n]))
	// Output:
	// last command: reload
	// hello, world
}
