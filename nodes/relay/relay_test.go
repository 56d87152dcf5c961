package relay

import (
	"slices"
	"testing"

	"github.com/coinai/coinai/nodes"
)

// timerEnv records the only Env calls the package may make, After and
// Cancel; any other call panics on the nil embedded Env.
type timerEnv struct {
	nodes.Env
	after     []uint64 // tags, in order
	cancelled []nodes.Handle
}

func (e *timerEnv) After(d int64, tag uint64) nodes.Handle {
	e.after = append(e.after, tag)
	return nodes.Handle(len(e.after))
}

func (e *timerEnv) Cancel(h nodes.Handle) { e.cancelled = append(e.cancelled, h) }

func id(b byte) [32]byte { return [32]byte{b, 0xee} }

func TestRequestsAnnounced(t *testing.T) {
	tests := []struct {
		name  string
		heard []nodes.PeerID // announcers after the first (peer 1)
		want  []nodes.PeerID
	}{
		{"first only", nil, []nodes.PeerID{1}},
		{"in arrival order", []nodes.PeerID{5, 3}, []nodes.PeerID{1, 5, 3}},
		{"each once", []nodes.PeerID{1, 2, 1, 2}, []nodes.PeerID{1, 2}},
		{"bounded", []nodes.PeerID{2, 3, 4, 5, 6, 7, 8, 9, 10},
			[]nodes.PeerID{1, 2, 3, 4, 5, 6, 7, 8}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var q Requests[struct{}]
			if q.Announced(id(1), 1) {
				t.Fatal("Announced an id not in flight reported true")
			}
			if q.Open(id(1), 1) == nil {
				t.Fatal("Open on an empty set failed")
			}
			for _, p := range tc.heard {
				if !q.Announced(id(1), p) {
					t.Fatalf("Announced(%d) of an id in flight reported false", p)
				}
			}
			r := q.Find(id(1))
			if got := r.Announcers(); !slices.Equal(got, tc.want) {
				t.Errorf("announcers %v, want %v", got, tc.want)
			}
			if r.Peer() != 1 || r.ID() != id(1) || q.Len() != 1 {
				t.Errorf("peer %d, id %x, len %d: want peer 1, id %x, len 1", r.Peer(), r.ID(), q.Len(), id(1))
			}
			if q.Find(id(2)) != nil || q.Announced(id(2), 3) || q.Len() != 1 {
				t.Error("another id was found or tracked")
			}
		})
	}
}

// TestRequestsExpired: each timeout moves to the next announcer and resets
// Extra, the last one drops the request, and stale tags match nothing.
func TestRequestsExpired(t *testing.T) {
	tests := []struct {
		name      string
		announced []nodes.PeerID
		asked     []nodes.PeerID // peers asked, one per timeout after the first
	}{
		{"one announcer", []nodes.PeerID{4}, nil},
		{"three announcers", []nodes.PeerID{4, 2, 9}, []nodes.PeerID{2, 9}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := &timerEnv{}
			var q Requests[string]
			r := q.Open(id(7), tc.announced[0])
			for _, p := range tc.announced[1:] {
				q.Announced(id(7), p)
			}
			tag := uint64(100)
			r.Arm(env, 5, tag)
			for _, want := range tc.asked {
				r.Extra = "partial"
				if q.Expired(tag-1) != nil {
					t.Fatal("a stale tag matched")
				}
				r = q.Expired(tag)
				if r == nil {
					t.Fatalf("request dropped before %d was asked", want)
				}
				if r.Peer() != want || r.Extra != "" {
					t.Errorf("asking %d with extra %q, want %d and none", r.Peer(), r.Extra, want)
				}
				tag++
				r.Arm(env, 5, tag)
			}
			if q.Expired(tag) != nil || q.Len() != 0 || q.Find(id(7)) != nil {
				t.Error("request kept after its last announcer timed out")
			}
			if want := 1 + len(tc.asked); len(env.after) != want || env.after[want-1] != tag {
				t.Errorf("timers %v, want %d ending with %d", env.after, want, tag)
			}
			if len(env.cancelled) != 0 {
				t.Errorf("cancelled %v: fired timers need no cancel", env.cancelled)
			}
		})
	}
}

func TestRequestsDrop(t *testing.T) {
	env := &timerEnv{}
	var q Requests[int]
	for i := range 3 {
		r := q.Open(id(byte(i)), nodes.PeerID(i))
		r.Arm(env, 1, uint64(i))
	}
	q.Announced(id(1), 8)
	if _, ok := q.Drop(env, id(9)); ok || len(env.cancelled) != 0 {
		t.Fatal("dropped an unknown id")
	}
	r, ok := q.Drop(env, id(1))
	if !ok || r.ID() != id(1) || !slices.Equal(r.Announcers(), []nodes.PeerID{1, 8}) {
		t.Fatalf("dropped %x with announcers %v, ok %v", r.ID(), r.Announcers(), ok)
	}
	if !slices.Equal(env.cancelled, []nodes.Handle{2}) {
		t.Errorf("cancelled %v, want the request's timer [2]", env.cancelled)
	}
	if q.Len() != 2 || q.Find(id(1)) != nil || q.Find(id(0)) == nil || q.Find(id(2)) == nil {
		t.Error("Drop removed the wrong request")
	}
}

