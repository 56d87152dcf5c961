package coinai

import (
	"slices"
	"testing"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/grammar"
	"github.com/coinai/coinai/nodes/ledger"
	"github.com/coinai/coinai/nodes/nn"
)

// This file pins the invalid-model spam, model theft and test-set leakage
// attacks of issue #13 and the options that answer them (ban_after,
// reveal = delayed-test, duplicate = chain), in the style of the re-use
// tests: each test says what it pins, and each new validity rule has a
// test that fails when the rule is removed.

// validatorWith returns a one-node network whose node only validates,
// under cfg as edited.
func validatorWith(t *testing.T, edit func(*Config)) *testNet {
	t.Helper()
	cfg := testConfig(t, 0, false)
	edit(&cfg)
	return newTestNet(t, []Config{cfg}, nil, 1e6).start()
}

// spamBlock is a block on parent whose model is an untrained network of
// parent's architecture (seeded by seed), claiming the threshold: what
// AttackSpam sends.
func spamBlock(t *testing.T, cfg Config, parent Header, key []byte, seed uint64, ts int64) []byte {
	t.Helper()
	d := &cfg.Default
	a, err := grammar.Decode(parent.ID(), cfg.Ranges, d.Train.C, d.Train.H, d.Train.W, d.Train.Classes)
	if err != nil {
		t.Fatal(err)
	}
	m, err := nn.NewModel(a, seed)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := m.MarshalBinary()
	_, msg := makeBlock(t, parent, raw, key, ts, parent.Threshold, nil)
	return msg
}

// notes counts node 0's rejections by note.
func (n *testNet) notes() map[string]int {
	out := map[string]int{}
	for _, o := range n.Events(nodes.EvRejected) {
		out[o.Ev.Note]++
	}
	return out
}

// Spam: "flood models that miss the threshold; the attack is the honest
// nodes' verification cost", and ban_after bounds it. Six spam blocks from
// one peer, one at a time or in a burst: without the ban every one is
// evaluated; with ban_after = 1 the first is, the rest are dropped (a
// burst's blocks already under evaluation are dropped with their jobs).
func TestSpamBoundedByBan(t *testing.T) {
	for _, tc := range []struct {
		name      string
		ban       int
		burst     bool
		evaluated int
	}{
		{"no ban, one at a time", 0, false, 6},
		{"no ban, burst", 0, true, 6},
		{"ban after 1, one at a time", 1, false, 1},
		{"ban after 1, burst", 1, true, 1},
		{"ban after 3, burst", 3, true, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := validatorWith(t, func(c *Config) { c.BanAfter = tc.ban })
			cfg := n.nodes[0].cfg
			g := Genesis(cfg)
			ran := n.Ran
			for i := range 6 {
				msg := spamBlock(t, cfg, g, testKey(7), uint64(i+1), int64(i+1)*1e9)
				if tc.burst {
					n.nodes[0].Receive(9, msg)
				} else {
					n.deliver(msg)
				}
			}
			n.Run(n.Now() + 1e12)
			got := n.notes()
			if got["below-threshold"] != tc.evaluated || got[NoteBannedPeer] != 6-tc.evaluated {
				t.Errorf("rejections %v, want %d below-threshold and %d dropped from the banned peer", got, tc.evaluated, 6-tc.evaluated)
			}
			if tc.ban == 0 && n.Ran-ran != 6 {
				t.Errorf("%d evaluations computed, want 6", n.Ran-ran)
			}
			if len(n.nodes[0].verifying) != 0 || n.nodes[0].waiting != 0 {
				t.Errorf("left %d blocks verifying, waiting %d", len(n.nodes[0].verifying), n.nodes[0].waiting)
			}
			// A banned peer's valid block is dropped too; another peer's
			// is accepted.
			_, good := validChild(t, cfg, g, testKey(1), 20e9, nil)
			n.nodes[0].Receive(9, good)
			n.Run(n.Now() + 1e12)
			if acc := len(n.Events(nodes.EvAccepted)); (acc == 1) != (tc.ban == 0) {
				t.Errorf("ban %d: the spammer's valid block accepted %d times", tc.ban, acc)
			}
			n.nodes[0].Receive(8, good)
			n.Run(n.Now() + 1e12)
			if acc := len(n.Events(nodes.EvAccepted)); acc != 1 {
				t.Errorf("an honest peer's valid block: %d acceptances, want 1", acc)
			}
		})
	}
}

