// Package union builds union directories on overlayfs with the new mount
// API, for nsh's bind -a/-b and mount -a/-b.
//
// A union is built detached (fsopen("overlay"), one lowerdir+ per member
// passed as an O_PATH descriptor, fsmount) and only then attached, so paths
// with commas, colons, spaces or more than 256 bytes need no escaping and a
// reader never sees a half-built union: Replace puts a rebuilt union beneath
// the current one (MOVE_MOUNT_BENEATH) and then detaches the old one.
//
// overlayfs is not a Plan 9 union, and the differences are the caller's to
// explain:
//   - creation happens only in the upper layer, which is always the first
//     member: a create member that is not first cannot be expressed;
//   - without an upper layer the whole union is read-only: writes to
//     existing files fail too (Plan 9 would write them in place);
//   - with an upper layer, writing a file of a lower member copies it up
//     first: the write lands in the upper member, never in the lower one, and
//     deleting a lower file leaves a whiteout in the upper member;
//   - subdirectories are merged too (Plan 9 unions are not recursive);
//   - at most MaxMembers lower layers, and an overlay used as a layer counts
//     against a stacking depth of two, so callers flatten unions of unions;
//   - the work directory must be on the same mount as the upper layer.
//
// The package does not depend on nsh's namespace package; it only knows
// descriptors.
package union
