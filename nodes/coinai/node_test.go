package coinai

import (
	"bytes"
	"github.com/coinai/coinai/nodes/nodestest"
	"testing"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/ledger"
)

// TestNetworkConverges runs two miners and a validator until a few blocks
// are found, drains the network and checks that every node holds the same
// chain and ledger, that the ledger pays exactly the main chain's miners,
// and that every accepted block passed the threshold on the test split.
func TestNetworkConverges(t *testing.T) {
	cfgs := []Config{testConfig(t, 0, true), testConfig(t, 1, true), testConfig(t, 2, false)}
	n := newTestNet(t, cfgs, [][2]int{{0, 1}, {1, 2}, {0, 2}}, 50e6)
	n.Speed = map[int]float64{1: 0.7}
	n.start()
	n.Run(100e9)
	n.stopMining()
	n.Run(200e9)
	mined := n.Events(nodes.EvMined)
	if len(mined) < 4 {
		t.Fatalf("%d blocks mined in 100 s, want >= 4", len(mined))
	}
	tip0, h0 := n.nodes[0].Tip()
	if h0 < 3 {
		t.Fatalf("main chain of %d blocks, want >= 3", h0)
	}
	for i, nd := range n.nodes {
		tip, h := nd.Tip()
		if tip != tip0 || h != h0 {
			t.Fatalf("node %d tip %x at %d, node 0 %x at %d", i, tip[:4], h, tip0[:4], h0)
		}
		if nd.State().Digest() != n.nodes[0].State().Digest() {
			t.Fatalf("node %d ledger digest differs", i)
		}
		if err := nd.State().CheckConservation(); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := n.nodes[0].State().Minted(), ledger.Amount(h0)*cfgs[0].BlockReward; got != want {
		t.Errorf("minted %v after %d blocks, want %v", got, h0, want)
	}
	var paid ledger.Amount
	for i := range 2 {
		paid += n.nodes[2].Balance(n.nodes[i].Address())
	}
	if want := ledger.Amount(h0) * cfgs[0].BlockReward; paid != want {
		t.Errorf("miners hold %v, want %v", paid, want)
	}
	for _, o := range n.Events(nodes.EvAccepted) {
		if o.Ev.Value < 0.5 {
			t.Errorf("node %d accepted block at %d with test accuracy %v < 0.5", o.Node, o.Ev.Height, o.Ev.Value)
		}
	}
	if r := n.Events(nodes.EvRejected); len(r) != 0 {
		t.Errorf("honest network rejected %d blocks, first %q", len(r), r[0].Ev.Note)
	}
}

// TestProblemsAndFees: a funded miner submits a problem on the default
// data set and a transfer; a later block solves the problem, its miner
// reports the escrowed fee and the transfer fee as rewards, and every node
// ends with the same ledger and no open problem.
func TestProblemsAndFees(t *testing.T) {
	cfgs := []Config{testConfig(t, 0, true), testConfig(t, 1, true), testConfig(t, 2, false)}
	n := newTestNet(t, cfgs, [][2]int{{0, 1}, {1, 2}, {0, 2}}, 50e6)
	n.Speed = map[int]float64{1: 0.7}
	n.start()
	n2 := n.nodes[2]
	k0 := cfgs[0].Key
	a0 := ledger.AddressOfKey(k0)
	for i := 0; n2.Balance(a0) == 0; i++ {
		if i > 100 {
			t.Fatal("miner 0 never got a reward")
		}
		n.Run(n.Now() + 10e9)
	}
	p := &ledger.Problem{Submitter: a0, Dataset: "digits", Classes: 10, TrainFrac: 700, ValFrac: 150, TestFrac: 150,
		SplitSeed: 42, Fee: 3 * ledger.Coin, Nonce: n2.State().Nonce(a0)}
	tr := &ledger.Transfer{From: a0, To: ledger.AddressOfKey(testKey(7)), Amount: ledger.Coin, Fee: 1000, Nonce: p.Nonce + 1}
	for _, tx := range []ledger.Tx{p, tr} {
		if err := tx.Sign(k0); err != nil {
			t.Fatal(err)
		}
		if err := n2.SubmitTx(tx); err != nil {
			t.Fatal(err)
		}
	}
	n.Run(n.Now() + 150e9)
	n.stopMining()
	n.Run(n.Now() + 100e9)
	var problemPaid, feePaid bool
	for _, o := range n.Events(nodes.EvReward) {
		problemPaid = problemPaid || o.Ev.Note == "problem" && o.Ev.Value == 3
		feePaid = feePaid || o.Ev.Note == "fee" && o.Ev.Value == 1000.0/float64(ledger.Coin)
	}
	if !problemPaid || !feePaid {
		t.Errorf("reward events: problem fee paid %v, transfer fee paid %v", problemPaid, feePaid)
	}
	for i, nd := range n.nodes {
		st := nd.State()
		if len(st.OpenProblems()) != 0 || st.Escrowed() != 0 {
			t.Errorf("node %d: open problems %d, escrow %v", i, len(st.OpenProblems()), st.Escrowed())
		}
		if st.Digest() != n2.State().Digest() {
			t.Errorf("node %d ledger differs", i)
		}
		if got := nd.Balance(ledger.AddressOfKey(testKey(7))); got != ledger.Coin {
			t.Errorf("node %d: payee holds %v", i, got)
		}
	}
	// Exactly one main-chain block names the problem.
	solved := 0
	for _, id := range n2.MainChain() {
		if h, _ := n2.Header(id); h.Problem == p.ID() {
			solved++
		}
	}
	if solved != 1 {
		t.Errorf("%d main-chain blocks solve the problem, want 1", solved)
	}
}

// TestContinueMode: after a failed attempt a "continue" miner trains the
// same model one more epoch instead of starting over.
func TestContinueMode(t *testing.T) {
	cfg := testConfig(t, 0, true)
	cfg.AttemptMode, cfg.ThresholdInitial = ModeContinue, 0.99
	n := newTestNet(t, []Config{cfg}, nil, 1e6).start()
	e := n.Env(0)
	first := e.Queue()[0].(*TrainJob)
	if first.From != nil || first.Train.Epochs != 1 {
		t.Fatalf("first attempt: from %d bytes, %d epochs", len(first.From), first.Train.Epochs)
	}
	want := first.Run().(*TrainResult)
	for len(n.NodeEvents(0, nodes.EvAttemptDone)) == 0 {
		n.Run(n.Now() + 1e9)
	}
	if len(n.Events(nodes.EvMined)) != 0 {
		t.Fatal("a 99% threshold was met after one epoch")
	}
	next := e.Queue()[0].(*TrainJob)
	if !bytes.Equal(next.From, want.Model) || next.Train.Epochs != 1 || next.Seed == first.Seed {
		t.Errorf("second attempt does not continue the first model with a new seed")
	}
	if next.FLOPs() != first.FLOPs() {
		t.Errorf("continuing declares %v FLOPs, a fresh 1-epoch attempt %v", next.FLOPs(), first.FLOPs())
	}
}

// TestDeterministic: the same network run twice reports the same events
// at the same times.
func TestDeterministic(t *testing.T) {
	run := func() []nodestest.Observed {
		cfgs := []Config{testConfig(t, 0, true), testConfig(t, 1, true), testConfig(t, 2, false)}
		n := newTestNet(t, cfgs, [][2]int{{0, 1}, {1, 2}}, 30e6)
		n.Speed = map[int]float64{1: 0.9}
		n.start()
		n.Run(80e9)
		return n.Observed
	}
	a, b := run(), run()
	if len(a) != len(b) || len(a) < 20 {
		t.Fatalf("runs observed %d and %d events", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("event %d differs: %+v vs %+v", i, a[i], b[i])
		}
	}
}
