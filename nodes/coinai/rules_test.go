package coinai

import (
	"crypto/sha256"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/chain"
	"github.com/coinai/coinai/nodes/grammar"
	"github.com/coinai/coinai/nodes/ledger"
	"github.com/coinai/coinai/nodes/nn"
	"github.com/coinai/coinai/nodes/nodestest"
	"github.com/coinai/coinai/nodes/relay"
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
		Payload: &rec{hdr: &Header{Height: uint64(height), Time: time}, reg: reg}}
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

// TestRegistryOutcomeFields: outcomes that name no challenge carry model -1
// (the miner's event then names no model block) and, when the proof
// decodes, the holder it claims.
func TestRegistryOutcomeFields(t *testing.T) {
	f := newRegFixture(t, 5, []int32{2}, []int{0})
	reg := f.reg([]round{{height: 5, time: 100e9, seed: regSeed}}, []openChallenge{{model: 0, holder: 2, round: 0}})
	txs := []ledger.Tx{
		&ledger.StorageProof{Payload: []byte{1}},
		f.proofTx(t, 3, regSeed, 3, false),
		f.proofTx(t, 2, regSeed, 2, false),
	}
	h := &Header{Height: 7, Time: 101e9, Model: [32]byte{0xee}}
	r, _ := f.n.nextRegistry(parentAt(6, 105e9, reg), h, [32]byte{0x07}, 100, txs)
	want := []outcome{
		{note: "invalid: malformed", model: -1, holder: -1},
		{note: "invalid: no open challenge", model: -1, holder: 3},
		{note: "valid", model: 0, holder: 2, value: 1},
	}
	if !slices.Equal(r.outcomes, want) {
		t.Errorf("outcomes %+v\nwant %+v", r.outcomes, want)
	}
}

// TestRegistryEvictionWithoutSuccessor: when every candidate is a current
// or former holder, an evicted holder has no successor (next -1) and the
// model keeps one holder fewer.
func TestRegistryEvictionWithoutSuccessor(t *testing.T) {
	f := newRegFixture(t, 1, []int32{2, 4}, []int{0, 0})
	f.m.Former = []int32{3, 5}
	reg := f.reg([]round{{height: 5, time: 100e9, seed: regSeed}}, []openChallenge{{model: 0, holder: 2, round: 0}})
	h := &Header{Height: 7, Time: 200e9, Model: [32]byte{0xee}}
	r, _ := f.n.nextRegistry(parentAt(6, 105e9, reg), h, [32]byte{0x07}, 100, nil)
	want := []outcome{{note: "missed", model: 0, holder: 2}, {note: "evicted", model: 0, holder: 2, next: -1}}
	if !slices.Equal(r.outcomes, want) {
		t.Errorf("outcomes %+v, want %+v", r.outcomes, want)
	}
	m := r.models[0]
	if !slices.Equal(m.Holders, []int32{4}) || !slices.Equal(m.Misses, []int{0}) || !slices.Equal(m.Former, []int32{3, 5, 2}) {
		t.Errorf("holders %v, misses %v, former %v; want [4], [0], [3 5 2]", m.Holders, m.Misses, m.Former)
	}
	// Node 2 gave up the 640 bytes; it may have received the block's own
	// 100-byte model.
	want2 := int64(0)
	if slices.Contains(r.models[1].Holders, 2) {
		want2 = 100
	}
	if r.used[0] != want2 {
		t.Errorf("node 2 counts %d bytes, want %d", r.used[0], want2)
	}
}

// TestRegistryPlacementNeedsRoom: the block's model goes only to candidates
// whose capacity minus the bytes already placed on them holds it.
func TestRegistryPlacementNeedsRoom(t *testing.T) {
	f := newRegFixture(t, 5, []int32{2}, []int{0})
	f.n.cfg.Storage.Replication = 2
	for i := range f.n.cfg.Storage.Nodes {
		f.n.cfg.Storage.Nodes[i].Capacity = 1000
	}
	reg := f.reg(nil, nil)
	reg.used = []int64{1000, 1000, 950, 0} // only node 5 has room for 100 bytes
	h := &Header{Height: 7, Time: 200e9, Model: [32]byte{0xee}}
	r, _ := f.n.nextRegistry(parentAt(6, 105e9, reg), h, [32]byte{0x07}, 100, nil)
	if got := r.models[1].Holders; !slices.Equal(got, []int32{5}) {
		t.Errorf("placed on %v, want [5]", got)
	}
	if !slices.Equal(r.used, []int64{1000, 1000, 950, 100}) {
		t.Errorf("used %v, want [1000 1000 950 100]", r.used)
	}
	if !slices.Equal(reg.used, []int64{1000, 1000, 950, 0}) {
		t.Error("nextRegistry modified the parent's byte counts")
	}
}

