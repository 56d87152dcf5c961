package coinai

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/grammar"
	"github.com/coinai/coinai/nodes/ledger"
	"github.com/coinai/coinai/nodes/nn"
)

func spotConfig(t testing.TB, id int, miner bool, every, q int) Config {
	c := testConfig(t, id, miner)
	c.SpotCheck = SpotCheckConfig{Every: every, Segments: q}
	return c
}

// spotJobFor is the training attempt of key's owner on prev under cfg,
// logging checkpoints.
func spotJobFor(t testing.TB, cfg Config, prev [32]byte, key []byte) *TrainJob {
	t.Helper()
	d := &cfg.Default
	a, err := grammar.Decode(prev, cfg.Ranges, d.Train.C, d.Train.H, d.Train.W, d.Train.Classes)
	if err != nil {
		t.Fatal(err)
	}
	return &TrainJob{Arch: a, Data: d, Seed: Seed(prev, ledger.AddressOfKey(key), 0),
		Train:           nn.TrainConfig{Epochs: cfg.Epochs, Batch: cfg.Batch, LR: cfg.LR, Momentum: cfg.Momentum, Serial: true},
		Labels:          LabelsFor(&cfg, prev),
		CheckpointEvery: cfg.SpotCheck.Every}
}

// spotBlock signs a block on parent carrying model and log.
func spotBlock(t testing.TB, cfg Config, parent Header, key []byte, ts int64, model []byte, log []SpotCheckpoint) (Block, []byte) {
	t.Helper()
	leaves := spotLeaves(log)
	h := Header{Version: Version, Prev: parent.ID(), Height: parent.Height + 1, Time: ts,
		Model: SpotCommitment(model, SpotLogRoot(leaves)), TxRoot: TxRoot(nil), Accuracy: 900000, Threshold: Genesis(cfg).Threshold}
	if err := h.Sign(key); err != nil {
		t.Fatal(err)
	}
	b := Block{Header: h, Model: model, Spot: buildSpotProof(h.ID(), log, leaves, cfg.SpotCheck.Segments)}
	return b, AppendBlock(nil, &b)
}

// TestSpotCheckHonestAndSpoofed: an honest logged training passes every
// draw; a spoofed log (a re-used model, half the segments real) passes
// exactly when the draw misses its fabricated segments, at validators
// that re-train the drawn segments for real; a tampered proof fails.
func TestSpotCheckHonestAndSpoofed(t *testing.T) {
	const every, q = 8, 2
	cfg := spotConfig(t, 0, false, every, q)
	g := Genesis(cfg)
	key := testKey(1)
	r := spotJobFor(t, cfg, g.ID(), key).Run().(*TrainResult)
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	total := SpotSteps(cfg.Default.Train.Len(), cfg.Batch, cfg.Epochs)
	if len(r.Checkpoints) != spotCount(total, every) {
		t.Fatalf("%d checkpoints for %d steps every %d", len(r.Checkpoints), total, every)
	}
	// The honest block: accepted.
	n := newTestNet(t, []Config{cfg}, nil, 1e6).start()
	_, msg := spotBlock(t, cfg, g, key, 1e9, r.Model, r.Checkpoints)
	n.deliver(msg)
	if len(n.Events(nodes.EvAccepted)) != 1 {
		t.Fatalf("honest logged block not accepted: %q", n.lastRejection())
	}
	// A message without the log, and one with a flipped checkpoint value.
	m, err := DecodeMessage(msg)
	if err != nil || m.Block.Spot == nil || m.Type != MsgBlock {
		t.Fatalf("spot block does not decode: %v", err)
	}
	tampered := m.Block
	tampered.Spot = &SpotProof{Leaves: m.Block.Spot.Leaves, Ckpts: slices.Clone(m.Block.Spot.Ckpts)}
	c := tampered.Spot.Ckpts[len(tampered.Spot.Ckpts)-1]
	c.Params = slices.Clone(c.Params)
	c.Params[0] = math.Nextafter32(c.Params[0], 1)
	tampered.Spot.Ckpts[len(tampered.Spot.Ckpts)-1] = c
	n2 := newTestNet(t, []Config{cfg}, nil, 1e6).start()
	n2.deliver(AppendBlock(nil, &tampered))
	if got := n2.lastRejection(); got != errTraining.Error() {
		t.Errorf("tampered checkpoint: rejection %q, want %q", got, errTraining)
	}
	noLog := m.Block
	noLog.Spot = nil
	n3 := newTestNet(t, []Config{cfg}, nil, 1e6).start()
	n3.deliver(AppendBlock(nil, &noLog))
	if got := n3.lastRejection(); got != errCommitment.Error() {
		t.Errorf("block without its log: rejection %q, want %q", got, errCommitment)
	}

	// Spoofed: the honest model re-used on another parent of the same
	// architecture would need bind = none; here the miner's own model
	// with a fabricated log stands for any copy.
	tj := spotJobFor(t, cfg, g.ID(), testKey(2))
	segs := len(r.Checkpoints) - 1
	fake := SpoofMarks(segs, 0.5, rand.New(rand.NewPCG(1, 2)).Perm(segs-1))
	if nf := countTrue(fake); nf != segs-int(math.Round(0.5*float64(segs))) {
		t.Fatalf("%d of %d segments fabricated", nf, segs)
	}
	log, err := FabricateLog(tj, every, r.Model, fake)
	if err != nil {
		t.Fatal(err)
	}
	passed, caught := 0, 0
	for ts := int64(1); passed == 0 || caught == 0; ts++ {
		if ts > 64 {
			t.Fatalf("64 stamps: %d passed, %d caught", passed, caught)
		}
		b, _ := spotBlock(t, cfg, g, testKey(2), ts*1e9, r.Model, log)
		job := &SpotCheckJob{Train: *tj, Every: every, ID: b.Header.ID(), Commitment: b.Header.Model, Q: q,
			Proof: b.Spot, Model: mustModel(t, r.Model), Test: cfg.Default.Test}
		job.Train.CheckpointEvery = 0
		err := job.Check()
		wantPass := !slices.ContainsFunc(job.Segments(), func(s int) bool { return fake[s] })
		if (err == nil) != wantPass {
			t.Fatalf("draw %v (fabricated %v): check %v", job.Segments(), fake, err)
		}
		if wantPass {
			passed++
		} else {
			caught++
		}
	}
}

