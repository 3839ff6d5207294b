package wire

import (
	"fmt"
	"strings"

	"github.com/hugelgupf/p9/linux"
)

var typeNames = map[uint8]string{
	Tlerror: "Tlerror", Rlerror: "Rlerror", Tstatfs: "Tstatfs", Rstatfs: "Rstatfs",
	Tlopen: "Tlopen", Rlopen: "Rlopen", Tlcreate: "Tlcreate", Rlcreate: "Rlcreate",
	Tsymlink: "Tsymlink", Rsymlink: "Rsymlink", Tmknod: "Tmknod", Rmknod: "Rmknod",
	Trename: "Trename", Rrename: "Rrename", Treadlink: "Treadlink", Rreadlink: "Rreadlink",
	Tgetattr: "Tgetattr", Rgetattr: "Rgetattr", Tsetattr: "Tsetattr", Rsetattr: "Rsetattr",
	Txattrwalk: "Txattrwalk", Rxattrwalk: "Rxattrwalk", Txattrcreate: "Txattrcreate", Rxattrcreate: "Rxattrcreate",
	Treaddir: "Treaddir", Rreaddir: "Rreaddir", Tfsync: "Tfsync", Rfsync: "Rfsync",
	Tlock: "Tlock", Rlock: "Rlock", Tgetlock: "Tgetlock", Rgetlock: "Rgetlock",
	Tlink: "Tlink", Rlink: "Rlink", Tmkdir: "Tmkdir", Rmkdir: "Rmkdir",
	Trenameat: "Trenameat", Rrenameat: "Rrenameat", Tunlinkat: "Tunlinkat", Runlinkat: "Runlinkat",
	Tversion: "Tversion", Rversion: "Rversion", Tauth: "Tauth", Rauth: "Rauth",
	Tattach: "Tattach", Rattach: "Rattach", Tflush: "Tflush", Rflush: "Rflush",
	Twalk: "Twalk", Rwalk: "Rwalk", Tread: "Tread", Rread: "Rread",
	Twrite: "Twrite", Rwrite: "Rwrite", Tclunk: "Tclunk", Rclunk: "Rclunk",
	Tremove: "Tremove", Rremove: "Rremove", Twalkgetattr: "Twalkgetattr", Rwalkgetattr: "Rwalkgetattr",
	Tucreate: "Tucreate", Rucreate: "Rucreate", Tumkdir: "Tumkdir", Rumkdir: "Rumkdir",
	Tumknod: "Tumknod", Rumknod: "Rumknod", Tusymlink: "Tusymlink", Rusymlink: "Rusymlink",
}

// TypeName returns the message type's name (Twalk), or "T?123"/"R?123"
// for a number 9P2000.L does not define.
func TypeName(t uint8) string {
	if n, ok := typeNames[t]; ok {
		return n
	}
	if t%2 == 0 {
		return fmt.Sprintf("T?%d", t)
	}
	return fmt.Sprintf("R?%d", t)
}

// String formats the QID as lib9p does: (path version type), the type as
// letters (d directory, L symlink, a append-only, l exclusive, A auth,
// t temporary).
func (q QID) String() string {
	t := ""
	for _, b := range []struct {
		bit uint8
		c   string
	}{{0x80, "d"}, {0x40, "a"}, {0x20, "l"}, {0x08, "A"}, {0x04, "t"}, {0x02, "L"}} {
		if q.Type&b.bit != 0 {
			t += b.c
		}
	}
	return fmt.Sprintf("(%016x %d %s)", q.Path, q.Version, t)
}

func qidList(qs []QID) string {
	s := make([]string, len(qs))
	for i, q := range qs {
		s[i] = q.String()
	}
	return "[" + strings.Join(s, " ") + "]"
}

// preview shows the start of a data payload, quoted.
func preview(b []byte) string {
	const max = 32
	if len(b) > max {
		return fmt.Sprintf("%q...", b[:max])
	}
	return fmt.Sprintf("%q", b)
}