// Malformed spam (models that do not decode) counts against its sender
// too, and costs no evaluation.
func TestSpamMalformedCountsNoEvaluation(t *testing.T) {
	n := validatorWith(t, func(c *Config) { c.BanAfter = 2 })
	cfg := n.nodes[0].cfg
	g := Genesis(cfg)
	ran := n.Ran
	for i := range 4 {
		junk := []byte("junk, not a model")
		junk[0] += byte(i)
		_, msg := makeBlock(t, g, junk, testKey(7), int64(i+1)*1e9, g.Threshold, nil)
		n.deliver(msg)
	}
	if got := n.notes(); got["bad-model"] != 2 || got[NoteBannedPeer] != 2 || n.Ran != ran {
		t.Errorf("rejections %v, %d jobs run: want 2 bad-model, 2 dropped, no evaluation", got, n.Ran-ran)
	}
}

// Only failures an honest relay cannot cause count: a duplicate model (a
// thief's copy arriving second), a block too far in the future and an
// invalid parent do not get the sender banned.
func TestBanSparesHonestFailures(t *testing.T) {
	n := validatorWith(t, func(c *Config) { c.BanAfter = 1 })
	cfg := n.nodes[0].cfg
	g := Genesis(cfg)
	good := trainFor(t, cfg, g.ID(), ledger.AddressOfKey(testKey(1)), 0, 1)
	_, orig := makeBlock(t, g, good.Model, testKey(1), 10e9, g.Threshold, nil)
	_, stolen := makeBlock(t, g, good.Model, testKey(2), 10e9, g.Threshold, nil)
	_, future := validChild(t, cfg, g, testKey(3), 5*3600e9, nil)
	n.deliver(orig)
	n.deliver(stolen)
	n.deliver(future)
	_, ok := validChild(t, cfg, g, testKey(4), 20e9, nil)
	n.deliver(ok)
	got := n.notes()
	if got["duplicate-model"] != 1 || got["future-time"] != 1 || got[NoteBannedPeer] != 0 || len(n.Events(nodes.EvAccepted)) != 2 {
		t.Errorf("rejections %v, %d accepted: want the peer kept", got, len(n.Events(nodes.EvAccepted)))
	}
	if !strikeable(errBelow) || strikeable(errDuplicate) || strikeable(errFuture) || strikeable(errBadParent) ||
		strikeable(errStolen) || strikeable(errOverloaded) || strikeable(errNoCommit) {
		t.Error("strikeable: wrong set of failures")
	}
}

