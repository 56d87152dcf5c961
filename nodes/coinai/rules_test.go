package coinai

import (
	"crypto/sha256"
	"math"
	"slices"
	"testing"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/chain"
	"github.com/coinai/coinai/nodes/grammar"
	"github.com/coinai/coinai/nodes/ledger"
	"github.com/coinai/coinai/nodes/nn"
	"github.com/coinai/coinai/nodes/storage"
	"github.com/coinai/coinai/nodes/storage/merkle"
)

// This file pins consensus rules that mutation testing found unprotected
// (see docs/testing.md). Block rules are tested black-box: blocks are built,
// delivered to a validating node of the in-memory test network, and the
// EvRejected note or the acceptance is checked. The proof-of-storage
// registry is tested through nextRegistry on hand-built registries, with
// every expected value computed by hand.

// signedTransfer returns a transfer signed by from's key.
func signedTransfer(t *testing.T, from []byte, to ledger.Address, amount, fee ledger.Amount, nonce uint64) *ledger.Transfer {
	t.Helper()
	tx := &ledger.Transfer{From: ledger.AddressOfKey(from), To: to, Amount: amount, Fee: fee, Nonce: nonce}
	if err := tx.Sign(from); err != nil {
		t.Fatal(err)
	}
	return tx
}

// TestForgedTransferRejected: a block carrying a transfer whose signature
// does not cover it is rejected as bad-tx even though the sender can pay
// (k1 mined block 1 and holds its 50-coin reward); the same transfer
// correctly signed is accepted and moves exactly amount and fee.
func TestForgedTransferRejected(t *testing.T) {
	k1, k2, k3 := testKey(1), testKey(2), testKey(3)
	a1, a2, a3 := ledger.AddressOfKey(k1), ledger.AddressOfKey(k2), ledger.AddressOfKey(k3)
	const amount, fee = 10 * ledger.Coin, 1000

	setup := func(t *testing.T) (*testNet, Header) {
		n := validator(t)
		b1, m1 := validChild(t, n.nodes[0].cfg, Genesis(n.nodes[0].cfg), k1, 10e9, nil)
		n.deliver(m1)
		if got := n.nodes[0].Balance(a1); got != 50*ledger.Coin {
			t.Fatalf("setup: k1 holds %d, want the 50-coin reward", got)
		}
		return n, b1.Header
	}

	forged := signedTransfer(t, k1, a2, amount, fee, 0)
	forged.To = a3 // the signature was made for a2
	genuine := signedTransfer(t, k1, a3, amount, fee, 0)
	tests := []struct {
		name   string
		tx     *ledger.Transfer
		reject string // "" for accepted
		// balances of k1, k3 after the block (k3 mines it: 50 coins + fee)
		bal1, bal3 ledger.Amount
	}{
		{"forged recipient", forged, "bad-tx", 50 * ledger.Coin, 0},
		{"forged signature", func() *ledger.Transfer { tx := *genuine; tx.Sig[10] ^= 1; return &tx }(), "bad-tx", 50 * ledger.Coin, 0},
		{"forged sender key", func() *ledger.Transfer {
			tx := signedTransfer(t, k3, a3, amount, fee, 0)
			tx.From = a1 // signed by k3 in k1's name
			return tx
		}(), "bad-tx", 50 * ledger.Coin, 0},
		{"genuine", genuine, "", 50*ledger.Coin - amount - fee, 50*ledger.Coin + amount + fee},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, b1 := setup(t)
			_, msg := validChild(t, n.nodes[0].cfg, b1, k3, 20e9, []ledger.Tx{tt.tx})
			n.deliver(msg)
			_, h := n.nodes[0].Tip()
			if tt.reject != "" {
				if got := n.lastRejection(); got != tt.reject || h != 1 {
					t.Errorf("rejection %q at height %d, want %q at 1", got, h, tt.reject)
				}
			} else if h != 2 {
				t.Fatalf("genuine transfer: height %d, rejection %q", h, n.lastRejection())
			}
			if b := n.nodes[0].Balance(a1); b != tt.bal1 {
				t.Errorf("k1 balance %d, want %d", b, tt.bal1)
			}
			if b := n.nodes[0].Balance(a3); b != tt.bal3 {
				t.Errorf("k3 balance %d, want %d", b, tt.bal3)
			}
		})
	}
}

