// Package sim is the testbed's discrete-event kernel: an integer virtual
// clock, an event queue ordered by (time, sequence number), cancellable
// timers, named random streams, a virtual network, energy accounting and
// fault plans (offline windows, node faults at fixed times).
//
// It knows nothing of blockchains. Its caller (the host) defines event kinds
// and gives each delivered event to a handler. Determinism rests on three
// rules kept here: time is an int64 of nanoseconds (no floating-point clock),
// ties in time are broken by the order in which events were scheduled, and
// every random number comes from a stream named by its consumer.
package sim

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
)

// Time is virtual time in nanoseconds since the start of the run.
type Time = int64

// Common durations in virtual nanoseconds.
const (
	Nanosecond  Time = 1
	Microsecond      = 1000 * Nanosecond
	Millisecond      = 1000 * Microsecond
	Second           = 1000 * Millisecond
	Minute           = 60 * Second
	Hour             = 60 * Minute
)

// Event is one scheduled occurrence. The kernel reads only At, Seq and the
// digest fields (Kind, Src, Dst, ID); the rest is the caller's payload.
type Event struct {
	At   Time   // when it fires
	Seq  uint64 // order of scheduling; breaks ties in At
	Kind uint8  // caller-defined kind
	Src  int32  // source node, or -1
	Dst  int32  // destination node, or -1
	ID   uint64 // payload id that enters the trace digest
	Tag  uint64 // caller's data
	Data []byte // caller's data, e.g. a message
	Aux  int64  // caller's data, e.g. padding bytes
}

// Handle names a scheduled event so that it can be cancelled. It is never 0.
type Handle uint64

// Slot states, in the low bits of a slot's meta word; the bits above count
// the slot's reuses (its generation, which handles carry). A cancelled
// event is not taken out of its heap at once (that costs a sift through the
// heap): its slot is marked dead, and the entry is dropped when it reaches
// the top or when dead entries are half the timer heap. The meta words are
// an array of their own, 4 bytes a slot, so that cancelling a timer reads
// and writes that small array and not the slot's event, which was written
// long before and is no longer in the cache.
const (
	slotFree uint32 = iota
	slotPending
	slotDead
	stateBits = 2
	stateMask = 1<<stateBits - 1
)

// entry is a heap element: 16 bytes, so that sifting moves little memory.
// key packs the sequence number (high 40 bits, so it orders ties in at)
// and the slot index (low 24 bits).
type entry struct {
	at  Time
	key uint64
}

const (
	idxBits = 24
	maxSlot = 1<<idxBits - 1
)

func (a entry) less(b entry) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	return a.key < b.key
}

func (a entry) idx() int32 { return int32(a.key & maxSlot) }

func makeEntry(at Time, seq uint64, idx int32) entry {
	return entry{at: at, key: seq<<idxBits | uint64(idx)}
}

// compactMin is the number of dead timers below which the timer heap is
// never compacted: a small heap is cheaper to leave alone.
const compactMin = 1024

// Kernel is the event queue and virtual clock. It is not safe for concurrent
// use: a run is one goroutine driving one kernel.
//
// Events wait in three queues ordered by (time, sequence), and Step fires
// the earliest of their heads, so the order is that of one queue: the
// calendar holds the events posted with Post (messages in flight, never
// cancelled) that are due within its span, the msgs heap the posted events
// due later, and the timers heap the events scheduled with Schedule, which
// may be cancelled. Keeping timers apart keeps the many short-lived
// messages out of a heap that also holds long-lived timers (every miner's
// next block, far in the future), and lets cancelled timers be dropped
// lazily. The two heaps are 4-ary min-heaps of 16-byte keys whose events
// live in slots.
type Kernel struct {
	now     Time
	seq     uint64
	cal     calendar
	msgs    []entry
	timers  []entry
	dead    int      // cancelled timers still in the timers heap
	slots   []Event  // events of the heaps, by slot
	meta    []uint32 // per slot: generation << stateBits | state
	free    []int32
	handler func(*Event)
	cur     Event // the event being handled

	delivered uint64
	digest    hash.Hash
	dbuf      []byte
	trace     func(*Event)
	ahead     func(next *[AheadMax]Coming, n int)
	coming    [AheadMax]Coming // what ahead is shown
	peeked    Event            // Peek's copy of a calendar event
}