// The spam attacker role on a small network: it never trains, honest
// nodes pay evaluations for its blocks and cancel attempts for them, none
// is accepted, and with ban_after = 1 each honest peer evaluates at most
// one burst before the spam stops reaching it.
func TestSpamAttackerRole(t *testing.T) {
	for _, ban := range []int{0, 1} {
		var cfgs []Config
		for i := range 4 {
			c := testConfig(t, i, true)
			c.BanAfter = ban
			cfgs = append(cfgs, c)
		}
		cfgs[3].Attack = AttackConfig{Kind: AttackSpam, Spam: SpamConfig{PerTip: 3}}
		n := newTestNet(t, cfgs, [][2]int{{0, 1}, {1, 2}, {2, 3}, {3, 0}}, 50e6)
		n.start()
		n.Run(300e9)
		n.stopMining()
		n.Run(400e9)
		sent := 0
		for _, o := range n.Events(nodes.EvNote) {
			if o.Node == 3 && o.Ev.Note == NoteSpam {
				sent++
			}
		}
		evaluated, dropped := 0, 0
		for _, o := range n.Events(nodes.EvRejected) {
			switch {
			case o.Node != 3 && o.Ev.Note == "below-threshold":
				evaluated++
			case o.Node != 3 && o.Ev.Note == NoteBannedPeer:
				dropped++
			}
		}
		for _, o := range n.Events(nodes.EvAccepted) {
			if h, ok := n.nodes[o.Node].Header(o.Ev.Block); ok && h.Miner == n.nodes[3].Address() {
				t.Fatalf("ban %d: a spam block was accepted by node %d", ban, o.Node)
			}
		}
		if d := n.NodeEvents(3, nodes.EvAttemptDone); len(d) != 0 {
			t.Errorf("the spammer trained %d times", len(d))
		}
		_, h := n.nodes[0].Tip()
		t.Logf("ban %d: %d spam sent, %d evaluated by honest nodes, %d dropped, height %d", ban, sent, evaluated, dropped, h)
		if sent < 6 || h < 2 {
			t.Fatalf("ban %d: %d spam blocks sent, height %d: the run does not exercise the attack", ban, sent, h)
		}
		// The spammer's two honest peers (0 and 2) get every block.
		if ban == 0 && evaluated != 2*sent {
			t.Errorf("no ban: %d evaluations of %d spam blocks, want %d", evaluated, sent, 2*sent)
		}
		if ban == 1 && (evaluated > 2 || evaluated+dropped != 2*sent) {
			t.Errorf("ban 1: %d evaluations and %d drops of %d spam blocks, want at most 2 evaluations", evaluated, dropped, sent)
		}
	}
}

// Commit–reveal: the deciding subset is a function of the commitment,
// distinct and sorted indices of the test split, and different for
// another miner key (so that a copied model is judged on other samples).
func TestRevealSubset(t *testing.T) {
	var w [32]byte
	w[0] = 1
	k1 := CommitKey(w, ledger.AddressOfKey(testKey(1)), [32]byte{})
	k2 := CommitKey(w, ledger.AddressOfKey(testKey(2)), [32]byte{})
	a, b, c := RevealSubset(k1, 300, 64), RevealSubset(k1, 300, 64), RevealSubset(k2, 300, 64)
	if !slices.Equal(a, b) || slices.Equal(a, c) || len(a) != 64 {
		t.Fatalf("subsets not a function of the key: %v %v %v", a, b, c)
	}
	for i, v := range a {
		if v < 0 || v >= 300 || i > 0 && v <= a[i-1] {
			t.Fatalf("subset %v: not distinct sorted indices of [0, 300)", a)
		}
	}
	if full := RevealSubset(k1, 10, 10); !slices.Equal(full, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
		t.Errorf("the whole set: %v", full)
	}
	if RevealSubset(k1, 10, 11) != nil || RevealSubset(k1, 10, 0) != nil {
		t.Error("out-of-range sizes give a subset")
	}
	cfg := testConfig(t, 0, false)
	h := Header{Model: w, Miner: ledger.AddressOfKey(testKey(1))}
	if DecidingTest(&cfg, &h) != cfg.Default.Test {
		t.Error("without reveal the whole test split must decide")
	}
	cfg.Reveal = RevealConfig{Mode: RevealDelayedTest, Delay: 1e9, Subset: 40}
	if s := DecidingTest(&cfg, &h); s.Len() != 40 || s.Y[3] != cfg.Default.Test.Y[RevealSubset(k1, cfg.Default.Test.Len(), 40)[3]] {
		t.Error("the deciding test data is not the subset")
	}
}

