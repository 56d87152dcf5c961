package observe

import (
	"math"
	"testing"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/nodestest"
	"github.com/coinai/coinai/sim"
)

type stubHost struct{}

func (stubHost) Node(int) nodes.Node          { return nodestest.Idle{} }
func (stubHost) Joules(int, sim.Time) float64 { return 0 }

const sec = sim.Time(1e9)

// Propagation is measured over the nodes online when a block was found;
// a node that was offline then catches up, timed from its return; the
// stale-rate theory's Δ weighs the online miners only, by their power.
func TestPropagationOverOnlineNodesAndCatchUp(t *testing.T) {
	cfg := Config{Protocol: "coinai", Nodes: []Node{
		{Role: "miner", FLOPS: 1, Miner: true},
		{Role: "miner", FLOPS: 3, Miner: true},
		{Role: "storage", FLOPS: 100},
		{Role: "user", FLOPS: 100},
	}, Offline: [][]sim.Window{3: {{From: 5 * sec, Until: 20 * sec}}}}
	o := New(cfg, stubHost{})
	var id [32]byte
	id[0] = 1
	o.Observe(0, 10*sec, nodes.Event{Kind: nodes.EvMined, Block: id, Height: 1, Value: 0.9})
	for _, a := range []struct {
		node int32
		at   sim.Time
	}{{1, 10*sec + sec/5}, {2, 10*sec + 2*sec/5}, {3, 22 * sec}} {
		o.Observe(a.node, a.at, nodes.Event{Kind: nodes.EvAccepted, Block: id, Height: 1, Value: 0.95})
	}
	res := o.Result(Totals{End: 30 * sec, NodeEnergy: make([]float64, 4), NodeBusy: make([]sim.Time, 4),
		BytesSent: make([]int64, 4), BytesRecv: make([]int64, 4)})
	b := res.Blocks[0]
	if b.Online != 3 {
		t.Errorf("online population %d, want 3 (node 3 was offline)", b.Online)
	}
	for k, want := range []float64{0.2, 0.4, 0.4} {
		if math.Abs(b.Prop[k]-want) > 1e-9 {
			t.Errorf("prop[%d] = %g, want %g", k, b.Prop[k], want)
		}
	}
	if len(b.Catchup) != 1 || math.Abs(b.Catchup[0]-2) > 1e-9 {
		t.Errorf("catch-up %v, want [2] (seconds after node 3 came back)", b.Catchup)
	}
	if want := 3 * 0.2 / 4; math.Abs(b.Delta-want) > 1e-9 {
		t.Errorf("Δ = %g, want %g (miners only, weighted by FLOP/s)", b.Delta, want)
	}
	s := Summarize(res, nil)
	if s.PropagationP100Blocks != 1 || s.CatchupArrivals != 1 || s.CatchupBlocks != 1 || s.CatchupMeanS == nil || *s.CatchupMeanS != 2 {
		t.Errorf("p100 blocks %d, catch-up %d arrivals on %d blocks, mean %v", s.PropagationP100Blocks, s.CatchupArrivals, s.CatchupBlocks, s.CatchupMeanS)
	}
}
