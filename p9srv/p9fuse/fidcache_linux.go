package p9fuse

import (
	"sync"
	"sync/atomic"
)

// maxNodeFids bounds the walked fids that nodes keep. The kernel keeps
// an inode (and so a node) for every file it has seen until memory runs
// short, while servers limit the fids a connection may hold (p9srv to
// 16384 by default): a find over a large tree must not run out. Open
// files hold fids of their own, beyond this bound.
var maxNodeFids = 4096

// A fidCache keeps the set of nodes that hold a fid and, when there are
// more than maxNodeFids, drops the fids of those not used lately (a node
// without a fid walks to its file again when next used). The root keeps
// its fid and is not counted.
type fidCache struct {
	mu       sync.Mutex
	nodes    map[*node]struct{}
	sweeping atomic.Bool
}

func newFidCache() *fidCache {
	return &fidCache{nodes: make(map[*node]struct{})}
}

// add records that n holds a fid. Callers hold n.mu (and so lock in
// the order n.mu, then c.mu).
func (c *fidCache) add(n *node) {
	c.mu.Lock()
	c.nodes[n] = struct{}{}
	over := len(c.nodes) > maxNodeFids
	c.mu.Unlock()
	if over && c.sweeping.CompareAndSwap(false, true) {
		go c.sweep()
	}
}

// remove records that n holds no fid; callers hold n.mu.
func (c *fidCache) remove(n *node) {
	c.mu.Lock()
	delete(c.nodes, n)
	c.mu.Unlock()
}

// sweep drops fids until a quarter of the budget is free again, taking
// first the nodes not used since the last sweep (a second-chance clock:
// use sets a node's mark, a sweep clears it).
func (c *fidCache) sweep() {
	defer c.sweeping.Store(false)
	c.mu.Lock()
	excess := len(c.nodes) - maxNodeFids*3/4
	var victims []*node
	for pass := 0; pass < 2 && len(victims) < excess; pass++ {
		for n := range c.nodes {
			if len(victims) >= excess {
				break
			}
			if n.used.Swap(false) && pass == 0 {
				continue
			}
			victims = append(victims, n)
			delete(c.nodes, n)
		}
	}
	c.mu.Unlock()
	for _, n := range victims {
		n.dropFid()
	}
}
