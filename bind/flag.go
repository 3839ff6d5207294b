package bind

// Flag holds the flags of bind and mount. The values equal the
// interpreter's MountFlags, so one converts to the other.
type Flag uint8

const (
	// Before puts new before the existing members of the union (-b).
	Before Flag = 1 << iota
	// After puts new after the existing members of the union (-a).
	After
	// Create allows creation in new (-c).
	Create
	// Cache lets a 9P mount use the kernel's caches (mount -C).
	Cache
)

// String returns the flags as bind writes them: "", "-a", "-bc", ...
func (f Flag) String() string {
	s := ""
	if f&After != 0 {
		s += "a"
	}
	if f&Before != 0 {
		s += "b"
	}
	if f&Create != 0 {
		s += "c"
	}
	if f&Cache != 0 {
		s += "C"
	}
	if s == "" {
		return ""
	}
	return "-" + s
}