// TestBadHeight: a block's height must be in [1, MaxInt32] (checked
// without the parent) and equal to its parent's height + 1.
func TestBadHeight(t *testing.T) {
	k1 := testKey(1)
	for _, tt := range []struct {
		name   string
		height uint64
		want   string
	}{
		{"height 0", 0, "bad-height"},
		{"skips a height", 2, "bad-height"},
		{"far above the parent", math.MaxInt32, "bad-height"},
		{"above MaxInt32", math.MaxInt32 + 1, "bad-height"},
		{"parent + 1", 1, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n := validator(t)
			cfg := n.nodes[0].cfg
			b, _ := validChild(t, cfg, Genesis(cfg), k1, 10e9, nil)
			b.Header.Height = tt.height
			if err := b.Header.Sign(k1); err != nil {
				t.Fatal(err)
			}
			n.deliver(AppendBlock(nil, &b))
			if got := n.lastRejection(); got != tt.want {
				t.Errorf("rejection %q, want %q", got, tt.want)
			}
			if _, h := n.nodes[0].Tip(); (tt.want == "") != (h == 1) {
				t.Errorf("tip height %d", h)
			}
		})
	}
	// A height outside [1, MaxInt32] is refused at once, even when the
	// parent is unknown (such a block is not buffered as an orphan).
	for _, height := range []uint64{0, math.MaxInt32 + 1} {
		n := validator(t)
		cfg := n.nodes[0].cfg
		b, _ := validChild(t, cfg, Genesis(cfg), k1, 10e9, nil)
		b.Header.Prev, b.Header.Height = [32]byte{0xab}, height
		if err := b.Header.Sign(k1); err != nil {
			t.Fatal(err)
		}
		n.deliver(AppendBlock(nil, &b))
		if got := n.lastRejection(); got != "bad-height" {
			t.Errorf("height %d on an unknown parent: rejection %q, want bad-height", height, got)
		}
	}
	// On a parent at height 1, a block claiming height 1 or 3 is refused
	// before its model is evaluated.
	n := validator(t)
	cfg := n.nodes[0].cfg
	b1, m1 := validChild(t, cfg, Genesis(cfg), k1, 10e9, nil)
	n.deliver(m1)
	for _, height := range []uint64{1, 3} {
		b, _ := validChild(t, cfg, b1.Header, k1, 20e9, nil)
		b.Header.Height = height
		if err := b.Header.Sign(k1); err != nil {
			t.Fatal(err)
		}
		ran := n.Ran
		n.deliver(AppendBlock(nil, &b))
		if got := n.lastRejection(); got != "bad-height" {
			t.Errorf("height %d on a parent at 1: rejection %q, want bad-height", height, got)
		}
		if n.Ran != ran {
			t.Errorf("height %d on a parent at 1: %d evaluations ran before the rejection", height, n.Ran-ran)
		}
	}
}

// untrainedChildren returns count blocks on parent, each with a different
// untrained model of the right architecture: they pass every check but the
// evaluation, so they stay under verification until the node runs.
func untrainedChildren(t *testing.T, cfg Config, parent Header, count int) (ids [][32]byte, msgs [][]byte) {
	t.Helper()
	arch, err := grammar.Decode(parent.ID(), cfg.Ranges, 1, 8, 8, 10)
	if err != nil {
		t.Fatal(err)
	}
	for i := range count {
		m, err := nn.NewModel(arch, uint64(i+1))
		if err != nil {
			t.Fatal(err)
		}
		raw, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		b, msg := makeBlock(t, parent, raw, testKey(1), 10e9, Genesis(cfg).Threshold, nil)
		ids, msgs = append(ids, b.Header.ID()), append(msgs, msg)
	}
	return ids, msgs
}

