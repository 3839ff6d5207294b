package p9srv

import (
	"io"
	"os"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// spliceMin is the smallest read worth splicing: below it a copy
// through a buffer costs less than the extra system calls.
const spliceMin = 64 << 10

// pipeSize is the capacity asked of the pipes reads are spliced
// through: a whole 1 MiB read, the largest a FUSE bridge makes, fits.
// It is the default limit on what an unprivileged process may ask for
// (/proc/sys/fs/pipe-max-size).
const pipeSize = 1 << 20

// A pipe carries the data of one read from the file to the connection
// as references to the file's pages: nothing is copied on this side.
type pipe struct{ r, w int }

// idlePipes keeps pipes between reads (empty ones only).
var idlePipes = make(chan *pipe, 8)

// noPipes is set once a pipe of pipeSize cannot be had (the user's pipe
// quota is spent): reads are then copied through buffers.
var noPipes atomic.Bool

func getPipe() *pipe {
	select {
	case p := <-idlePipes:
		return p
	default:
	}
	if noPipes.Load() {
		return nil
	}
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_CLOEXEC); err != nil {
		return nil
	}
	p := &pipe{r: fds[0], w: fds[1]}
	if _, err := unix.FcntlInt(uintptr(p.w), unix.F_SETPIPE_SZ, pipeSize); err != nil {
		noPipes.Store(true)
		p.close()
		return nil
	}
	return p
}

// putPipe keeps p for the next read; p must be empty.
func putPipe(p *pipe) {
	select {
	case idlePipes <- p:
	default:
		p.close()
	}
}

func (p *pipe) close() {
	unix.Close(p.r)
	unix.Close(p.w)
}

// fill splices up to count bytes of f at off into the pipe. It stops
// early at the end of the file, or when the pipe is full (a read that
// does not start on a page boundary needs one slot more than its size
// in pages).
func (p *pipe) fill(f *os.File, off int64, count int) (int, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return 0, err
	}
	n := 0
	var serr error
	err = rc.Control(func(fd uintptr) {
		for n < count {
			k, err := unix.Splice(int(fd), &off, p.w, nil, count-n, unix.SPLICE_F_MOVE|unix.SPLICE_F_NONBLOCK)
			switch {
			case err == unix.EINTR:
				continue
			case err == unix.EAGAIN:
				return // the pipe is full
			case err != nil:
				serr = err
				return
			case k == 0:
				return // end of file
			}
			n += int(k)
		}
	})
	if err == nil {
		err = serr
	}
	return n, err
}

// drain splices n bytes from the pipe into the connection rc.
func (p *pipe) drain(rc syscall.RawConn, n int) error {
	var serr error
	err := rc.Write(func(fd uintptr) bool {
		for n > 0 {
			k, err := unix.Splice(p.r, nil, int(fd), nil, n, unix.SPLICE_F_MOVE|unix.SPLICE_F_NONBLOCK)
			switch {
			case err == unix.EINTR:
				continue
			case err == unix.EAGAIN:
				return false // wait until the connection takes more
			case err != nil:
				serr = err
				return true
			case k == 0:
				serr = io.ErrUnexpectedEOF
				return true
			}
			n -= int(k)
		}
		return true
	})
	if err == nil {
		err = serr
	}
	return err
}

// spliceRead answers a Tread of count bytes at off of f by splicing the
// data from the file into the connection, and reports whether it did;
// if not (a small read, a connection that is no socket, no pipe to be
// had, a trace to print), the caller copies the data instead.
func (c *conn) spliceRead(tag uint16, f *os.File, off int64, count int) bool {
	if count < spliceMin || c.s.trace != nil {
		return false
	}
	sc, ok := c.rwc.(syscall.Conn)
	if !ok {
		return false
	}
	dst, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	p := getPipe()
	if p == nil {
		return false
	}
	n, err := p.fill(f, off, count)
	if err != nil {
		p.close()
		c.reply(tag, lerrorOf(tag, err), nil)
		return true
	}
	// What the pipe could not hold follows from a buffer.
	var rest []byte
	var bp *[]byte
	if n < count {
		bp = ioBufs.Get().(*[]byte)
		defer ioBufs.Put(bp)
		if cap(*bp) < count-n {
			*bp = make([]byte, count-n)
		}
		m, err := f.ReadAt((*bp)[:count-n], off+int64(n))
		if err != nil && err != io.EOF {
			p.close()
			c.reply(tag, lerrorOf(tag, err), nil)
			return true
		}
		rest = (*bp)[:m]
	}

	hdr := rreadHeader(tag, n+len(rest))
	c.wmu.Lock()
	defer c.wmu.Unlock()
	send, flushes := c.settle(tag, hdr, nil)
	if !send {
		p.close()
		c.answerFlushes(flushes)
		return true
	}
	_, err = c.rwc.Write(hdr)
	if err == nil {
		err = p.drain(dst, n)
	}
	if err == nil && len(rest) > 0 {
		_, err = c.rwc.Write(rest)
	}
	if err != nil {
		// Part of a message may have gone out: nothing sent after it
		// could be understood.
		p.close()
		c.close()
		return true
	}
	putPipe(p)
	c.answerFlushes(flushes)
	return true
}
