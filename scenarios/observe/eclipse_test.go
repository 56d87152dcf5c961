package observe

import (
	"math"
	"testing"

	"github.com/coinai/coinai/sim"
)

// The victim's wasted work: time on a tip whose main-chain successor was
// already found, or on a tip off the main chain, weighted by hash rate.
func TestVictimWastedWork(t *testing.T) {
	s := sim.Second
	id := func(b byte) [32]byte { return [32]byte{b} }
	g := id(0xee) // the genesis
	b1 := &BlockRec{ID: id(1), Parent: g, Height: 1, Found: 10 * s, Miner: 0, Main: true}
	b2 := &BlockRec{ID: id(2), Parent: id(1), Height: 2, Found: 20 * s, Miner: 0, Main: true}
	b3 := &BlockRec{ID: id(3), Parent: id(2), Height: 3, Found: 30 * s, Miner: 0, Main: true}
	x := &BlockRec{ID: id(9), Parent: id(1), Height: 2, Found: 22 * s, Miner: 1} // the victim's, stale
	main := []*BlockRec{b1, b2, b3}
	blocks := []*BlockRec{b1, b2, x, b3}
	tests := []struct {
		name      string
		victim    Node
		tips      []tipAt
		wantShare float64 // NaN: null
		mined     int64
	}{
		// [0,15) on the genesis, B1 found at 10: 5 s wasted; [15,22) on
		// B1, B2 found at 20: 2 s; [22,35) on its own stale block: 13 s;
		// [35,40) on the tip: none. 20 of 40 s.
		{"late and forked", Node{Miner: true, HashRate: 7, Victim: true},
			[]tipAt{{15 * s, id(1)}, {22 * s, id(9)}, {35 * s, id(3)}}, 0.5, 1},
		// Always told at once: nothing wasted.
		{"fed at once", Node{Miner: true, HashRate: 7, Victim: true},
			[]tipAt{{10 * s, id(1)}, {20 * s, id(2)}, {30 * s, id(3)}}, 0, 1},
		// Withheld: it never leaves the genesis after B1 was found.
		{"withheld", Node{Miner: true, HashRate: 7, Victim: true}, nil, 30.0 / 40, 1},
		// A victim that does not mine wastes no work.
		{"relay", Node{Victim: true}, []tipAt{{35 * s, id(3)}}, math.NaN(), 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := New(Config{Protocol: "pow", Nodes: []Node{{Miner: true, HashRate: 1}, tc.victim}}, nil)
			for _, tp := range tc.tips {
				o.victimTip(1, tp.at, tp.id)
			}
			o.victimTip(0, 5*s, id(1)) // not a victim: ignored
			r := o.victimResult(main, blocks, 40*s)
			if r == nil {
				t.Fatal("no result with a victim")
			}
			if math.IsNaN(tc.wantShare) != math.IsNaN(r.WastedShare) || !math.IsNaN(tc.wantShare) && math.Abs(r.WastedShare-tc.wantShare) > 1e-12 {
				t.Errorf("wasted share %v, want %v", r.WastedShare, tc.wantShare)
			}
			if r.Mined != tc.mined || r.Stale != 1 {
				t.Errorf("mined %d stale %d, want %d and 1", r.Mined, r.Stale, tc.mined)
			}
		})
	}
	if r := New(Config{Protocol: "pow", Nodes: []Node{{Miner: true}}}, nil).victimResult(main, blocks, 40*s); r != nil {
		t.Errorf("result %+v without victims, want nil", r)
	}
}
