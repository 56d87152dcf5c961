package chain

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"testing"
)

// id names a test block by a short label; the label fills the first bytes.
func id(s string) ID {
	var x ID
	copy(x[:], s)
	return x
}

func names(ids []ID) []string {
	out := make([]string, len(ids))
	for i, x := range ids {
		n := 0
		for n < len(x) && x[n] != 0 {
			n++
		}
		out[i] = string(x[:n])
	}
	return out
}

// add is a test step: block name, parent name, height, own work.
type add struct {
	name, parent string
	height       int64
	work         uint64
}

func (a add) block() Block[string] {
	return Block[string]{ID: id(a.name), Parent: id(a.parent), Height: a.height, Work: WorkOf(a.work), Payload: a.name}
}

func TestForkChoiceAndReorgLists(t *testing.T) {
	type want struct {
		tip              string
		moved            bool
		undone, applied  []string
		connected        []string
		orphaned         bool
		tipWork, tipHigh uint64
	}
	tests := []struct {
		name  string
		steps []add
		last  want // result of the last step
	}{
		{
			name:  "extension",
			steps: []add{{"A1", "G", 1, 1}, {"A2", "A1", 2, 1}},
			last:  want{tip: "A2", moved: true, applied: []string{"A2"}, connected: []string{"A2"}, tipWork: 3},
		},
		{
			name:  "tie keeps first seen",
			steps: []add{{"A1", "G", 1, 5}, {"B1", "G", 1, 5}},
			last:  want{tip: "A1", connected: []string{"B1"}, tipWork: 6},
		},
		{
			name:  "heavier short branch wins over longer chain",
			steps: []add{{"A1", "G", 1, 1}, {"A2", "A1", 2, 1}, {"B1", "G", 1, 3}},
			last:  want{tip: "B1", moved: true, undone: []string{"A2", "A1"}, applied: []string{"B1"}, connected: []string{"B1"}, tipWork: 4},
		},
		{
			name: "deep reorg lists in ledger order",
			steps: []add{{"A1", "G", 1, 1}, {"A2", "A1", 2, 1}, {"A3", "A2", 3, 1},
				{"B2", "A1", 2, 1}, {"B3", "B2", 3, 1}, {"B4", "B3", 4, 1}},
			last: want{tip: "B4", moved: true, undone: []string{"A3", "A2"}, applied: []string{"B2", "B3", "B4"}, connected: []string{"B4"}, tipWork: 5},
		},
		{
			name:  "lighter branch does not move tip",
			steps: []add{{"A1", "G", 1, 10}, {"B1", "G", 1, 2}, {"B2", "B1", 2, 2}},
			last:  want{tip: "A1", connected: []string{"B2"}, tipWork: 11},
		},
		{
			name:  "orphans connected out of order",
			steps: []add{{"C3", "C2", 3, 1}, {"C2", "C1", 2, 1}, {"C1", "G", 1, 1}},
			last:  want{tip: "C3", moved: true, applied: []string{"C1", "C2", "C3"}, connected: []string{"C1", "C2", "C3"}, tipWork: 4},
		},
		{
			name:  "orphan buffered",
			steps: []add{{"X2", "X1", 2, 1}},
			last:  want{tip: "G", orphaned: true, tipWork: 1},
		},
		{
			name:  "siblings released in arrival order, first seen wins",
			steps: []add{{"S2", "P1", 2, 1}, {"T2", "P1", 2, 1}, {"P1", "G", 1, 1}},
			last:  want{tip: "S2", moved: true, applied: []string{"P1", "S2"}, connected: []string{"P1", "S2", "T2"}, tipWork: 3},
		},
		{
			name:  "work above 2^64",
			steps: []add{{"H1", "G", 1, math.MaxUint64}, {"H2", "H1", 2, 2}},
			last:  want{tip: "H2", moved: true, applied: []string{"H2"}, connected: []string{"H2"}, tipHigh: 1, tipWork: 2},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := New(id("G"), WorkOf(1), "G", Options{})
			var r Result
			for _, s := range tc.steps {
				var err error
				r, err = tr.Add(s.block(), nil)
				if err != nil {
					t.Fatalf("Add(%s): %v", s.name, err)
				}
			}
			w := tc.last
			tip := tr.Tip()
			if got := names([]ID{tip.ID})[0]; got != w.tip || tip.Payload != w.tip {
				t.Errorf("tip = %s (payload %q), want %s", got, tip.Payload, w.tip)
			}
			if tip.ChainWork != (Work{Hi: w.tipHigh, Lo: w.tipWork}) {
				t.Errorf("tip work = %v, want {%d %d}", tip.ChainWork, w.tipHigh, w.tipWork)
			}
			if r.TipMoved != w.moved || r.Orphaned != w.orphaned {
				t.Errorf("moved=%v orphaned=%v, want %v %v", r.TipMoved, r.Orphaned, w.moved, w.orphaned)
			}
			for _, c := range []struct {
				what      string
				got, want []string
			}{{"undone", names(r.Undone), w.undone}, {"applied", names(r.Applied), w.applied}, {"connected", names(r.Connected), w.connected}} {
				if !slices.Equal(c.got, c.want) && len(c.got)+len(c.want) > 0 {
					t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
				}
			}
		})
	}
}

