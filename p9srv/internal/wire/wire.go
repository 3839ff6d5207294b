// Package wire decodes and encodes 9P2000.L messages (with the
// 9P2000.L.Google extensions that github.com/hugelgupf/p9 speaks) for
// p9srv's transport: the connection filter that enforces limits, answers
// what the library cannot, and prints the -D trace. The library keeps its
// own codec unexported, so the few hundred lines here are the price of
// seeing the wire.
package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Message types of 9P2000.L and the Google extensions.
const (
	Tlerror      = 6
	Rlerror      = 7
	Tstatfs      = 8
	Rstatfs      = 9
	Tlopen       = 12
	Rlopen       = 13
	Tlcreate     = 14
	Rlcreate     = 15
	Tsymlink     = 16
	Rsymlink     = 17
	Tmknod       = 18
	Rmknod       = 19
	Trename      = 20
	Rrename      = 21
	Treadlink    = 22
	Rreadlink    = 23
	Tgetattr     = 24
	Rgetattr     = 25
	Tsetattr     = 26
	Rsetattr     = 27
	Txattrwalk   = 30
	Rxattrwalk   = 31
	Txattrcreate = 32
	Rxattrcreate = 33
	Treaddir     = 40
	Rreaddir     = 41
	Tfsync       = 50
	Rfsync       = 51
	Tlock        = 52
	Rlock        = 53
	Tgetlock     = 54
	Rgetlock     = 55
	Tlink        = 70
	Rlink        = 71
	Tmkdir       = 72
	Rmkdir       = 73
	Trenameat    = 74
	Rrenameat    = 75
	Tunlinkat    = 76
	Runlinkat    = 77
	Tversion     = 100
	Rversion     = 101
	Tauth        = 102
	Rauth        = 103
	Tattach      = 104
	Rattach      = 105
	Tflush       = 108
	Rflush       = 109
	Twalk        = 110
	Rwalk        = 111
	Tread        = 116
	Rread        = 117
	Twrite       = 118
	Rwrite       = 119
	Tclunk       = 120
	Rclunk       = 121
	Tremove      = 122
	Rremove      = 123
	Twalkgetattr = 126
	Rwalkgetattr = 127
	Tucreate     = 128
	Rucreate     = 129
	Tumkdir      = 130
	Rumkdir      = 131
	Tumknod      = 132
	Rumknod      = 133
	Tusymlink    = 134
	Rusymlink    = 135
)

// Sentinels and sizes fixed by the protocol.
const (
	NoTag = 0xFFFF
	NoFid = 0xFFFFFFFF
	// HeaderSize is size[4] type[1] tag[2].
	HeaderSize = 7
	// IOHeaderSize is the overhead of an Rread beyond its data:
	// the header and count[4].
	IOHeaderSize = HeaderSize + 4
)

// A QID identifies a file on a server.
type QID struct {
	Type    uint8
	Version uint32
	Path    uint64
}

// Attr holds the attribute block of Rgetattr and Rwalkgetattr.
type Attr struct {
	Mode, UID, GID             uint32
	NLink, RDev, Size, BlkSize uint64
	Blocks                     uint64
	ATimeSec, ATimeNsec        uint64
	MTimeSec, MTimeNsec        uint64
	CTimeSec, CTimeNsec        uint64
	BTimeSec, BTimeNsec        uint64
	Gen, DataVersion           uint64
}

// SetAttr holds the attribute block of Tsetattr.
type SetAttr struct {
	Mode, UID, GID      uint32
	Size                uint64
	ATimeSec, ATimeNsec uint64
	MTimeSec, MTimeNsec uint64
}

// StatFS holds the body of Rstatfs.
type StatFS struct {
	Type, BSize                         uint32
	Blocks, BFree, BAvail, Files, FFree uint64
	FSID                                uint64
	NameLen                             uint32
}

// A Dirent is one entry of an Rreaddir.
type Dirent struct {
	QID    QID
	Offset uint64
	Type   uint8
	Name   string
}

// Fcall is one decoded message. Only the fields of its type are
// meaningful; the names follow the 9P2000.L documentation.
type Fcall struct {
	Type uint8
	Tag  uint16

	Fid, Newfid, Afid, Dfid uint32 // Dfid: directory fid (Tsymlink, Tmknod, Trename, Tlink, Tmkdir, Tunlinkat, Trenameat old dir)
	NewDfid                 uint32 // Trenameat new directory
	Msize                   uint32
	Version                 string
	Uname, Aname            string
	NUname                  uint32
	Oldtag                  uint16
	Wnames                  []string
	QIDs                    []QID
	QID                     QID
	IOUnit                  uint32
	Offset                  uint64
	Count                   uint32
	Data                    []byte // Twrite, Rread, Rreaddir payload: aliases the message
	Flags                   uint32
	Mode                    uint32
	GID                     uint32
	UID                     uint32 // Tucreate and friends
	Name, NewName, Target   string
	Major, Minor            uint32
	Mask                    uint64 // Tgetattr request mask, Rgetattr valid mask, Tsetattr valid mask
	Attr                    Attr
	SetAttr                 SetAttr
	StatFS                  StatFS
	Ecode                   uint32
	Size                    uint64 // Rxattrwalk, Txattrcreate
	LockType                uint8
	LockStart, LockLength   uint64
	ProcID                  uint32
	ClientID                string
	Status                  uint8
	Datasync                uint32
}

