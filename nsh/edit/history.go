package edit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/peterh/liner"
)

// HistoryLimit is how many commands the Editor keeps for recall: liner's
// own limit.
const HistoryLimit = liner.HistoryLimit

// historyTrimAt is the number of records beyond which loading a history
// file rewrites it to the last HistoryLimit records. Trimming only when the
// file is well over the limit keeps rewrites rare.
const historyTrimAt = 2 * HistoryLimit

// DefaultHistoryFile returns where nsh keeps its history unless told
// otherwise: $XDG_STATE_HOME/nsh/history, or ~/.local/state/nsh/history
// when XDG_STATE_HOME is unset or not an absolute path (as the XDG base
// directory specification says).
func DefaultHistoryFile() (string, error) {
	state := os.Getenv("XDG_STATE_HOME")
	if !filepath.IsAbs(state) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("history: %w", err)
		}
		state = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(state, "nsh", "history"), nil
}

// historyError names the history file in an error: "history: PATH: reason".
func historyError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("history: %s: %w", path, err)
}

// loadHistory returns the last HistoryLimit commands of the history file,
// oldest first; a missing file holds none. When the file holds more than
// historyTrimAt records it is rewritten to those commands, atomically (a
// new file renamed over it) and under the file's lock, so that a session
// appending at the same moment loses nothing.
func loadHistory(path string) ([]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, historyError(path, err)
	}
	defer f.Close()
	// Lock before reading: an append in progress finishes first, and a
	// trim in another session is not raced.
	if err := lockFile(f); err != nil {
		return nil, historyError(path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, historyError(path, err)
	}
	lines, more, err := tailLines(f, fi.Size(), historyTrimAt+1)
	if err != nil {
		return nil, historyError(path, err)
	}
	trim := more || len(lines) > historyTrimAt
	if len(lines) > HistoryLimit {
		lines = lines[len(lines)-HistoryLimit:]
	}
	if trim && isSameFile(f, path) {
		if err := rewriteHistory(path, lines); err != nil {
			return nil, err
		}
	}
	cmds := make([]string, 0, len(lines))
	for _, l := range lines {
		cmds = append(cmds, decodeRecord(l))
	}
	return cmds, nil
}

// tailLines returns the last n non-empty lines of f (size bytes long),
// reading backwards so that a long file costs no more than its end. more
// reports whether the file holds further lines before them.
func tailLines(f io.ReaderAt, size int64, n int) (lines []string, more bool, err error) {
	const chunk = 64 << 10
	var data []byte
	off := size
	for off > 0 && bytes.Count(data, []byte("\n")) <= n {
		step := min(int64(chunk), off)
		off -= step
		buf := make([]byte, step)
		if _, err := f.ReadAt(buf, off); err != nil && err != io.EOF {
			return nil, false, err
		}
		data = append(buf, data...)
	}
	parts := strings.Split(string(data), "\n")
	if off > 0 {
		parts = parts[1:] // the first part began before what was read
		more = true
	}
	for _, p := range parts {
		if p != "" {
			lines = append(lines, p)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
		more = true
	}
	return lines, more, nil
}

// rewriteHistory replaces the history file with lines (already encoded).
func rewriteHistory(path string, lines []string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".history-*")
	if err != nil {
		return historyError(path, err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename it is gone
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	_, err = tmp.WriteString(b.String())
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return historyError(path, err)
	}
	return nil
}

// appendHistory adds cmd to the end of the history file as one record,
// creating the file (mode 0600) and its directories (mode 0700) when
// missing. It opens the file for every command rather than keeping it
// open, so that after another session trims the file (replacing it) the
// record goes to the new file.
func appendHistory(path, cmd string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return historyError(path, err)
	}
	rec := encodeRecord(cmd) + "\n"
	for range 10 {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			return historyError(path, err)
		}
		if err := lockFile(f); err != nil {
			f.Close()
			return historyError(path, err)
		}
		if !isSameFile(f, path) {
			f.Close() // replaced while we waited for the lock
			continue
		}
		out := rec
		if endsMidLine(f) {
			out = "\n" + rec // a record cut short must not swallow this one
		}
		_, err = f.WriteString(out)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return historyError(path, err)
		}
		return nil
	}
	return historyError(path, errors.New("replaced repeatedly while appending"))
}

// endsMidLine reports whether f is not empty and does not end in a newline.
func endsMidLine(f *os.File) bool {
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return false
	}
	var last [1]byte
	_, err = f.ReadAt(last[:], fi.Size()-1)
	return err == nil && last[0] != '\n'
}

// isSameFile reports whether f is still the file at path.
func isSameFile(f *os.File, path string) bool {
	a, err1 := f.Stat()
	b, err2 := os.Stat(path)
	return err1 == nil && err2 == nil && os.SameFile(a, b)
}