func TestAddErrors(t *testing.T) {
	errBad := errors.New("bad payload")
	check := func(parent Entry[string], b *Block[string]) error {
		if b.Payload == "bad" {
			return errBad
		}
		return nil
	}
	tr := New(id("G"), WorkOf(1), "G", Options{})
	if _, err := tr.Add(add{"A1", "G", 1, 1}.block(), check); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		b    Block[string]
		want error
	}{
		{"duplicate", add{"A1", "G", 1, 1}.block(), ErrKnown},
		{"duplicate root", add{"G", "A1", 2, 1}.block(), ErrKnown},
		{"height skips", add{"B", "A1", 3, 1}.block(), ErrHeight},
		{"height zero", add{"B", "G", 0, 1}.block(), ErrHeight},
		{"check fails", Block[string]{ID: id("B"), Parent: id("G"), Height: 1, Work: WorkOf(9), Payload: "bad"}, errBad},
	}
	for _, tc := range tests {
		_, err := tr.Add(tc.b, check)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
	if tr.Len() != 2 || tr.Height() != 1 {
		t.Errorf("failed adds changed the tree: len %d height %d", tr.Len(), tr.Height())
	}
	// An orphan that fails its check when released is reported and dropped,
	// while its valid sibling connects.
	tr.Add(Block[string]{ID: id("O2"), Parent: id("O1"), Height: 3, Work: WorkOf(1), Payload: "bad"}, check)
	tr.Add(Block[string]{ID: id("Q2"), Parent: id("O1"), Height: 4, Work: WorkOf(1), Payload: "q"}, check)
	tr.Add(add{"R2", "O1", 3, 1}.block(), check)
	if _, err := tr.Add(add{"O2", "O1", 3, 1}.block(), check); !errors.Is(err, ErrKnown) {
		t.Errorf("duplicate orphan: err = %v, want ErrKnown", err)
	}
	r, err := tr.Add(add{"O1", "A1", 2, 1}.block(), check)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(r.Connected); !slices.Equal(got, []string{"O1", "R2"}) {
		t.Errorf("connected = %v, want [O1 R2]", got)
	}
	if len(r.Rejected) != 2 || !errors.Is(r.Rejected[0].Err, errBad) || !errors.Is(r.Rejected[1].Err, ErrHeight) ||
		names([]ID{r.Rejected[0].ID, r.Rejected[1].ID})[1] != "Q2" {
		t.Errorf("rejected = %v, want O2 (bad payload), Q2 (height)", r.Rejected)
	}
	if tr.Orphans() != 0 {
		t.Errorf("orphans left: %d", tr.Orphans())
	}
}

func TestOrphanBound(t *testing.T) {
	tests := []struct {
		max       int
		evicted   [][]string // per step
		connected []string   // when P connects
	}{
		{max: 2, evicted: [][]string{nil, nil, {"a"}}, connected: []string{"P", "b", "c"}},
		{max: 1, evicted: [][]string{nil, {"a"}, {"b"}}, connected: []string{"P", "c"}},
		{max: -1, evicted: [][]string{{"a"}, {"b"}, {"c"}}, connected: []string{"P"}},
	}
	for _, tc := range tests {
		tr := New(id("G"), WorkOf(1), "G", Options{MaxOrphans: tc.max})
		for i, name := range []string{"a", "b", "c"} {
			r, err := tr.Add(add{name, "P", 2, 1}.block(), nil)
			if err != nil || !r.Orphaned {
				t.Fatalf("max %d: %s: %v %+v", tc.max, name, err, r)
			}
			if got := names(r.Evicted); !slices.Equal(got, tc.evicted[i]) && len(got)+len(tc.evicted[i]) > 0 {
				t.Errorf("max %d step %s: evicted %v, want %v", tc.max, name, got, tc.evicted[i])
			}
		}
		r, _ := tr.Add(add{"P", "G", 1, 1}.block(), nil)
		if got := names(r.Connected); !slices.Equal(got, tc.connected) {
			t.Errorf("max %d: connected %v, want %v", tc.max, got, tc.connected)
		}
	}
}

