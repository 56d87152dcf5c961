package ledger

import (
	"errors"
	"math/rand/v2"
	"testing"
)

// mustApply applies b and fails the test on error.
func mustApply(t *testing.T, s *State, b BlockEffects) Undo {
	t.Helper()
	u, err := s.Apply(b)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if err := s.CheckConservation(); err != nil {
		t.Fatalf("after Apply: %v", err)
	}
	return u
}

// TestReorgRestoresExactly applies A and B, reverts B, applies C and D, and
// checks balances, nonces and escrow against hand-computed values and against
// a fresh state that applied A, C, D only.
func TestReorgRestoresExactly(t *testing.T) {
	pA := problem(t, alice, "digits", 100, 0)
	pB := problem(t, alice, "fashion", 100, 0)
	pC := problem(t, alice, "digits", 70, 0)
	type want struct {
		alice, bob, carol Amount
		nonceAlice        uint64
		escrow            Amount
	}
	tests := []struct {
		name       string
		a, b, c, d BlockEffects
		want       want
	}{{
		name: "transfers",
		// A: alice mined 1000. B: alice->carol 300 fee 10 (undone).
		// C: alice->bob 200 fee 5, carol mines: alice 795, bob 200, carol 1005.
		// D: bob->carol 50 fee 1, alice mines: bob 149, carol 1055, alice 1796.
		a:    BlockEffects{Miner: alice.addr, Reward: 1000},
		b:    BlockEffects{Miner: bob.addr, Reward: 1000, Txs: []Tx{transfer(t, alice, carol, 300, 10, 0)}},
		c:    BlockEffects{Miner: carol.addr, Reward: 1000, Txs: []Tx{transfer(t, alice, bob, 200, 5, 0)}},
		d:    BlockEffects{Miner: alice.addr, Reward: 1000, Txs: []Tx{transfer(t, bob, carol, 50, 1, 0)}},
		want: want{alice: 1796, bob: 149, carol: 1055, nonceAlice: 1},
	}, {
		name: "problem escrow",
		// B's problem (fee 100) is undone; C submits another (fee 70, escrowed:
		// alice 930), D solves it: bob 1000 + 70.
		a:    BlockEffects{Miner: alice.addr, Reward: 1000},
		b:    BlockEffects{Miner: bob.addr, Reward: 1000, Txs: []Tx{pB}},
		c:    BlockEffects{Miner: carol.addr, Reward: 1000, Txs: []Tx{pC}},
		d:    BlockEffects{Miner: bob.addr, Reward: 1000, Solves: pC.ID()},
		want: want{alice: 930, bob: 1070, carol: 1000, nonceAlice: 1},
	}, {
		name: "solution moves to another miner",
		// A: alice mines and submits a problem in the same block (alice 900,
		// escrow 100). B: bob solves it (undone). C: carol solves it (1100).
		// D: carol->bob 600, bob mines, a storage mint of 7 to carol and a
		// storage proof fee 3 from carol: bob 1000+600+3, carol 1100-600-3+7.
		a: BlockEffects{Miner: alice.addr, Reward: 1000, Txs: []Tx{pA}},
		b: BlockEffects{Miner: bob.addr, Reward: 1000, Solves: pA.ID()},
		c: BlockEffects{Miner: carol.addr, Reward: 1000, Solves: pA.ID()},
		d: BlockEffects{Miner: bob.addr, Reward: 1000, Mints: []Mint{{carol.addr, 7}}, Txs: []Tx{
			transfer(t, carol, bob, 600, 0, 0),
			signed(t, &StorageProof{Prover: carol.addr, Payload: []byte{1}, Fee: 3, Nonce: 1}, carol),
		}},
		want: want{alice: 900, bob: 1603, carol: 504, nonceAlice: 1},
	}, {
		name: "B's escrow returns on revert",
		// A: alice submits (escrow 100). B: bob solves. Revert B; C and D are
		// empty blocks by carol: the problem is open again.
		a:    BlockEffects{Miner: alice.addr, Reward: 1000, Txs: []Tx{pA}},
		b:    BlockEffects{Miner: bob.addr, Reward: 1000, Solves: pA.ID()},
		c:    BlockEffects{Miner: carol.addr, Reward: 1000},
		d:    BlockEffects{Miner: carol.addr, Reward: 1000},
		want: want{alice: 900, bob: 0, carol: 2000, nonceAlice: 1, escrow: 100},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewState()
			mustApply(t, s, tt.a)
			afterA := s.Digest()
			uB := mustApply(t, s, tt.b)
			if s.Digest() == afterA {
				t.Fatal("B did not change the digest")
			}
			s.Revert(uB)
			if s.Digest() != afterA {
				t.Fatal("reverting B did not restore the digest after A")
			}
			mustApply(t, s, tt.c)
			mustApply(t, s, tt.d)

			fresh := NewState()
			for _, b := range []BlockEffects{tt.a, tt.c, tt.d} {
				mustApply(t, fresh, b)
			}
			if s.Digest() != fresh.Digest() {
				t.Errorf("digest after reorg differs from fresh A,C,D")
			}
			for _, st := range []*State{s, fresh} {
				got := want{st.Balance(alice.addr), st.Balance(bob.addr), st.Balance(carol.addr), st.Nonce(alice.addr), st.Escrowed()}
				if got != tt.want {
					t.Errorf("got %+v, want %+v", got, tt.want)
				}
				if st.Supply() != st.Minted() {
					t.Errorf("supply %d != minted %d", st.Supply(), st.Minted())
				}
			}
		})
	}
}