// TestRegistryRoundsCompactedOutOfOrder: the oldest round still referred to
// is found whatever the order of the open challenges.
func TestRegistryRoundsCompactedOutOfOrder(t *testing.T) {
	f := newRegFixture(t, 5, []int32{2, 3, 4}, []int{0, 0, 0})
	rounds := []round{{height: 5, time: 100e9}, {height: 6, time: 104e9}, {height: 7, time: 105e9}}
	open := []openChallenge{{model: 0, holder: 2, round: 0}, {model: 0, holder: 3, round: 2}, {model: 0, holder: 4, round: 1}}
	h := &Header{Height: 9, Time: 111e9, Model: [32]byte{0xee}} // round 0 expired, 1 and 2 open
	r, _ := f.n.nextRegistry(parentAt(8, 106e9, f.reg(rounds, open)), h, [32]byte{0x09}, 100, nil)
	if len(r.rounds) != 2 || r.rounds[0].height != 6 || r.rounds[1].height != 7 {
		t.Fatalf("rounds %+v, want those at heights 6 and 7", r.rounds)
	}
	want := []openChallenge{{model: 0, holder: 3, round: 1}, {model: 0, holder: 4, round: 0}}
	if !slices.Equal(r.open, want) {
		t.Errorf("open %+v, want %+v", r.open, want)
	}
}

// TestStorageConfigProofBound: a configuration is valid only if the largest
// proof (ChallengeChunks chunks of ChunkSize bytes, each with a path as
// deep as a 64 MiB model's tree) fits a proof transaction's 4096 bytes:
// 71 + chunks x (9 + chunk size + 32 x depth).
func TestStorageConfigProofBound(t *testing.T) {
	tests := []struct {
		chunkSize, chunks int
		valid             bool
	}{
		// 64 MiB / 188 = 356962 chunks: depth 19; 71 + 5 x (9+188+608) = 4096.
		{188, 5, true},
		{189, 5, false}, // depth 19: 71 + 5 x 806 = 4101
		// 2^24 chunks of 4 bytes: depth exactly 24; 71 + 5 x 781 = 3976.
		{4, 5, true},
		{4, 6, false}, // 71 + 6 x 781 = 4757
		{64, 5, true}, // 2^20 chunks, depth 20: 71 + 5 x 713 = 3636
		{64, 6, false},
		{2048, 1, true}, // depth 15: 71 + 9 + 2048 + 480 = 2608
	}
	for _, tt := range tests {
		cfg := testConfig(t, 0, false)
		cfg.Storage = StorageConfig{Enabled: true, ChunkSize: tt.chunkSize, Replication: 1, ChallengeChunks: tt.chunks,
			Deadline: 1, MaxMisses: 1}
		if _, err := New(cfg); (err == nil) != tt.valid {
			t.Errorf("chunk size %d, %d chunks: New error %v, want valid=%v", tt.chunkSize, tt.chunks, err, tt.valid)
		}
	}
}

// TestStorageConfigCandidates: candidate ids and capacities may be zero,
// not negative, and ids are unique.
func TestStorageConfigCandidates(t *testing.T) {
	tests := []struct {
		nodes []StorageNode
		valid bool
	}{
		{[]StorageNode{{ID: 0, Capacity: 0}, {ID: 1, Capacity: 5}}, true},
		{[]StorageNode{{ID: -1, Capacity: 5}}, false},
		{[]StorageNode{{ID: 1, Capacity: -1}}, false},
		{[]StorageNode{{ID: 1}, {ID: 1}}, false},
	}
	for i, tt := range tests {
		cfg := testConfig(t, 0, false)
		cfg.Storage = StorageConfig{Enabled: true, ChunkSize: 64, Replication: 1, ChallengeChunks: 1,
			Deadline: 1, MaxMisses: 1, Nodes: tt.nodes}
		if _, err := New(cfg); (err == nil) != tt.valid {
			t.Errorf("case %d: New error %v, want valid=%v", i, err, tt.valid)
		}
	}
}

