//go:build !linux

package p9srv

import "os"

// spliceRead never splices where there is no splice(2): the caller
// copies the data through a buffer.
func (c *conn) spliceRead(tag uint16, f *os.File, off int64, count int) bool { return false }
