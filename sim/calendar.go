package sim

import (
	"math/bits"
	"slices"
	"unsafe"
)

// The calendar holds the posted events (messages in flight) that fire
// within the next 2 s or so of virtual time, in buckets of about 1 ms: an
// event at time t goes to bucket t/2^calWidthBits, stored by value in the
// bucket's chunks, in the order posted. When the kernel reaches a bucket
// it sorts the bucket's events by (time, sequence) once, into run, and
// fires them front to back; an event posted into the bucket being fired is
// inserted into run at its place.
//
// A heap holding a million messages pops each through a dozen levels of
// scattered memory and reads its event from a slot written long before;
// a bucket is read once, when its time comes, and its sorted run front to
// back, so the memory it costs is streamed instead of waited for. Firing
// order is still exactly (time, sequence): buckets partition time, the
// kernel compares the calendar's next event with the heaps' tops, and
// posted events beyond the calendar's span wait in the msgs heap.
const (
	calWidthBits = 20                          // bucket width 2^20 ns, about 1 ms
	calBuckets   = 2048                        // span about 2.1 s
	calMask      = calBuckets - 1              // bucket of an absolute bucket number
	calWords     = calBuckets / 64             // occupancy bitmap words
	calNone      = int64(-1)                   // no bucket is being fired
	calChunk     = 32                          // events per chunk of bucket storage
	_            = -uint(calBuckets & calMask) // calBuckets is a power of two
	_            = -uint(calWidthBits % 2)     // sortByTime makes two equal passes
)

type calendar struct {
	buckets [calBuckets]bucket
	used    [calWords]uint64 // non-empty buckets
	n       int              // events in the calendar
	spare   []*chunk         // chunks of emptied buckets, for reuse
	// cur is the absolute number (time/calWidth) of the bucket being
	// fired, or calNone. Its events are in run, sorted by (time,
	// sequence), run[head:] not fired yet: read front to back, they come
	// from memory as a stream. While cur is set, run[head:] is not empty.
	cur  int64
	run  []calRec
	head int
	keys []entry // scratch for open
	tmp  []entry // scratch for sortByTime
}

// bucket stores its events by value in fixed-size chunks taken from the
// calendar's spare ones and given back when the bucket empties: the
// memory held is that of the events in flight (rounded up to a chunk per
// bucket), not the largest burst each bucket ever held, and growing a
// bucket copies nothing and leaves no garbage.
type bucket struct {
	chunks []*chunk
	n      int
}

type chunk [calChunk]calRec

// calRec is an event as the calendar stores it: 64 bytes, one cache line,
// where an Event takes 80 (its Data is kept as pointer and length, and
// comes back with its capacity equal to its length).
type calRec struct {
	at   Time
	seq  uint64
	id   uint64
	tag  uint64
	aux  int64
	data *byte
	n    uint32 // len(Data)
	src  int32
	dst  int32
	kind uint8
}

// calMaxData is the longest Data the calendar stores; an event with more
// waits in the msgs heap.
const calMaxData = 1<<32 - 1

func (r *calRec) set(ev *Event) {
	*r = calRec{at: ev.At, seq: ev.Seq, id: ev.ID, tag: ev.Tag, aux: ev.Aux, data: unsafe.SliceData(ev.Data),
		n: uint32(len(ev.Data)), src: ev.Src, dst: ev.Dst, kind: ev.Kind}
}

func (r *calRec) get(ev *Event) {
	*ev = Event{At: r.at, Seq: r.seq, Kind: r.kind, Src: r.src, Dst: r.dst, ID: r.id, Tag: r.tag, Aux: r.aux}
	if r.data != nil {
		ev.Data = unsafe.Slice(r.data, r.n)
	}
}

// at returns record i of bucket b.
func (c *calendar) at(b int64, i int32) *calRec {
	return &c.buckets[b].chunks[i/calChunk][i%calChunk]
}

// fits reports whether ev, posted at time now, goes into the calendar
// (rather than the msgs heap).
func (c *calendar) fits(now Time, ev *Event) bool {
	return ev.At>>calWidthBits-now>>calWidthBits < calBuckets && len(ev.Data) <= calMaxData
}