// TestProofsForParent: a miner building on parent at a round height leaves
// out the proofs whose seed is that round's seed (a competing block opened
// it; here it is not open) together with the same holder's later
// transactions, and keeps everything else. At other heights, or when the
// round would be seeded by the block itself (lag 0), nothing is dropped.
func TestProofsForParent(t *testing.T) {
	holder, other, user := testKey(2), testKey(3), testKey(4)
	proof := func(key []byte, seed [32]byte, nonce uint64) ledger.Tx {
		p := &storage.Proof{Holder: 2, Seed: seed, Indices: []int{}, Chunks: [][]byte{}, Paths: [][][32]byte{}}
		payload, err := p.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		return &ledger.StorageProof{Prover: ledger.AddressOfKey(key), Payload: payload, Nonce: nonce}
	}
	for _, tt := range []struct {
		name          string
		lag, interval int
		dropped       bool
	}{
		{"round at height 1, seeded by genesis", 1, 1, true},
		{"no round at height 1", 1, 2, false},
		{"lag 0: seeded by the block itself", 0, 1, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t, 0, true)
			cfg.Storage = StorageConfig{Enabled: true, ChunkSize: 64, Replication: 1, ChallengeLag: tt.lag,
				ChallengeInterval: tt.interval, ChallengeChunks: 1, Deadline: 1, MaxMisses: 1}
			n, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			g := n.tree.Tip()
			txs := []ledger.Tx{
				signedTransfer(t, user, ledger.AddressOfKey(other), 1, 0, 0),
				proof(holder, g.ID, 0),        // answers the round the child opens
				proof(holder, [32]byte{1}, 1), // same sender, later nonce
				proof(other, [32]byte{1}, 0),
			}
			got := n.proofsForParent(g, slices.Clone(txs))
			want := txs
			if tt.dropped {
				want = []ledger.Tx{txs[0], txs[3]}
			}
			if !slices.Equal(got, want) {
				t.Errorf("kept %d of %d transactions, want %d", len(got), len(txs), len(want))
			}
		})
	}
}

// TestStorageAt: a node without proof-of-storage records no models; with it,
// an unknown block has none, and a block's registry lists its models.
func TestStorageAt(t *testing.T) {
	plain, err := New(testConfig(t, 0, false))
	if err != nil {
		t.Fatal(err)
	}
	gid, _ := plain.Tip()
	if got := plain.StorageAt(gid); got != nil {
		t.Errorf("without storage: %v", got)
	}
	f := newRegFixture(t, 1, []int32{2}, []int{0})
	g := f.n.tree.Tip()
	id := [32]byte{0x51}
	if _, err := f.n.tree.Add(chain.Block[*rec]{ID: id, Parent: g.ID, Height: 1, Payload: &rec{reg: f.reg(nil, nil)}}, nil); err != nil {
		t.Fatal(err)
	}
	if got := f.n.StorageAt(id); len(got) != 1 || got[0] != f.m {
		t.Errorf("StorageAt(block) = %v, want the fixture's model", got)
	}
	if got := f.n.StorageAt([32]byte{0x52}); got != nil {
		t.Errorf("StorageAt(unknown) = %v", got)
	}
}

// TestStorageFidelityAndLazyKept pin two helpers: the fidelity note states
// the deadline in seconds, and a lazy holder keeps floor(f x chunks).
func TestStorageFidelityAndLazyKept(t *testing.T) {
	if got := StorageFidelity(StorageConfig{}); got != nil {
		t.Errorf("disabled: %v", got)
	}
	got := StorageFidelity(StorageConfig{Enabled: true, Deadline: 40e9})
	if len(got) != 3 || got[2] != "storage.deadline=block-time: a proof counts if a block stamped within 40s of the round's block includes it" {
		t.Errorf("fidelity %q", got)
	}
	for _, tt := range []struct {
		n    int
		f    float64
		want int
	}{{10, 0.5, 5}, {10, 0.99, 9}, {7, 1, 7}, {7, 0, 0}} {
		if got := lazyKept(tt.n, tt.f); got != tt.want {
			t.Errorf("lazyKept(%d, %v) = %d, want %d", tt.n, tt.f, got, tt.want)
		}
	}
}