func TestQueries(t *testing.T) {
	tr := New(id("G"), WorkOf(1), "G", Options{})
	for _, s := range []add{{"A1", "G", 1, 1}, {"A2", "A1", 2, 1}, {"A3", "A2", 3, 1}, {"B2", "A1", 2, 1}} {
		if _, err := tr.Add(s.block(), nil); err != nil {
			t.Fatal(err)
		}
	}
	var main []ID
	for e := range tr.MainChain() {
		main = append(main, e.ID)
	}
	if got := names(main); !slices.Equal(got, []string{"G", "A1", "A2", "A3"}) {
		t.Errorf("main chain %v", got)
	}
	tests := []struct {
		from   string
		height int64
		want   string // "" for not found
	}{
		{"A3", 0, "G"}, {"A3", 1, "A1"}, {"A3", 3, "A3"}, {"B2", 1, "A1"}, {"B2", 3, ""}, {"B2", -1, ""}, {"Z", 0, ""},
	}
	for _, tc := range tests {
		e, ok := tr.Ancestor(id(tc.from), tc.height)
		got := ""
		if ok {
			got = names([]ID{e.ID})[0]
		}
		if got != tc.want {
			t.Errorf("Ancestor(%s, %d) = %q, want %q", tc.from, tc.height, got, tc.want)
		}
	}
	for name, want := range map[string]bool{"G": true, "A2": true, "B2": false, "Z": false} {
		if got := tr.InMainChain(id(name)); got != want {
			t.Errorf("InMainChain(%s) = %v", name, got)
		}
	}
	e, ok := tr.Get(id("B2"))
	if !ok || e.Parent != id("A1") || e.Height != 2 || e.ChainWork != WorkOf(3) || e.Payload != "B2" {
		t.Errorf("Get(B2) = %+v, %v", e, ok)
	}
	if !tr.Has(id("G")) || tr.Has(id("Z")) || tr.Height() != 3 || tr.Len() != 5 {
		t.Errorf("Has/Height/Len wrong")
	}
}

// TestIndexCollisions stores ids that share their 8-byte index prefix and
// differ only in the tail: every one must still be found, and only once.
func TestIndexCollisions(t *testing.T) {
	var root ID
	tr := New(root, WorkOf(1), 0, Options{})
	parent := root
	const n = 300
	for i := 1; i <= n; i++ {
		var x ID
		copy(x[:8], "samepref")
		x[30], x[31] = byte(i>>8), byte(i)
		if _, err := tr.Add(Block[int]{ID: x, Parent: parent, Height: int64(i), Work: WorkOf(1), Payload: i}, nil); err != nil {
			t.Fatal(err)
		}
		parent = x
	}
	for i := 1; i <= n; i++ {
		var x ID
		copy(x[:8], "samepref")
		x[30], x[31] = byte(i>>8), byte(i)
		if e, ok := tr.Get(x); !ok || e.Payload != i || e.Height != int64(i) {
			t.Fatalf("Get(%d) = %+v %v", i, e, ok)
		}
	}
	var miss ID
	copy(miss[:8], "samepref")
	miss[29] = 1
	if tr.Has(miss) {
		t.Error("found an id never added")
	}
}

