package ledger

import (
	"bytes"
	"errors"
	"math/big"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

// This file pins the boundaries of the ledger's validity rules, each found
// by mutation testing (see docs/testing.md): a rule whose "<" could become
// "<=" without a test failing is checked here at the exact boundary.

// TestSpendExactBalance: a sender may spend its whole balance (amount + fee
// equal to the balance) and not one unit more. The emptied account keeps its
// nonce, so it is still listed by Accounts and committed by Digest.
func TestSpendExactBalance(t *testing.T) {
	tests := []struct {
		name        string
		amount, fee Amount
		wantErr     error
		// Balances after the block (miner carol gets reward 0 plus the fee).
		alice, bob, carol Amount
	}{
		{"amount+fee = balance", 90, 10, nil, 0, 90, 10},
		{"amount alone = balance, fee 0", 100, 0, nil, 0, 100, 0},
		{"one unit over", 91, 10, ErrInsufficientFunds, 100, 0, 0},
		{"fee alone one unit over", 100, 1, ErrInsufficientFunds, 100, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewState()
			mustApply(t, s, BlockEffects{Miner: alice.addr, Reward: 100})
			_, err := s.Apply(BlockEffects{Miner: carol.addr, Txs: []Tx{transfer(t, alice, bob, tt.amount, tt.fee, 0)}})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Apply = %v, want %v", err, tt.wantErr)
			}
			if got := [3]Amount{s.Balance(alice.addr), s.Balance(bob.addr), s.Balance(carol.addr)}; got != [3]Amount{tt.alice, tt.bob, tt.carol} {
				t.Errorf("balances alice, bob, carol = %v, want %v", got, [3]Amount{tt.alice, tt.bob, tt.carol})
			}
			if err != nil {
				return
			}
			if s.Nonce(alice.addr) != 1 {
				t.Errorf("alice's nonce %d, want 1", s.Nonce(alice.addr))
			}
			var found bool
			for _, a := range s.Accounts(nil) {
				if a.Address == alice.addr {
					found = true
					if a.Balance != 0 || a.Nonce != 1 {
						t.Errorf("alice listed as %+v, want balance 0 nonce 1", a)
					}
				}
			}
			if !found {
				t.Error("an emptied account with a used nonce is not listed by Accounts")
			}
		})
	}
}

// TestDigestCommitsToNonceOfEmptyAccount: two states that differ only in the
// nonce of an account with a zero balance have different digests (else a
// replayed transaction would go unnoticed by a digest comparison).
func TestDigestCommitsToNonceOfEmptyAccount(t *testing.T) {
	spent := NewState()
	mustApply(t, spent, BlockEffects{Miner: alice.addr, Reward: 100})
	mustApply(t, spent, BlockEffects{Miner: carol.addr, Txs: []Tx{transfer(t, alice, bob, 100, 0, 0)}})
	// Same balances (alice 0, bob 100, carol 0), same minted, but alice's
	// nonce is 0.
	fresh := NewState()
	mustApply(t, fresh, BlockEffects{Miner: bob.addr, Reward: 100})
	if spent.Balance(alice.addr) != 0 || fresh.Balance(bob.addr) != spent.Balance(bob.addr) {
		t.Fatal("setup: balances differ")
	}
	if spent.Digest() == fresh.Digest() {
		t.Error("digest ignores the nonce of an account with zero balance")
	}
}

// TestSelectFollowsNonceChain: Select takes a sender's consecutive nonces
// 0, 1, 2, 3 one after the other (each admitted after its predecessor).
func TestSelectFollowsNonceChain(t *testing.T) {
	s := fundedState(t, map[*actor]Amount{&alice: 1000})
	p := NewPool(10)
	var want []Tx
	for nonce := range uint64(4) {
		tx := transfer(t, alice, bob, 10, 1, nonce)
		want = append(want, tx)
		if ok, err := p.Add(tx); !ok || err != nil {
			t.Fatalf("Add nonce %d = %v, %v", nonce, ok, err)
		}
	}
	got := p.Select(s, 10)
	if len(got) != 4 {
		t.Fatalf("Select took %d transactions, want 4", len(got))
	}
	for i := range want {
		if got[i].ID() != want[i].ID() {
			t.Errorf("Select[%d] is not nonce %d", i, i)
		}
	}
}

// TestProblemCheckBoundaries checks the dataset name and class rules at
// their edges: 1..64 bytes of printable ASCII from '!' (0x21) to '~'
// (0x7e), and at least 2 classes.
func TestProblemCheckBoundaries(t *testing.T) {
	tests := []struct {
		name    string
		dataset string
		classes uint16
		ok      bool
	}{
		{"64-byte name", strings.Repeat("a", MaxDataset), 10, true},
		{"65-byte name", strings.Repeat("a", MaxDataset+1), 10, false},
		{"empty name", "", 10, false},
		{"tilde is printable", "a~b", 10, true},
		{"bang is printable", "!", 10, true},
		{"DEL is not", "a\x7fb", 10, false},
		{"space is not", "a b", 10, false},
		{"two classes", "digits", 2, true},
		{"one class", "digits", 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &Problem{Submitter: alice.addr, Dataset: tt.dataset, Classes: tt.classes,
				TrainFrac: 800, ValFrac: 0, TestFrac: 200}
			err := p.Check()
			if (err == nil) != tt.ok {
				t.Fatalf("Check = %v, want ok=%v", err, tt.ok)
			}
			if !tt.ok {
				if !errors.Is(err, ErrMalformed) {
					t.Errorf("Check = %v, want ErrMalformed", err)
				}
				return
			}
			if err := p.Sign(alice.priv); err != nil {
				t.Fatal(err)
			}
			got, err := DecodeTx(Encode(p))
			if err != nil {
				t.Fatalf("a valid problem does not decode: %v", err)
			}
			if got.(*Problem).Dataset != tt.dataset {
				t.Errorf("decoded dataset %q, want %q", got.(*Problem).Dataset, tt.dataset)
			}
		})
	}
}