func countTrue(b []bool) (n int) {
	for _, v := range b {
		if v {
			n++
		}
	}
	return n
}

func mustModel(t testing.TB, b []byte) *nn.Model {
	t.Helper()
	m, err := nn.UnmarshalModel(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// binom is C(n, k).
func binom(n, k int) float64 {
	if k < 0 || k > n {
		return 0
	}
	v := 1.0
	for i := range k {
		v = v * float64(n-i) / float64(i+1)
	}
	return v
}

// TestSpoofSuccessVsQ measures the spoofer's chance that a block's draw
// misses every fabricated segment, over 4,000 block ids per q, against
// C(r, q)/C(S, q) (r of S segments real), and how grinding (G block ids
// tried) turns it into 1 − (1 − p)^G. The exact re-run that decides a
// drawn segment is TestSpotCheckHonestAndSpoofed's.
func TestSpoofSuccessVsQ(t *testing.T) {
	const segs, trials = 20, 4000
	fake := SpoofMarks(segs, 0.5, rand.New(rand.NewPCG(3, 4)).Perm(segs-1))
	real := segs - countTrue(fake)
	for _, q := range []int{1, 2, 4, 8} {
		pass := 0
		for i := range trials {
			var id [32]byte
			binary.LittleEndian.PutUint64(id[:], uint64(i))
			id = sha256.Sum256(id[:])
			if !slices.ContainsFunc(SpotSegments(id, segs, q), func(s int) bool { return fake[s] }) {
				pass++
			}
		}
		p := binom(real, q) / binom(segs, q)
		got := float64(pass) / trials
		se := math.Sqrt(p*(1-p)/trials) + 1e-9
		t.Logf("q=%d: spoof passes %.4f of draws (C(%d,%d)/C(%d,%d) = %.4f); with 64 re-stamps 1-(1-p)^64 = %.4f",
			q, got, real, q, segs, q, p, 1-math.Pow(1-p, 64))
		if math.Abs(got-p) > 4*se+0.002 {
			t.Errorf("q=%d: measured %.4f, want %.4f ± %.4f", q, got, p, 4*se)
		}
	}
	// The draw: distinct, ascending, within range, and all segments once q >= S.
	var id [32]byte
	if got := SpotSegments(id, 5, 9); !slices.Equal(got, []int{0, 1, 2, 3, 4}) {
		t.Errorf("SpotSegments(q > S) = %v", got)
	}
}

// TestSpotCheckCost compares the verification FLOPs of one block: the
// paper's evaluation, spot-checking q segments, and the lottery's full
// re-training.
func TestSpotCheckCost(t *testing.T) {
	cfg := spotConfig(t, 0, false, 4, 1)
	g := Genesis(cfg)
	tj := spotJobFor(t, cfg, g.ID(), testKey(1))
	tj.Train.Epochs = 2
	m, _ := nn.NewModel(tj.Arch, 1)
	eval := (&EvalJob{Model: m, Test: cfg.Default.Test}).FLOPs()
	retrain := (&RetrainJob{Train: *tj, Test: cfg.Default.Test}).FLOPs()
	total := SpotSteps(cfg.Default.Train.Len(), cfg.Batch, 2)
	segs := spotCount(total, 4) - 1
	prev := 0.0
	for _, q := range []int{1, 2, 5, segs} {
		j := &SpotCheckJob{Train: *tj, Every: 4, Q: q, Test: cfg.Default.Test}
		f := j.FLOPs()
		t.Logf("q=%d of %d segments: %.3g FLOPs = %.2f× evaluation, %.3f of the lottery's re-training", q, segs, f, f/eval, f/retrain)
		if f <= prev || f <= eval {
			t.Errorf("q=%d: %.3g FLOPs not above q-1's %.3g and evaluation's %.3g", q, f, prev, eval)
		}
		prev = f
	}
	// All segments: the whole training (without the validation pass) and the evaluation.
	full := tj.Arch.TrainFLOPs(cfg.Default.Train.Len(), 2) + eval
	if math.Abs(prev-full) > 1e-6*full {
		t.Errorf("every segment: %.6g FLOPs, want the training's %.6g", prev, full)
	}
}

// TestSpoofAttackerRole runs a spoofer among honest miners (bind none,
// so that a copy is useful): with q = 1 and real segments it wins
// blocks, every one accepted by honest validators after their re-run;
// with q above its real segments no draw passes and it publishes none.
func TestSpoofAttackerRole(t *testing.T) {
	for _, tc := range []struct {
		q       int
		real    float64
		wantWin bool
	}{{1, 0.5, true}, {4, 0.5, false}} { // 5 segments, 3 real
		var cfgs []Config
		for i := range 4 {
			cfgs = append(cfgs, spotConfig(t, i, true, 8, tc.q))
		}
		cfgs[3].Attack = AttackConfig{Kind: AttackSpoof, PerturbBytes: 1, Fallback: FallbackIdle, Grind: 8, RealFraction: tc.real}
		n := newTestNet(t, cfgs, [][2]int{{0, 1}, {1, 2}, {2, 3}, {3, 0}}, 50e6)
		n.start()
		n.Run(400e9)
		n.stopMining()
		n.Run(600e9)
		spoofed, won := 0, 0
		for _, o := range n.Events(nodes.EvMined) {
			if o.Node == 3 {
				spoofed++
			}
		}
		for _, id := range n.nodes[0].MainChain()[1:] {
			if h, _ := n.nodes[0].Header(id); h.Miner == n.nodes[3].Address() {
				won++
			}
		}
		t.Logf("q=%d: %d draws tried, %d spoofed blocks published, %d of %d main-chain blocks won, rejections %d",
			tc.q, n.nodes[3].SpoofTries(), spoofed, won, len(n.nodes[0].MainChain())-1, len(n.Events(nodes.EvRejected)))
		if tc.wantWin && won == 0 {
			t.Errorf("q=%d: the spoofer won no block", tc.q)
		}
		if !tc.wantWin && (won != 0 || spoofed != 0) {
			t.Errorf("q=%d: the spoofer published %d and won %d blocks", tc.q, spoofed, won)
		}
		if tc.wantWin && n.nodes[3].SpoofTries() == 0 {
			t.Errorf("q=%d: the spoofer never tried", tc.q)
		}
	}
}

// TestSpotBlockEncoding: a spot block re-encodes to its bytes, and every
// truncation or a flipped length is an error, never a panic or a block.
func TestSpotBlockEncoding(t *testing.T) {
	cfg := spotConfig(t, 0, false, 8, 2)
	g := Genesis(cfg)
	r := spotJobFor(t, cfg, g.ID(), testKey(1)).Run().(*TrainResult)
	_, msg := spotBlock(t, cfg, g, testKey(1), 1e9, r.Model, r.Checkpoints)
	m, err := DecodeMessage(msg)
	if err != nil || m.Block.Spot == nil {
		t.Fatal(err)
	}
	if again := AppendBlock(nil, &m.Block); !slices.Equal(again, msg) {
		t.Fatal("a spot block does not re-encode to its bytes")
	}
	if len(m.Block.Spot.Leaves) != len(r.Checkpoints) || len(m.Block.Spot.Ckpts) < 2 || len(m.Block.Spot.Ckpts) > 4 {
		t.Errorf("%d leaves, %d checkpoints", len(m.Block.Spot.Leaves), len(m.Block.Spot.Ckpts))
	}
	for n := 0; n < len(msg); n += 1 + n/50 {
		if _, err := DecodeMessage(msg[:n]); err == nil {
			t.Fatalf("a truncation to %d of %d bytes decodes", n, len(msg))
		}
	}
	for _, off := range []int{1, 1 + 4 + len(m.Block.Spot.Leaves)*64} { // leaf count, checkpoint count
		bad := slices.Clone(msg)
		binary.LittleEndian.PutUint32(bad[off:], 0xfffffff0)
		if _, err := DecodeMessage(bad); err == nil {
			t.Errorf("a count of 2^32-16 at offset %d decodes", off)
		}
	}
}
