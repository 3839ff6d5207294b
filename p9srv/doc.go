// Package p9srv serves synthetic file trees over 9P2000.L, the way Plan 9
// file servers do, on top of github.com/hugelgupf/p9.
//
// A tree is a few lines of Go:
//
//	ev := p9srv.NewEvents()
//	root := p9srv.NewDir(
//		p9srv.E("hello", p9srv.StaticFile("hello, world\n")),
//		p9srv.E("time", p9srv.ReadFile(func() ([]byte, error) {
//			return []byte(time.Now().Format(time.RFC3339) + "\n"), nil
//		})),
//		p9srv.E("ctl", p9srv.CtlFile(func(ctx context.Context, cmd string) error {
//			ev.Send([]byte(cmd + "\n"))
//			return nil
//		}, nil)),
//		p9srv.E("events", ev.File()),
//	)
//	srv := p9srv.NewServer(root, p9srv.WithTrace(os.Stderr))
//	ln, _ := p9srv.Listen("unix!/tmp/demo.sock")
//	srv.Serve(ln)
//
// Directories list completely however many Treaddir replies a listing
// takes (the cookie is an index into a snapshot taken at offset 0), QIDs
// are unique in the process and stable for a node's life, reads end with
// io.EOF, and attributes carry the serving user's uid and gid. A Server
// adds what the library lacks: limits on msize and fids per connection,
// a lib9p-style trace, Tauth answered so diod's clients proceed, Tflush
// that cancels, and reads of blocking files (events, ctl commands that
// dial) served outside the library's locks and woken when their fid is
// clunked or the client hangs up.
//
// Other packages under p9srv hold the built-in file systems (ramfs,
// envfs, exportfs, netfs) and the p9srv command's logic.
package p9srv