// TestRetargetDegenerateTimes: a non-positive target means no retarget (the
// window was not measured), whatever the actual time; a non-positive actual
// with a positive target counts as infinitely fast.
func TestRetargetDegenerateTimes(t *testing.T) {
	tests := []struct {
		actual, target int64
		want           uint32
	}{
		{1e9, 0, 500000},
		{0, 0, 500000},
		{-5, 0, 500000},
		{1e9, -1, 500000},
		{0, 1e9, 510000},
		{-1, 1e9, 510000},
		{2e9, 1e9, 490000},
	}
	for _, tt := range tests {
		if got := Retarget(500000, tt.actual, tt.target, 10000, 100000); got != tt.want {
			t.Errorf("Retarget(actual %d, target %d) = %d, want %d", tt.actual, tt.target, got, tt.want)
		}
	}
}

// TestPassesAtTheThreshold: a model passes when correct/n reaches the
// threshold exactly (integer arithmetic, no rounding), and never on an
// empty test set.
func TestPassesAtTheThreshold(t *testing.T) {
	tests := []struct {
		correct, n int
		thr        uint32
		want       bool
	}{
		{1, 2, 500000, true},
		{499999, 1000000, 500000, false},
		{500000, 1000000, 500000, true},
		{2, 3, 666667, false}, // 2/3 = 666666.67 ppm
		{2, 3, 666666, true},
		{0, 0, 0, false},
		{0, 0, 1, false},
		{0, 5, 0, true},
		{10, 10, MaxThreshold, true},
	}
	for _, tt := range tests {
		if got := passes(tt.correct, tt.n, tt.thr); got != tt.want {
			t.Errorf("passes(%d, %d, %d) = %v, want %v", tt.correct, tt.n, tt.thr, got, tt.want)
		}
	}
}

// TestNextThresholdWindows: the threshold of a child at height h changes
// only when h is a multiple of the window W, on the time from the block at
// max(h-1-W, 0) to the parent at h-1 against (h-1-that height) target
// intervals. Chain times (s): genesis 0, then 5, 10, 40, 50, 70; every
// header carries 500000 ppm; target interval 10 s, step 10000 ppm.
func TestNextThresholdWindows(t *testing.T) {
	times := []int64{5e9, 10e9, 40e9, 50e9, 70e9}
	tests := []struct {
		window       int
		parentHeight int
		want         uint32
	}{
		{0, 2, 500000},
		{3, 1, 500000}, // child at 2: not a multiple of 3
		{3, 3, 500000}, // child at 4
		{3, 2, 510000}, // child at 3: genesis..b2 = 10 s for 2 intervals: twice as fast
		{3, 5, 490000}, // child at 6: b2..b5 = 60 s for 3 intervals: twice as slow
		{1, 0, 500000}, // child at 1: the window holds no interval yet
		{1, 1, 510000}, // genesis..b1 = 5 s for 1 interval
		{1, 3, 490000}, // b2..b3 = 30 s for 1 interval: clamped to one step down
		{4, 3, 495850}, // child at 4: genesis..b3 = 40 s for 3 intervals: round(10000 x log2(30/40)) = -4150
		{5, 4, 496781}, // child at 5: genesis..b4 = 50 s for 4 intervals: round(10000 x log2(40/50)) = -3219
		{2, 3, 491926}, // child at 4: b1..b3 = 35 s for 2 intervals: round(10000 x log2(20/35)) = -8074
	}
	for _, tt := range tests {
		cfg := testConfig(t, 0, false)
		cfg.ThresholdWindow, cfg.TargetInterval = tt.window, 10e9
		n, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		parent := n.tree.Tip()
		for i, tm := range times[:tt.parentHeight] {
			id := [32]byte{0xc0, byte(i)}
			hdr := Header{Height: uint64(i + 1), Time: tm, Threshold: 500000}
			if _, err := n.tree.Add(chain.Block[*rec]{ID: id, Parent: parent.ID, Height: int64(i + 1), Payload: &rec{hdr: &hdr}}, nil); err != nil {
				t.Fatal(err)
			}
			parent, _ = n.tree.Get(id)
		}
		if got := n.nextThreshold(parent); got != tt.want {
			t.Errorf("window %d, parent at %d: %d ppm, want %d", tt.window, tt.parentHeight, got, tt.want)
		}
	}
}

