package wire

import "encoding/binary"

// Marshal encodes f as one whole message, size field included.
func Marshal(f *Fcall) []byte {
	e := encoder{b: make([]byte, 4, 64)}
	e.u8(f.Type)
	e.u16(f.Tag)
	f.encodeBody(&e)
	binary.LittleEndian.PutUint32(e.b, uint32(len(e.b)))
	return e.b
}

// Lerror returns an Rlerror message for tag.
func Lerror(tag uint16, errno uint32) []byte {
	return Marshal(&Fcall{Type: Rlerror, Tag: tag, Ecode: errno})
}

func (f *Fcall) encodeBody(e *encoder) {
	switch f.Type {
	case Rlerror:
		e.u32(f.Ecode)
	case Tstatfs, Treadlink, Tclunk, Tremove:
		e.u32(f.Fid)
	case Rstatfs:
		s := &f.StatFS
		e.u32(s.Type)
		e.u32(s.BSize)
		for _, v := range []uint64{s.Blocks, s.BFree, s.BAvail, s.Files, s.FFree, s.FSID} {
			e.u64(v)
		}
		e.u32(s.NameLen)
	case Tlopen:
		e.u32(f.Fid)
		e.u32(f.Flags)
	case Rlopen, Rlcreate, Rucreate:
		e.qid(f.QID)
		e.u32(f.IOUnit)
	case Tlcreate, Tucreate:
		e.u32(f.Fid)
		e.str(f.Name)
		e.u32(f.Flags)
		e.u32(f.Mode)
		e.u32(f.GID)
		if f.Type == Tucreate {
			e.u32(f.UID)
		}
	case Tsymlink, Tusymlink:
		e.u32(f.Dfid)
		e.str(f.Name)
		e.str(f.Target)
		e.u32(f.GID)
		if f.Type == Tusymlink {
			e.u32(f.UID)
		}
	case Rsymlink, Rmknod, Rmkdir, Rattach, Rauth, Rusymlink, Rumknod, Rumkdir:
		e.qid(f.QID)
	case Tmknod, Tumknod:
		e.u32(f.Dfid)
		e.str(f.Name)
		e.u32(f.Mode)
		e.u32(f.Major)
		e.u32(f.Minor)
		e.u32(f.GID)
		if f.Type == Tumknod {
			e.u32(f.UID)
		}
	case Trename:
		e.u32(f.Fid)
		e.u32(f.Dfid)
		e.str(f.Name)
	case Rreadlink:
		e.str(f.Target)
	case Tgetattr:
		e.u32(f.Fid)
		e.u64(f.Mask)
	case Rgetattr:
		e.u64(f.Mask)
		e.qid(f.QID)
		e.attr(&f.Attr)
	case Tsetattr:
		e.u32(f.Fid)
		e.u32(uint32(f.Mask))
		s := &f.SetAttr
		e.u32(s.Mode)
		e.u32(s.UID)
		e.u32(s.GID)
		for _, v := range []uint64{s.Size, s.ATimeSec, s.ATimeNsec, s.MTimeSec, s.MTimeNsec} {
			e.u64(v)
		}
	case Txattrwalk:
		e.u32(f.Fid)
		e.u32(f.Newfid)
		e.str(f.Name)
	case Rxattrwalk:
		e.u64(f.Size)
	case Txattrcreate:
		e.u32(f.Fid)
		e.str(f.Name)
		e.u64(f.Size)
		e.u32(f.Flags)
	case Treaddir, Tread:
		e.u32(f.Fid)
		e.u64(f.Offset)
		e.u32(f.Count)
	case Rreaddir, Rread:
		e.u32(uint32(len(f.Data)))
		e.b = append(e.b, f.Data...)
	case Tfsync:
		e.u32(f.Fid)
		e.u32(f.Datasync)
	case Tlock:
		e.u32(f.Fid)
		e.u8(f.LockType)
		e.u32(f.Flags)
		e.u64(f.LockStart)
		e.u64(f.LockLength)
		e.u32(f.ProcID)
		e.str(f.ClientID)
	case Rlock:
		e.u8(f.Status)
	case Tgetlock, Rgetlock:
		if f.Type == Tgetlock {
			e.u32(f.Fid)
		}
		e.u8(f.LockType)
		e.u64(f.LockStart)
		e.u64(f.LockLength)
		e.u32(f.ProcID)
		e.str(f.ClientID)
	case Tlink:
		e.u32(f.Dfid)
		e.u32(f.Fid)
		e.str(f.Name)
	case Tmkdir, Tumkdir:
		e.u32(f.Dfid)
		e.str(f.Name)
		e.u32(f.Mode)
		e.u32(f.GID)
		if f.Type == Tumkdir {
			e.u32(f.UID)
		}
	case Trenameat:
		e.u32(f.Dfid)
		e.str(f.Name)
		e.u32(f.NewDfid)
		e.str(f.NewName)
	case Tunlinkat:
		e.u32(f.Dfid)
		e.str(f.Name)
		e.u32(f.Flags)
	case Tversion, Rversion:
		e.u32(f.Msize)
		e.str(f.Version)
	case Tauth:
		e.u32(f.Afid)
		e.str(f.Uname)
		e.str(f.Aname)
		e.u32(f.NUname)
	case Tattach:
		e.u32(f.Fid)
		e.u32(f.Afid)
		e.str(f.Uname)
		e.str(f.Aname)
		e.u32(f.NUname)
	case Tflush:
		e.u16(f.Oldtag)
	case Twalk, Twalkgetattr:
		e.u32(f.Fid)
		e.u32(f.Newfid)
		e.u16(uint16(len(f.Wnames)))
		for _, n := range f.Wnames {
			e.str(n)
		}
	case Rwalk:
		e.qids(f.QIDs)
	case Rwalkgetattr:
		e.u64(f.Mask)
		e.attr(&f.Attr)
		e.qids(f.QIDs)
	case Twrite:
		e.u32(f.Fid)
		e.u64(f.Offset)
		e.u32(uint32(len(f.Data)))
		e.b = append(e.b, f.Data...)
	case Rwrite:
		e.u32(f.Count)
	}
}