// add puts ev (its At and Seq set, At >= now) into its bucket, or into
// run if that is its bucket.
func (c *calendar) add(ev *Event) {
	abs := ev.At >> calWidthBits
	switch {
	case abs == c.cur:
		// After the events due no later (ev has the largest sequence).
		rest := c.run[c.head:]
		j, _ := slices.BinarySearchFunc(rest, ev.At, func(r calRec, at Time) int {
			if r.at <= at {
				return -1
			}
			return 1
		})
		c.run = slices.Insert(c.run, c.head+j, calRec{})
		c.run[c.head+j].set(ev)
		c.n++
		return
	case c.cur != calNone && abs < c.cur:
		// Only before the current bucket fired anything (its events are
		// not earlier than anything posted since): put it back.
		c.unopen()
	}
	b := abs & calMask
	bk := &c.buckets[b]
	i := bk.n
	if i > maxSlot {
		panic("sim: more than 16 million messages due within one calendar bucket")
	}
	if i/calChunk == len(bk.chunks) {
		var ch *chunk
		if k := len(c.spare); k > 0 {
			ch = c.spare[k-1]
			c.spare = c.spare[:k-1]
		} else {
			ch = new(chunk)
		}
		bk.chunks = append(bk.chunks, ch)
	}
	bk.chunks[i/calChunk][i%calChunk].set(ev)
	bk.n++
	c.used[b>>6] |= 1 << (b & 63)
	c.n++
}

// unopen returns the events of run to their bucket, in sequence order as
// a bucket keeps them, and leaves no bucket being fired.
func (c *calendar) unopen() {
	rest := c.run[c.head:]
	slices.SortFunc(rest, func(a, b calRec) int {
		if a.seq < b.seq {
			return -1
		}
		return 1
	})
	var ev Event
	n := c.n
	c.cur = calNone
	for i := range rest {
		rest[i].get(&ev)
		c.add(&ev) // into its bucket, now that cur is unset
	}
	c.n = n
	clear(c.run)
	c.run, c.head = c.run[:0], 0
}

func cmpEntry(a, b entry) int {
	switch {
	case a.less(b):
		return -1
	case b.less(a):
		return 1
	}
	return 0
}

// next returns the key of the calendar's next event; now is the kernel's
// clock, no later than any event in the calendar.
func (c *calendar) next(now Time) (entry, bool) {
	if c.cur == calNone {
		if c.n == 0 {
			return entry{}, false
		}
		base := now >> calWidthBits
		s := c.firstUsed(int(base & calMask))
		c.open(base + int64((s-int(base&calMask))&calMask))
	}
	r := &c.run[c.head]
	return makeEntry(r.at, r.seq, 0), true
}

// firstUsed returns the first non-empty bucket at or after slot from, in
// ring order; the calendar must not be empty.
func (c *calendar) firstUsed(from int) int {
	w := from >> 6
	if m := c.used[w] >> (from & 63); m != 0 {
		return from + bits.TrailingZeros64(m)
	}
	for k := 1; k <= calWords; k++ {
		wi := (w + k) % calWords
		if m := c.used[wi]; m != 0 {
			return wi<<6 + bits.TrailingZeros64(m)
		}
	}
	panic("sim: calendar count and buckets disagree")
}

// open makes bucket abs the one being fired: its events, sorted, into
// run (its chunks go back to the spare ones).
func (c *calendar) open(abs int64) {
	b := abs & calMask
	bk := &c.buckets[b]
	c.keys = c.keys[:0]
	for _, ch := range bk.chunks {
		for j := range min(calChunk, bk.n-len(c.keys)) {
			c.keys = append(c.keys, makeEntry(ch[j].at, ch[j].seq, int32(len(c.keys))))
		}
	}
	c.tmp = sortByTime(c.keys, c.tmp)
	c.run = slices.Grow(c.run[:0], len(c.keys))
	for _, e := range c.keys {
		c.run = append(c.run, *c.at(b, e.idx()))
	}
	for _, ch := range bk.chunks {
		clear(ch[:]) // drop the Data references of the copies moved out
	}
	c.spare = append(c.spare, bk.chunks...)
	clear(bk.chunks)
	bk.chunks, bk.n = bk.chunks[:0], 0
	c.used[b>>6] &^= 1 << (b & 63)
	c.cur, c.head = abs, 0
}

