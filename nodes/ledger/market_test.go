package ledger

import (
	"errors"
	"testing"
)

// deadlined is a signed problem with a deadline (ns).
func deadlined(t testing.TB, by actor, fee Amount, nonce, deadline uint64) *Problem {
	return signed(t, &Problem{Submitter: by.addr, Dataset: "iris", Classes: 3, TrainFrac: 700, ValFrac: 100,
		TestFrac: 200, Deadline: deadline, Fee: fee, Nonce: nonce}, by)
}

// funded is a state where alice and bob hold 100 coins each (a genesis
// allocation, applied as a block of mints).
func funded(t *testing.T) *State {
	t.Helper()
	st := NewState()
	if _, err := st.Apply(BlockEffects{Mints: []Mint{{alice.addr, 100 * Coin}, {bob.addr, 100 * Coin}}}); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestDeadlineRoundTrip(t *testing.T) {
	p := deadlined(t, alice, 5, 0, 0x0a0b0c0d)
	got, err := DecodeTx(Encode(p))
	if err != nil {
		t.Fatal(err)
	}
	if q := got.(*Problem); q.Deadline != 0x0a0b0c0d || q.VerifySig() != nil {
		t.Fatalf("decoded deadline %#x, sig %v", q.Deadline, q.VerifySig())
	}
	// The deadline is signed: changing it breaks the signature.
	p.Deadline++
	if err := p.VerifySig(); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("tampered deadline: VerifySig = %v", err)
	}
}