// ErrShort reports a message whose body ends before its fields do.
var ErrShort = errors.New("9P message too short for its fields")

// Size returns the size field of a message header, or 0 if b is shorter
// than a header.
func Size(b []byte) uint32 {
	if len(b) < 4 {
		return 0
	}
	return binary.LittleEndian.Uint32(b)
}

// Unmarshal decodes one whole message (size field included). Data fields
// alias b.
func Unmarshal(b []byte) (*Fcall, error) {
	if len(b) < HeaderSize {
		return nil, ErrShort
	}
	if int(Size(b)) != len(b) {
		return nil, fmt.Errorf("9P message size %d does not match its length %d", Size(b), len(b))
	}
	d := decoder{b: b[4:]}
	f := &Fcall{Type: d.u8(), Tag: d.u16()}
	f.decodeBody(&d)
	if d.short {
		return f, ErrShort
	}
	return f, nil
}

func (f *Fcall) decodeBody(d *decoder) {
	switch f.Type {
	case Rlerror:
		f.Ecode = d.u32()
	case Tstatfs, Treadlink, Tclunk, Tremove:
		f.Fid = d.u32()
	case Rstatfs:
		s := &f.StatFS
		s.Type, s.BSize = d.u32(), d.u32()
		s.Blocks, s.BFree, s.BAvail, s.Files, s.FFree, s.FSID = d.u64(), d.u64(), d.u64(), d.u64(), d.u64(), d.u64()
		s.NameLen = d.u32()
	case Tlopen:
		f.Fid, f.Flags = d.u32(), d.u32()
	case Rlopen, Rlcreate, Rucreate:
		f.QID, f.IOUnit = d.qid(), d.u32()
	case Tlcreate, Tucreate:
		f.Fid, f.Name, f.Flags, f.Mode, f.GID = d.u32(), d.str(), d.u32(), d.u32(), d.u32()
		if f.Type == Tucreate {
			f.UID = d.u32()
		}
	case Tsymlink, Tusymlink:
		f.Dfid, f.Name, f.Target, f.GID = d.u32(), d.str(), d.str(), d.u32()
		if f.Type == Tusymlink {
			f.UID = d.u32()
		}
	case Rsymlink, Rmknod, Rmkdir, Rattach, Rauth, Rusymlink, Rumknod, Rumkdir:
		f.QID = d.qid()
	case Tmknod, Tumknod:
		f.Dfid, f.Name, f.Mode, f.Major, f.Minor, f.GID = d.u32(), d.str(), d.u32(), d.u32(), d.u32(), d.u32()
		if f.Type == Tumknod {
			f.UID = d.u32()
		}
	case Trename:
		f.Fid, f.Dfid, f.Name = d.u32(), d.u32(), d.str()
	case Rreadlink:
		f.Target = d.str()
	case Tgetattr:
		f.Fid, f.Mask = d.u32(), d.u64()
	case Rgetattr:
		f.Mask, f.QID = d.u64(), d.qid()
		f.Attr = d.attr()
	case Tsetattr:
		f.Fid, f.Mask = d.u32(), uint64(d.u32())
		s := &f.SetAttr
		s.Mode, s.UID, s.GID, s.Size = d.u32(), d.u32(), d.u32(), d.u64()
		s.ATimeSec, s.ATimeNsec, s.MTimeSec, s.MTimeNsec = d.u64(), d.u64(), d.u64(), d.u64()
	case Txattrwalk:
		f.Fid, f.Newfid, f.Name = d.u32(), d.u32(), d.str()
	case Rxattrwalk:
		f.Size = d.u64()
	case Txattrcreate:
		f.Fid, f.Name, f.Size, f.Flags = d.u32(), d.str(), d.u64(), d.u32()
	case Treaddir, Tread:
		f.Fid, f.Offset, f.Count = d.u32(), d.u64(), d.u32()
	case Rreaddir, Rread:
		f.Count = d.u32()
		f.Data = d.bytes(int(f.Count))
	case Tfsync:
		f.Fid = d.u32()
		if len(d.b) >= 4 {
			f.Datasync = d.u32()
		}
	case Tlock:
		f.Fid, f.LockType, f.Flags = d.u32(), d.u8(), d.u32()
		f.LockStart, f.LockLength, f.ProcID, f.ClientID = d.u64(), d.u64(), d.u32(), d.str()
	case Rlock:
		f.Status = d.u8()
	case Tgetlock, Rgetlock:
		if f.Type == Tgetlock {
			f.Fid = d.u32()
		}
		f.LockType, f.LockStart, f.LockLength, f.ProcID, f.ClientID = d.u8(), d.u64(), d.u64(), d.u32(), d.str()
	case Tlink:
		f.Dfid, f.Fid, f.Name = d.u32(), d.u32(), d.str()
	case Tmkdir, Tumkdir:
		f.Dfid, f.Name, f.Mode, f.GID = d.u32(), d.str(), d.u32(), d.u32()
		if f.Type == Tumkdir {
			f.UID = d.u32()
		}
	case Trenameat:
		f.Dfid, f.Name, f.NewDfid, f.NewName = d.u32(), d.str(), d.u32(), d.str()
	case Tunlinkat:
		f.Dfid, f.Name, f.Flags = d.u32(), d.str(), d.u32()
	case Tversion, Rversion:
		f.Msize, f.Version = d.u32(), d.str()
	case Tauth:
		f.Afid, f.Uname, f.Aname, f.NUname = d.u32(), d.str(), d.str(), d.u32()
	case Tattach:
		f.Fid, f.Afid, f.Uname, f.Aname, f.NUname = d.u32(), d.u32(), d.str(), d.str(), d.u32()
	case Tflush:
		f.Oldtag = d.u16()
	case Twalk, Twalkgetattr:
		f.Fid, f.Newfid = d.u32(), d.u32()
		n := int(d.u16())
		if n > len(d.b)/2 { // each name takes at least its length field
			d.short = true
			return
		}
		for i := 0; i < n && !d.short; i++ {
			f.Wnames = append(f.Wnames, d.str())
		}
	case Rwalk:
		f.QIDs = d.qids()
	case Rwalkgetattr:
		f.Mask = d.u64()
		f.Attr = d.attr()
		f.QIDs = d.qids()
	case Twrite:
		f.Fid, f.Offset, f.Count = d.u32(), d.u64(), d.u32()
		f.Data = d.bytes(int(f.Count))
	case Rwrite:
		f.Count = d.u32()
	}
}

