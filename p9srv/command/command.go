// Package command is the p9srv command: it reads the command line,
// builds a built-in file system and serves it on a posted socket, a
// listener, or standard input and output, until it is told to stop.
//
//	p9srv [-D] [-f] [-s NAME | -l ADDR] FS [ARG ...]
//
// With -s and without -f, the command returns as soon as the socket is
// posted and accepting (Plan 9's ramfs -S does the same), leaving the
// server to a background process of its own: a copy of the program,
// started with the environment variable P9SRV_BACKGROUND and a readiness
// pipe (see startBackground). That server ends when it is told to stop
// (SIGTERM, SIGINT, SIGHUP), when its socket is removed or replaced, and
// when the process that ran p9srv -s exits.
package command

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"time"

	"github.com/hugelgupf/p9/p9"

	"nsh.dev/nsh/p9srv"
	"nsh.dev/nsh/p9srv/envfs"
	"nsh.dev/nsh/p9srv/exportfs"
	"nsh.dev/nsh/p9srv/netfs"
	"nsh.dev/nsh/p9srv/ramfs"
)

const usageLine = "usage: p9srv [-D] [-f] [-s NAME | -l ADDR] FS [ARG ...]"

// A FileSystem is one the command can serve.
type FileSystem struct {
	Name string
	Args []string // names of its arguments, for the usage message
	Help string
	// New builds it; the closer, if any, runs after serving ends.
	New func(args []string) (p9.Attacher, io.Closer, error)
}

// FileSystems are the built-in file systems, by name.
var FileSystems = []FileSystem{
	{"ramfs", nil, "an empty file system kept in memory", func([]string) (p9.Attacher, io.Closer, error) {
		return ramfs.New(), nil, nil
	}},
	{"env", nil, "this process's environment, a file per variable", func([]string) (p9.Attacher, io.Closer, error) {
		return envfs.New(), nil, nil
	}},
	{"export", []string{"DIR"}, "the directory DIR, read-write", func(args []string) (p9.Attacher, io.Closer, error) {
		fs, err := exportfs.New(args[0])
		if err != nil {
			return nil, nil, err
		}
		return fs, fs, nil
	}},
	{"net", nil, "TCP as files, as Plan 9's /net: tcp/clone, tcp/N/ctl, data, listen...", func([]string) (p9.Attacher, io.Closer, error) {
		fs := netfs.New()
		return fs, fs, nil
	}},
}

// Lookup finds a built-in file system and builds it with args.
func Lookup(name string, args []string) (p9.Attacher, io.Closer, error) {
	fs, err := find(name, args)
	if err != nil {
		return nil, nil, err
	}
	return fs.New(args)
}

// find finds a built-in file system and checks the number of its
// arguments, without building it.
func find(name string, args []string) (*FileSystem, error) {
	for i := range FileSystems {
		fs := &FileSystems[i]
		if fs.Name != name {
			continue
		}
		if len(args) != len(fs.Args) {
			return nil, usageError(fmt.Sprintf("%s takes %d argument(s): %s %s", name, len(fs.Args), name, strings.Join(fs.Args, " ")))
		}
		return fs, nil
	}
	return nil, usageError(fmt.Sprintf("unknown file system %q", name))
}

type usageError string

func (e usageError) Error() string { return string(e) }

func usage(w io.Writer) {
	fmt.Fprintln(w, usageLine)
	fmt.Fprintln(w, "  -D       print every 9P message on standard error")
	fmt.Fprintln(w, "  -f       with -s, serve in the foreground")
	fmt.Fprintln(w, "  -s NAME  post a socket at /srv/NAME of this nsh session; return once it")
	fmt.Fprintln(w, "           is posted, the server going on in the background until the")
	fmt.Fprintln(w, "           socket is removed or the process that ran p9srv exits")
	fmt.Fprintln(w, "  -l ADDR  listen on unix!PATH or tcp!HOST!PORT")
	fmt.Fprintln(w, "           (with neither, speak 9P on standard input and output)")
	fmt.Fprintln(w, "file systems:")
	for _, fs := range FileSystems {
		fmt.Fprintf(w, "  %-10s %s\n", strings.TrimSpace(fs.Name+" "+strings.Join(fs.Args, " ")), fs.Help)
	}
}

// Main runs the command with the process's arguments and standard files,
// stopping cleanly on SIGINT, SIGTERM or SIGHUP; it returns the exit
// status. In the background server a p9srv -s started, it serves until
// the server's end (see the package documentation).
//
// Unless the environment sets GOMAXPROCS, the server runs Go code on one
// thread at a time: its work is system calls (which release the thread)
// and handing each request from the goroutine that read it to the one
// that serves it, and with a second processor every such handoff wakes
// another thread. One processor measured faster on every figure of
// bench/9p.
func Main() int {
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), stopSignals...)
	defer stop()
	bg, err := backgroundFromEnv()
	if err != nil {
		fmt.Fprintf(os.Stderr, "p9srv: %v\n", err)
		return 2
	}
	return run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, bg)
}