// TestOverloaded: a node evaluates at most 64 blocks at once; the 65th is
// refused as overloaded and, since it may be valid, not remembered: offered
// again once an evaluation has finished, it is taken and evaluated.
func TestOverloaded(t *testing.T) {
	n := validator(t)
	cfg := n.nodes[0].cfg
	ids, msgs := untrainedChildren(t, cfg, Genesis(cfg), maxPending+1)
	for _, msg := range msgs[:maxPending] {
		n.nodes[0].Receive(9, msg)
	}
	if rej := n.Events(nodes.EvRejected); len(rej) != 0 {
		t.Fatalf("%d rejections with %d blocks pending, first %q", len(rej), maxPending, rej[0].Ev.Note)
	}
	last := ids[maxPending]
	n.nodes[0].Receive(9, msgs[maxPending])
	rej := n.Events(nodes.EvRejected)
	if len(rej) != 1 || rej[0].Ev.Note != "overloaded" || rej[0].Ev.Block != last {
		t.Fatalf("after block %d: rejections %+v, want one overloaded", maxPending+1, rej)
	}
	// Let one evaluation finish (untrained models fall below the
	// threshold), then offer the refused block again.
	for i := 0; len(n.Events(nodes.EvRejected)) < 2; i++ {
		if i == 1e6 {
			t.Fatal("no evaluation finished")
		}
		n.Run(n.Now() + 1e6)
	}
	n.nodes[0].Receive(9, msgs[maxPending])
	if got := len(n.Events(nodes.EvRejected)); got != 2 {
		t.Fatalf("re-offered block with %d pending: %d rejections, want 2", maxPending-1, got)
	}
	n.Run(n.Now() + 1e12)
	below := 0
	for _, r := range n.Events(nodes.EvRejected)[1:] {
		if r.Ev.Note != "below-threshold" {
			t.Errorf("rejection %q, want below-threshold", r.Ev.Note)
		}
		if r.Ev.Block == last {
			below++
		}
	}
	if below != 1 {
		t.Errorf("the re-offered block was evaluated %d times, want 1", below)
	}
	if got := len(n.Events(nodes.EvRejected)); got != 2+maxPending {
		t.Errorf("%d rejections, want 1 overloaded + %d below-threshold", got, 1+maxPending)
	}
}

// TestOrphanBufferBound: with MaxOrphans 2 the node keeps the two newest
// blocks whose parent it lacks; when the parent arrives, those two connect
// and the evicted one does not.
func TestOrphanBufferBound(t *testing.T) {
	cfg := testConfig(t, 0, false)
	cfg.MaxOrphans = 2
	n := newTestNet(t, []Config{cfg}, nil, 1e6).start()
	g := Genesis(cfg)
	b1, m1 := validChild(t, cfg, g, testKey(1), 10e9, nil)
	var kids [][32]byte
	for i := 2; i <= 4; i++ {
		b, msg := validChild(t, cfg, b1.Header, testKey(i), 20e9, nil)
		kids = append(kids, b.Header.ID())
		n.deliver(msg)
	}
	n.deliver(m1)
	for i, id := range kids {
		if got, want := n.nodes[0].Has(id), i > 0; got != want {
			t.Errorf("orphan %d accepted %v, want %v", i, got, want)
		}
	}
	if !n.nodes[0].Has(b1.Header.ID()) {
		t.Error("parent not accepted")
	}
}

// ---- Proof-of-storage registry ----

var (
	regSeed     = sha256.Sum256([]byte("round seed"))
	regModelBlk = [32]byte{0xb1}
)

// regFixture is a node with four storage candidates (ids 2..5, each key
// testKey(id), 1 MiB each), chunks of 64 bytes, 2 chunks per challenge,
// a 10 s deadline, reward 7, and a stored 640-byte model (10 chunks)
// recorded at height 1 on holders.
type regFixture struct {
	n    *Node
	tree *merkle.Tree
	m    *StoredModel
}