func TestRequestsBounded(t *testing.T) {
	var q Requests[struct{}]
	for i := range MaxRequests {
		if q.Open([32]byte{byte(i), byte(i >> 8)}, 1) == nil {
			t.Fatalf("Open %d failed below the bound", i)
		}
	}
	if q.Open(id(0xff), 1) != nil || q.Len() != MaxRequests {
		t.Errorf("Open beyond MaxRequests: len %d", q.Len())
	}
	// Ids that share their first 8 bytes are still told apart.
	var p Requests[struct{}]
	a, b := [32]byte{1}, [32]byte{1, 31: 1}
	p.Open(a, 1)
	p.Open(b, 2)
	if p.Find(a).Peer() != 1 || p.Find(b).Peer() != 2 {
		t.Error("ids with a common prefix confused")
	}
}

func TestOrphans(t *testing.T) {
	type add struct{ id, parent byte }
	tests := []struct {
		name     string
		max      int
		adds     []add
		children byte   // parent to release
		want     []byte // ids released, in order
		left     []byte // ids still held
	}{
		{"unbounded", 0, []add{{1, 9}, {2, 8}, {3, 9}, {4, 9}}, 9, []byte{1, 3, 4}, []byte{2}},
		{"FIFO eviction", 2, []add{{1, 9}, {2, 9}, {3, 9}}, 9, []byte{2, 3}, nil},
		{"eviction of another parent's", 2, []add{{1, 8}, {2, 9}, {3, 9}}, 9, []byte{2, 3}, nil},
		{"no children", 3, []add{{1, 8}, {2, 7}}, 9, nil, []byte{1, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := Orphans[byte]{Max: tc.max}
			for _, a := range tc.adds {
				o.Add(id(a.id), id(a.parent), a.id)
			}
			got := o.Children(id(tc.children))
			if !slices.Equal(got, tc.want) {
				t.Errorf("children %v, want %v", got, tc.want)
			}
			if o.Len() != len(tc.left) {
				t.Errorf("%d held, want %v", o.Len(), tc.left)
			}
			for _, l := range tc.left {
				if !o.Has(id(l)) {
					t.Errorf("%d not held", l)
				}
			}
			for _, l := range tc.left {
				if v, ok := o.Remove(id(l)); !ok || v != l {
					t.Errorf("Remove(%d) = %d, %v", l, v, ok)
				}
			}
			if o.Len() != 0 || o.Has(id(tc.adds[0].id)) {
				t.Error("buffer not empty after removing everything")
			}
			if _, ok := o.Remove(id(1)); ok {
				t.Error("removed from an empty buffer")
			}
		})
	}
}

func TestRing(t *testing.T) {
	tests := []struct {
		name string
		size int
		add  []int
		has  []int
		not  []int
	}{
		{"starts with zero keys", 3, nil, []int{0}, []int{1}},
		{"holds the last size keys", 3, []int{1, 2, 3, 4}, []int{2, 3, 4}, []int{0, 1}},
		{"zero key overwritten", 2, []int{5, 6}, []int{5, 6}, []int{0}},
		{"size one", 1, []int{1, 2}, []int{2}, []int{0, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := NewRing[int](tc.size)
			for _, k := range tc.add {
				r.Add(k)
			}
			for _, k := range tc.has {
				if !r.Has(k) {
					t.Errorf("Has(%d) = false", k)
				}
			}
			for _, k := range tc.not {
				if r.Has(k) {
					t.Errorf("Has(%d) = true", k)
				}
			}
			if r.Size() != tc.size {
				t.Errorf("size %d, want %d", r.Size(), tc.size)
			}
		})
	}
}

func TestRingSeen(t *testing.T) {
	type served struct {
		block uint64
		peer  nodes.PeerID
	}
	r := NewRing[served](2)
	steps := []struct {
		k    served
		want bool
	}{
		{served{7, 1}, false},
		{served{7, 1}, true},
		{served{7, 2}, false}, // another peer
		{served{8, 1}, false}, // evicts {7, 1}
		{served{7, 1}, false},
		{served{8, 1}, true},
	}
	for i, s := range steps {
		if got := r.Seen(s.k); got != s.want {
			t.Errorf("step %d: Seen(%v) = %v, want %v", i, s.k, got, s.want)
		}
	}
}

func TestNewRingPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewRing(0) did not panic")
		}
	}()
	NewRing[int](0)
}

// Root walks up the held orphans to the first ancestor not held.
func TestOrphansRoot(t *testing.T) {
	var o Orphans[int]
	a, b, c, d := [32]byte{1}, [32]byte{2}, [32]byte{3}, [32]byte{4}
	o.Add(c, b, 0) // c on b
	o.Add(b, a, 0) // b on a, which is not held
	for _, tc := range []struct{ id, want [32]byte }{{c, a}, {b, a}, {a, a}, {d, d}} {
		if got := o.Root(tc.id); got != tc.want {
			t.Errorf("Root(%x) = %x, want %x", tc.id[0], got[0], tc.want[0])
		}
	}
	o.Add(a, c, 0) // a cycle of held ids (invalid blocks): Root stops
	o.Root(c)
}

// Forget drops the keys it is told to, and only those.
func TestRingForget(t *testing.T) {
	r := NewRing[int](4)
	for _, k := range []int{1, 2, 3, 12} {
		r.Add(k)
	}
	r.Forget(func(k int) bool { return k%10 == 2 })
	for k, want := range map[int]bool{1: true, 2: false, 3: true, 12: false} {
		if r.Has(k) != want {
			t.Errorf("Has(%d) = %v, want %v", k, r.Has(k), want)
		}
	}
}