// Commit–reveal messages: a commitment's signature covers every field, a
// reveal without its commitment is held and verified when it arrives,
// and one with a tampered signature is refused.
func TestRevealNeedsCommitment(t *testing.T) {
	n := validatorWith(t, func(c *Config) { c.Reveal = RevealConfig{Mode: RevealDelayedTest, Delay: 2e9, Subset: 64} })
	cfg := n.nodes[0].cfg
	g := Genesis(cfg)
	b, msg := validChild(t, cfg, g, testKey(1), 10e9, nil)
	commit := appendCommit(nil, g.ID(), CommitKey(b.Header.Model, b.Header.Miner, g.ID()), 0, testKey(1))
	bad := slices.Clone(commit)
	bad[40] ^= 1
	n.deliver(bad)
	if got := n.lastRejection(); got != "commit: bad-signature" {
		t.Errorf("tampered commitment: %q", got)
	}
	n.deliver(msg)
	if n.nodes[0].Has(b.Header.ID()) || len(n.nodes[0].reveal.await) != 1 {
		t.Fatal("a reveal without its commitment was not held")
	}
	n.deliver(commit)
	if !n.nodes[0].Has(b.Header.ID()) {
		t.Fatalf("the held reveal was not accepted once committed: %q", n.lastRejection())
	}
	if _, err := decodeCommit(commit[:50]); err == nil {
		t.Error("a short commitment decodes")
	}
}

// Theft: "copy a model broadcast by a competitor for the same parent and
// re-sign it (race it to other nodes)". A validator that gets the copy
// first accepts it under today's rules (and, under duplicate = first-seen,
// then refuses the original); under commit–reveal, where the victim's
// commitment reached it before the thief's, it refuses the copy as
// stolen-model and accepts the original. The last case reverses the
// commitments' arrival: the order is what decides (the copy is accepted
// and the original refused), which is why the reveal waits a delay that
// lets the victim's commitment flood the network first.
func TestStealTodayWinsRevealRefuses(t *testing.T) {
	for _, tc := range []struct {
		name         string
		reveal       bool
		dup          string
		thiefFirst   bool // the thief's commitment arrives first (no rule)
		wantCopy     bool
		wantOriginal bool
	}{
		{"today first-seen", false, DuplicateFirstSeen, false, true, false},
		{"today chain rule", false, DuplicateChain, false, true, true},
		{"delayed-test", true, DuplicateChain, false, false, true},
		{"delayed-test, commitments reversed", true, DuplicateChain, true, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := validatorWith(t, func(c *Config) {
				c.Duplicate = tc.dup
				if tc.reveal {
					c.Reveal = RevealConfig{Mode: RevealDelayedTest, Delay: 2e9, Subset: 128}
				}
			})
			cfg := n.nodes[0].cfg
			g := Genesis(cfg)
			victim, thief := testKey(1), testKey(2)
			r := trainFor(t, cfg, g.ID(), ledger.AddressOfKey(victim), 0, 2)
			orig, om := makeBlock(t, g, r.Model, victim, 10e9, g.Threshold, nil)
			cp, cm := makeBlock(t, g, r.Model, thief, 10e9, g.Threshold, nil)
			if tc.reveal {
				vc := appendCommit(nil, g.ID(), CommitKey(orig.Header.Model, orig.Header.Miner, g.ID()), 0, victim)
				tcm := appendCommit(nil, g.ID(), CommitKey(cp.Header.Model, cp.Header.Miner, g.ID()), 0, thief)
				if tc.thiefFirst {
					vc, tcm = tcm, vc
				}
				n.deliver(vc)
				n.deliver(tcm)
			}
			n.deliver(cm)
			n.deliver(om)
			if got := n.nodes[0].Has(cp.Header.ID()); got != tc.wantCopy {
				t.Errorf("stolen copy accepted %v, want %v (rejections %v)", got, tc.wantCopy, n.notes())
			}
			if got := n.nodes[0].Has(orig.Header.ID()); got != tc.wantOriginal {
				t.Errorf("original accepted %v, want %v (rejections %v)", got, tc.wantOriginal, n.notes())
			}
			if tc.reveal && n.notes()["stolen-model"] != 1 {
				t.Errorf("rejections %v, want one stolen-model", n.notes())
			}
		})
	}
}