// TestRefundAtDeadline follows a problem's escrow through inclusion, the
// blocks before its deadline and the refund, with conservation checked at
// every step, and checks that a block cannot solve it once expired.
func TestRefundAtDeadline(t *testing.T) {
	st := funded(t)
	p := deadlined(t, alice, 3*Coin, 0, 1000)
	id := p.ID()
	if _, err := st.Apply(BlockEffects{Miner: carol.addr, Txs: []Tx{p}, Height: 1, ParentTime: 10}); err != nil {
		t.Fatal(err)
	}
	if st.Balance(alice.addr) != 97*Coin || st.Escrowed() != 3*Coin {
		t.Fatalf("after inclusion: alice %v escrow %v", st.Balance(alice.addr), st.Escrowed())
	}
	if h, ok := st.IncludedAt(id); !ok || h != 1 {
		t.Fatalf("IncludedAt = %d, %v; want 1", h, ok)
	}
	// Parent at 999: still open and pickable.
	if _, err := st.Apply(BlockEffects{Miner: carol.addr, Height: 2, ParentTime: 999}); err != nil {
		t.Fatal(err)
	}
	if _, got, ok := st.PickProblem([32]byte{}, 999, PickFee, nil); !ok || got != id {
		t.Fatalf("pick at 999 = %x, %v", got[:4], ok)
	}
	if _, _, ok := st.PickProblem([32]byte{}, 1000, PickFee, nil); ok {
		t.Fatal("an expired problem is picked")
	}
	if got := st.Expired(1000); len(got) != 1 || got[0] != id {
		t.Fatalf("Expired(1000) = %d ids", len(got))
	}
	// Solving it on a parent at its deadline is refused, the state unchanged.
	before := st.Digest()
	if _, err := st.Apply(BlockEffects{Miner: carol.addr, Solves: id, Height: 3, ParentTime: 1000}); !errors.Is(err, ErrUnknownProblem) {
		t.Fatalf("solve past deadline: %v", err)
	}
	if st.Digest() != before {
		t.Fatal("failed Apply changed the state")
	}
	u, err := st.Apply(BlockEffects{Miner: carol.addr, Reward: Coin, Height: 3, ParentTime: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if st.Balance(alice.addr) != 100*Coin || st.Escrowed() != 0 || st.Balance(carol.addr) != Coin {
		t.Fatalf("after refund: alice %v escrow %v carol %v", st.Balance(alice.addr), st.Escrowed(), st.Balance(carol.addr))
	}
	if err := st.CheckConservation(); err != nil {
		t.Fatal(err)
	}
	st.Revert(u)
	if st.Digest() != before {
		t.Fatal("Revert of the refund did not restore the state")
	}
	if _, ok := st.Problem(id); !ok {
		t.Fatal("Revert did not reopen the problem")
	}
}

// TestPickRules pins each rule's choice among three problems: fee takes the
// richest, age the earliest included, hash-draw the smallest tie key; the
// servable filter and an unknown rule are honoured.
func TestPickRules(t *testing.T) {
	st := funded(t)
	old := deadlined(t, alice, 1*Coin, 0, 0) // included first, lowest fee
	rich := deadlined(t, bob, 9*Coin, 0, 0)  // included second, highest fee
	mid := deadlined(t, alice, 5*Coin, 1, 0) // included second
	mid.Dataset = "wine"
	mid = signed(t, mid, alice)
	if _, err := st.Apply(BlockEffects{Txs: []Tx{old}, Height: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Apply(BlockEffects{Txs: []Tx{rich, mid}, Height: 2}); err != nil {
		t.Fatal(err)
	}
	prev := [32]byte{7}
	// The hash draw's winner, computed independently of PickProblem.
	var draw [32]byte
	for i, id := range [][32]byte{old.ID(), rich.ID(), mid.ID()} {
		if k, b := tieKey(prev, id), tieKey(prev, draw); i == 0 || string(k[:]) < string(b[:]) {
			draw = id
		}
	}
	notWine := func(p *Problem) bool { return p.Dataset != "wine" }
	for _, tt := range []struct {
		rule     string
		servable func(*Problem) bool
		want     [32]byte
		ok       bool
	}{
		{PickFee, nil, rich.ID(), true},
		{PickAge, nil, old.ID(), true},
		{PickHashDraw, nil, draw, true},
		{PickFee, func(p *Problem) bool { return p.Fee < 9*Coin }, mid.ID(), true},
		{PickAge, func(p *Problem) bool { return p.Fee > Coin && notWine(p) }, rich.ID(), true},
		{PickFee, func(*Problem) bool { return false }, [32]byte{}, false},
		{"lowest", nil, [32]byte{}, false},
	} {
		_, got, ok := st.PickProblem(prev, 0, tt.rule, tt.servable)
		if ok != tt.ok || got != tt.want {
			t.Errorf("%s: picked %x (%v), want %x (%v)", tt.rule, got[:4], ok, tt.want[:4], tt.ok)
		}
	}
}

// TestMaliciousBlocksRefused: blocks whose transactions break a rule of
// the ledger (replayed nonce, overspend, solving an unknown problem,
// spending escrowed coins twice) fail to apply and leave the state as it was.
func TestMaliciousBlocksRefused(t *testing.T) {
	st := funded(t)
	t0 := transfer(t, alice, bob, 10*Coin, 1, 0)
	if _, err := st.Apply(BlockEffects{Miner: carol.addr, Txs: []Tx{t0}}); err != nil {
		t.Fatal(err)
	}
	escrowAll := deadlined(t, bob, 110*Coin, 0, 0) // bob has 110
	spendAfter := transfer(t, bob, alice, 1, 0, 1)
	for _, tt := range []struct {
		name string
		b    BlockEffects
		want error
	}{
		{"replayed transfer", BlockEffects{Txs: []Tx{t0}}, ErrBadNonce},
		{"nonce gap", BlockEffects{Txs: []Tx{transfer(t, alice, bob, 1, 0, 5)}}, ErrBadNonce},
		{"overspend", BlockEffects{Txs: []Tx{transfer(t, alice, bob, 91*Coin, 0, 1)}}, ErrInsufficientFunds},
		{"spend escrowed coins", BlockEffects{Txs: []Tx{escrowAll, spendAfter}}, ErrInsufficientFunds},
		{"solve unknown problem", BlockEffects{Solves: escrowAll.ID()}, ErrUnknownProblem},
	} {
		before := st.Digest()
		if _, err := st.Apply(tt.b); !errors.Is(err, tt.want) {
			t.Errorf("%s: Apply = %v, want %v", tt.name, err, tt.want)
		}
		if st.Digest() != before {
			t.Errorf("%s: the failed block changed the state", tt.name)
		}
	}
}
