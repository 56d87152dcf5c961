package sim

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"
)

// refQueue is the kernel's contract in its plainest form: a list of pending
// events, the earliest (time, sequence) fired first, cancellation by id.
type refQueue struct {
	now     Time
	seq     uint64
	pending []Event
}

func (q *refQueue) add(ev Event) uint64 {
	ev.At = max(ev.At, q.now)
	q.seq++
	ev.Seq = q.seq
	q.pending = append(q.pending, ev)
	return ev.Seq
}

func (q *refQueue) cancel(seq uint64) bool {
	for i, ev := range q.pending {
		if ev.Seq == seq {
			q.pending = slices.Delete(q.pending, i, i+1)
			return true
		}
	}
	return false
}

func (q *refQueue) next() (Event, bool) {
	if len(q.pending) == 0 {
		return Event{}, false
	}
	bi := 0
	for i, ev := range q.pending {
		b := q.pending[bi]
		if ev.At < b.At || ev.At == b.At && ev.Seq < b.Seq {
			bi = i
		}
	}
	ev := q.pending[bi]
	q.pending = slices.Delete(q.pending, bi, bi+1)
	q.now = ev.At
	return ev, true
}

// TestKernelMatchesReference drives the kernel and the reference queue with
// the same random program: handlers that post messages (due within the
// calendar's bucket being fired, in later buckets, and beyond its span),
// schedule timers (at the same instant, soon, far ahead), cancel timers
// (pending, fired, twice), run with time limits and peek ahead. The kernel
// must fire the same events in the same order, with the same clock, and
// PeekN must list what then fires.
func TestKernelMatchesReference(t *testing.T) {
	delays := []struct {
		name string
		draw func(r *rand.Rand) Time
	}{
		{"same bucket", func(r *rand.Rand) Time { return Time(r.IntN(3)) * 1000 }},
		{"messages", func(r *rand.Rand) Time { return Time(r.IntN(400)) * Millisecond }},
		{"calendar span and beyond", func(r *rand.Rand) Time { return Time(r.IntN(6000)) * Millisecond }},
		{"mixed", func(r *rand.Rand) Time {
			switch r.IntN(4) {
			case 0:
				return 0
			case 1:
				return Time(r.IntN(1 << 22))
			case 2:
				return Time(r.IntN(3000)) * Millisecond
			}
			return Time(r.IntN(100)) * Hour
		}},
	}
	for _, d := range delays {
		for seed := uint64(1); seed <= 3; seed++ {
			t.Run(fmt.Sprintf("%s/seed%d", d.name, seed), func(t *testing.T) {
				r := rand.New(rand.NewPCG(seed, 99))
				ref := &refQueue{}
				var got, want []Event
				var handles []Handle // kernel handles of timers
				var seqs []uint64    // the reference's ids of the same timers
				var k *Kernel
				act := func() {
					switch op := r.IntN(10); {
					case op < 5: // a message
						ev := Event{At: k.Now() + d.draw(r), Kind: 1, ID: r.Uint64()}
						ref.add(ev)
						k.Post(ev)
					case op < 8: // a timer
						ev := Event{At: k.Now() + d.draw(r), Kind: 2, ID: r.Uint64()}
						seqs = append(seqs, ref.add(ev))
						handles = append(handles, k.Schedule(ev))
					default: // cancel a random timer, maybe fired or cancelled already
						if len(handles) > 0 {
							i := r.IntN(len(handles))
							if a, b := k.Cancel(handles[i]), ref.cancel(seqs[i]); a != b {
								t.Fatalf("cancel %d: kernel %v, reference %v", i, a, b)
							}
						}
					}
				}
				k = NewKernel(func(ev *Event) {
					got = append(got, *ev)
					w, ok := ref.next()
					if !ok {
						t.Fatal("kernel fired an event the reference does not have")
					}
					want = append(want, w)
					for range r.IntN(3) { // 0.8 new events a firing: the queue drains
						act()
					}
				})
				for range 1000 {
					act()
				}
				for round := 0; k.Pending() > 0 && round < 2000; round++ {
					if k.Pending() != len(ref.pending) {
						t.Fatalf("pending %d, reference %d", k.Pending(), len(ref.pending))
					}
					var peeked []uint64
					k.PeekN(5, func(ev *Event) bool { peeked = append(peeked, ev.Seq); return true })
					order := slices.Clone(ref.pending)
					slices.SortFunc(order, func(a, b Event) int {
						if a.At != b.At {
							return sign(a.At - b.At)
						}
						return sign(Time(a.Seq) - Time(b.Seq))
					})
					var next []uint64
					for _, ev := range order {
						next = append(next, ev.Seq)
					}
					if len(next) > 5 {
						next = next[:5]
					}
					if !slices.Equal(peeked, next) {
						t.Fatalf("round %d: PeekN %v, reference %v", round, peeked, next)
					}
					if p := k.Peek(); p == nil || len(next) == 0 || p.Seq != next[0] {
						t.Fatalf("round %d: Peek %+v, want seq %v", round, p, next)
					}
					switch r.IntN(3) {
					case 0:
						k.Run(k.Now()+d.draw(r), 0, nil)
						if k.Pending() > 0 {
							ref.now = k.Now() // Run moved the clock to its limit
						}
					default:
						k.Run(0, uint64(1+r.IntN(20)), nil)
					}
					if k.Now() != ref.now {
						t.Fatalf("round %d: clock %d, reference %d", round, k.Now(), ref.now)
					}
				}
				if len(got) < 1000 {
					t.Fatalf("only %d events fired", len(got))
				}
				for i := range got {
					g, w := got[i], want[i]
					if g.At != w.At || g.Seq != w.Seq || g.Kind != w.Kind || g.ID != w.ID {
						t.Fatalf("event %d: kernel %+v, reference %+v", i, got[i], want[i])
					}
				}
			})
		}
	}
}