// TestStorageProofPayloadLimit: a payload of exactly MaxProofPayload bytes
// is valid, decodes alone and inside a transaction list (its encoding is
// exactly MaxTxSize bytes); one byte more is malformed.
func TestStorageProofPayloadLimit(t *testing.T) {
	max := signed(t, &StorageProof{Prover: carol.addr, Payload: bytes.Repeat([]byte{7}, MaxProofPayload), Fee: 1}, carol)
	if err := max.Check(); err != nil {
		t.Fatalf("Check of a %d-byte payload: %v", MaxProofPayload, err)
	}
	enc := Encode(max)
	if len(enc) != MaxTxSize {
		t.Fatalf("encoding of the largest proof has %d bytes, want MaxTxSize = %d", len(enc), MaxTxSize)
	}
	if _, err := DecodeTx(enc); err != nil {
		t.Errorf("DecodeTx of a %d-byte payload: %v", MaxProofPayload, err)
	}
	list := AppendTxList(nil, []Tx{max, transfer(t, alice, bob, 1, 0, 0)})
	txs, err := DecodeTxList(list, 2)
	if err != nil || len(txs) != 2 || txs[0].ID() != max.ID() {
		t.Errorf("DecodeTxList with a MaxTxSize transaction = %d txs, %v", len(txs), err)
	}
	if err := VerifyTxs([]Tx{max}); err != nil {
		t.Errorf("VerifyTxs: %v", err)
	}

	over := &StorageProof{Prover: carol.addr, Payload: make([]byte, MaxProofPayload+1)}
	if err := over.Check(); !errors.Is(err, ErrMalformed) {
		t.Errorf("Check of a %d-byte payload = %v, want ErrMalformed", MaxProofPayload+1, err)
	}
	// Its encoding (length field 4097) must not decode either.
	if _, err := DecodeTx(Encode(over)); !errors.Is(err, ErrMalformed) {
		t.Errorf("DecodeTx of a %d-byte payload = %v, want ErrMalformed", MaxProofPayload+1, err)
	}
}

// TestDecodeTxListRejectsCountBeforeAllocating: a count the input cannot
// hold (each transaction takes at least 4 + minTxSize = 120 bytes) is
// rejected before the list is allocated. 100000 transactions in 1000 bytes
// would otherwise cost a 1.6 MB slice.
func TestDecodeTxListRejectsCountBeforeAllocating(t *testing.T) {
	const n = 100_000
	b := make([]byte, 4+1000)
	b[0], b[1], b[2] = byte(n&0xff), byte(n>>8&0xff), byte(n>>16)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := DecodeTxList(b, n)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrMalformed) {
		t.Fatalf("DecodeTxList = %v, want ErrMalformed", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 64<<10 {
		t.Errorf("rejecting %d txs in 1000 bytes allocated %d bytes", n, got)
	}
}

// TestBoundedUint64RejectsBiasedDraws checks Lemire's method against its
// definition with a bound where rejection is common: for bound B = 2^63+1
// the threshold 2^64 mod B is 2^63-1, so about half of the 64-bit draws x
// are rejected (those with x*B mod 2^64 below the threshold) and the result
// is floor(x*B / 2^64) of the first accepted x. The reference computes with
// big integers from a second copy of the same PCG stream.
func TestBoundedUint64RejectsBiasedDraws(t *testing.T) {
	const bound = 1<<63 + 1
	two64 := new(big.Int).Lsh(big.NewInt(1), 64)
	B := new(big.Int).SetUint64(bound)
	thresh := new(big.Int).Mod(two64, B)
	if thresh.Uint64() != 1<<63-1 {
		t.Fatalf("threshold %v, want 2^63-1", thresh)
	}
	src, ref := rand.NewPCG(7, 11), rand.NewPCG(7, 11)
	rejected := 0
	for i := range 200 {
		var want uint64
		for {
			prod := new(big.Int).Mul(new(big.Int).SetUint64(ref.Uint64()), B)
			lo := new(big.Int).Mod(prod, two64)
			if lo.Cmp(thresh) >= 0 {
				want = new(big.Int).Rsh(prod, 64).Uint64()
				break
			}
			rejected++
		}
		if got := boundedUint64(src, bound); got != want {
			t.Fatalf("draw %d: %d, want %d", i, got, want)
		}
	}
	if rejected < 50 {
		t.Errorf("only %d rejections in 200 draws: the test does not exercise rejection", rejected)
	}
}