// AheadMax is how many coming events SetAhead's function is shown.
const AheadMax = 3

// Coming is what SetAhead's function is shown of an event that will fire
// soon: where it goes and what it carries.
type Coming struct {
	Kind uint8
	Dst  int32
	Data []byte
}

// Where the next event waits (see Kernel.top).
const (
	inCalendar = iota
	inMsgs
	inTimers
)

// NewKernel returns a kernel that gives each fired event to handler.
func NewKernel(handler func(*Event)) *Kernel {
	k := &Kernel{handler: handler, digest: sha256.New(), dbuf: make([]byte, 0, 8192)}
	k.cal.cur = calNone
	return k
}

// SetTrace installs a function called with every delivered event, before
// the handler (for JSON Lines traces and checkers). nil removes it.
func (k *Kernel) SetTrace(f func(*Event)) { k.trace = f }

// SetAhead installs a function that Step calls before handling each event
// fired from the calendar, with the n events that will fire next when it
// knows them cheaply (the following ones of the same calendar bucket, at
// most AheadMax): next[0] fires right after the current event, next[1]
// after that, and so on, unless the handlers post earlier ones.
// The function must change nothing; it is for prefetching memory that
// their handling will read (see cpu.Prefetch), which with tens of thousands
// of nodes is a cache miss per node touched. nil removes it.
func (k *Kernel) SetAhead(f func(next *[AheadMax]Coming, n int)) { k.ahead = f }

// Now is the current virtual time.
func (k *Kernel) Now() Time { return k.now }

// Delivered is the number of events fired so far.
func (k *Kernel) Delivered() uint64 { return k.delivered }

// Pending is the number of events scheduled and not yet fired or cancelled.
func (k *Kernel) Pending() int { return k.cal.n + len(k.msgs) + len(k.timers) - k.dead }

// Schedule queues ev to fire at ev.At (clamped to now: the past cannot be
// scheduled) and returns its handle. ev.Seq is assigned here.
func (k *Kernel) Schedule(ev Event) Handle { return k.schedule(ev, true) }

// Post queues ev like Schedule for an event that will never be cancelled
// (such as a message in flight), which makes it cheaper to keep in order.
func (k *Kernel) Post(ev Event) { k.schedule(ev, false) }

func (k *Kernel) schedule(ev Event, track bool) Handle {
	if ev.At < k.now {
		ev.At = k.now
	}
	k.seq++
	ev.Seq = k.seq
	if !track && k.cal.fits(k.now, &ev) {
		k.cal.add(&ev)
		return 0
	}
	var idx int32
	if n := len(k.free); n > 0 {
		idx = k.free[n-1]
		k.free = k.free[:n-1]
	} else {
		if len(k.slots) > maxSlot {
			panic("sim: more than 16 million events pending at once")
		}
		k.slots = append(k.slots, Event{})
		k.meta = append(k.meta, 0)
		idx = int32(len(k.slots) - 1)
	}
	k.slots[idx] = ev
	gen := (k.meta[idx]>>stateBits + 1) & (1<<(32-stateBits) - 1)
	k.meta[idx] = gen<<stateBits | slotPending
	e := makeEntry(ev.At, ev.Seq, idx)
	if track {
		k.timers = push(k.timers, e)
	} else {
		k.msgs = push(k.msgs, e)
	}
	return Handle(uint64(gen)<<32 | uint64(idx+1))
}

// After schedules ev to fire d nanoseconds from now.
func (k *Kernel) After(d Time, ev Event) Handle {
	ev.At = k.now + d
	return k.Schedule(ev)
}

// Cancel removes a scheduled event. It reports whether the event was still
// pending; cancelling a fired, cancelled or zero handle does nothing.
func (k *Kernel) Cancel(h Handle) bool {
	idx := k.pending(h)
	if idx < 0 {
		return false
	}
	// Only Schedule returns handles, so the event is in the timers heap.
	// Its slot is cleared when the entry is dropped.
	k.meta[idx] = k.meta[idx]&^stateMask | slotDead
	k.dead++
	if k.dead >= compactMin && 2*k.dead >= len(k.timers) {
		k.compact()
	}
	return true
}