func newRegFixture(t *testing.T, maxMisses int, holders []int32, misses []int) *regFixture {
	t.Helper()
	cfg := testConfig(t, 0, false)
	var cands []StorageNode
	for i := int32(2); i <= 5; i++ {
		cands = append(cands, StorageNode{ID: i, Addr: ledger.AddressOfKey(testKey(int(i))), Capacity: 1 << 20})
	}
	cfg.Storage = StorageConfig{Enabled: true, ChunkSize: 64, Replication: 1, ChallengeLag: 0, ChallengeInterval: 1000,
		ChallengeChunks: 2, Deadline: 10e9, Reward: 7, MaxMisses: maxMisses, Nodes: cands}
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 640)
	for i := range data {
		data[i] = byte(i * 7)
	}
	root, tree, err := merkle.Commit(data, 64)
	if err != nil {
		t.Fatal(err)
	}
	return &regFixture{n: n, tree: tree, m: &StoredModel{Block: regModelBlk, Height: 1, Root: root, Size: 640,
		Holders: holders, Misses: misses}}
}

// reg is a registry holding the fixture's model (bytes counted on its
// holders), the given rounds and open challenges.
func (f *regFixture) reg(rounds []round, open []openChallenge) *registry {
	used := make([]int64, 4)
	for _, h := range f.m.Holders {
		used[h-2] += f.m.Size
	}
	return &registry{models: []*StoredModel{f.m}, rounds: rounds, open: open, used: used}
}

// parent is a synthetic parent entry at height and time carrying reg.
func parentAt(height int64, time int64, reg *registry) chain.Entry[*rec] {
	return chain.Entry[*rec]{ID: [32]byte{0xfa, byte(height)}, Height: height,
		Payload: &rec{hdr: Header{Height: uint64(height), Time: time}, reg: reg}}
}

// proofTx is holder's answer to the fixture's round, sent by prover.
func (f *regFixture) proofTx(t *testing.T, holder int32, seed [32]byte, prover int, tamper bool) *ledger.StorageProof {
	t.Helper()
	p, err := storage.Prove(f.tree, holder, seed, 2)
	if err != nil {
		t.Fatal(err)
	}
	if tamper {
		c := slices.Clone(p.Chunks[0])
		c[0] ^= 1
		p.Chunks[0] = c
	}
	payload, err := p.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return &ledger.StorageProof{Prover: ledger.AddressOfKey(testKey(prover)), Payload: payload}
}

func notes(r *registry) []string {
	var out []string
	for _, o := range r.outcomes {
		out = append(out, o.note)
	}
	return out
}

