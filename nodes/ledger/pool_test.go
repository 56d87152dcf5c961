package ledger

import (
	"bytes"
	"testing"
)

func ids(txs []Tx) [][32]byte {
	out := make([][32]byte, len(txs))
	for i, tx := range txs {
		out[i] = tx.ID()
	}
	return out
}

func fundedState(t *testing.T, amounts map[*actor]Amount) *State {
	s := NewState()
	for _, a := range []*actor{&alice, &bob, &carol} { // fixed order
		if v := amounts[a]; v > 0 {
			mustApply(t, s, BlockEffects{Miner: a.addr, Reward: v})
		}
	}
	return s
}

func TestPoolSelect(t *testing.T) {
	s := fundedState(t, map[*actor]Amount{&alice: 1000, &bob: 1000, &carol: 10})
	a0 := transfer(t, alice, bob, 100, 5, 0)
	a1 := transfer(t, alice, bob, 100, 50, 1)
	a3 := transfer(t, alice, bob, 100, 90, 3) // gap at nonce 2
	b0 := transfer(t, bob, carol, 100, 20, 0)
	c0 := transfer(t, carol, bob, 100, 30, 0) // carol has 10: cannot pay
	bOld := transfer(t, bob, alice, 1, 1, 0)  // same nonce as b0, lower fee: b0 replaces it
	p := NewPool(100)
	for _, tx := range []Tx{a3, a1, c0, bOld, b0, a0} {
		if _, err := p.Add(tx); err != nil {
			t.Fatal(err)
		}
	}
	if p.Len() != 5 || p.Has(bOld.ID()) {
		t.Fatalf("Len %d, has bOld %v: replace-by-fee did not replace", p.Len(), p.Has(bOld.ID()))
	}
	before := s.Digest()
	tests := []struct {
		max  int
		want []Tx
	}{
		// Heads: a0 (5), b0 (20), c0 (30, unfunded). c0 fails and ends
		// carol's chain; b0; a0 opens a1 (50); a3 stays behind the gap.
		{max: 10, want: []Tx{b0, a0, a1}},
		{max: 2, want: []Tx{b0, a0}},
		{max: 0, want: nil},
	}
	for _, tt := range tests {
		got := p.Select(s, tt.max)
		if len(got) != len(tt.want) {
			t.Fatalf("Select(%d) = %d txs, want %d", tt.max, len(got), len(tt.want))
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("Select(%d)[%d] = %v nonce %d fee %d", tt.max, i, got[i].Header().Sender, got[i].Header().Nonce, got[i].Header().Fee)
			}
		}
		if s.Digest() != before {
			t.Fatal("Select changed the state")
		}
	}
	// The selection applies as a block; then Remove and Prune clean up.
	sel := p.Select(s, 10)
	mustApply(t, s, BlockEffects{Miner: carol.addr, Txs: sel})
	p.Remove(ids(sel))
	if p.Len() != 2 || !p.Has(a3.ID()) || !p.Has(c0.ID()) {
		t.Errorf("after Remove: Len %d", p.Len())
	}
	// Carol now has 10 + fees 75 + 100 from bob = 185: c0 is fundable.
	if got := p.Select(s, 10); len(got) != 1 || got[0] != c0 {
		t.Errorf("after the block Select = %v, want [c0]", got)
	}
}

func TestPoolPruneAndReadd(t *testing.T) {
	s := fundedState(t, map[*actor]Amount{&alice: 1000})
	a0, a1 := transfer(t, alice, bob, 1, 1, 0), transfer(t, alice, bob, 1, 1, 1)
	p := NewPool(10)
	p.Add(a0)
	p.Add(a1)
	u := mustApply(t, s, BlockEffects{Miner: bob.addr, Txs: []Tx{a0}})
	p.Prune(s)
	if p.Has(a0.ID()) || !p.Has(a1.ID()) {
		t.Fatal("Prune kept the stale nonce or dropped the live one")
	}
	// Reorg: the block is undone and its transactions come back.
	s.Revert(u)
	if n := p.Readd([]Tx{a0}); n != 1 {
		t.Fatalf("Readd admitted %d, want 1", n)
	}
	if got := p.Select(s, 10); len(got) != 2 || got[0] != a0 || got[1] != a1 {
		t.Errorf("after Readd Select = %d txs", len(got))
	}
	if ok, _ := p.Add(a0); ok {
		t.Error("duplicate Add admitted")
	}
	if _, err := p.Add(&Transfer{From: alice.addr}); err == nil {
		t.Error("Add of a zero-amount transfer succeeded")
	}
}

