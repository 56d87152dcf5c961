package coinai

import (
	"crypto/sha256"
	"github.com/coinai/coinai/nodes/nodestest"
	"sync"
	"testing"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/dataset"
	"github.com/coinai/coinai/nodes/grammar"
	"github.com/coinai/coinai/nodes/ledger"
	"github.com/coinai/coinai/nodes/nn"
)

// This file holds the test harness: a tiny in-memory network with a manual
// clock, a fixed link delay and one FIFO processor per node whose jobs run
// (synchronously, when their virtual time comes) at a fixed FLOP rate, in
// the style of etcd raft's network tests.

var (
	dataOnce sync.Once
	testData Data
)

// digitsData is the digits set split 70/15/15 with seed 1, loaded once.
func digitsData(t testing.TB) *Data {
	dataOnce.Do(func() {
		s, err := dataset.Digits()
		if err != nil {
			panic(err)
		}
		tr, va, te := s.Split(1, 0.15, 0.15)
		testData = Data{Name: "digits", Train: tr, Val: va, Test: te}
	})
	return &testData
}

// tinyRanges keeps unit tests fast: one dense layer of 16 or 32 units.
func tinyRanges() grammar.Ranges {
	return grammar.Ranges{MinFCs: 1, MaxFCs: 1, UnitChoices: []int{16, 32},
		Activations: []nn.Activation{nn.ActReLU, nn.ActTanh}}
}

func testKey(i int) []byte {
	return ledger.KeyFromSeed(sha256.Sum256([]byte{byte(i), 'k'}))
}

func testConfig(t testing.TB, id int, miner bool) Config {
	return Config{
		ID: nodes.PeerID(id), Key: testKey(id), Miner: miner,
		Default: *digitsData(t), Ranges: tinyRanges(),
		Epochs: 1, Batch: 32, LR: 0.05, Momentum: 0.9,
		TargetInterval: 60e9, ThresholdInitial: 0.5, ThresholdMin: 0.1,
		ThresholdWindow: 0, ThresholdMaxStep: 0.01,
		BlockReward: 50 * ledger.Coin, Verify: true,
	}
}

// testNet is a nodestest network of Coin.AI nodes.
type testNet struct {
	*nodestest.Net
	nodes []*Node
}

// newTestNet builds nodes from cfgs, linked both ways by links; start
// starts them.
func newTestNet(t testing.TB, cfgs []Config, links [][2]int, delay int64) *testNet {
	t.Helper()
	n := &testNet{Net: nodestest.New(delay)}
	n.nodes = nodestest.AddAll(t, n.Net, cfgs, links, 1, New)
	return n
}

// start starts every node; set Speed and Drop before.
func (n *testNet) start() *testNet {
	n.Start()
	return n
}

// trainFor trains a model for a child of prev as miner key would on
// attempt (under cfg's binding rule), returning the serialised model and
// the job's result.
func trainFor(t testing.TB, cfg Config, prev [32]byte, miner ledger.Address, attempt uint32, epochs int) *TrainResult {
	t.Helper()
	d := &cfg.Default
	a, err := grammar.Decode(prev, cfg.Ranges, d.Train.C, d.Train.H, d.Train.W, d.Train.Classes)
	if err != nil {
		t.Fatal(err)
	}
	j := &TrainJob{Arch: a, Data: d, Seed: Seed(prev, miner, attempt),
		Train:  nn.TrainConfig{Epochs: epochs, Batch: cfg.Batch, LR: cfg.LR, Momentum: cfg.Momentum},
		Labels: LabelsFor(&cfg, prev)}
	r := j.Run().(*TrainResult)
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	return r
}

// makeBlock builds a signed block on parent with the given model bytes.
func makeBlock(t testing.TB, parent Header, model []byte, key []byte, time int64, thr uint32, txs []ledger.Tx) (Block, []byte) {
	t.Helper()
	h := Header{Version: Version, Prev: parent.ID(), Height: parent.Height + 1, Time: time,
		Model: sha256.Sum256(model), TxRoot: TxRoot(txs), Accuracy: 900000, Threshold: thr}
	if err := h.Sign(key); err != nil {
		t.Fatal(err)
	}
	b := Block{Header: h, Model: model, Txs: txs}
	return b, AppendBlock(nil, &b)
}

// stopMining turns every miner off so that the network can drain.
func (n *testNet) stopMining() {
	for _, nd := range n.nodes {
		nd.cfg.Miner = false
		nd.cancelAttempt()
	}
}

// validChild builds a block on parent whose model, trained for parent by
// key's owner, passes the tiny test threshold.
func validChild(t testing.TB, cfg Config, parent Header, key []byte, time int64, txs []ledger.Tx) (Block, []byte) {
	t.Helper()
	addr := ledger.AddressOfKey(key)
	r := trainFor(t, cfg, parent.ID(), addr, 0, 1)
	return makeBlock(t, parent, r.Model, key, time, Genesis(cfg).Threshold, txs)
}

// validator returns a one-node network whose node only validates.
func validator(t testing.TB) *testNet {
	return newTestNet(t, []Config{testConfig(t, 0, false)}, nil, 1e6).start()
}

// deliver hands msg to node 0 from peer 9 and runs until its verification
// is done.
func (n *testNet) deliver(msg []byte) {
	n.nodes[0].Receive(9, msg)
	n.Run(n.Now() + 1e12)
}

// lastNote returns the note of node's last EvRejected, or "".
func (n *testNet) lastRejection() string {
	r := n.Events(nodes.EvRejected)
	if len(r) == 0 {
		return ""
	}
	return r[len(r)-1].Ev.Note
}