// TestRegistryProofRules: one round at height 5, time 100 s, challenges
// holder 2; the parent (height 6) is stamped at 105 s, inside the window
// [100 s, 110 s]. A proof counts only if it answers an open challenge, is
// sent by the holder's own address, verifies, and is included by a block
// stamped at most 110 s.
func TestRegistryProofRules(t *testing.T) {
	addr2 := ledger.AddressOfKey(testKey(2))
	type want struct {
		notes  []string
		mints  []ledger.Mint
		open   int // challenges still open
		misses int // holder 2's misses after the block
	}
	tests := []struct {
		name  string
		time  int64
		txs   func(f *regFixture) []ledger.Tx
		want  want
		prior int
	}{
		{"valid, well inside", 101e9, func(f *regFixture) []ledger.Tx { return []ledger.Tx{f.proofTx(t, 2, regSeed, 2, false)} },
			want{[]string{"valid"}, []ledger.Mint{{To: addr2, Amount: 7}}, 0, 0}, 0},
		{"valid at the deadline", 110e9, func(f *regFixture) []ledger.Tx { return []ledger.Tx{f.proofTx(t, 2, regSeed, 2, false)} },
			want{[]string{"valid"}, []ledger.Mint{{To: addr2, Amount: 7}}, 0, 0}, 0},
		{"late by 1 ns", 110e9 + 1, func(f *regFixture) []ledger.Tx { return []ledger.Tx{f.proofTx(t, 2, regSeed, 2, false)} },
			want{[]string{"late", "missed"}, nil, 0, 1}, 0},
		{"wrong prover", 101e9, func(f *regFixture) []ledger.Tx { return []ledger.Tx{f.proofTx(t, 2, regSeed, 3, false)} },
			want{[]string{"invalid: wrong prover"}, nil, 1, 0}, 0},
		{"wrong prover, then the holder", 101e9, func(f *regFixture) []ledger.Tx {
			return []ledger.Tx{f.proofTx(t, 2, regSeed, 3, false), f.proofTx(t, 2, regSeed, 2, false)}
		}, want{[]string{"invalid: wrong prover", "valid"}, []ledger.Mint{{To: addr2, Amount: 7}}, 0, 0}, 0},
		{"bad chunk", 101e9, func(f *regFixture) []ledger.Tx { return []ledger.Tx{f.proofTx(t, 2, regSeed, 2, true)} },
			want{[]string{"invalid: bad proof"}, nil, 1, 0}, 0},
		{"another seed", 101e9, func(f *regFixture) []ledger.Tx { return []ledger.Tx{f.proofTx(t, 2, [32]byte{1}, 2, false)} },
			want{[]string{"invalid: no open challenge"}, nil, 1, 0}, 0},
		{"another holder", 101e9, func(f *regFixture) []ledger.Tx { return []ledger.Tx{f.proofTx(t, 3, regSeed, 3, false)} },
			want{[]string{"invalid: no open challenge"}, nil, 1, 0}, 0},
		{"twice in one block", 101e9, func(f *regFixture) []ledger.Tx {
			return []ledger.Tx{f.proofTx(t, 2, regSeed, 2, false), f.proofTx(t, 2, regSeed, 2, false)}
		}, want{[]string{"valid", "invalid: no open challenge"}, []ledger.Mint{{To: addr2, Amount: 7}}, 0, 0}, 0},
		{"malformed payload", 101e9, func(*regFixture) []ledger.Tx {
			return []ledger.Tx{&ledger.StorageProof{Prover: addr2, Payload: []byte{9}}}
		}, want{[]string{"invalid: malformed"}, nil, 1, 0}, 0},
		{"no proof, window open", 110e9, func(*regFixture) []ledger.Tx { return nil }, want{nil, nil, 1, 0}, 0},
		{"no proof, window closed", 110e9 + 1, func(*regFixture) []ledger.Tx { return nil }, want{[]string{"missed"}, nil, 0, 1}, 0},
		{"a valid proof resets nothing", 101e9, func(f *regFixture) []ledger.Tx { return []ledger.Tx{f.proofTx(t, 2, regSeed, 2, false)} },
			want{[]string{"valid"}, []ledger.Mint{{To: addr2, Amount: 7}}, 0, 1}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newRegFixture(t, 5, []int32{2}, []int{tt.prior})
			reg := f.reg([]round{{block: [32]byte{0x30}, height: 5, time: 100e9, seed: regSeed}},
				[]openChallenge{{model: 0, holder: 2, round: 0}})
			h := &Header{Height: 7, Time: tt.time, Model: [32]byte{0xee}}
			r, mints := f.n.nextRegistry(parentAt(6, 105e9, reg), h, [32]byte{0x07}, 100, tt.txs(f))
			if got := notes(r); !slices.Equal(got, tt.want.notes) {
				t.Errorf("outcomes %q, want %q", got, tt.want.notes)
			}
			if !slices.Equal(mints, tt.want.mints) {
				t.Errorf("mints %+v, want %+v", mints, tt.want.mints)
			}
			if len(r.open) != tt.want.open {
				t.Errorf("%d open challenges, want %d", len(r.open), tt.want.open)
			}
			if tt.want.open == 0 && r.rounds != nil {
				t.Errorf("rounds %+v kept with no open challenge", r.rounds)
			}
			if got := r.models[0].Misses; !slices.Equal(got, []int{tt.want.misses}) {
				t.Errorf("misses %v, want [%d]", got, tt.want.misses)
			}
			if f.m.Misses[0] != tt.prior {
				t.Error("nextRegistry modified the parent's registry")
			}
		})
	}
}

