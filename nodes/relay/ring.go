package relay

import (
	"unsafe"

	"github.com/coinai/coinai/sim/cpu"
)

// Ring remembers the last few keys added to it, in a fixed amount of
// memory: a node uses one for the blocks it rejected, so that further
// announcements of an invalid block are ignored instead of fetching it
// again from every peer, and one for the (peer, block) pairs it served, so
// that a peer asking twice is not sent a block twice. Forgetting old keys is
// the point: the ring's size bounds the state a hostile peer can create,
// and a forgotten block costs at most one more fetch.
//
// A ring starts out holding Size zero keys, so Has reports true for the
// zero key until it has been overwritten; a caller whose zero key is a real
// one must tell it apart itself.
type Ring[K comparable] struct {
	keys []K
	next int
}

// NewRing returns a ring of size keys; size must be positive.
func NewRing[K comparable](size int) Ring[K] {
	if size <= 0 {
		panic("relay: ring size must be positive")
	}
	return Ring[K]{keys: make([]K, size)}
}

// Prefetch asks the processor for the ring's keys, which Has reads (see
// cpu.Prefetch); it changes nothing.
func (r *Ring[K]) Prefetch() {
	if len(r.keys) == 0 {
		return
	}
	size := int(uintptr(len(r.keys)) * unsafe.Sizeof(r.keys[0]))
	cpu.PrefetchLines(unsafe.Pointer(&r.keys[0]), (size+63)/64)
}

// Size returns the number of keys the ring holds.
func (r *Ring[K]) Size() int { return len(r.keys) }

// Add puts k in the ring in place of the oldest key.
func (r *Ring[K]) Add(k K) {
	r.keys[r.next] = k
	r.next = (r.next + 1) % len(r.keys)
}

// Has reports whether k is in the ring.
func (r *Ring[K]) Has(k K) bool {
	for _, x := range r.keys {
		if x == k {
			return true
		}
	}
	return false
}

// Seen reports whether k is in the ring, and adds it if it is not.
func (r *Ring[K]) Seen(k K) bool {
	if r.Has(k) {
		return true
	}
	r.Add(k)
	return false
}

// Forget replaces every key for which drop reports true with the zero key.
// A node forgets what it served a peer when the link to it comes back: the
// peer may have lost what it was sent (it restarted from nothing) and asks
// again.
func (r *Ring[K]) Forget(drop func(K) bool) {
	var zero K
	for i, x := range r.keys {
		if drop(x) {
			r.keys[i] = zero
		}
	}
}