// Run runs the command until ctx is done or serving ends, and returns
// the exit status: 0, 1 for an error, 2 for a usage error. With -s and
// without -f it returns once the socket is posted, having started the
// server as a copy of the running program, whose main
// must therefore call Main.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return run(ctx, args, stdin, stdout, stderr, nil)
}

// run is Run; bg is set in the background server a p9srv -s started.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, bg *background) int {
	flags := flag.NewFlagSet("p9srv", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	debug := flags.Bool("D", false, "")
	foreground := flags.Bool("f", false, "")
	post := flags.String("s", "", "")
	listen := flags.String("l", "", "")
	// Until the background server has posted, what it has to say goes
	// to the p9srv that waits for it, which prints it.
	msgs := stderr
	if bg != nil {
		msgs = bg.ready
	}
	fail := func(err error) int {
		fmt.Fprintf(msgs, "p9srv: %v\n", err)
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintln(msgs, usageLine)
			return 2
		}
		return 1
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stdout)
			return 0
		}
		return fail(usageError(err.Error()))
	}
	if *post != "" && *listen != "" {
		return fail(usageError("-s and -l cannot be used together"))
	}
	if flags.NArg() == 0 {
		return fail(usageError("no file system named"))
	}
	fsys, err := find(flags.Arg(0), flags.Args()[1:])
	if err != nil {
		return fail(err)
	}
	if *post != "" && !*foreground && bg == nil {
		return startBackground(args, *debug, stderr)
	}
	fs, closer, err := fsys.New(flags.Args()[1:])
	if err != nil {
		return fail(err)
	}
	if closer != nil {
		defer closer.Close()
	}
	var opts []p9srv.Option
	if *debug {
		opts = append(opts, p9srv.WithTrace(stderr))
	}
	srv := p9srv.NewServer(fs, opts...)

	switch {
	case *post != "":
		ln, err := p9srv.Post(*post)
		if err != nil {
			return fail(fmt.Errorf("-s %s: %w", *post, err))
		}
		if ln.Replaced {
			fmt.Fprintf(msgs, "p9srv: %s: stale socket replaced\n", ln.Path)
		}
		// A server whose name is gone from /srv has nobody to serve
		// (Plan 9's rm /srv/NAME); one whose caller has gone, neither.
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		gone, err := watchPosted(ln.Path)
		if err != nil {
			ln.Close()
			return fail(fmt.Errorf("-s %s: %w", *post, err))
		}
		var parentGone <-chan struct{}
		if bg != nil {
			parentGone = bg.parentGone
		}
		go func() {
			select {
			case <-gone:
			case <-parentGone:
			case <-ctx.Done():
			}
			cancel()
		}()
		if bg != nil {
			bg.posted()
		}
		return serve(ctx, srv, ln, stderr)
	case *listen != "":
		a, err := p9srv.ParseAddr(*listen)
		if err != nil {
			return fail(usageError(fmt.Sprintf("-l %s", err)))
		}
		if a.Network == "unix" {
			ln, err := p9srv.ListenUnix(a.Address)
			if err != nil {
				return fail(fmt.Errorf("-l %s: %w", *listen, err))
			}
			if ln.Replaced {
				fmt.Fprintf(stderr, "p9srv: %s: stale socket replaced\n", ln.Path)
			}
			return serve(ctx, srv, ln, stderr)
		}
		ln, err := p9srv.Listen(*listen)
		if err != nil {
			return fail(fmt.Errorf("-l %s: %w", *listen, err))
		}
		if strings.HasSuffix(*listen, "!0") {
			fmt.Fprintf(stderr, "p9srv: listening on %s\n", p9srv.Addr{Network: "tcp", Address: ln.Addr().String()})
		}
		return serve(ctx, srv, ln, stderr)
	}
	return serveStdio(ctx, srv, stdin, stdout)
}

// serve serves on ln until ctx is done; then it stops the server, which
// closes ln (removing a posted socket).
func serve(ctx context.Context, srv *p9srv.Server, ln net.Listener, stderr io.Writer) int {
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		ln.Close()
		if err != nil && !errors.Is(err, p9srv.ErrServerClosed) {
			fmt.Fprintf(stderr, "p9srv: %v\n", err)
			return 1
		}
		return 0
	case <-ctx.Done():
	}
	stopped := make(chan struct{})
	go func() { srv.Close(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		fmt.Fprintln(stderr, "p9srv: connections did not end within 5s; exiting anyway")
	}
	// Serve closed the listener; Close on a Posted also removes its
	// socket (and is harmless twice).
	ln.Close()
	return 0
}

// serveStdio speaks 9P on stdin and stdout until the client hangs up or
// ctx is done.
func serveStdio(ctx context.Context, srv *p9srv.Server, stdin io.Reader, stdout io.Writer) int {
	done := make(chan struct{})
	go func() {
		srv.ServeConn(stdio{stdin, stdout})
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		// A read of a terminal or pipe cannot always be interrupted;
		// hang up without waiting for it.
		go srv.Close()
	}
	return 0
}

type stdio struct {
	io.Reader
	io.Writer
}

func (s stdio) Close() error {
	if c, ok := s.Reader.(io.Closer); ok {
		c.Close()
	}
	if c, ok := s.Writer.(io.Closer); ok {
		c.Close()
	}
	return nil
}