// pending returns the slot of the pending event behind h, or -1.
func (k *Kernel) pending(h Handle) int32 {
	if h == 0 {
		return -1
	}
	idx := int32(uint32(h)) - 1
	if idx < 0 || int(idx) >= len(k.meta) {
		return -1
	}
	if k.meta[idx] != uint32(h>>32)<<stateBits|slotPending {
		return -1
	}
	return idx
}

func (k *Kernel) state(idx int32) uint32 { return k.meta[idx] & stateMask }

// compact drops the dead entries of the timers heap and restores the heap
// order. Which entries remain, and so the order in which they fire, does
// not depend on when compaction happens.
func (k *Kernel) compact() {
	live := k.timers[:0]
	for _, e := range k.timers {
		if k.state(e.idx()) == slotDead {
			k.release(e.idx())
			continue
		}
		live = append(live, e)
	}
	clear(k.timers[len(live):])
	k.timers = live
	k.dead = 0
	for i := (len(live) - 2) / arity; i >= 0; i-- {
		down(live, i)
	}
}

// Lookup returns the pending event behind h, or nil. The pointer is valid
// only until the next call to Schedule or Post.
func (k *Kernel) Lookup(h Handle) *Event {
	if idx := k.pending(h); idx >= 0 {
		return &k.slots[idx]
	}
	return nil
}

// Peek returns the next event to fire without removing it, or nil. The
// pointer is valid only until the next call to Step, Schedule or Post.
func (k *Kernel) Peek() *Event {
	e, where, ok := k.top()
	if !ok {
		return nil
	}
	if where == inCalendar {
		k.cal.peek(0, &k.peeked)
		return &k.peeked
	}
	return &k.slots[e.idx()]
}

// top drops cancelled timers from the top of the timers heap and returns
// the key of the next event to fire and where it waits.
func (k *Kernel) top() (entry, int, bool) {
	for len(k.timers) > 0 && k.state(k.timers[0].idx()) == slotDead {
		k.release(k.timers[0].idx())
		k.timers = pop(k.timers)
		k.dead--
	}
	best, ok := k.cal.next(k.now)
	where := inCalendar
	if len(k.msgs) > 0 && (!ok || k.msgs[0].less(best)) {
		best, where, ok = k.msgs[0], inMsgs, true
	}
	if len(k.timers) > 0 && (!ok || k.timers[0].less(best)) {
		best, where, ok = k.timers[0], inTimers, true
	}
	return best, where, ok
}

// PeekN calls f with the pending events in firing order, up to n of them,
// stopping early when f returns false. It does not modify the queue (the
// calendar may sort a bucket it was going to sort anyway). It is meant for
// speculative work on events that come next (such as computing training
// attempts in parallel); it costs O(n log n) and a sort of the calendar's
// buckets up to the n-th event.
func (k *Kernel) PeekN(n int, f func(*Event) bool) {
	if n <= 0 {
		return
	}
	lists := [3][]peeked{
		k.cal.upTo(k.now, n, nil),
		k.heapUpTo(k.msgs, n),
		k.heapUpTo(k.timers, n),
	}
	for range n {
		bi := -1
		for i, l := range lists {
			if len(l) > 0 && (bi < 0 || l[0].e.less(lists[bi][0].e)) {
				bi = i
			}
		}
		if bi < 0 {
			return
		}
		ev := lists[bi][0].ev
		lists[bi] = lists[bi][1:]
		if !f(ev) {
			return
		}
	}
}

// heapUpTo returns the first n live events of heap h in firing order, by
// a best-first walk that leaves h unchanged.
func (k *Kernel) heapUpTo(h []entry, n int) []peeked {
	var out []peeked
	var frontier []int
	if len(h) > 0 {
		frontier = append(frontier, 0)
	}
	for len(out) < n && len(frontier) > 0 {
		bi := 0
		for i := 1; i < len(frontier); i++ {
			if h[frontier[i]].less(h[frontier[bi]]) {
				bi = i
			}
		}
		hi := frontier[bi]
		frontier[bi] = frontier[len(frontier)-1]
		frontier = frontier[:len(frontier)-1]
		for c := arity*hi + 1; c <= arity*hi+arity && c < len(h); c++ {
			frontier = append(frontier, c)
		}
		if idx := h[hi].idx(); k.state(idx) == slotPending {
			out = append(out, peeked{h[hi], &k.slots[idx]}) // a cancelled timer's children may be live
		}
	}
	return out
}