type encoder struct{ b []byte }

func (e *encoder) u8(v uint8)   { e.b = append(e.b, v) }
func (e *encoder) u16(v uint16) { e.b = binary.LittleEndian.AppendUint16(e.b, v) }
func (e *encoder) u32(v uint32) { e.b = binary.LittleEndian.AppendUint32(e.b, v) }
func (e *encoder) u64(v uint64) { e.b = binary.LittleEndian.AppendUint64(e.b, v) }

func (e *encoder) str(s string) {
	if len(s) > 0xFFFF {
		s = s[:0xFFFF]
	}
	e.u16(uint16(len(s)))
	e.b = append(e.b, s...)
}

func (e *encoder) qid(q QID) {
	e.u8(q.Type)
	e.u32(q.Version)
	e.u64(q.Path)
}

func (e *encoder) qids(qs []QID) {
	e.u16(uint16(len(qs)))
	for _, q := range qs {
		e.qid(q)
	}
}

func (e *encoder) attr(a *Attr) {
	e.u32(a.Mode)
	e.u32(a.UID)
	e.u32(a.GID)
	for _, v := range []uint64{a.NLink, a.RDev, a.Size, a.BlkSize, a.Blocks,
		a.ATimeSec, a.ATimeNsec, a.MTimeSec, a.MTimeNsec, a.CTimeSec, a.CTimeNsec,
		a.BTimeSec, a.BTimeNsec, a.Gen, a.DataVersion} {
		e.u64(v)
	}
}

// EncodeDirents encodes entries as an Rreaddir payload.
func EncodeDirents(ents []Dirent) []byte {
	e := encoder{}
	for _, d := range ents {
		e.qid(d.QID)
		e.u64(d.Offset)
		e.u8(d.Type)
		e.str(d.Name)
	}
	return e.b
}