func TestWork(t *testing.T) {
	tests := []struct {
		a, b      Work
		sum       Work
		cmp       int
		sumString string
	}{
		{WorkOf(1), WorkOf(2), WorkOf(3), -1, "3"},
		{WorkOf(math.MaxUint64), WorkOf(1), Work{Hi: 1}, 1, "18446744073709551616"},
		{Work{Hi: 1}, WorkOf(math.MaxUint64), Work{Hi: 1, Lo: math.MaxUint64}, 1, "36893488147419103231"},
		{MaxWork, WorkOf(1), MaxWork, 1, "340282366920938463463374607431768211455"},
		{WorkOf(7), WorkOf(7), WorkOf(14), 0, "14"},
	}
	for _, tc := range tests {
		if got := tc.a.Add(tc.b); got != tc.sum {
			t.Errorf("%v+%v = %v, want %v", tc.a, tc.b, got, tc.sum)
		}
		if got := tc.a.Cmp(tc.b); got != tc.cmp {
			t.Errorf("Cmp(%v,%v) = %d, want %d", tc.a, tc.b, got, tc.cmp)
		}
		if got := tc.b.Cmp(tc.a); got != -tc.cmp {
			t.Errorf("Cmp(%v,%v) = %d, want %d", tc.b, tc.a, got, -tc.cmp)
		}
		if got := tc.sum.String(); got != tc.sumString {
			t.Errorf("String = %s, want %s", got, tc.sumString)
		}
		if tc.sum != MaxWork {
			if got := tc.sum.Sub(tc.b); got != tc.a {
				t.Errorf("%v-%v = %v, want %v", tc.sum, tc.b, got, tc.a)
			}
		}
		if got := WorkFromBig(tc.sum.Big()); got != tc.sum {
			t.Errorf("big round trip %v -> %v", tc.sum, got)
		}
	}
	if got := (Work{Hi: 1}).Float64(); got != 0x1p64 {
		t.Errorf("Float64(2^64) = %g", got)
	}
	if got := WorkOf(1).Sub(WorkOf(2)); !got.IsZero() {
		t.Errorf("1-2 = %v, want 0", got)
	}
}

func ExampleTree() {
	// A tree whose payload is a name; each block has work 1.
	b := func(name, parent string, h int64) Block[string] {
		var x, p ID
		copy(x[:], name)
		copy(p[:], parent)
		return Block[string]{ID: x, Parent: p, Height: h, Work: WorkOf(1), Payload: name}
	}
	var g ID
	copy(g[:], "G")
	tr := New(g, WorkOf(1), "G", Options{})
	tr.Add(b("A1", "G", 1), nil)
	tr.Add(b("B1", "G", 1), nil)          // tie: A1 stays (first seen)
	tr.Add(b("B3", "B2", 3), nil)         // orphan until B2 arrives
	r, _ := tr.Add(b("B2", "B1", 2), nil) // connects B2 and B3: reorg
	fmt.Println(len(r.Connected), "connected; undone", len(r.Undone), "applied", len(r.Applied))
	fmt.Println("tip", tr.Tip().Payload, "height", tr.Height())
	// Output:
	// 2 connected; undone 1 applied 3
	// tip B3 height 3
}

// BenchmarkTreeMemory measures the heap bytes per tree entry with an
// 8-byte payload (a pointer, as the proof-of-work node stores), for trees
// of the simulator's size: one per node, ~100 blocks each.
func BenchmarkTreeMemory(b *testing.B) {
	for _, blocks := range []int{100, 1000} {
		b.Run(fmt.Sprint(blocks), func(b *testing.B) {
			const trees = 200
			var before, after runtime.MemStats
			keep := make([]*Tree[*byte], trees)
			var payload byte
			for range b.N {
				clear(keep)
				runtime.GC()
				runtime.ReadMemStats(&before)
				for k := range keep {
					tr := New(ID{}, WorkOf(1), &payload, Options{Capacity: blocks})
					var parent ID
					for i := 1; i < blocks; i++ {
						var x ID
						x[0], x[1], x[2], x[3] = byte(i), byte(i>>8), byte(k), byte(k>>8)
						tr.Add(Block[*byte]{ID: x, Parent: parent, Height: int64(i), Work: WorkOf(1), Payload: &payload}, nil)
						parent = x
					}
					keep[k] = tr
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
			}
			b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(trees*blocks), "B/entry")
			runtime.KeepAlive(keep)
		})
	}
}

func BenchmarkAdd(b *testing.B) {
	tr := New(ID{}, WorkOf(1), 0, Options{Capacity: b.N + 1})
	var parent ID
	b.ReportAllocs()
	for i := range b.N {
		var x ID
		x[0], x[1], x[2], x[3] = byte(i+1), byte((i+1)>>8), byte((i+1)>>16), byte((i+1)>>24)
		tr.Add(Block[int]{ID: x, Parent: parent, Height: int64(i + 1), Work: WorkOf(1)}, nil)
		parent = x
	}
}