// TestRegistryVoidWindow: an unanswered challenge whose window has closed
// is a miss only if the chain has a block after the round stamped inside
// the window (then a proof could have been included); otherwise it is void:
// no miss, no reward.
func TestRegistryVoidWindow(t *testing.T) {
	tests := []struct {
		name         string
		parentHeight int64
		parentTime   int64
		want         string
	}{
		{"parent is the round's block", 5, 100e9, "void"},
		{"parent stamped 1 ns after the window", 6, 110e9 + 1, "void"},
		{"parent stamped long after", 6, 500e9, "void"},
		{"parent stamped at the window's end", 6, 110e9, "missed"},
		{"parent stamped inside", 6, 101e9, "missed"},
		{"grandchild, parent inside", 9, 104e9, "missed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newRegFixture(t, 5, []int32{2}, []int{0})
			reg := f.reg([]round{{height: 5, time: 100e9, seed: regSeed}}, []openChallenge{{model: 0, holder: 2, round: 0}})
			h := &Header{Height: uint64(tt.parentHeight + 1), Time: 600e9, Model: [32]byte{0xee}}
			r, mints := f.n.nextRegistry(parentAt(tt.parentHeight, tt.parentTime, reg), h, [32]byte{0x07}, 100, nil)
			if got := notes(r); !slices.Equal(got, []string{tt.want}) {
				t.Errorf("outcomes %q, want [%s]", got, tt.want)
			}
			wantMisses := 0
			if tt.want == "missed" {
				wantMisses = 1
			}
			if got := r.models[0].Misses[0]; got != wantMisses {
				t.Errorf("misses %d, want %d", got, wantMisses)
			}
			if len(mints) != 0 || len(r.open) != 0 || r.rounds != nil {
				t.Errorf("mints %v, open %v, rounds %v; want none", mints, r.open, r.rounds)
			}
		})
	}
}

// TestRegistryMaxMisses: a holder is evicted on its MaxMisses-th miss, not
// before; its bytes move to the successor storage.Replace names (all
// current and former holders excluded), whose miss count starts at 0.
func TestRegistryMaxMisses(t *testing.T) {
	tests := []struct {
		maxMisses, prior int
		evicted          bool
	}{
		{1, 0, true},
		{3, 1, false},
		{3, 2, true},
		{2, 0, false},
		{2, 1, true},
	}
	for _, tt := range tests {
		f := newRegFixture(t, tt.maxMisses, []int32{2, 4}, []int{tt.prior, 0})
		f.m.Former = []int32{3}
		reg := f.reg([]round{{height: 5, time: 100e9, seed: regSeed}}, []openChallenge{{model: 0, holder: 2, round: 0}})
		h := &Header{Height: 7, Time: 200e9, Model: [32]byte{0xee}}
		r, _ := f.n.nextRegistry(parentAt(6, 105e9, reg), h, [32]byte{0x07}, 100, nil)
		m := r.models[0]
		if !tt.evicted {
			if got := notes(r); !slices.Equal(got, []string{"missed"}) || !slices.Equal(m.Holders, []int32{2, 4}) ||
				!slices.Equal(m.Misses, []int{tt.prior + 1, 0}) {
				t.Errorf("max %d, %d prior misses: outcomes %q, holders %v, misses %v; want missed, [2 4], [%d 0]",
					tt.maxMisses, tt.prior, got, m.Holders, m.Misses, tt.prior+1)
			}
			continue
		}
		// Candidates 2..5 have 1 MiB each; after the eviction only node 4
		// holds the model. Excluded: 3 (former), 2 (evicted), 4 (holder).
		free := []storage.Candidate{{ID: 2, Free: 1 << 20}, {ID: 3, Free: 1 << 20}, {ID: 4, Free: 1<<20 - 640}, {ID: 5, Free: 1 << 20}}
		next := storage.Replace(regModelBlk, f.m.Root, free, []int32{3, 2, 4}, 1, 640)
		if !slices.Equal(next, []int32{5}) {
			t.Fatalf("storage.Replace = %v, want [5] (the only candidate left)", next)
		}
		if got := notes(r); !slices.Equal(got, []string{"missed", "evicted"}) {
			t.Errorf("max %d, %d prior misses: outcomes %q, want missed, evicted", tt.maxMisses, tt.prior, got)
		}
		if ev := r.outcomes[1]; ev.holder != 2 || ev.next != 5 {
			t.Errorf("eviction outcome %+v, want holder 2, next 5", ev)
		}
		if !slices.Equal(m.Holders, []int32{4, 5}) || !slices.Equal(m.Misses, []int{0, 0}) || !slices.Equal(m.Former, []int32{3, 2}) {
			t.Errorf("holders %v, misses %v, former %v; want [4 5], [0 0], [3 2]", m.Holders, m.Misses, m.Former)
		}
		// Bytes: node 2 freed 640, node 5 took 640; the block's own model
		// (100 bytes, replication 1) went to one candidate.
		used := slices.Clone(r.used)
		placed := r.models[1].Holders
		if len(placed) != 1 {
			t.Fatalf("block model placed on %v", placed)
		}
		used[placed[0]-2] -= 100
		if !slices.Equal(used, []int64{0, 0, 640, 640}) {
			t.Errorf("used %v (without the new model), want [0 0 640 640]", used)
		}
		if !slices.Equal(f.m.Holders, []int32{2, 4}) || f.m.Misses[0] != tt.prior {
			t.Error("nextRegistry modified the parent's model")
		}
	}
}