// Dirents decodes the payload of an Rreaddir; a truncated last entry is
// dropped, as a client would.
func Dirents(b []byte) []Dirent {
	d := decoder{b: b}
	var out []Dirent
	for len(d.b) > 0 {
		e := Dirent{QID: d.qid(), Offset: d.u64(), Type: d.u8(), Name: d.str()}
		if d.short {
			break
		}
		out = append(out, e)
	}
	return out
}

type decoder struct {
	b     []byte
	short bool
}

func (d *decoder) take(n int) []byte {
	if d.short || n < 0 || len(d.b) < n {
		d.short = true
		return nil
	}
	p := d.b[:n]
	d.b = d.b[n:]
	return p
}

func (d *decoder) u8() uint8 {
	if p := d.take(1); p != nil {
		return p[0]
	}
	return 0
}

func (d *decoder) u16() uint16 {
	if p := d.take(2); p != nil {
		return binary.LittleEndian.Uint16(p)
	}
	return 0
}

func (d *decoder) u32() uint32 {
	if p := d.take(4); p != nil {
		return binary.LittleEndian.Uint32(p)
	}
	return 0
}

func (d *decoder) u64() uint64 {
	if p := d.take(8); p != nil {
		return binary.LittleEndian.Uint64(p)
	}
	return 0
}

func (d *decoder) str() string {
	n := d.u16()
	return string(d.take(int(n)))
}

func (d *decoder) bytes(n int) []byte { return d.take(n) }

func (d *decoder) qid() QID {
	return QID{Type: d.u8(), Version: d.u32(), Path: d.u64()}
}

func (d *decoder) qids() []QID {
	n := int(d.u16())
	if n > len(d.b)/13 {
		d.short = true
		return nil
	}
	q := make([]QID, 0, n)
	for i := 0; i < n; i++ {
		q = append(q, d.qid())
	}
	return q
}

func (d *decoder) attr() Attr {
	var a Attr
	a.Mode, a.UID, a.GID = d.u32(), d.u32(), d.u32()
	a.NLink, a.RDev, a.Size, a.BlkSize, a.Blocks = d.u64(), d.u64(), d.u64(), d.u64(), d.u64()
	a.ATimeSec, a.ATimeNsec, a.MTimeSec, a.MTimeNsec = d.u64(), d.u64(), d.u64(), d.u64()
	a.CTimeSec, a.CTimeNsec, a.BTimeSec, a.BTimeNsec = d.u64(), d.u64(), d.u64(), d.u64()
	a.Gen, a.DataVersion = d.u64(), d.u64()
	return a
}
