package p9srv

import (
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hugelgupf/p9/p9"
)

// A Node is one file of a synthetic tree: a *Dir, a *File or a *Symlink.
type Node interface {
	base() *meta
}

// treeMu guards the shape of every synthetic tree: directory contents,
// parent links and link counts. Namespace operations are short and never
// block, so one lock for all trees costs nothing and makes renames
// across directories (and the check that a directory is not moved into
// itself) simple and safe.
var treeMu sync.RWMutex

// qidPaths hands out QID paths; they are unique in the process, so trees
// can be composed without collisions.
var qidPaths atomic.Uint64

// meta is what every node has: identity, mode, owner and times.
type meta struct {
	path  uint64
	qtype p9.QIDType

	mu      sync.Mutex
	mode    p9.FileMode // type and permission bits
	uid     p9.UID
	gid     p9.GID
	nlink   uint64
	version uint32
	atime   time.Time
	mtime   time.Time
	ctime   time.Time
	btime   time.Time

	// chmodable records whether clients may change mode and owner: true
	// for nodes that clients created, or that live in a writable
	// directory.
	chmodable bool
}

func (m *meta) base() *meta { return m }

func (m *meta) init(mode p9.FileMode) {
	m.path = qidPaths.Add(1)
	m.mode = mode
	m.qtype = mode.QIDType()
	m.uid = p9.UID(os.Getuid())
	m.gid = p9.GID(os.Getgid())
	now := time.Now()
	m.atime, m.mtime, m.ctime, m.btime = now, now, now, now
}

func (m *meta) qid() p9.QID {
	m.mu.Lock()
	defer m.mu.Unlock()
	return p9.QID{Type: m.qtype, Version: m.version, Path: m.path}
}

// touch records a change of contents.
func (m *meta) touch() {
	now := time.Now()
	m.mu.Lock()
	m.mtime, m.ctime = now, now
	m.version++
	m.mu.Unlock()
}

func (m *meta) setPerm(perm p9.FileMode) {
	m.mu.Lock()
	m.mode = m.mode.FileType() | perm.Permissions()
	m.mu.Unlock()
}

func (m *meta) perm() p9.FileMode {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.mode.Permissions()
}

// attr fills the attributes every node shares; size comes from the node.
func (m *meta) attr(size uint64) p9.Attr {
	m.mu.Lock()
	defer m.mu.Unlock()
	return p9.Attr{
		Mode:             m.mode,
		UID:              m.uid,
		GID:              m.gid,
		NLink:            p9.NLink(m.nlink),
		Size:             size,
		BlockSize:        4096,
		Blocks:           (size + 511) / 512,
		ATimeSeconds:     uint64(m.atime.Unix()),
		ATimeNanoSeconds: uint64(m.atime.Nanosecond()),
		MTimeSeconds:     uint64(m.mtime.Unix()),
		MTimeNanoSeconds: uint64(m.mtime.Nanosecond()),
		CTimeSeconds:     uint64(m.ctime.Unix()),
		CTimeNanoSeconds: uint64(m.ctime.Nanosecond()),
		BTimeSeconds:     uint64(m.btime.Unix()),
		BTimeNanoSeconds: uint64(m.btime.Nanosecond()),
	}
}

// attrMask is what attr fills in.
var attrMask = p9.AttrMask{
	Mode: true, NLink: true, UID: true, GID: true, RDev: true,
	ATime: true, MTime: true, CTime: true, INo: true, Size: true,
	Blocks: true, BTime: true,
}

// direntType is the Linux d_type of a node, which is what 9P2000.L
// readdir carries (diod and the kernel's v9fs agree); the kind is also in
// the entry's QID type.
func direntType(mode p9.FileMode) p9.QIDType {
	switch {
	case mode.IsDir():
		return 4 // DT_DIR
	case mode.IsSymlink():
		return 10 // DT_LNK
	case mode.IsRegular():
		return 8 // DT_REG
	}
	return 0 // DT_UNKNOWN
}
