package p9fuse

import (
	"syscall"

	"github.com/hanwen/go-fuse/v2/fuse"
	"github.com/hugelgupf/p9/p9"
)

// inoOf maps a qid onto an inode number. The qid path is already unique
// and stable on the server; only the values go-fuse reserves (0 asks it
// to invent a number, ^0 is taken) are moved aside.
func inoOf(q p9.QID) uint64 {
	switch q.Path {
	case 0:
		return 1<<63 - 1
	case ^uint64(0):
		return 1<<63 - 2
	}
	return q.Path
}

// qidMode gives the file type bits a qid tells, for directory entries.
// Servers disagree on the type byte of a 9P2000.L dirent (hugelgupf/p9
// repeats the qid type, diod sends a DT_ value), so the qid decides and
// the DT_ values that a qid cannot express only refine a plain file.
func qidMode(q p9.QID, dtype p9.QIDType) uint32 {
	switch {
	case q.Type&p9.TypeDir != 0:
		return syscall.S_IFDIR
	case q.Type&p9.TypeSymlink != 0:
		return syscall.S_IFLNK
	}
	switch dtype {
	case syscall.DT_FIFO:
		return syscall.S_IFIFO
	case syscall.DT_CHR:
		return syscall.S_IFCHR
	case syscall.DT_BLK:
		return syscall.S_IFBLK
	case syscall.DT_SOCK:
		return syscall.S_IFSOCK
	}
	return syscall.S_IFREG
}

// fillAttr converts 9P attributes into FUSE ones. Fields the server did
// not return keep neutral values. An owner the server does not name
// (synthetic servers often report none) becomes the bridge's own user,
// and so does one that the bridge's user namespace does not map: the
// kernel refuses every write to a file with an unmapped owner, while on
// a 9P mount it is the server that grants or refuses access.
func (b *fsys) fillAttr(out *fuse.Attr, q p9.QID, valid p9.AttrMask, a p9.Attr) {
	out.Ino = inoOf(q)
	if valid.Mode {
		out.Mode = uint32(a.Mode)
	} else {
		out.Mode = qidMode(q, 0) | 0o644
		if q.Type&p9.TypeDir != 0 {
			out.Mode = syscall.S_IFDIR | 0o755
		}
	}
	if out.Mode&syscall.S_IFMT == 0 {
		out.Mode |= qidMode(q, 0)
	}
	out.Size = a.Size
	out.Blocks = a.Blocks
	out.Blksize = uint32(a.BlockSize)
	if a.BlockSize > 1<<30 {
		out.Blksize = 1 << 30
	}
	out.Nlink = uint32(a.NLink)
	if !valid.NLink || out.Nlink == 0 {
		out.Nlink = 1
	}
	out.Uid, out.Gid = b.uid, b.gid
	if valid.UID && a.UID.Ok() && b.uids.has(uint32(a.UID)) {
		out.Uid = uint32(a.UID)
	}
	if valid.GID && a.GID.Ok() && b.gids.has(uint32(a.GID)) {
		out.Gid = uint32(a.GID)
	}
	out.Rdev = uint32(a.RDev)
	out.Atime, out.Atimensec = a.ATimeSeconds, uint32(a.ATimeNanoSeconds)
	out.Mtime, out.Mtimensec = a.MTimeSeconds, uint32(a.MTimeNanoSeconds)
	out.Ctime, out.Ctimensec = a.CTimeSeconds, uint32(a.CTimeNanoSeconds)
}

// setAttrOf converts a FUSE SETATTR request into a 9P one.
func setAttrOf(in *fuse.SetAttrIn) (p9.SetAttrMask, p9.SetAttr) {
	var m p9.SetAttrMask
	var a p9.SetAttr
	if mode, ok := in.GetMode(); ok {
		m.Permissions = true
		a.Permissions = p9.FileMode(mode & 0o7777)
	}
	if uid, ok := in.GetUID(); ok {
		m.UID = true
		a.UID = p9.UID(uid)
	}
	if gid, ok := in.GetGID(); ok {
		m.GID = true
		a.GID = p9.GID(gid)
	}
	if size, ok := in.GetSize(); ok {
		m.Size = true
		a.Size = size
	}
	if in.Valid&fuse.FATTR_ATIME != 0 {
		m.ATime = true
		if in.Valid&fuse.FATTR_ATIME_NOW == 0 {
			m.ATimeNotSystemTime = true
			a.ATimeSeconds, a.ATimeNanoSeconds = in.Atime, uint64(in.Atimensec)
		}
	}
	if in.Valid&fuse.FATTR_MTIME != 0 {
		m.MTime = true
		if in.Valid&fuse.FATTR_MTIME_NOW == 0 {
			m.MTimeNotSystemTime = true
			a.MTimeSeconds, a.MTimeNanoSeconds = in.Mtime, uint64(in.Mtimensec)
		}
	}
	if in.Valid&fuse.FATTR_CTIME != 0 {
		m.CTime = true
	}
	return m, a
}

// isEmpty reports whether a SETATTR changes nothing 9P can express (the
// kernel also sends SETATTR for things like FATTR_KILL_SUIDGID alone).
func isEmpty(m p9.SetAttrMask) bool {
	return m == p9.SetAttrMask{}
}