// The duplicate rules: under "chain" a model is a duplicate only if an
// ancestor carries it. A sibling copy is valid; the same model again on a
// descendant is not (the last check fails if the ancestor walk is
// removed).
func TestDuplicateChainRule(t *testing.T) {
	n := validatorWith(t, func(c *Config) { c.Duplicate = DuplicateChain })
	cfg := n.nodes[0].cfg
	cfg.Ranges = tinyRanges()
	g := Genesis(cfg)
	r := trainFor(t, cfg, g.ID(), ledger.AddressOfKey(testKey(1)), 0, 2)
	a, am := makeBlock(t, g, r.Model, testKey(1), 10e9, g.Threshold, nil)
	n.deliver(am)
	_, sib := makeBlock(t, g, r.Model, testKey(2), 11e9, g.Threshold, nil)
	n.deliver(sib)
	if len(n.Events(nodes.EvAccepted)) != 2 {
		t.Fatalf("sibling copy under the chain rule: %v", n.notes())
	}
	// The same model two levels down, on a parent of the same
	// architecture (the tiny grammar has four).
	arch := archOf(t, cfg, g.ID())
	var parent Header
	found := false
	for i := range 400 {
		c, cm := validChild(t, cfg, a.Header, testKey(3), 20e9+int64(i), nil)
		if archOf(t, cfg, c.Header.ID()) == arch {
			n.deliver(cm)
			parent, found = c.Header, true
			break
		}
	}
	if !found {
		t.Fatal("no child of A decodes to A's architecture")
	}
	_, again := makeBlock(t, parent, r.Model, testKey(4), 30e9, g.Threshold, nil)
	n.deliver(again)
	if got := n.lastRejection(); got != "duplicate-model" {
		t.Errorf("the model of an ancestor again: %q, want duplicate-model", got)
	}
}

// The theft attacker role on a small network whose verification is slow
// (a thief skips it): under today's rules (duplicate = chain, so that the
// network stays whole) the thief wins main-chain blocks without training;
// under commit–reveal no honest node accepts any of its copies.
func TestStealAttackerRole(t *testing.T) {
	for _, tc := range []struct {
		reveal  bool
		wantWin bool
	}{{false, true}, {true, false}} {
		var cfgs []Config
		for i := range 5 {
			c := testConfig(t, i, true)
			c.Duplicate = DuplicateChain
			if tc.reveal {
				c.Reveal = RevealConfig{Mode: RevealDelayedTest, Delay: 1e9, Subset: 128}
			}
			cfgs = append(cfgs, c)
		}
		cfgs[4].Attack = AttackConfig{Kind: AttackSteal}
		// A star around the thief plus a ring: every honest block reaches
		// the thief in one hop.
		n := newTestNet(t, cfgs, [][2]int{{0, 1}, {1, 2}, {2, 3}, {3, 0}, {4, 0}, {4, 1}, {4, 2}, {4, 3}}, 20e6)
		// At the harness's 1 MFLOP/s an evaluation takes about half a
		// second, 25 link delays.
		n.start()
		n.Run(400e9)
		n.stopMining()
		n.Run(600e9)
		thief := n.nodes[4].Address()
		stolen, foreign := 0, 0
		for _, o := range n.Events(nodes.EvMined) {
			if o.Node == 4 {
				stolen++
			}
		}
		for _, o := range n.Events(nodes.EvAccepted) {
			if h, ok := n.nodes[o.Node].Header(o.Ev.Block); o.Node != 4 && ok && h.Miner == thief {
				foreign++
			}
		}
		won := 0
		for _, id := range n.nodes[0].MainChain()[1:] {
			if h, _ := n.nodes[0].Header(id); h.Miner == thief {
				won++
			}
		}
		t.Logf("reveal %v: %d copies, %d accepted by honest nodes, %d of %d main-chain blocks won", tc.reveal, stolen, foreign, won,
			len(n.nodes[0].MainChain())-1)
		if stolen == 0 {
			t.Fatalf("reveal %v: the thief copied nothing", tc.reveal)
		}
		if tc.wantWin && won == 0 {
			t.Error("today's rules: the thief won no block")
		}
		if !tc.wantWin && (won != 0 || foreign != 0) {
			t.Errorf("commit-reveal: the thief won %d blocks, %d acceptances", won, foreign)
		}
	}
}

