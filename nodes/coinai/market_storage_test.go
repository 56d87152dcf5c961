package coinai

import (
	"testing"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/ledger"
)

// With proof-of-storage, the submitter of an iris problem (its client
// beside node 0, a miner that holds no model) receives the solving block's
// model from the storage nodes: downloaded in chunk messages, checked and
// scored on iris's own 30-sample test split, not the default digits'.
func TestMarketDeliveryThroughStorage(t *testing.T) {
	m, user := irisMarket(t)
	p := &ledger.Problem{Submitter: ledger.AddressOfKey(user), Dataset: "iris", Classes: 3, TrainFrac: 650, ValFrac: 150,
		TestFrac: 200, SplitSeed: 1, Deadline: 150e9, Fee: 5 * ledger.Coin}
	if err := p.Sign(user); err != nil {
		t.Fatal(err)
	}
	var cands []StorageNode
	for i := 2; i < 5; i++ {
		cands = append(cands, StorageNode{ID: int32(i), Addr: ledger.AddressOfKey(testKey(i)), Capacity: 1 << 30})
	}
	var cfgs []Config
	for i := range 5 {
		c := testConfig(t, i, i < 2)
		c.Market = &Market{Pick: m.Pick, Data: m.Data, Genesis: m.Genesis}
		if i == 0 {
			c.Market.Submit = []Submission{{At: 1e9, Tx: p}}
		}
		c.Storage = StorageConfig{Enabled: true, ChunkSize: 256, Replication: 2, ChallengeLag: 1, ChallengeInterval: 1,
			ChallengeChunks: 4, Deadline: 40e9, Reward: ledger.Coin, MaxMisses: 2, Nodes: cands}
		if i == 1 {
			c.Storage.RetrievalInterval = 20e9 // a user of random stored models
		}
		cfgs = append(cfgs, c)
	}
	links := [][2]int{{0, 1}, {0, 2}, {1, 3}, {2, 4}, {3, 4}, {1, 2}}
	net := newTestNet(t, cfgs, links, 50e6)
	net.Unshared = true // the submitter's own evaluation, not the validators' shared result
	net.start()
	net.Run(150e9)
	ds := net.nodes[0].Deliveries()
	if len(ds) != 1 {
		t.Fatalf("%d deliveries, want the iris problem's", len(ds))
	}
	d := ds[0]
	if d.Problem != p.ID() || d.Via != DeliveredFromStorage || d.Bytes <= 0 {
		t.Errorf("delivery of %x via %q in %d bytes, want problem %x from storage", d.Problem[:4], d.Via, d.Bytes, p.ID())
	}
	if d.N != m.Data[0].Data.Test.Len() || d.Correct == 0 {
		t.Errorf("scored %d/%d, want a score over iris's %d test samples", d.Correct, d.N, m.Data[0].Data.Test.Len())
	}
	if d.At <= d.Requested {
		t.Errorf("delivered at %d, requested at %d", d.At, d.Requested)
	}
	// Node 1's periodic retrievals evaluate the iris model on iris too.
	ok := 0
	for _, o := range net.Events(nodes.EvRetrieved) {
		if o.Ev.Note != "ok" {
			t.Errorf("retrieval of %x at %d: %s", o.Ev.Block[:4], o.At, o.Ev.Note)
		} else if o.Ev.Block == d.Block {
			ok++
		}
	}
	if ok == 0 {
		t.Error("node 1 never retrieved the iris model")
	}
}
