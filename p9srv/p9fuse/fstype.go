package p9fuse

// The file system types the bridge's mounts show in mountinfo. A cached
// mount (mount -C) has a type of its own, because ns knows a mount only
// from what mountinfo shows and must print the -C back; anything that
// recognises nsh's 9P mounts accepts both.
const (
	// FSType is the type of a mount without caching.
	FSType = "fuse." + subtype
	// CachedFSType is the type of a mount with Options.Cache.
	CachedFSType = "fuse." + cachedSubtype
)

const (
	subtype       = "9p"
	cachedSubtype = "9pc"
)

// fuseSubtype is the name go-fuse puts after "fuse." in the mount's type.
func fuseSubtype(cache bool) string {
	if cache {
		return cachedSubtype
	}
	return subtype
}