func TestApplyRejects(t *testing.T) {
	setup := []BlockEffects{
		{Miner: alice.addr, Reward: 1000},                                             // alice 1000
		{Miner: bob.addr, Reward: 1000, Txs: []Tx{transfer(t, alice, bob, 10, 0, 0)}}, // alice nonce 1
	}
	tests := []struct {
		name string
		b    BlockEffects
		want error
	}{
		{"insufficient funds", BlockEffects{Miner: carol.addr, Txs: []Tx{transfer(t, alice, bob, 985, 6, 1)}}, ErrInsufficientFunds},
		{"insufficient for fee", BlockEffects{Miner: carol.addr, Txs: []Tx{signed(t, &StorageProof{Prover: carol.addr, Fee: 1}, carol)}}, ErrInsufficientFunds},
		{"nonce replay", BlockEffects{Miner: carol.addr, Txs: []Tx{transfer(t, alice, bob, 10, 0, 0)}}, ErrBadNonce},
		{"nonce gap", BlockEffects{Miner: carol.addr, Txs: []Tx{transfer(t, alice, bob, 10, 0, 2)}}, ErrBadNonce},
		{"same tx twice", BlockEffects{Miner: carol.addr, Txs: []Tx{transfer(t, bob, alice, 1, 0, 0), transfer(t, bob, alice, 1, 0, 0)}}, ErrBadNonce},
		{"second tx fails after first applied", BlockEffects{Miner: carol.addr, Reward: 5, Txs: []Tx{
			transfer(t, alice, carol, 500, 1, 1), transfer(t, alice, carol, 490, 1, 2)}}, ErrInsufficientFunds},
		{"unknown problem", BlockEffects{Miner: carol.addr, Solves: [32]byte{1}}, ErrUnknownProblem},
		{"solve in the including block", BlockEffects{Miner: carol.addr, Txs: []Tx{problem(t, alice, "digits", 1, 1)}, Solves: problem(t, alice, "digits", 1, 1).ID()}, ErrUnknownProblem},
		{"reward overflow", BlockEffects{Miner: carol.addr, Reward: MaxAmount}, ErrOverflow},
		{"mint overflow", BlockEffects{Miner: carol.addr, Mints: []Mint{{bob.addr, 1}, {bob.addr, MaxAmount - 2000}}}, ErrOverflow},
		{"amount plus fee overflow", BlockEffects{Miner: carol.addr, Txs: []Tx{transfer(t, alice, bob, MaxAmount, 1, 1)}}, ErrOverflow},
		{"zero amount", BlockEffects{Miner: carol.addr, Txs: []Tx{&Transfer{From: alice.addr, Nonce: 1}}}, ErrMalformed},
		{"nil tx", BlockEffects{Miner: carol.addr, Txs: []Tx{nil}}, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewState()
			for _, b := range setup {
				mustApply(t, s, b)
			}
			before := s.Digest()
			balA, balB, minted := s.Balance(alice.addr), s.Balance(bob.addr), s.Minted()
			u, err := s.Apply(tt.b)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Apply = %v, want %v", err, tt.want)
			}
			if u.gen != 0 {
				t.Error("failed Apply returned a usable Undo")
			}
			if s.Digest() != before || s.Balance(alice.addr) != balA || s.Balance(bob.addr) != balB || s.Minted() != minted {
				t.Error("failed Apply changed the state")
			}
			if _, ok := s.accts[carol.addr]; ok {
				t.Error("failed Apply left an account for the miner")
			}
			// The state still works: the next valid block applies.
			mustApply(t, s, BlockEffects{Miner: carol.addr, Reward: 1, Txs: []Tx{transfer(t, alice, bob, 1, 0, 1)}})
		})
	}
}