// TestConfigDefaults: zero optional fields take their documented defaults;
// with ThresholdDecay the future-drift default is half a target interval,
// so that a timestamp lie cannot buy a lower threshold.
func TestConfigDefaults(t *testing.T) {
	tests := []struct {
		name           string
		edit           func(c *Config)
		timeout, drift int64
	}{
		{"defaults", func(*Config) {}, DefaultRequestTimeout, DefaultMaxFutureDrift},
		{"decay", func(c *Config) { c.ThresholdDecay = 0.01 }, DefaultRequestTimeout, 30e9},
		{"decay, explicit drift", func(c *Config) { c.ThresholdDecay, c.MaxFutureDrift = 0.01, 5e9 }, DefaultRequestTimeout, 5e9},
		{"explicit", func(c *Config) { c.RequestTimeout = 7e9 }, 7e9, DefaultMaxFutureDrift},
	}
	for _, tt := range tests {
		cfg := testConfig(t, 0, false)
		cfg.TargetInterval = 60e9
		tt.edit(&cfg)
		n, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		c := n.cfg
		if c.RequestTimeout != tt.timeout || c.MaxFutureDrift != tt.drift {
			t.Errorf("%s: timeout %d, drift %d; want %d, %d", tt.name,
				c.RequestTimeout, c.MaxFutureDrift, tt.timeout, tt.drift)
		}
	}
}

// TestFutureDriftWithDecay: with ThresholdDecay and a 60 s target the drift
// is 30 s: a block stamped 30 s ahead of the validator's clock is taken, one
// stamped 30 s + 1 ns ahead is refused as future-time.
func TestFutureDriftWithDecay(t *testing.T) {
	for _, tt := range []struct {
		at   int64
		want string
	}{{30e9, ""}, {30e9 + 1, "future-time"}} {
		cfg := testConfig(t, 0, false)
		cfg.ThresholdDecay, cfg.TargetInterval = 0.01, 60e9
		n := newTestNet(t, []Config{cfg}, nil, 1e6).start()
		_, msg := validChild(t, cfg, Genesis(cfg), testKey(1), tt.at, nil)
		n.deliver(msg) // the clock is at 0 when the block arrives
		if got := n.lastRejection(); got != tt.want {
			t.Errorf("stamped %d ns ahead: rejection %q, want %q", tt.at, got, tt.want)
		}
	}
}

// TestRejectedBlocksRemembered: a block refused for a rule it will always
// break is remembered and ignored when offered again; one refused only for
// being ahead of the clock is not, and is taken once the clock has caught
// up.
func TestRejectedBlocksRemembered(t *testing.T) {
	n := validator(t)
	cfg := n.nodes[0].cfg
	g := Genesis(cfg)
	bad, _ := validChild(t, cfg, g, testKey(1), 10e9, nil)
	bad.Header.Accuracy = PPM + 1
	if err := bad.Header.Sign(testKey(1)); err != nil {
		t.Fatal(err)
	}
	badMsg := AppendBlock(nil, &bad)
	n.deliver(badMsg)
	n.deliver(badMsg)
	if rej := n.Events(nodes.EvRejected); len(rej) != 1 || rej[0].Ev.Note != "bad-accuracy" {
		t.Fatalf("rejections %+v, want one bad-accuracy", rej)
	}
	future, futureMsg := validChild(t, cfg, g, testKey(2), 3*3600e9, nil)
	n.nodes[0].Receive(9, futureMsg)
	if got := n.lastRejection(); got != "future-time" {
		t.Fatalf("rejection %q, want future-time", got)
	}
	n.Run(2 * 3600e9) // now the block is only 1 h ahead
	n.deliver(futureMsg)
	if !n.nodes[0].Has(future.Header.ID()) {
		t.Errorf("block refused as future-time not taken later (last rejection %q)", n.lastRejection())
	}
}

// sent is one message a node of the test network sent; recordSends collects
// them in order.
type sent struct {
	from, to nodes.PeerID
	msg      []byte
}

func recordSends(n *testNet) *[]sent {
	var out []sent
	n.OnSend = func(from, to nodes.PeerID, msg []byte, _ int) { out = append(out, sent{from, to, msg}) }
	return &out
}

func countSent(s []sent, to nodes.PeerID, msg []byte) int {
	c := 0
	for _, m := range s {
		if m.to == to && string(m.msg) == string(msg) {
			c++
		}
	}
	return c
}