// Step fires the next event. It returns false when the queue is empty.
func (k *Kernel) Step() bool {
	top, where, ok := k.top()
	if !ok {
		return false
	}
	// The event is copied out of its bucket or slot (which the handler may
	// reuse by posting or scheduling) into a field of the kernel, so that
	// handing a pointer to the handler allocates nothing.
	switch where {
	case inCalendar:
		k.cal.pop(&k.cur)
		if k.ahead != nil && k.cal.cur != calNone {
			// A field of the kernel, not a local: a pointer to a local
			// passed to a function value escapes, one allocation an event.
			next := &k.coming
			n := min(AheadMax, k.cal.left())
			for i := range n {
				k.cal.coming(i, &next[i])
			}
			k.ahead(next, n)
		}
	case inMsgs:
		k.cur = k.slots[top.idx()]
		k.msgs = pop(k.msgs)
		k.release(top.idx())
	default:
		k.cur = k.slots[top.idx()]
		k.timers = pop(k.timers)
		k.release(top.idx())
	}
	ev := &k.cur
	k.now = ev.At
	k.delivered++
	k.absorb(ev)
	if k.trace != nil {
		k.trace(ev)
	}
	k.handler(ev)
	k.cur.Data = nil
	return true
}

// Run fires events until the queue is empty, the next event is later than
// until (if until > 0), maxEvents have fired in this call (if maxEvents > 0),
// or stop returns true (checked after each event; nil means never). It
// returns the number of events fired.
func (k *Kernel) Run(until Time, maxEvents uint64, stop func() bool) uint64 {
	var n uint64
	for {
		top, _, ok := k.top()
		if !ok {
			break
		}
		if until > 0 && top.at > until {
			k.now = until
			break
		}
		if maxEvents > 0 && n >= maxEvents {
			break
		}
		k.Step()
		n++
		if stop != nil && stop() {
			break
		}
	}
	return n
}

// absorb adds (time, kind, src, dst, id) of a delivered event to the digest.
func (k *Kernel) absorb(ev *Event) {
	n := len(k.dbuf)
	k.dbuf = k.dbuf[:n+25] // capacity 8192: flushed below at 8000
	b := k.dbuf[n : n+25]
	binary.LittleEndian.PutUint64(b[0:], uint64(ev.At))
	b[8] = ev.Kind
	binary.LittleEndian.PutUint32(b[9:], uint32(ev.Src))
	binary.LittleEndian.PutUint32(b[13:], uint32(ev.Dst))
	binary.LittleEndian.PutUint64(b[17:], ev.ID)
	if len(k.dbuf) >= 8000 {
		k.digest.Write(k.dbuf)
		k.dbuf = k.dbuf[:0]
	}
}

// Digest is the SHA-256 over every event delivered so far, in order. Two runs
// with the same digest delivered the same events at the same times.
func (k *Kernel) Digest() [32]byte {
	if len(k.dbuf) > 0 {
		k.digest.Write(k.dbuf)
		k.dbuf = k.dbuf[:0]
	}
	var out [32]byte
	copy(out[:], k.digest.Sum(nil))
	return out
}

func (k *Kernel) release(idx int32) {
	k.meta[idx] = k.meta[idx]&^stateMask | slotFree
	k.slots[idx].Data = nil
	k.free = append(k.free, idx)
}

// The heaps are 4-ary min-heaps: shallower than a binary heap, and the
// four children of a node share a cache line or two.
const arity = 4

// push adds e to heap h.
func push(h []entry, e entry) []entry {
	h = append(h, e)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / arity
		if !e.less(h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = e
	return h
}

// pop removes the top of heap h.
func pop(h []entry) []entry {
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	if last > 0 {
		down(h, 0)
	}
	return h
}

// down sifts h[i] down to its place.
func down(h []entry, i int) {
	n := len(h)
	e := h[i]
	for {
		c := arity*i + 1
		if c >= n {
			break
		}
		best := c
		end := min(c+arity, n)
		for j := c + 1; j < end; j++ {
			if h[j].less(h[best]) {
				best = j
			}
		}
		if !h[best].less(e) {
			break
		}
		h[i] = h[best]
		i = best
	}
	h[i] = e
}
