package observe

import (
	"testing"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/sim"
)

// A PoW block pays its miner the block reward though the protocol reports
// no EvReward; energy is sampled at main-chain blocks and at the end only,
// not at stale blocks.
func TestPoWRewardAndEnergyRows(t *testing.T) {
	cfg := Config{Protocol: "pow", BlockReward: 50, Nodes: []Node{
		{Role: "miner", Hardware: "asic", HashRate: 1, Miner: true},
		{Role: "miner", Hardware: "asic", HashRate: 1, Miner: true},
		{Role: "miner", Hardware: "asic", HashRate: 1, Miner: true},
	}}
	o := New(cfg, stubHost{})
	var a, b, c [32]byte
	a[0], b[0], c[0] = 1, 2, 3
	o.Observe(0, 10*sec, nodes.Event{Kind: nodes.EvMined, Block: a, Height: 1})
	o.Observe(1, 11*sec, nodes.Event{Kind: nodes.EvMined, Block: b, Height: 1}) // stale
	o.Observe(2, 20*sec, nodes.Event{Kind: nodes.EvMined, Block: c, Parent: a, Height: 2})
	for _, n := range []int32{1, 2} {
		o.Observe(n, 12*sec, nodes.Event{Kind: nodes.EvAccepted, Block: a, Height: 1})
	}
	for _, n := range []int32{0, 1} {
		o.Observe(n, 21*sec, nodes.Event{Kind: nodes.EvAccepted, Block: c, Parent: a, Height: 2})
	}
	res := o.Result(Totals{End: 30 * sec, NodeEnergy: make([]float64, 3), NodeBusy: make([]sim.Time, 3),
		BytesSent: make([]int64, 3), BytesRecv: make([]int64, 3)})
	for i, want := range []float64{50, 0, 50} {
		if got := res.Nodes[i].Rewards["block"]; got != want {
			t.Errorf("node %d block reward %g, want %g", i, got, want)
		}
	}
	var times []sim.Time
	for _, e := range res.Energy {
		times = append(times, e.Time)
	}
	if len(times) != 3 || times[0] != 10*sec || times[1] != 20*sec || times[2] != 30*sec {
		t.Errorf("energy rows at %v, want 10 s, 20 s (main chain) and 30 s (end)", times)
	}
}