// TestGossipRequests: a node asks the sender of an orphan for its parent;
// it does not request blocks it already holds as pending (first in the
// orphan buffer or first under verification); and it never serves the
// genesis block, which every node has.
func TestGossipRequests(t *testing.T) {
	n := validator(t)
	log := recordSends(n)
	cfg := n.nodes[0].cfg
	g := Genesis(cfg)
	b1, m1 := validChild(t, cfg, g, testKey(1), 10e9, nil)
	b2, m2 := validChild(t, cfg, b1.Header, testKey(2), 20e9, nil)
	node := n.nodes[0]

	node.Receive(7, m2) // orphan
	if c := countSent(*log, 7, AppendID(nil, MsgGetData, b1.Header.ID())); c != 1 {
		t.Errorf("%d requests for the orphan's parent to its sender, want 1", c)
	}
	node.Receive(8, AppendID(nil, MsgInv, b2.Header.ID()))
	if c := countSent(*log, 8, AppendID(nil, MsgGetData, b2.Header.ID())); c != 0 {
		t.Errorf("requested a block held as an orphan")
	}
	node.Receive(7, m1) // parent: verified, child follows once it is accepted
	node.Receive(8, AppendID(nil, MsgInv, b1.Header.ID()))
	if c := countSent(*log, 8, AppendID(nil, MsgGetData, b1.Header.ID())); c != 0 {
		t.Errorf("requested a block under verification")
	}
	n.Run(n.Now() + 1e12)
	if !node.Has(b2.Header.ID()) {
		t.Fatalf("chain not accepted: %q", n.lastRejection())
	}
	before := len(*log)
	node.Receive(8, AppendID(nil, MsgGetData, g.ID()))
	node.Receive(8, AppendID(nil, MsgGetData, b1.Header.ID()))
	got := (*log)[before:]
	if len(got) != 1 || string(got[0].msg) != string(m1) {
		t.Errorf("GetData for genesis and b1 sent %d messages, want only b1", len(got))
	}
}

// TestEmptyMessageWithStorage: an empty message is a decode error, with or
// without proof-of-storage (whose chunk messages are dispatched first).
func TestEmptyMessageWithStorage(t *testing.T) {
	f := newRegFixture(t, 1, []int32{2}, []int{0})
	n := &testNet{Net: nodestest.New(1e6), nodes: []*Node{f.n}}
	n.Add(f.n, nil, 1)
	n.Start()
	f.n.Receive(9, nil)
	if got := n.lastRejection(); !strings.HasPrefix(got, "decode: ") {
		t.Errorf("rejection %q, want a decode error", got)
	}
}

// TestBlockTimeAfterParent: a miner stamps its block with its clock, or one
// nanosecond after the parent when its clock is behind the parent's stamp.
func TestBlockTimeAfterParent(t *testing.T) {
	n := validator(t)
	n.Run(50)
	node := n.nodes[0]
	for _, tt := range []struct{ parent, want int64 }{{100, 101}, {49, 50}, {10, 50}} {
		if got := node.blockTime(parentAt(1, tt.parent, nil)); got != tt.want {
			t.Errorf("clock 50, parent at %d: %d, want %d", tt.parent, got, tt.want)
		}
	}
}

// TestThresholdDecayFromParentTime: decay counts from the parent's stamp,
// not from genesis.
func TestThresholdDecayFromParentTime(t *testing.T) {
	cfg := testConfig(t, 0, false)
	cfg.ThresholdInitial, cfg.ThresholdMin, cfg.ThresholdDecay, cfg.TargetInterval = 0.95, 0.90, 0.01, 60e9
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p := parentAt(3, 1000e9, nil)
	p.Payload.hdr.Threshold = 950000
	for _, tt := range []struct {
		t    int64
		want uint32
	}{{1000e9 + 119e9, 950000}, {1000e9 + 120e9, 940000}, {1000e9 + 240e9, 930000}} {
		if got := n.thresholdAt(p, tt.t); got != tt.want {
			t.Errorf("parent at 1000 s, child at %d s: %d, want %d", tt.t/1e9, got, tt.want)
		}
	}
}