func fid(v uint32) string {
	if v == NoFid {
		return "-1"
	}
	return fmt.Sprint(v)
}

func (a *Attr) String() string {
	return fmt.Sprintf("mode %#o uid %d gid %d nlink %d rdev %d size %d blksize %d blocks %d atime %d.%09d mtime %d.%09d ctime %d.%09d",
		a.Mode, a.UID, a.GID, a.NLink, a.RDev, a.Size, a.BlkSize, a.Blocks,
		a.ATimeSec, a.ATimeNsec, a.MTimeSec, a.MTimeNsec, a.CTimeSec, a.CTimeNsec)
}

// String formats the message on one line in lib9p's trace style:
// Twalk tag 1 fid 1 newfid 2 wnames [a b].
func (f *Fcall) String() string {
	s := fmt.Sprintf("%s tag %d", TypeName(f.Type), f.Tag)
	var b string
	switch f.Type {
	case Rlerror:
		b = fmt.Sprintf("ecode %d (%s)", f.Ecode, linux.Errno(f.Ecode))
	case Tstatfs, Treadlink, Tclunk, Tremove:
		b = "fid " + fid(f.Fid)
	case Rstatfs:
		st := &f.StatFS
		b = fmt.Sprintf("type %#x bsize %d blocks %d bfree %d bavail %d files %d ffree %d fsid %d namelen %d",
			st.Type, st.BSize, st.Blocks, st.BFree, st.BAvail, st.Files, st.FFree, st.FSID, st.NameLen)
	case Tlopen:
		b = fmt.Sprintf("fid %s flags %#o", fid(f.Fid), f.Flags)
	case Rlopen, Rlcreate, Rucreate:
		b = fmt.Sprintf("qid %v iounit %d", f.QID, f.IOUnit)
	case Tlcreate, Tucreate:
		b = fmt.Sprintf("fid %s name %q flags %#o mode %#o gid %s", fid(f.Fid), f.Name, f.Flags, f.Mode, fid(f.GID))
		if f.Type == Tucreate {
			b += " uid " + fid(f.UID)
		}
	case Tsymlink, Tusymlink:
		b = fmt.Sprintf("dfid %s name %q target %q gid %s", fid(f.Dfid), f.Name, f.Target, fid(f.GID))
		if f.Type == Tusymlink {
			b += " uid " + fid(f.UID)
		}
	case Rsymlink, Rmknod, Rmkdir, Rattach, Rauth, Rusymlink, Rumknod, Rumkdir:
		b = "qid " + f.QID.String()
	case Tmknod, Tumknod:
		b = fmt.Sprintf("dfid %s name %q mode %#o major %d minor %d gid %s", fid(f.Dfid), f.Name, f.Mode, f.Major, f.Minor, fid(f.GID))
		if f.Type == Tumknod {
			b += " uid " + fid(f.UID)
		}
	case Trename:
		b = fmt.Sprintf("fid %s dfid %s name %q", fid(f.Fid), fid(f.Dfid), f.Name)
	case Rreadlink:
		b = fmt.Sprintf("target %q", f.Target)
	case Tgetattr:
		b = fmt.Sprintf("fid %s mask %#x", fid(f.Fid), f.Mask)
	case Rgetattr:
		b = fmt.Sprintf("valid %#x qid %v %s", f.Mask, f.QID, &f.Attr)
	case Tsetattr:
		st := &f.SetAttr
		b = fmt.Sprintf("fid %s valid %#x mode %#o uid %s gid %s size %d atime %d.%09d mtime %d.%09d",
			fid(f.Fid), f.Mask, st.Mode, fid(st.UID), fid(st.GID), st.Size, st.ATimeSec, st.ATimeNsec, st.MTimeSec, st.MTimeNsec)
	case Txattrwalk:
		b = fmt.Sprintf("fid %s newfid %s name %q", fid(f.Fid), fid(f.Newfid), f.Name)
	case Rxattrwalk:
		b = fmt.Sprintf("size %d", f.Size)
	case Txattrcreate:
		b = fmt.Sprintf("fid %s name %q size %d flags %d", fid(f.Fid), f.Name, f.Size, f.Flags)
	case Treaddir, Tread:
		b = fmt.Sprintf("fid %s offset %d count %d", fid(f.Fid), f.Offset, f.Count)
	case Rreaddir:
		ents := Dirents(f.Data)
		names := make([]string, len(ents))
		for i, e := range ents {
			names[i] = e.Name
		}
		if len(names) > 8 {
			names = append(names[:8], fmt.Sprintf("...(%d more)", len(ents)-8))
		}
		b = fmt.Sprintf("count %d entries %d [%s]", f.Count, len(ents), strings.Join(names, " "))
	case Rread:
		b = fmt.Sprintf("count %d %s", f.Count, preview(f.Data))
	case Tfsync:
		b = fmt.Sprintf("fid %s datasync %d", fid(f.Fid), f.Datasync)
	case Tlock:
		b = fmt.Sprintf("fid %s type %d flags %#x start %d length %d proc_id %d client_id %q",
			fid(f.Fid), f.LockType, f.Flags, f.LockStart, f.LockLength, f.ProcID, f.ClientID)
	case Rlock:
		b = fmt.Sprintf("status %d", f.Status)
	case Tgetlock, Rgetlock:
		if f.Type == Tgetlock {
			b = "fid " + fid(f.Fid) + " "
		}
		b += fmt.Sprintf("type %d start %d length %d proc_id %d client_id %q", f.LockType, f.LockStart, f.LockLength, f.ProcID, f.ClientID)
	case Tlink:
		b = fmt.Sprintf("dfid %s fid %s name %q", fid(f.Dfid), fid(f.Fid), f.Name)
	case Tmkdir, Tumkdir:
		b = fmt.Sprintf("dfid %s name %q mode %#o gid %s", fid(f.Dfid), f.Name, f.Mode, fid(f.GID))
		if f.Type == Tumkdir {
			b += " uid " + fid(f.UID)
		}
	case Trenameat:
		b = fmt.Sprintf("olddirfid %s oldname %q newdirfid %s newname %q", fid(f.Dfid), f.Name, fid(f.NewDfid), f.NewName)
	case Tunlinkat:
		b = fmt.Sprintf("dfid %s name %q flags %#x", fid(f.Dfid), f.Name, f.Flags)
	case Tversion, Rversion:
		b = fmt.Sprintf("msize %d version %q", f.Msize, f.Version)
	case Tauth:
		b = fmt.Sprintf("afid %s uname %q aname %q n_uname %s", fid(f.Afid), f.Uname, f.Aname, fid(f.NUname))
	case Tattach:
		b = fmt.Sprintf("fid %s afid %s uname %q aname %q n_uname %s", fid(f.Fid), fid(f.Afid), f.Uname, f.Aname, fid(f.NUname))
	case Tflush:
		b = fmt.Sprintf("oldtag %d", f.Oldtag)
	case Twalk, Twalkgetattr:
		b = fmt.Sprintf("fid %s newfid %s wnames [%s]", fid(f.Fid), fid(f.Newfid), strings.Join(f.Wnames, " "))
	case Rwalk:
		b = "qids " + qidList(f.QIDs)
	case Rwalkgetattr:
		b = fmt.Sprintf("valid %#x %s qids %s", f.Mask, &f.Attr, qidList(f.QIDs))
	case Twrite:
		b = fmt.Sprintf("fid %s offset %d count %d %s", fid(f.Fid), f.Offset, f.Count, preview(f.Data))
	case Rwrite:
		b = fmt.Sprintf("count %d", f.Count)
	}
	if b == "" {
		return s
	}
	return s + " " + b
}
