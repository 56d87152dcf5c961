package chain

import (
	"math/big"
	"testing"
)

// This file pins boundaries of the tree and of Work found by mutation
// testing (see docs/testing.md).

// TestWorkFromBigBoundaries: values of up to 128 bits convert exactly, wider
// ones saturate, non-positive ones give zero.
func TestWorkFromBigBoundaries(t *testing.T) {
	pow2 := func(n uint) *big.Int { return new(big.Int).Lsh(big.NewInt(1), n) }
	tests := []struct {
		name string
		x    *big.Int
		want Work
	}{
		{"2^127 (128 bits)", pow2(127), Work{Hi: 1 << 63}},
		{"2^128-1 (128 bits)", new(big.Int).Sub(pow2(128), big.NewInt(1)), MaxWork},
		{"2^128 (129 bits) saturates", pow2(128), MaxWork},
		{"2^64+5", new(big.Int).Add(pow2(64), big.NewInt(5)), Work{Hi: 1, Lo: 5}},
		{"zero", big.NewInt(0), Work{}},
		{"negative", big.NewInt(-3), Work{}},
	}
	for _, tt := range tests {
		if got := WorkFromBig(tt.x); got != tt.want {
			t.Errorf("%s: WorkFromBig = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

// TestWorkFloat64: Hi counts 2^64 units, Lo single units.
func TestWorkFloat64(t *testing.T) {
	tests := []struct {
		w    Work
		want float64
	}{
		{Work{Hi: 1, Lo: 1 << 40}, 0x1p64 + 0x1p40},
		{Work{Hi: 3}, 3 * 0x1p64},
		{WorkOf(12345), 12345},
	}
	for _, tt := range tests {
		if got := tt.w.Float64(); got != tt.want {
			t.Errorf("%+v.Float64() = %v, want %v", tt.w, got, tt.want)
		}
	}
}

// TestIndexSizing: New sizes the id index to the smallest power of two, at
// least 8, that keeps the expected capacity at a load of at most 3/4, and
// the index doubles when an insertion would exceed that load. Each tree
// entry costs about 8 bytes of index (the package's memory budget), so an
// index that grows too early or too late is a regression.
func TestIndexSizing(t *testing.T) {
	for _, tt := range []struct{ capacity, slots int }{
		{0, 8}, {1, 8}, {6, 8}, {7, 16}, {12, 16}, {13, 32}, {100, 256},
	} {
		tr := New(ID{1}, WorkOf(1), 0, Options{Capacity: tt.capacity})
		if len(tr.s.slots) != tt.slots {
			t.Errorf("Capacity %d: %d slots, want %d", tt.capacity, len(tr.s.slots), tt.slots)
		}
	}
	// From 8 slots: growth on the 7th entry (7*4 > 8*3) and the 13th.
	tr := New(ID{1}, WorkOf(1), 0, Options{Capacity: 1})
	wantSlots := map[int]int{1: 8, 6: 8, 7: 16, 12: 16, 13: 32, 24: 32, 25: 64}
	parent := ID{1}
	for n := 2; n <= 25; n++ {
		id := ID{byte(n), 0xee}
		if _, err := tr.Add(Block[int]{ID: id, Parent: parent, Height: int64(n - 1), Work: WorkOf(1)}, nil); err != nil {
			t.Fatal(err)
		}
		parent = id
		if w, ok := wantSlots[n]; ok && len(tr.s.slots) != w {
			t.Errorf("%d entries: %d slots, want %d", n, len(tr.s.slots), w)
		}
	}
	// Every entry is still found after the growths.
	for n := 2; n <= 25; n++ {
		e, ok := tr.Get(ID{byte(n), 0xee})
		if !ok || e.Height != int64(n-1) {
			t.Fatalf("entry %d: %+v, %v", n, e, ok)
		}
	}
}

// TestRootAndFirstChild: the root (position 0) is found by Get and Ancestor,
// and its child names it as parent.
func TestRootAndFirstChild(t *testing.T) {
	root, child := ID{1}, ID{2}
	tr := New(root, WorkOf(5), "g", Options{})
	if _, err := tr.Add(Block[string]{ID: child, Parent: root, Height: 1, Work: WorkOf(3), Payload: "c"}, nil); err != nil {
		t.Fatal(err)
	}
	e, ok := tr.Get(root)
	if !ok || e.Payload != "g" || e.Parent != (ID{}) || e.Height != 0 || e.ChainWork != WorkOf(5) {
		t.Errorf("Get(root) = %+v, %v", e, ok)
	}
	e, ok = tr.Get(child)
	if !ok || e.Parent != root || e.Height != 1 || e.ChainWork != WorkOf(8) {
		t.Errorf("Get(child) = %+v, %v; want parent root, height 1, chain work 8", e, ok)
	}
	if a, ok := tr.Ancestor(root, 0); !ok || a.ID != root {
		t.Errorf("Ancestor(root, 0) = %x, %v", a.ID[:1], ok)
	}
	if a, ok := tr.Ancestor(child, 0); !ok || a.ID != root {
		t.Errorf("Ancestor(child, 0) = %x, %v", a.ID[:1], ok)
	}
	if _, ok := tr.Ancestor(child, 2); ok {
		t.Error("Ancestor above the block's height succeeded")
	}
	if _, ok := tr.Ancestor(child, -1); ok {
		t.Error("Ancestor at height -1 succeeded")
	}
}

// TestHasOrphan: a buffered orphan is reported by HasOrphan (not Has) until
// its parent connects it.
func TestHasOrphan(t *testing.T) {
	root, a, b := ID{1}, ID{2}, ID{3}
	tr := New(root, WorkOf(1), 0, Options{})
	if tr.HasOrphan(b) {
		t.Fatal("HasOrphan of an unknown block")
	}
	if _, err := tr.Add(Block[int]{ID: b, Parent: a, Height: 2, Work: WorkOf(1)}, nil); err != nil {
		t.Fatal(err)
	}
	if !tr.HasOrphan(b) || tr.Has(b) {
		t.Errorf("after buffering: HasOrphan %v, Has %v; want true, false", tr.HasOrphan(b), tr.Has(b))
	}
	if tr.HasOrphan(a) {
		t.Error("HasOrphan of the missing parent")
	}
	if _, err := tr.Add(Block[int]{ID: a, Parent: root, Height: 1, Work: WorkOf(1)}, nil); err != nil {
		t.Fatal(err)
	}
	if tr.HasOrphan(b) || !tr.Has(b) {
		t.Errorf("after connecting: HasOrphan %v, Has %v; want false, true", tr.HasOrphan(b), tr.Has(b))
	}
}
