package observe

import (
	"strconv"
	"testing"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/sim"
)

// A cheater is caught only when the max_misses rule evicts it: a miss
// alone is no detection. Outcomes decided by a block off the main chain
// do not count, and each cheater's record sums its own main-chain
// outcomes and storage rewards.
func TestCheatersCaughtOnlyByEviction(t *testing.T) {
	cfg := Config{Protocol: "coinai", Nodes: []Node{
		{Role: "miner", Hardware: "cpu", FLOPS: 1, Miner: true},
		{Role: "storage", Hardware: "disk"},
		{Role: "storage", Hardware: "disk"}, // lazy: misses twice, evicted (max_misses 2)
		{Role: "storage", Hardware: "disk"}, // outsource: misses once, never evicted
	}, Storage: &Storage{Replication: 2, Cheats: map[int32]string{2: "lazy", 3: "outsource"}}}
	o := New(cfg, stubHost{})
	blk := func(h int) [32]byte { return [32]byte{byte(h), 0xb} }
	stale := [32]byte{4, 0x5}
	model := blk(1)
	for h := 1; h <= 4; h++ {
		o.Observe(0, sim.Time(h)*10*sec, nodes.Event{Kind: nodes.EvMined, Block: blk(h), Parent: blk(h - 1), Height: int64(h)})
		for n := int32(1); n <= 3; n++ {
			o.Observe(n, sim.Time(h)*10*sec+sec, nodes.Event{Kind: nodes.EvAccepted, Block: blk(h), Height: int64(h)})
		}
	}
	// A competitor of block 4 that nobody else accepted: off the main chain.
	o.Observe(0, 41*sec, nodes.Event{Kind: nodes.EvMined, Block: stale, Parent: blk(3), Height: 4})

	proof := func(b [32]byte, holder int, note string, next int64) {
		o.Observe(0, 0, nodes.Event{Kind: nodes.EvProof, Block: b, Parent: model, Miner: nodes.PeerID(holder), Note: note, Height: next})
		if note == "valid" {
			o.Observe(0, 0, nodes.Event{Kind: nodes.EvReward, Block: b, Miner: nodes.PeerID(holder), Value: 0.5, Note: "storage"})
		}
	}
	// Block 2: everyone proves.
	proof(blk(2), 1, "valid", 2)
	proof(blk(2), 2, "valid", 2)
	proof(blk(2), 3, "valid", 2)
	// Block 3: both cheaters miss once.
	proof(blk(3), 2, "missed", 3)
	proof(blk(3), 3, "missed", 3)
	// Block 4: node 2 misses again and is evicted (successor node 1);
	// node 3 proves.
	proof(blk(4), 2, "missed", 4)
	proof(blk(4), 2, "evicted", 1)
	proof(blk(4), 3, "valid", 4)
	// The stale block would have evicted node 3 and paid node 2.
	proof(stale, 3, "missed", 4)
	proof(stale, 3, "evicted", 1)
	proof(stale, 2, "valid", 4)

	res := o.Result(Totals{End: 50 * sec, NodeEnergy: make([]float64, 4), NodeBusy: make([]sim.Time, 4),
		BytesSent: make([]int64, 4), BytesRecv: make([]int64, 4)})
	if !res.Blocks[3].Main || res.Blocks[4].Main {
		t.Fatalf("main chain: block 4 main %v, its competitor main %v", res.Blocks[3].Main, res.Blocks[4].Main)
	}
	s := Summarize(res, nil)
	want := []CheaterRec{
		{Node: 2, Kind: "lazy", Valid: 1, Missed: 2, ChallengesToCatch: 2, Evicted: 1, Caught: true, ChallengesToEvict: 3, Rewards: 0.5},
		{Node: 3, Kind: "outsource", Valid: 2, Missed: 1, ChallengesToCatch: 2, Evicted: 0, Caught: false, ChallengesToEvict: 0, Rewards: 1},
	}
	if len(s.StorageCheaters) != len(want) {
		t.Fatalf("storage_cheaters %+v, want %+v", s.StorageCheaters, want)
	}
	for i := range want {
		if s.StorageCheaters[i] != want[i] {
			t.Errorf("storage_cheaters[%d] = %+v, want %+v", i, s.StorageCheaters[i], want[i])
		}
	}
	if s.CheatersCaught == nil || *s.CheatersCaught != 1 {
		t.Errorf("cheaters_caught %s, want 1 (node 3 missed once, max_misses 2, and was never evicted)", i64s(s.CheatersCaught))
	}
	for _, k := range []struct {
		name string
		got  *int64
		want int64
	}{{"proofs_valid", s.ProofsValid, 4}, {"proofs_missed", s.ProofsMissed, 3}, {"storage_evictions", s.Evictions, 1},
		{"proofs_issued", s.ProofsIssued, 7}} {
		if k.got == nil || *k.got != k.want {
			t.Errorf("%s = %s, want %d", k.name, i64s(k.got), k.want)
		}
	}
	if got := res.Nodes[1].Rewards["storage"]; got != 0.5 {
		t.Errorf("honest holder paid %g storage coins, want 0.5", got)
	}
}

// i64s formats an optional count of summary.json.
func i64s(p *int64) string {
	if p == nil {
		return "null"
	}
	return strconv.FormatInt(*p, 10)
}
