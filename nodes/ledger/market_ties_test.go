package ledger

import (
	"bytes"
	"testing"
)

// TestPickTies pins the tie rule of the pick rules, a consensus rule: when
// problems have the same fee (PickFee) or were included at the same height
// (PickAge), the one with the smallest tie key H(prev ‖ id) is picked,
// whatever the map order, which Go varies between calls; a rule that let
// equal fees or heights fall to iteration order would pick differently on
// different nodes. Six problems tie on both; each rule is asked 20 times.
func TestPickTies(t *testing.T) {
	st := funded(t)
	var txs []Tx
	var ids [][32]byte
	for i := range uint64(6) {
		p := deadlined(t, alice, 2*Coin, i, 0)
		txs = append(txs, p)
		ids = append(ids, p.ID())
	}
	if _, err := st.Apply(BlockEffects{Txs: txs, Height: 1}); err != nil {
		t.Fatal(err)
	}
	prev := [32]byte{42}
	want := ids[0]
	for _, id := range ids[1:] {
		k, w := tieKey(prev, id), tieKey(prev, want)
		if bytes.Compare(k[:], w[:]) < 0 {
			want = id
		}
	}
	for _, rule := range PickRules {
		for range 20 {
			if _, got, ok := st.PickProblem(prev, 0, rule, nil); !ok || got != want {
				t.Fatalf("%s: picked %x (%v), want the smallest tie key %x", rule, got[:4], ok, want[:4])
			}
		}
	}
	// A problem expires at its deadline, not after it: at parent time
	// equal to the deadline it is refunded and no longer picked.
	st = funded(t)
	p := deadlined(t, bob, Coin, 0, 500)
	if _, err := st.Apply(BlockEffects{Txs: []Tx{p}, Height: 1}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		parent int64
		open   bool
	}{{0, true}, {499, true}, {500, false}, {501, false}} {
		_, _, ok := st.PickProblem(prev, tc.parent, PickFee, nil)
		if ok != tc.open || (len(st.Expired(tc.parent)) == 0) != tc.open {
			t.Errorf("parent time %d: pickable %v, expired %d; want open %v", tc.parent, ok, len(st.Expired(tc.parent)), tc.open)
		}
	}
}