// TestRegistryRoundsCompacted: when the oldest round has no open challenge
// left it is dropped and the remaining challenges are re-indexed.
func TestRegistryRoundsCompacted(t *testing.T) {
	f := newRegFixture(t, 5, []int32{2, 3}, []int{0, 0})
	rounds := []round{{height: 5, time: 100e9, seed: regSeed}, {height: 6, time: 105e9, seed: [32]byte{6}}}
	reg := f.reg(rounds, []openChallenge{{model: 0, holder: 2, round: 0}, {model: 0, holder: 3, round: 1}})
	h := &Header{Height: 8, Time: 111e9, Model: [32]byte{0xee}} // round 0 closed, round 1 open
	r, _ := f.n.nextRegistry(parentAt(7, 106e9, reg), h, [32]byte{0x08}, 100, nil)
	if got := notes(r); !slices.Equal(got, []string{"missed"}) {
		t.Errorf("outcomes %q, want missed (holder 2)", got)
	}
	if len(r.rounds) != 1 || r.rounds[0].height != 6 {
		t.Fatalf("rounds %+v, want only the round at height 6", r.rounds)
	}
	if len(r.open) != 1 || r.open[0] != (openChallenge{model: 0, holder: 3, round: 0}) {
		t.Errorf("open %+v, want holder 3 in round 0", r.open)
	}
	if len(reg.rounds) != 2 || reg.open[1].round != 1 {
		t.Error("nextRegistry modified the parent's rounds")
	}
}

// TestRegistryOpensRound: at a height that is a multiple of
// ChallengeInterval (1000) with ChallengeLag 0, every model recorded at
// least one block earlier (height <= 999) is challenged for each holder,
// seeded by the block's own id; the block's own model is not.
func TestRegistryOpensRound(t *testing.T) {
	f := newRegFixture(t, 5, []int32{2, 4}, []int{0, 0})
	f.m.Height = 999
	reg := f.reg(nil, nil)
	id := [32]byte{0x10, 0x00}
	for _, height := range []uint64{999, 1000} {
		h := &Header{Height: height, Time: 50e9, Model: [32]byte{0xee}}
		r, _ := f.n.nextRegistry(parentAt(int64(height)-1, 40e9, reg), h, id, 100, nil)
		if height == 999 {
			if len(r.open) != 0 || len(r.rounds) != 0 {
				t.Errorf("height 999: open %v, rounds %v; want no round", r.open, r.rounds)
			}
			continue
		}
		want := []openChallenge{{model: 0, holder: 2, round: 0}, {model: 0, holder: 4, round: 0}}
		if !slices.Equal(r.open, want) {
			t.Errorf("open %+v, want %+v", r.open, want)
		}
		if len(r.rounds) != 1 || r.rounds[0] != (round{block: id, height: 1000, time: 50e9, seed: id}) {
			t.Errorf("rounds %+v, want one at height 1000 seeded by the block id", r.rounds)
		}
		if len(r.models) != 2 || r.models[1].Height != 1000 || r.models[1].Root != h.Model {
			t.Errorf("models %+v", r.models)
		}
	}
}