// Honest mining under commit–reveal: the chain grows, the nodes agree, and
// the accuracy of the accepted models is that of today's rule within the
// noise of the 64-sample subsets.
func TestRevealLeavesHonestMiningAlone(t *testing.T) {
	mean := map[bool]float64{}
	for _, reveal := range []bool{false, true} {
		var cfgs []Config
		for i := range 3 {
			c := testConfig(t, i, true)
			if reveal {
				c.Reveal = RevealConfig{Mode: RevealDelayedTest, Delay: 1e9, Subset: 64}
			}
			cfgs = append(cfgs, c)
		}
		n := newTestNet(t, cfgs, [][2]int{{0, 1}, {1, 2}, {2, 0}}, 50e6)
		n.start()
		n.Run(400e9)
		n.stopMining()
		n.Run(600e9)
		_, h := n.nodes[0].Tip()
		// Every block that passed its miner's own check was accepted by
		// every node: the reveal rules refuse no honest block.
		acc := map[[32]byte]int{}
		for _, o := range n.Events(nodes.EvAccepted) {
			acc[o.Ev.Block]++
		}
		for _, o := range n.Events(nodes.EvMined) {
			if k := acc[o.Ev.Block]; k != 0 && k != 3 {
				t.Errorf("reveal %v: block of node %d accepted by %d of 3 nodes", reveal, o.Node, k)
			}
		}
		var sum float64
		k := 0
		for _, o := range n.NodeEvents(0, nodes.EvAccepted) {
			sum += o.Value
			k++
		}
		mean[reveal] = sum / float64(k)
		t.Logf("reveal %v: height %d, mean accepted accuracy %.3f, rejections %v", reveal, h, mean[reveal], n.notes())
		if h < 3 {
			t.Fatalf("reveal %v: height %d", reveal, h)
		}
		if reveal && n.notes()["stolen-model"]+n.notes()["no-commitment"] != 0 {
			t.Errorf("honest blocks refused by the reveal rules: %v", n.notes())
		}
	}
	if d := mean[true] - mean[false]; d < -0.08 || d > 0.08 {
		t.Errorf("mean accepted accuracy %.3f under reveal against %.3f today", mean[true], mean[false])
	}
}

