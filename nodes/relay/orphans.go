package relay

import "slices"

// Orphans holds blocks whose parent the node does not have yet, with
// whatever the protocol keeps per block (V: the message, the sender, a
// decoded block), in arrival order. Gossip delivers a child before its
// parent whenever the parent's announcement was lost or slower, and asking
// for the parent while keeping the child saves fetching it again.
//
// The zero value is empty, unbounded and ready to use.
type Orphans[V any] struct {
	// Max bounds the orphans held: adding to a full buffer first evicts
	// the oldest one (FIFO, as chain.Tree does), so that a peer sending
	// blocks on unknown parents cannot grow the node's state. 0 leaves the
	// buffer unbounded, for a caller that bounds it itself (the PoW node
	// mirrors its block tree's orphans, and the tree evicts).
	Max int

	list []orphan[V]
}

type orphan[V any] struct {
	id, parent [32]byte
	v          V
}

// Len returns the number of orphans held.
func (o *Orphans[V]) Len() int { return len(o.list) }

// Has reports whether block id is held.
func (o *Orphans[V]) Has(id [32]byte) bool {
	return slices.ContainsFunc(o.list, func(e orphan[V]) bool { return e.id == id })
}

// Add holds block id, a child of parent, evicting the oldest orphan first
// if Max are held. The caller must know that id is not held already.
func (o *Orphans[V]) Add(id, parent [32]byte, v V) {
	if o.Max > 0 && len(o.list) >= o.Max {
		o.list = slices.Delete(o.list, 0, 1)
	}
	o.list = append(o.list, orphan[V]{id: id, parent: parent, v: v})
}

// Remove takes block id out of the buffer and returns what was kept with
// it.
func (o *Orphans[V]) Remove(id [32]byte) (V, bool) {
	for i := range o.list {
		if o.list[i].id == id {
			v := o.list[i].v
			o.list = slices.Delete(o.list, i, i+1)
			return v, true
		}
	}
	var zero V
	return zero, false
}

// Children takes the orphans whose parent is parent out of the buffer and
// returns them in arrival order: the parent has arrived (the caller
// validates them next) or was rejected (the caller rejects them too).
func (o *Orphans[V]) Children(parent [32]byte) []V {
	var kids []V
	o.list = slices.DeleteFunc(o.list, func(e orphan[V]) bool {
		if e.parent == parent {
			kids = append(kids, e.v)
			return true
		}
		return false
	})
	return kids
}

// Root returns the first ancestor of id, walking up through the held
// orphans, that is not held: the block to fetch so that the chain of
// orphans above it connects. (id itself when it is not held.) A node
// whose request for that ancestor was lost, and dropped after every
// announcer failed to answer, would otherwise never ask again: the next
// block announced above the orphans has a known (held) parent.
func (o *Orphans[V]) Root(id [32]byte) [32]byte {
	for range len(o.list) + 1 { // a cycle of held ids cannot be valid: stop
		i := slices.IndexFunc(o.list, func(e orphan[V]) bool { return e.id == id })
		if i < 0 {
			return id
		}
		id = o.list[i].parent
	}
	return id
}
