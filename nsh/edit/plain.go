package edit

import (
	"io"
	"os"
	"os/signal"
)

// plainLine shows prompt p on standard error, as it is, and reads a line
// without liner: one byte at a time, so that nothing after the line is
// read. On a terminal this is the terminal's cooked mode, with its own
// erase and kill; Ctrl-C there raises SIGINT, which the Editor catches
// (with signal.Notify) only while it reads, and Ctrl-D in the middle of a
// line only hands over what was typed, so reading goes on.
func (e *Editor) plainLine(p string) (string, error) {
	e.reader.clearWake()
	interrupted := make(chan struct{})
	if e.isTTY {
		// Catch SIGINT before the prompt shows: Ctrl-C may follow at once.
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt)
		stop, done := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(done)
			select {
			case <-sig:
				close(interrupted)
				e.reader.wakeUp()
			case <-stop:
			}
		}()
		defer func() {
			signal.Stop(sig)
			close(stop)
			<-done
		}()
	}
	os.Stderr.WriteString(p)
	var line []byte
	for {
		b, err := e.reader.readByte()
		switch {
		case err == errWoken:
			select {
			case <-interrupted:
				// The terminal has echoed ^C and dropped what was typed.
				os.Stderr.WriteString("\n")
				return "", ErrInterrupted
			default:
				e.reader.clearWake()
				continue
			}
		case err == io.EOF && e.isTTY && len(line) > 0:
			continue
		case err == io.EOF || err == errHangup:
			if !e.isTTY {
				e.hup = true
				if len(line) > 0 {
					return string(line), nil // a last line with no newline
				}
			}
			if err == errHangup {
				e.hup = true
			}
			return "", io.EOF
		case err != nil:
			e.hup = true
			return "", err
		case b == '\n':
			return string(line), nil
		}
		line = append(line, b)
	}
}