func TestPoolEviction(t *testing.T) {
	p := NewPool(3)
	mk := func(fee Amount, nonce uint64) *Transfer { return transfer(t, alice, bob, 1, fee, nonce) }
	low, mid, high := mk(10, 0), mk(20, 1), mk(30, 2)
	for _, tx := range []Tx{low, mid, high} {
		if ok, _ := p.Add(tx); !ok {
			t.Fatal("Add to a non-full pool refused")
		}
	}
	if ok, _ := p.Add(mk(5, 3)); ok {
		t.Error("full pool admitted a lower fee than its worst")
	}
	// Equal fee to the worst: the lower ID ranks first. Find one equal-fee
	// newcomer ranking below low (refused) and one above it (admitted).
	var tieLose, tie *Transfer
	for n := uint64(100); tieLose == nil || tie == nil; n++ {
		c := mk(10, n)
		if bytes.Compare(idOf(c), idOf(low)) > 0 {
			tieLose = c
		} else {
			tie = c
		}
	}
	if ok, _ := p.Add(tieLose); ok || !p.Has(low.ID()) {
		t.Errorf("equal fee, higher ID: admitted %v", ok)
	}
	if ok, _ := p.Add(tie); !ok || p.Has(low.ID()) {
		t.Errorf("equal fee, lower ID: admitted %v, low still held %v", ok, p.Has(low.ID()))
	}
	if ok, _ := p.Add(mk(25, 5)); !ok || p.Has(low.ID()) || p.Has(tie.ID()) || p.Len() != 3 {
		t.Errorf("fee 25 newcomer: admitted %v, Len %d; both fee-10 txs should be gone", ok, p.Len())
	}
	// Replace-by-fee needs a strictly higher fee.
	if ok, _ := p.Add(mk(30, 2)); ok {
		t.Error("same-fee replacement admitted (same ID is a duplicate anyway)")
	}
	if ok, _ := p.Add(transfer(t, alice, carol, 1, 30, 2)); ok {
		t.Error("equal-fee replacement admitted")
	}
	if ok, _ := p.Add(transfer(t, alice, carol, 1, 31, 2)); !ok || p.Has(high.ID()) {
		t.Error("higher-fee replacement refused or old kept")
	}
}

func idOf(tx Tx) []byte { id := tx.ID(); return id[:] }

func TestPoolSelectProblems(t *testing.T) {
	s := fundedState(t, map[*actor]Amount{&alice: 100})
	p0 := problem(t, alice, "digits", 60, 0)
	p1 := problem(t, alice, "fashion", 60, 1) // 40 left after p0: unfunded
	pool := NewPool(10)
	pool.Add(p0)
	pool.Add(p1)
	before := s.Digest()
	got := pool.Select(s, 10)
	if len(got) != 1 || got[0] != p0 {
		t.Fatalf("Select = %d txs, want [p0]", len(got))
	}
	if s.Digest() != before || s.Escrowed() != 0 {
		t.Fatal("Select left escrow or state changes behind")
	}
	mustApply(t, s, BlockEffects{Miner: bob.addr, Txs: got})
	if s.Escrowed() != 60 || s.Balance(bob.addr) != 0 {
		t.Errorf("escrow %d, includer %d; want 60 and 0", s.Escrowed(), s.Balance(bob.addr))
	}
}