func TestRevertOrderPanics(t *testing.T) {
	s := NewState()
	uA := mustApply(t, s, BlockEffects{Miner: alice.addr, Reward: 1})
	uB := mustApply(t, s, BlockEffects{Miner: alice.addr, Reward: 1})
	mustPanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s: no panic", name)
			}
		}()
		f()
	}
	mustPanic("revert A under B", func() { s.Revert(uA) })
	mustPanic("revert zero Undo", func() { s.Revert(Undo{}) })
	s.Revert(uB)
	mustApply(t, s, BlockEffects{Miner: bob.addr, Reward: 1})
	mustPanic("revert stale B", func() { s.Revert(uB) })
}

func TestConservationUnderRandomReorgs(t *testing.T) {
	actors := []actor{alice, bob, carol}
	r := rand.New(rand.NewPCG(1, 1))
	s := NewState()
	var undos []Undo
	var applied, rejected int
	for step := range 400 {
		if len(undos) > 0 && r.IntN(4) == 0 {
			s.Revert(undos[len(undos)-1])
			undos = undos[:len(undos)-1]
		} else {
			b := BlockEffects{Miner: actors[r.IntN(3)].addr, Reward: Amount(r.IntN(1000))}
			for range r.IntN(4) {
				from, to := actors[r.IntN(3)], actors[r.IntN(3)]
				b.Txs = append(b.Txs, transfer(t, from, to, Amount(1+r.IntN(300)), Amount(r.IntN(5)), s.Nonce(from.addr)))
			}
			if ids := s.OpenProblems(); len(ids) > 0 && r.IntN(2) == 0 {
				b.Solves = ids[r.IntN(len(ids))]
			} else if r.IntN(3) == 0 {
				b.Txs = append(b.Txs[:0], problem(t, alice, "digits", Amount(r.IntN(50)), s.Nonce(alice.addr)))
			}
			u, err := s.Apply(b)
			if err != nil {
				rejected++
			} else {
				applied++
				undos = append(undos, u)
			}
		}
		if err := s.CheckConservation(); err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
	}
	if applied < 100 || rejected < 10 {
		t.Errorf("weak test: %d applied, %d rejected", applied, rejected)
	}
	for i := len(undos) - 1; i >= 0; i-- {
		s.Revert(undos[i])
	}
	if s.Digest() != NewState().Digest() || len(s.accts) != 0 || len(s.open) != 0 {
		t.Error("reverting everything did not return to the empty state")
	}
}

func TestCheckConservationDetects(t *testing.T) {
	s := NewState()
	mustApply(t, s, BlockEffects{Miner: alice.addr, Reward: 1000})
	s.accts[bob.addr] = account{bal: 1}
	if err := s.CheckConservation(); !errors.Is(err, ErrConservation) {
		t.Errorf("extra coin: %v", err)
	}
	s.accts[bob.addr] = account{bal: MaxAmount}
	if err := s.CheckConservation(); !errors.Is(err, ErrConservation) || s.Supply() != MaxAmount {
		t.Errorf("overflowing supply: %v, Supply %d", err, s.Supply())
	}
}

