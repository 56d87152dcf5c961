package coinai

import (
	"testing"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/grammar"
	"github.com/coinai/coinai/nodes/ledger"
	"github.com/coinai/coinai/nodes/nn"
)

// This file pins the five requirements that Baldominos and Saez (Entropy
// 21(8):723, 2019, Section 3) set for a proof-of-useful-work, in the style
// of etcd raft's raft_paper_test.go. The requirement texts below are our
// paraphrases of the paper's list.

// Requirement 1: "The problem must be hard to solve."
//
// An untrained network of the derived architecture fails the threshold, a
// trained one passes, and the training work an attempt declares is exactly
// nn's count for its epochs plus the validation pass.
func TestPaperProblemIsHard(t *testing.T) {
	cfg := testConfig(t, 0, false)
	d := &cfg.Default
	g := Genesis(cfg)
	a, err := grammar.Decode(g.ID(), cfg.Ranges, 1, 8, 8, 10)
	if err != nil {
		t.Fatal(err)
	}
	for seed := range uint64(8) {
		m, err := nn.NewModel(a, seed)
		if err != nil {
			t.Fatal(err)
		}
		if c := correct(m, d.Test); passes(c, d.Test.Len(), g.Threshold) {
			t.Errorf("untrained %s (seed %d) passes: %d/%d correct", a, seed, c, d.Test.Len())
		}
	}
	r := trainFor(t, cfg, g.ID(), ledger.AddressOfKey(testKey(1)), 0, 1)
	m, _ := nn.UnmarshalModel(r.Model)
	if c := correct(m, d.Test); !passes(c, d.Test.Len(), g.Threshold) {
		t.Errorf("trained %s fails: %d/%d correct", a, c, d.Test.Len())
	}

	// fc16-relu on 8x8 inputs: forward 2*64*16+16 + 2*16*10+10 = 2394,
	// backward 2*64*16+16 + 2*16*10+10 + 2*16*10 = 2714 FLOPs per sample.
	fc16, _ := nn.ParseArch("fc16-relu", 1, 8, 8, 10)
	j := &TrainJob{Arch: fc16, Data: d, Train: nn.TrainConfig{Epochs: 3}}
	want := float64(d.Train.Len())*3*(2394+2714) + float64(d.Val.Len())*2394
	if got := j.FLOPs(); got != want {
		t.Errorf("attempt FLOPs %v, want %v", got, want)
	}
}

// Requirement 2: "The previous block hash must be a variable of the
// problem."
//
// Different parents give different architectures and seeds, and a model
// trained for one parent is rejected on another.
func TestPaperHashIsVariable(t *testing.T) {
	n := validator(t)
	cfg := n.nodes[0].cfg
	g := Genesis(cfg)
	k1, k2 := testKey(1), testKey(2)
	a1, m1 := validChild(t, cfg, g, k1, 10e9, nil)
	// Find a sibling whose architecture differs from a1's (the time field
	// changes its id).
	var b1 Block
	var mb1 []byte
	archOf := func(h Header) string {
		a, _ := grammar.Decode(h.ID(), cfg.Ranges, 1, 8, 8, 10)
		return a.String()
	}
	for ts := int64(11e9); ; ts += 1e9 {
		b1, mb1 = validChild(t, cfg, g, k2, ts, nil)
		if archOf(b1.Header) != archOf(a1.Header) {
			break
		}
	}
	if Seed(a1.Header.ID(), ledger.AddressOfKey(k1), 0) == Seed(b1.Header.ID(), ledger.AddressOfKey(k1), 0) {
		t.Error("seeds equal for different parents")
	}
	n.deliver(m1)
	n.deliver(mb1)
	if !n.nodes[0].Has(a1.Header.ID()) || !n.nodes[0].Has(b1.Header.ID()) {
		t.Fatalf("valid siblings not accepted: %q", n.lastRejection())
	}
	// A model trained for parent a1, submitted on parent b1.
	r := trainFor(t, cfg, a1.Header.ID(), ledger.AddressOfKey(k1), 0, 1)
	_, msg := makeBlock(t, b1.Header, r.Model, k1, 20e9, g.Threshold, nil)
	n.deliver(msg)
	if got := n.lastRejection(); got != "wrong-architecture" {
		t.Errorf("model for another parent: rejection %q, want wrong-architecture", got)
	}
}

