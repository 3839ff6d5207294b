package p9fuse

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hugelgupf/p9/fsimpl/readdir"
	"github.com/hugelgupf/p9/fsimpl/templatefs"
	"github.com/hugelgupf/p9/linux"
	"github.com/hugelgupf/p9/p9"
)

// synthFS is a small synthetic 9P server for the bridge's tests, with
// files as Plan 9 servers make them:
//
//	time      size 0; each open reads "tick N\n"
//	ctl       size 0; a write sets the state, a read returns it
//	event     size 0; a read blocks (for a minute)
//	many/     manyFiles empty files f00000 ...
type synthFS struct {
	ticks atomic.Int64
	mu    sync.Mutex
	state string
}

const manyFiles = 2500

const (
	qpRoot = iota + 1
	qpTime
	qpCtl
	qpEvent
	qpMany
	qpManyFirst
)

func (s *synthFS) Attach() (p9.File, error) { return &synthDir{fs: s, path: qpRoot}, nil }

// statfs is the synthetic server's file system statistics.
type statfs struct{}

func (statfs) StatFS() (p9.FSStat, error) {
	return p9.FSStat{Type: 0x01021997, BlockSize: 4096, NameLength: 255}, nil
}

type synthDir struct {
	statfs
	p9.DefaultWalkGetAttr
	templatefs.ReadOnlyDir
	templatefs.NilCloser
	fs   *synthFS
	path uint64
}

func (d *synthDir) qid() p9.QID { return p9.QID{Type: p9.TypeDir, Path: d.path} }

func (d *synthDir) names() ([]string, map[string]p9.QID) {
	q := map[string]p9.QID{}
	var names []string
	if d.path == qpRoot {
		names = []string{"ctl", "event", "many", "time"}
		q["ctl"] = p9.QID{Path: qpCtl}
		q["event"] = p9.QID{Path: qpEvent}
		q["many"] = p9.QID{Type: p9.TypeDir, Path: qpMany}
		q["time"] = p9.QID{Path: qpTime}
		return names, q
	}
	for i := range manyFiles {
		n := fmt.Sprintf("f%05d", i)
		names = append(names, n)
		q[n] = p9.QID{Path: uint64(qpManyFirst + i)}
	}
	return names, q
}

func (d *synthDir) Walk(names []string) ([]p9.QID, p9.File, error) {
	switch len(names) {
	case 0:
		return nil, &synthDir{fs: d.fs, path: d.path}, nil
	case 1:
	default:
		return nil, nil, linux.EINVAL
	}
	_, qids := d.names()
	q, ok := qids[names[0]]
	if !ok {
		return nil, nil, linux.ENOENT
	}
	if q.Type == p9.TypeDir {
		return []p9.QID{q}, &synthDir{fs: d.fs, path: q.Path}, nil
	}
	return []p9.QID{q}, &synthFile{fs: d.fs, path: q.Path}, nil
}

func (d *synthDir) Open(mode p9.OpenFlags) (p9.QID, uint32, error) {
	if mode.Mode() != p9.ReadOnly {
		return p9.QID{}, 0, linux.EISDIR
	}
	return d.qid(), 0, nil
}

func (d *synthDir) GetAttr(req p9.AttrMask) (p9.QID, p9.AttrMask, p9.Attr, error) {
	return d.qid(), p9.AttrMask{Mode: true, NLink: true}, p9.Attr{Mode: p9.ModeDirectory | 0o555, NLink: 2}, nil
}

func (d *synthDir) Readdir(offset uint64, count uint32) (p9.Dirents, error) {
	names, qids := d.names()
	return readdir.Readdir(offset, count, names, qids)
}

type synthFile struct {
	statfs
	p9.DefaultWalkGetAttr
	templatefs.ReadOnlyFile
	templatefs.NilCloser
	fs      *synthFS
	path    uint64
	content []byte // what an open time or ctl file reads
}

func (f *synthFile) qid() p9.QID { return p9.QID{Path: f.path} }

func (f *synthFile) Walk(names []string) ([]p9.QID, p9.File, error) {
	if len(names) != 0 {
		return nil, nil, linux.ENOTDIR
	}
	return nil, &synthFile{fs: f.fs, path: f.path}, nil
}

func (f *synthFile) Open(mode p9.OpenFlags) (p9.QID, uint32, error) {
	switch f.path {
	case qpTime:
		f.content = fmt.Appendf(nil, "tick %d\n", f.fs.ticks.Add(1))
	case qpCtl:
		f.fs.mu.Lock()
		f.content = []byte(f.fs.state)
		f.fs.mu.Unlock()
	}
	return f.qid(), 0, nil
}

func (f *synthFile) GetAttr(req p9.AttrMask) (p9.QID, p9.AttrMask, p9.Attr, error) {
	return f.qid(), p9.AttrMask{Mode: true, NLink: true, Size: true}, p9.Attr{Mode: p9.ModeRegular | 0o666, NLink: 1}, nil
}

// SetAttr accepts truncation (echo x > ctl truncates first) and nothing
// else.
func (f *synthFile) SetAttr(valid p9.SetAttrMask, attr p9.SetAttr) error {
	if !valid.Size || valid.Permissions || valid.UID || valid.GID {
		return linux.EPERM
	}
	return nil
}

func (f *synthFile) ReadAt(p []byte, off int64) (int, error) {
	if f.path == qpEvent {
		time.Sleep(time.Minute)
		return 0, linux.EINTR
	}
	if off >= int64(len(f.content)) {
		return 0, nil
	}
	return copy(p, f.content[off:]), nil
}

func (f *synthFile) WriteAt(p []byte, off int64) (int, error) {
	if f.path != qpCtl {
		return 0, linux.EPERM
	}
	f.fs.mu.Lock()
	f.fs.state = string(p)
	f.fs.mu.Unlock()
	return len(p), nil
}