// sortByTime sorts the keys of one bucket, given in the order their events
// were added, into firing order; tmp is scratch space, returned for reuse.
// Events are added in sequence order, so a stable sort by time alone gives
// (time, sequence) order; all times of a bucket share their bits above
// calWidthBits, so two passes of a radix sort on the 20 bits below do it.
// A comparison sort of a bucket of thousands of events is the kernel's
// largest cost at 60,000 nodes; this is a fraction of it.
func sortByTime(keys, tmp []entry) []entry {
	n := len(keys)
	if n <= 48 {
		for i := 1; i < n; i++ {
			e := keys[i]
			j := i
			for j > 0 && e.at < keys[j-1].at {
				keys[j] = keys[j-1]
				j--
			}
			keys[j] = e
		}
		return tmp
	}
	const bitsPerPass = calWidthBits / 2
	const radix = 1 << bitsPerPass
	tmp = slices.Grow(tmp[:0], n)[:n]
	src, dst := keys, tmp
	for shift := 0; shift < calWidthBits; shift += bitsPerPass {
		var count [radix + 1]int32
		for _, e := range src {
			count[(e.at>>shift)&(radix-1)+1]++
		}
		for i := 1; i <= radix; i++ {
			count[i] += count[i-1]
		}
		for _, e := range src {
			d := (e.at >> shift) & (radix - 1)
			dst[count[d]] = e
			count[d]++
		}
		src, dst = dst, src
	}
	// An even number of passes leaves the result in keys.
	return tmp
}

// pop removes the calendar's next event (the one next returned) and
// copies it to dst.
func (c *calendar) pop(dst *Event) {
	r := &c.run[c.head]
	c.head++
	r.get(dst)
	r.data = nil
	c.n--
	if c.head == len(c.run) {
		c.run, c.head = c.run[:0], 0
		c.cur = calNone
	}
}

// left returns how many events of the bucket being fired are not fired
// yet, the one next returned included (0 if no bucket is being fired).
func (c *calendar) left() int { return len(c.run) - c.head }

// coming fills dst from event i of the bucket being fired (0: the one
// next returned); i < left().
func (c *calendar) coming(i int, dst *Coming) {
	r := &c.run[c.head+i]
	dst.Kind, dst.Dst, dst.Data = r.kind, r.dst, nil
	if r.data != nil {
		dst.Data = unsafe.Slice(r.data, r.n)
	}
}

// peek copies event i of the bucket being fired (0: the one next
// returned) to dst; i < left().
func (c *calendar) peek(i int, dst *Event) { c.run[c.head+i].get(dst) }

// upTo appends to out the keys and events of the calendar in firing order,
// whole buckets at a time, until at least n are collected or the calendar
// is exhausted; it changes nothing.
func (c *calendar) upTo(now Time, n int, out []peeked) []peeked {
	if c.n == 0 {
		return out
	}
	start := len(out)
	if c.cur != calNone {
		for _, r := range c.run[c.head:] {
			ev := new(Event)
			r.get(ev)
			out = append(out, peeked{makeEntry(r.at, r.seq, 0), ev})
		}
	}
	base := now >> calWidthBits
	from := int(base & calMask)
	for k := 0; k < calBuckets && len(out)-start < n; k++ {
		s := (from + k) & calMask
		if c.used[s>>6]&(1<<(s&63)) == 0 {
			continue
		}
		first := len(out)
		for i := range int32(c.buckets[s].n) {
			ev := new(Event)
			c.at(int64(s), i).get(ev)
			out = append(out, peeked{makeEntry(ev.At, ev.Seq, i), ev})
		}
		slices.SortFunc(out[first:], func(a, b peeked) int { return cmpEntry(a.e, b.e) })
	}
	return out
}

// peeked is an event and its key, for PeekN.
type peeked struct {
	e  entry
	ev *Event
}