// Requirement 3: "Mining must be competitive: the first miner whose
// solution is valid wins the block."
//
// Of two valid blocks at one height a node keeps the first it saw; the
// second becomes its tip only when its chain gains more work.
func TestPaperFirstSolutionWins(t *testing.T) {
	n := validator(t)
	cfg := n.nodes[0].cfg
	g := Genesis(cfg)
	x, mx := validChild(t, cfg, g, testKey(1), 10e9, nil)
	y, my := validChild(t, cfg, g, testKey(2), 9e9, nil) // earlier timestamp, later arrival
	n.deliver(mx)
	n.deliver(my)
	if tip, _ := n.nodes[0].Tip(); tip != x.Header.ID() {
		t.Fatalf("tip %x, want the first seen %x", tip[:4], x.Header.ID())
	}
	if !n.nodes[0].Has(y.Header.ID()) {
		t.Fatalf("second valid block not kept: %q", n.lastRejection())
	}
	z, mz := validChild(t, cfg, y.Header, testKey(2), 20e9, nil)
	n.deliver(mz)
	tip, h := n.nodes[0].Tip()
	if tip != z.Header.ID() || h != 2 {
		t.Fatalf("tip %x at %d, want %x at 2", tip[:4], h, z.Header.ID())
	}
	tips := n.Events(nodes.EvTip)
	if last := tips[len(tips)-1].Ev; last.Value != 1 {
		t.Errorf("reorg undid %v blocks, want 1", last.Value)
	}
}

// Requirement 4: "The validity and quality of a solution must be easy to
// verify."
//
// Verification is forward passes over the test split; one mining attempt
// costs more than 1 + 2*epochs*train/test times as much for every
// architecture of the default digits grammar, and verifying catches a
// false accuracy claim.
func TestPaperEasyToVerify(t *testing.T) {
	d := digitsData(t)
	r := grammar.DefaultRanges(1, 8, 8)
	const epochs = 3
	bound := 1 + 2*epochs*float64(d.Train.Len())/float64(d.Test.Len())
	if bound < 28 {
		t.Fatalf("bound %v: split changed?", bound)
	}
	for i := range 64 {
		var h [32]byte
		h[0], h[1], h[31] = byte(i*37), byte(i), byte(i*11)
		a, err := grammar.Decode(h, r, 1, 8, 8, 10)
		if err != nil {
			t.Fatal(err)
		}
		mine := (&TrainJob{Arch: a, Data: d, Train: nn.TrainConfig{Epochs: epochs}}).FLOPs()
		m, _ := nn.NewModel(a, 1)
		verify := (&EvalJob{Model: m, Test: d.Test}).FLOPs()
		if ratio := mine / verify; ratio < bound {
			t.Errorf("%s: mining/verification = %.1f, want >= %.1f", a, ratio, bound)
		}
	}

	// A block claiming 100% validation accuracy with an untrained model.
	n := validator(t)
	cfg := n.nodes[0].cfg
	g := Genesis(cfg)
	a, _ := grammar.Decode(g.ID(), cfg.Ranges, 1, 8, 8, 10)
	m, _ := nn.NewModel(a, 7)
	raw, _ := m.MarshalBinary()
	b, msg := makeBlock(t, g, raw, testKey(1), 10e9, g.Threshold, nil)
	if b.Header.Accuracy == 0 {
		t.Fatal("claim is empty")
	}
	n.deliver(msg)
	if got := n.lastRejection(); got != "below-threshold" {
		t.Errorf("false claim: rejection %q, want below-threshold", got)
	}
}

// Requirement 5: "Once a block is appended, all the work in progress on
// other blocks must be discarded."
//
// A miner training on the tip cancels its attempt when a valid block
// extends that tip, and restarts on the new tip.
func TestPaperWorkDiscarded(t *testing.T) {
	cfg := testConfig(t, 0, true)
	n := newTestNet(t, []Config{cfg}, nil, 1e6)
	n.FLOPS = 1e3 // an attempt takes hours
	n.start()
	g := Genesis(cfg)
	nd := n.nodes[0]
	if nd.job == 0 || nd.jobTip != g.ID() {
		t.Fatal("miner is not training on genesis")
	}
	b, msg := validChild(t, cfg, g, testKey(5), 1e9, nil)
	n.nodes[0].Receive(3, msg)
	c := n.NodeEvents(0, nodes.EvAttemptCancelled)
	if len(c) != 1 || c[0].Parent != g.ID() || c[0].Height != 1 {
		t.Fatalf("cancelled attempts %+v, want one on genesis at height 1", c)
	}
	// The evaluation (about 1e6 FLOPs) takes some 1000 s at 1 kFLOP/s; a
	// training attempt (about 1.4e7 FLOPs) four hours.
	n.Run(n.Now() + 5000e9)
	if tip, _ := nd.Tip(); tip != b.Header.ID() {
		t.Fatalf("tip %x, want the new block", tip[:4])
	}
	if nd.job == 0 || nd.jobTip != b.Header.ID() {
		t.Errorf("miner did not restart on the new tip")
	}
	if d := n.NodeEvents(0, nodes.EvAttemptDone); len(d) != 0 {
		t.Errorf("the discarded attempt completed: %+v", d)
	}
}
