package relay

import (
	"slices"
	"unsafe"

	"github.com/coinai/coinai/sim/cpu"

	"github.com/coinai/coinai/nodes"
)

// MaxAnnouncers bounds the peers remembered per requested block: enough to
// get past a few that do not answer, while announcements of one block
// cannot grow the node's state.
const MaxAnnouncers = 8

// MaxRequests bounds the blocks in flight. An announcement beyond it is
// ignored rather than queued: the block is asked for when it is announced
// again, which gossip makes likely, and a peer announcing random ids cannot
// grow the node's state.
const MaxRequests = 64

// DefaultTimeout is how long, in ns, a node waits for a requested block
// before asking the next announcer, where its protocol's config leaves it
// open. Bitcoin Core waits minutes for block downloads; two minutes covers
// a 1 MB block over a slow 100 kbit/s link.
const DefaultTimeout = 120e9

// Request is a block the node is fetching: its id, the peers that announced
// it, in arrival order, and how many of them were asked already. The peer
// being asked is Peer; on a timeout the next announcer is asked.
type Request[X any] struct {
	// Extra is the protocol's own state for the answer it waits for (the
	// PoW node keeps there a compact block that waits for its
	// transactions). A timeout resets it to the zero value: it came from
	// the peer that did not finish answering, and the next one starts over.
	Extra X

	id       [32]byte
	key      uint64
	tag      uint64 // of the armed timer, to match it when it fires
	timer    nodes.Handle
	peers    [MaxAnnouncers]nodes.PeerID
	n, asked uint8
}

// ID returns the requested block's id.
func (r *Request[X]) ID() [32]byte { return r.id }

// Peer returns the announcer that is being (or is to be) asked.
func (r *Request[X]) Peer() nodes.PeerID { return r.peers[r.asked] }

// Announcers returns the peers that announced the block, in arrival order.
// They have it, so a node that accepts the block need not announce it back
// to them. The slice aliases r.
func (r *Request[X]) Announcers() []nodes.PeerID { return r.peers[:r.n] }

// Arm (re)starts the request's timeout: env.After(d, tag). The tag must be
// unique among the armed requests (protocols put a sequence number in it);
// Requests.Expired matches the fired timer by it, so that a stale timer, one
// from before the request was asked again, matches nothing.
func (r *Request[X]) Arm(env nodes.Env, d int64, tag uint64) {
	r.tag = tag
	r.timer = env.After(d, tag)
}

// Requests is the set of blocks in flight, at most MaxRequests of them, in
// the order they were opened. The zero value is empty and ready to use.
//
// A *Request returned by a method is valid until the next call that adds
// or removes a request (Open, Drop, Expired).
type Requests[X any] struct {
	list []Request[X]
}

// Prefetch asks the processor for the first request in flight, which an
// announcement reads (see cpu.Prefetch); it changes nothing.
func (q *Requests[X]) Prefetch() {
	if len(q.list) > 0 {
		cpu.PrefetchLines(unsafe.Pointer(&q.list[0]), 2)
	}
}

// Len returns the number of blocks in flight.
func (q *Requests[X]) Len() int { return len(q.list) }

func (q *Requests[X]) index(id *[32]byte) int {
	k := key(id)
	for i := range q.list {
		if q.list[i].key == k && q.list[i].id == *id {
			return i
		}
	}
	return -1
}

// Find returns the request for id, or nil.
func (q *Requests[X]) Find(id [32]byte) *Request[X] {
	if i := q.index(&id); i >= 0 {
		return &q.list[i]
	}
	return nil
}

// Announced notes that from announced id. If id is in flight, from joins
// its announcers (once, and only while fewer than MaxAnnouncers are known)
// and Announced reports true; otherwise it changes nothing and reports
// false, and the caller decides whether to Open a request.
func (q *Requests[X]) Announced(id [32]byte, from nodes.PeerID) bool {
	i := q.index(&id)
	if i < 0 {
		return false
	}
	r := &q.list[i]
	if int(r.n) < MaxAnnouncers && !slices.Contains(r.peers[:r.n], from) {
		r.peers[r.n] = from
		r.n++
	}
	return true
}

// Open starts tracking id, announced by from, and returns the new request
// for the caller to ask (and Arm), or nil when MaxRequests are in flight.
// The caller must know that id is not in flight already (Find or
// Announced).
func (q *Requests[X]) Open(id [32]byte, from nodes.PeerID) *Request[X] {
	if len(q.list) >= MaxRequests {
		return nil
	}
	q.list = append(q.list, Request[X]{id: id, key: key(&id), n: 1})
	r := &q.list[len(q.list)-1]
	r.peers[0] = from
	return r
}

// Drop ends the request for id, if any, cancelling its timer, and returns
// it: the block arrived, or was found invalid.
func (q *Requests[X]) Drop(env nodes.Env, id [32]byte) (Request[X], bool) {
	i := q.index(&id)
	if i < 0 {
		return Request[X]{}, false
	}
	r := q.list[i]
	env.Cancel(r.timer)
	q.list = slices.Delete(q.list, i, i+1)
	return r, true
}

// Expired handles the firing of the timer armed with tag. If another
// announcer is left, it moves on to it and returns the request, which the
// caller asks again (and re-arms); when every announcer has been asked, the
// request is dropped, so that a later announcement starts afresh. It
// returns nil then, and for a tag that matches no request (a stale timer).
func (q *Requests[X]) Expired(tag uint64) *Request[X] {
	for i := range q.list {
		r := &q.list[i]
		if r.tag != tag {
			continue
		}
		var zero X
		r.Extra = zero
		r.asked++
		if r.asked < r.n {
			return r
		}
		q.list = slices.Delete(q.list, i, i+1)
		return nil
	}
	return nil
}