// TestProblemForShapes: the block on top of P must solve the ledger's next
// problem if it names the default data (digits: 10 classes, 1x8x8) with an
// unspecified (all zero) or equal shape; otherwise the default problem.
func TestProblemForShapes(t *testing.T) {
	n := validator(t).nodes[0]
	sub := testKey(5)
	for _, tt := range []struct {
		name          string
		dataset       string
		classes       uint16
		c, h, w       uint16
		servesProblem bool
	}{
		{"unspecified shape", "digits", 10, 0, 0, 0, true},
		{"same shape", "digits", 10, 1, 8, 8, true},
		{"other width", "digits", 10, 1, 8, 9, false},
		{"other channels", "digits", 10, 3, 8, 8, false},
		{"other height", "digits", 10, 1, 7, 8, false},
		{"other classes", "digits", 9, 0, 0, 0, false},
		{"other data", "fashion", 10, 0, 0, 0, false},
	} {
		p := &ledger.Problem{Submitter: ledger.AddressOfKey(sub), Dataset: tt.dataset, Classes: tt.classes,
			InC: tt.c, InH: tt.h, InW: tt.w, TrainFrac: 700, ValFrac: 100, TestFrac: 200, Fee: 5}
		if err := p.Sign(sub); err != nil {
			t.Fatal(err)
		}
		st := ledger.NewState()
		if _, err := st.Apply(ledger.BlockEffects{Miner: ledger.AddressOfKey(sub), Reward: 10}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Apply(ledger.BlockEffects{Txs: []ledger.Tx{p}}); err != nil {
			t.Fatal(err)
		}
		want := [32]byte{}
		if tt.servesProblem {
			want = p.ID()
		}
		id, d := n.problemFor(st, [32]byte{1})
		if id != want || d != &n.cfg.Default {
			t.Errorf("%s: problem %x, want %x", tt.name, id[:4], want[:4])
		}
	}
}

// TestDecodeBlockBounds: a block message shorter than a header and the
// model length is an error (never a panic), and a model of exactly
// MaxModelSize bytes decodes.
func TestDecodeBlockBounds(t *testing.T) {
	for _, l := range []int{0, HeaderSize - 4, HeaderSize - 1, HeaderSize, HeaderSize + 2, HeaderSize + 3} {
		msg := append([]byte{byte(MsgBlock)}, make([]byte, l)...)
		if _, err := DecodeMessage(msg); err == nil {
			t.Errorf("block message of %d bytes decoded", l)
		}
	}
	h := Header{Version: Version, Height: 1}
	b := Block{Header: h, Model: make([]byte, MaxModelSize)}
	m, err := DecodeMessage(AppendBlock(nil, &b))
	if err != nil || len(m.Block.Model) != MaxModelSize {
		t.Fatalf("model of MaxModelSize bytes: %v", err)
	}
}

// TestJobAccountingAndKeys: the validation accuracy is correct/n; the
// evaluation cost scales with VerifyScale; continue-mode attempts from
// different models have different keys (shared results must not mix).
func TestJobAccountingAndKeys(t *testing.T) {
	if got := (&TrainResult{ValCorrect: 3, ValN: 4}).ValAccuracy(); got != 0.75 {
		t.Errorf("ValAccuracy 3/4 = %v", got)
	}
	if got := (&TrainResult{}).ValAccuracy(); got != 0 {
		t.Errorf("ValAccuracy 0/0 = %v", got)
	}
	d := digitsData(t)
	a, _ := nn.ParseArch("fc16-relu", 1, 8, 8, 10)
	m, _ := nn.NewModel(a, 1)
	// fc16-relu: 2394 forward FLOPs per sample, counted (the simulator
	// scales the JobEval class, not the job).
	e := &EvalJob{Model: m, Test: d.Test}
	if got, want := e.FLOPs(), float64(d.Test.Len())*2394; got != want {
		t.Errorf("eval FLOPs: %v, want %v", got, want)
	}
	base := TrainJob{Arch: a, Data: d, Seed: 1, Train: nn.TrainConfig{Epochs: 1, Batch: 32, LR: 0.05, Momentum: 0.9}}
	j1, j2 := base, base
	j1.From, j2.From = []byte{1}, []byte{2}
	if j1.Key() == j2.Key() || j1.Key() == base.Key() {
		t.Error("continue-mode jobs from different models share a key")
	}
}

// TestGetChunksLimitsAreInclusive: a request may name no chunk, up to
// MaxChunksPerRequest chunks, and chunk indices up to MaxInt32.
func TestGetChunksLimitsAreInclusive(t *testing.T) {
	full := make([]int, MaxChunksPerRequest)
	for i := range full {
		full[i] = i
	}
	for _, r := range []ChunkRequest{
		{Req: 1, Root: [32]byte{2}, Indices: []int{}},
		{Req: 3, Indices: full},
		{Req: 4, Indices: []int{0, math.MaxInt32}},
	} {
		got, err := DecodeGetChunks(AppendGetChunks(nil, &r))
		if err != nil || got.Req != r.Req || got.Root != r.Root || !slices.Equal(got.Indices, r.Indices) {
			t.Errorf("request of %d indices: %+v, %v", len(r.Indices), got.Indices, err)
		}
	}
	for _, r := range []ChunkRequest{
		{Indices: append(slices.Clone(full), 0)},
		{Indices: []int{1 << 31}},
	} {
		if _, err := DecodeGetChunks(AppendGetChunks(nil, &r)); err == nil {
			t.Errorf("request of %d indices (last %d) decoded", len(r.Indices), r.Indices[len(r.Indices)-1])
		}
	}
}

// TestRequestBookkeeping: a block announced by several peers is requested
// from the first, then from each next announcer (at most 8 are kept) after
// each timeout, and no more once all were asked; an answered request is
// dropped with its timer; at most 64 requests are outstanding.
func TestRequestBookkeeping(t *testing.T) {
	newNode := func(t *testing.T) (*testNet, *[]sent) {
		cfg := testConfig(t, 0, false)
		cfg.RequestTimeout = 10e9
		n := newTestNet(t, []Config{cfg}, nil, 1e6).start()
		return n, recordSends(n)
	}
	getData := func(log []sent, id [32]byte) []nodes.PeerID {
		var to []nodes.PeerID
		for _, s := range log {
			if string(s.msg) == string(AppendID(nil, MsgGetData, id)) {
				to = append(to, s.to)
			}
		}
		return to
	}
	t.Run("announcers", func(t *testing.T) {
		n, log := newNode(t)
		x := [32]byte{0x99}
		for p := nodes.PeerID(1); p <= 9; p++ {
			n.nodes[0].Receive(p, AppendID(nil, MsgInv, x))
		}
		if got := getData(*log, x); !slices.Equal(got, []nodes.PeerID{1}) {
			t.Fatalf("requests after 9 announcements: %v, want [1]", got)
		}
		n.Run(n.Now() + 200e9)
		if got := getData(*log, x); !slices.Equal(got, []nodes.PeerID{1, 2, 3, 4, 5, 6, 7, 8}) {
			t.Errorf("requests after the timeouts: %v, want peers 1..8 in order", got)
		}
	})
	t.Run("answered", func(t *testing.T) {
		n, log := newNode(t)
		cfg := n.nodes[0].cfg
		b, msg := validChild(t, cfg, Genesis(cfg), testKey(1), 10e9, nil)
		id := b.Header.ID()
		n.nodes[0].Receive(1, AppendID(nil, MsgInv, id))
		n.nodes[0].Receive(2, AppendID(nil, MsgInv, id))
		n.nodes[0].Receive(1, msg)
		n.Run(n.Now() + 200e9)
		if got := getData(*log, id); !slices.Equal(got, []nodes.PeerID{1}) || !n.nodes[0].Has(id) {
			t.Errorf("requests %v, want only [1] (answered)", got)
		}
	})
	t.Run("bounded", func(t *testing.T) {
		n, log := newNode(t)
		for i := range relay.MaxRequests + 1 {
			n.nodes[0].Receive(1, AppendID(nil, MsgInv, [32]byte{0x77, byte(i)}))
		}
		if got := len(*log); got != relay.MaxRequests {
			t.Errorf("%d requests for %d announced blocks, want %d", got, relay.MaxRequests+1, relay.MaxRequests)
		}
	})
}

// TestOrphanBoundDefault: MaxOrphans 0 means chain.DefaultMaxOrphans, not
// an unbounded buffer (a relay.Orphans with Max 0 keeps everything, which
// a peer flooding parentless blocks would exploit).
func TestOrphanBoundDefault(t *testing.T) {
	for _, tc := range []struct{ set, want int }{{0, chain.DefaultMaxOrphans}, {3, 3}} {
		cfg := testConfig(t, 0, false)
		cfg.MaxOrphans = tc.set
		n, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got := n.maxOrphans(); got != tc.want {
			t.Errorf("MaxOrphans %d: bound %d, want %d", tc.set, got, tc.want)
		}
	}
}
