package p9fuse

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// An idMap holds the ranges of ids that a user namespace maps, from
// /proc/self/uid_map or gid_map.
type idMap [][2]uint64 // first id, count

// readIDMap reads an id map; a file it cannot read maps everything, as
// the initial namespace does.
func readIDMap(path string) idMap {
	f, err := os.Open(path)
	if err != nil {
		return idMap{{0, 1 << 32}}
	}
	defer f.Close()
	var m idMap
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 3 {
			continue
		}
		first, err1 := strconv.ParseUint(fields[0], 10, 32)
		count, err2 := strconv.ParseUint(fields[2], 10, 33)
		if err1 == nil && err2 == nil {
			m = append(m, [2]uint64{first, count})
		}
	}
	return m
}

// has reports whether id is mapped.
func (m idMap) has(id uint32) bool {
	for _, r := range m {
		if uint64(id) >= r[0] && uint64(id) < r[0]+r[1] {
			return true
		}
	}
	return false
}