// Test-set leakage: "a miner that trains on it passes a higher
// threshold". Trained with the same seeds, a model that also saw the
// test split scores higher on it than the honest one, on average; under
// commit–reveal a leaking miner on the genesis block knows no test
// sample, and on a block knows exactly those its chain revealed.
func TestLeakAttackerTrainsOnTest(t *testing.T) {
	cfg := testConfig(t, 0, true)
	cfg.Attack = AttackConfig{Kind: AttackLeak, Leak: LeakConfig{Fraction: 1}}
	n := newTestNet(t, []Config{cfg}, nil, 1e6)
	nd := n.nodes[0]
	g := Genesis(cfg)
	tip := nd.tree.Tip()
	d := &cfg.Default
	a, _ := grammar.Decode(g.ID(), cfg.Ranges, d.Train.C, d.Train.H, d.Train.W, d.Train.Classes)
	leaked := nd.leakData(tip, d)
	if leaked.Train.Len() != d.Train.Len()+d.Test.Len() || leaked.Name == d.Name {
		t.Fatalf("leak data: %d samples named %q", leaked.Train.Len(), leaked.Name)
	}
	var honest, leak float64
	for s := range uint64(4) {
		for i, data := range []*Data{d, leaked} {
			j := &TrainJob{Arch: a, Data: data, Seed: s, Train: nn.TrainConfig{Epochs: 2, Batch: 32, LR: 0.05, Momentum: 0.9}}
			r := j.Run().(*TrainResult)
			m, _ := nn.UnmarshalModel(r.Model)
			acc := float64(correct(m, d.Test)) / float64(d.Test.Len())
			if i == 0 {
				honest += acc / 4
			} else {
				leak += acc / 4
			}
		}
	}
	t.Logf("test accuracy: honest %.3f, trained on the test split too %.3f", honest, leak)
	if leak <= honest+0.01 {
		t.Errorf("training on the test split gained %.3f", leak-honest)
	}

	// The role trains on it: the attempt it starts on genesis.
	n.Start()
	if q := n.Env(0).Queue(); len(q) != 1 || q[0].(*TrainJob).Data.Train.Len() != leaked.Train.Len() {
		t.Fatalf("the leak attacker's attempt does not train on the test split: %d jobs", len(q))
	}

	cfg.Reveal = RevealConfig{Mode: RevealDelayedTest, Delay: 1e9, Subset: 32}
	n = newTestNet(t, []Config{cfg}, nil, 1e6)
	nd = n.nodes[0]
	if got := nd.leakData(nd.tree.Tip(), d); got != d {
		t.Error("under commit-reveal the leaker knows test samples before any block")
	}
	b, msg := validChild(t, cfg, g, testKey(1), 10e9, nil)
	n.Start()
	nd.onCommit(9, appendCommit(nil, g.ID(), CommitKey(b.Header.Model, b.Header.Miner, g.ID()), 0, testKey(1)))
	nd.Receive(9, msg)
	n.Run(n.Now() + 1e12)
	e, ok := nd.tree.Get(b.Header.ID())
	if !ok {
		t.Fatalf("block not accepted: %v", n.notes())
	}
	want := RevealSubset(CommitKey(b.Header.Model, b.Header.Miner, g.ID()), d.Test.Len(), 32)
	if got := nd.leakIndices(e, d.Test.Len()); !slices.Equal(got, want) {
		t.Errorf("known test samples %v, want the block's subset %v", got, want)
	}
}

// The options' validation.
func TestAttack13ConfigValidation(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
		ok   bool
	}{
		{"spam", func(c *Config) { c.Attack = AttackConfig{Kind: AttackSpam, Spam: SpamConfig{PerTip: 1}} }, true},
		{"spam sends nothing", func(c *Config) { c.Attack = AttackConfig{Kind: AttackSpam} }, false},
		{"spam interval too short", func(c *Config) { c.Attack = AttackConfig{Kind: AttackSpam, Spam: SpamConfig{Interval: 10}} }, false},
		{"leak fraction 0", func(c *Config) { c.Attack = AttackConfig{Kind: AttackLeak} }, false},
		{"leak with spam params", func(c *Config) {
			c.Attack = AttackConfig{Kind: AttackLeak, Leak: LeakConfig{Fraction: 1}, Spam: SpamConfig{PerTip: 1}}
		}, false},
		{"honest with leak params", func(c *Config) { c.Attack = AttackConfig{Leak: LeakConfig{Fraction: 1}} }, false},
		{"steal", func(c *Config) { c.Attack = AttackConfig{Kind: AttackSteal} }, true},
		{"negative ban", func(c *Config) { c.BanAfter = -1 }, false},
		{"unknown duplicate rule", func(c *Config) { c.Duplicate = "never" }, false},
		{"reveal", func(c *Config) { c.Reveal = RevealConfig{Mode: RevealDelayedTest, Delay: 1, Subset: 1} }, true},
		{"reveal without delay", func(c *Config) { c.Reveal = RevealConfig{Mode: RevealDelayedTest, Subset: 1} }, false},
		{"reveal subset too big", func(c *Config) { c.Reveal = RevealConfig{Mode: RevealDelayedTest, Delay: 1, Subset: 100000} }, false},
		{"reveal none with delay", func(c *Config) { c.Reveal = RevealConfig{Delay: 1} }, false},
		{"reveal unknown", func(c *Config) { c.Reveal = RevealConfig{Mode: "later"} }, false},
	} {
		cfg := testConfig(t, 0, true)
		tc.edit(&cfg)
		if _, err := New(cfg); (err == nil) != tc.ok {
			t.Errorf("%s: New error %v, want ok %v", tc.name, err, tc.ok)
		}
	}
}