func sign(x Time) int {
	switch {
	case x < 0:
		return -1
	case x > 0:
		return 1
	}
	return 0
}

// TestSortByTime: a bucket's keys, added in sequence order, come out in
// (time, sequence) order, with ties in time (common: messages sent at one
// instant over equal links) kept in sequence order; for the sizes of
// insertion sort and of the radix passes.
func TestSortByTime(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var tmp []entry
	for _, n := range []int{0, 1, 2, 47, 48, 49, 100, 1000, 5000} {
		for _, spread := range []int{1 << calWidthBits, 16} { // spread 16: many ties
			base := Time(r.IntN(1<<20)) << calWidthBits
			keys := make([]entry, n)
			for i := range keys {
				keys[i] = makeEntry(base+Time(r.IntN(spread)), uint64(i+1), int32(i))
			}
			want := slices.Clone(keys)
			slices.SortFunc(want, cmpEntry)
			tmp = sortByTime(keys, tmp)
			if !slices.Equal(keys, want) {
				t.Fatalf("n %d, spread %d: not in (time, sequence) order", n, spread)
			}
		}
	}
}

// TestCalRec: the calendar's record of an event is one 64-byte cache line
// and gives back every field; Data keeps its bytes and length (its
// capacity becomes its length), and nil stays nil.
func TestCalRec(t *testing.T) {
	if s := unsafe.Sizeof(calRec{}); s != 64 {
		t.Errorf("calRec is %d bytes, want 64", s)
	}
	buf := make([]byte, 3, 10)
	copy(buf, "abc")
	for _, tc := range []struct {
		name string
		data []byte
	}{{"nil", nil}, {"empty", buf[:0]}, {"bytes", buf}} {
		ev := Event{At: 1 << 40, Seq: 7, Kind: 3, Src: -1, Dst: 1 << 30, ID: ^uint64(0), Tag: 5, Aux: -9, Data: tc.data}
		var r calRec
		r.set(&ev)
		var got Event
		r.get(&got)
		if got.At != ev.At || got.Seq != ev.Seq || got.Kind != ev.Kind || got.Src != ev.Src || got.Dst != ev.Dst ||
			got.ID != ev.ID || got.Tag != ev.Tag || got.Aux != ev.Aux {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, ev)
		}
		if (got.Data == nil) != (tc.data == nil) || string(got.Data) != string(tc.data) || len(tc.data) > 0 && &got.Data[0] != &tc.data[0] {
			t.Errorf("%s: Data %q (nil %v), want %q (nil %v), same memory", tc.name, got.Data, got.Data == nil, tc.data, tc.data == nil)
		}
	}
}

// TestSetAhead: before each event fired from the calendar, SetAhead's
// function is shown the events that then fire next (kind, destination,
// data), up to AheadMax of them and no further than the calendar bucket;
// the last event of a bucket shows nothing.
func TestSetAhead(t *testing.T) {
	var fired []Coming
	shown := map[int][]Coming{} // by the index of the event about to fire
	k := NewKernel(func(ev *Event) {
		fired = append(fired, Coming{Kind: ev.Kind, Dst: ev.Dst, Data: ev.Data})
	})
	k.SetAhead(func(next *[AheadMax]Coming, n int) {
		shown[len(fired)] = slices.Clone(next[:n])
	})
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 200 {
		// Two buckets' worth: 0-2 ms.
		k.Post(Event{At: Time(r.IntN(2 << calWidthBits)), Kind: uint8(1 + i%3), Dst: int32(i), Data: []byte{byte(i)}})
	}
	k.Run(0, 0, nil)
	if len(fired) != 200 || len(shown) != 198 {
		t.Fatalf("fired %d, shown before %d; want 200 and 198 (not before the last of each bucket)", len(fired), len(shown))
	}
	sawFull, sawShort := false, false
	for i, s := range shown {
		if len(s) == AheadMax {
			sawFull = true
		} else {
			sawShort = true // near the end of a bucket
		}
		for j, c := range s {
			f := fired[i+1+j]
			if c.Kind != f.Kind || c.Dst != f.Dst || string(c.Data) != string(f.Data) {
				t.Fatalf("before event %d, coming %d is %+v; fired %+v", i, j, c, f)
			}
		}
	}
	if !sawFull || !sawShort {
		t.Errorf("shown full %v, short %v: want both", sawFull, sawShort)
	}
}