func TestNextProblem(t *testing.T) {
	s := NewState()
	if _, ok := s.NextProblem([32]byte{}); ok {
		t.Fatal("NextProblem on empty state found a problem")
	}
	fees := []Amount{50, 80, 80, 10}
	var txs []Tx
	for i, f := range fees {
		txs = append(txs, problem(t, alice, "digits", f, uint64(i)))
	}
	mustApply(t, s, BlockEffects{Miner: alice.addr, Reward: 1000, Txs: txs})
	id1, id2 := txs[1].ID(), txs[2].ID()
	// Among the two fee-80 problems the smaller SHA-256(prev || id) wins. Find
	// one tip where each wins, computing the hashes by hand.
	wins := map[[32]byte]bool{}
	for b := range 32 {
		prev := [32]byte{byte(b)}
		k1, k2 := tieKey(prev, id1), tieKey(prev, id2)
		want := id1
		if string(k2[:]) < string(k1[:]) {
			want = id2
		}
		got, ok := s.NextProblem(prev)
		if !ok || got.ID() != want {
			t.Fatalf("prev %x: NextProblem = %x, want %x", prev[:1], got.ID(), want)
		}
		wins[want] = true
	}
	if len(wins) != 2 {
		t.Error("one problem won the tie on all 32 tips")
	}
	// Solve both fee-80 problems: 50 is next, whatever the tip.
	mustApply(t, s, BlockEffects{Miner: bob.addr, Solves: id1})
	mustApply(t, s, BlockEffects{Miner: bob.addr, Solves: id2})
	if got, _ := s.NextProblem([32]byte{9}); got.Fee != 50 {
		t.Errorf("after solving the 80s: fee %d, want 50", got.Fee)
	}
	if s.Balance(bob.addr) != 160 || s.Escrowed() != 60 {
		t.Errorf("bob %d escrow %d, want 160 and 60", s.Balance(bob.addr), s.Escrowed())
	}
	if p, ok := s.Problem(txs[3].ID()); !ok || p.Fee != 10 || p.Dataset != "digits" {
		t.Errorf("Problem(id) = %+v, %v", p, ok)
	}
	if ids := s.OpenProblems(); len(ids) != 2 || string(ids[0][:]) > string(ids[1][:]) {
		t.Errorf("OpenProblems = %x", ids)
	}
}

func TestAccountsSorted(t *testing.T) {
	s := NewState()
	for _, a := range []actor{carol, alice, bob} {
		mustApply(t, s, BlockEffects{Miner: a.addr, Reward: 10})
	}
	got := s.Accounts(nil)
	if len(got) != 3 {
		t.Fatalf("%d accounts, want 3", len(got))
	}
	for i := 1; i < len(got); i++ {
		if string(got[i-1].Address[:]) >= string(got[i].Address[:]) {
			t.Errorf("accounts not sorted at %d", i)
		}
	}
}

func TestApplyAllocations(t *testing.T) {
	s := NewState()
	mustApply(t, s, BlockEffects{Miner: alice.addr, Reward: 1000})
	mustApply(t, s, BlockEffects{Miner: bob.addr, Reward: 1000})
	b := BlockEffects{Miner: carol.addr, Reward: 50, Txs: []Tx{transfer(t, alice, bob, 1, 1, 0), transfer(t, bob, alice, 1, 1, 0)}}
	n := testing.AllocsPerRun(50, func() {
		u, err := s.Apply(b)
		if err != nil {
			t.Fatal(err)
		}
		s.Revert(u)
	})
	if n > 1 { // the journal
		t.Errorf("Apply+Revert allocates %v times, want at most 1", n)
	}
}

func BenchmarkApplyRevert(b *testing.B) {
	s := NewState()
	var actors []actor
	for i := range 100 {
		a := newActor(byte(10 + i))
		actors = append(actors, a)
		if _, err := s.Apply(BlockEffects{Miner: a.addr, Reward: 1000}); err != nil {
			b.Fatal(err)
		}
	}
	blk := BlockEffects{Miner: alice.addr, Reward: 50}
	for i, a := range actors {
		blk.Txs = append(blk.Txs, transfer(b, a, actors[(i+1)%len(actors)], 10, 1, 0))
	}
	b.ReportAllocs()
	for b.Loop() {
		u, err := s.Apply(blk)
		if err != nil {
			b.Fatal(err)
		}
		s.Revert(u)
	}
}

func BenchmarkVerifyTxs(b *testing.B) {
	txs := []Tx{transfer(b, alice, bob, 1, 1, 0)}
	for b.Loop() {
		if err := VerifyTxs(txs); err != nil {
			b.Fatal(err)
		}
	}
}
