package host

import (
	"math"
	"testing"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/sim"
)

// TestMissingPerReception checks the mempool model: without RebuildFail a
// node answers as its fixed MissesTxs says and draws nothing; with it,
// every reception draws, at the node's rate, and a failure fetches a share
// from the node's Refetch table.
func TestMissingPerReception(t *testing.T) {
	cfg := testConfig(4)
	cfg.Nodes[0].MissesTxs = true
	cfg.Nodes[2].RebuildFail = 0.27
	cfg.Nodes[2].Refetch = []float64{0.01, 0.01, 0.1, 0.5}
	cfg.Nodes[3].RebuildFail = 0.13
	h, _ := pingHost(t, cfg)
	pm := func(i int) nodes.PartialMempool { return h.envs[i] }
	var id [32]byte
	for i, want := range []float64{1, 0} {
		for range 100 {
			if got := pm(i).Missing(id); got != want {
				t.Fatalf("node %d (fixed): missing %v, want %v", i, got, want)
			}
		}
	}
	// The fixed nodes drew nothing from the run's mempool stream.
	fresh := sim.Stream(cfg.Seed, "network/mempool")
	if h.mempool.Uint64() != fresh.Uint64() {
		t.Error("the per-node model drew from the mempool stream")
	}
	const n = 100_000
	for _, tc := range []struct {
		node      int
		rate      float64
		meanShare float64 // of a failed reception's share
	}{
		// Knots 0.01, 0.01, 0.1, 0.5 at 0, 1/3, 2/3, 1: mean of the
		// piecewise-linear quantile = (0.01 + (0.01+0.1)/2 + (0.1+0.5)/2)/3.
		{2, 0.27, (0.01 + 0.055 + 0.3) / 3},
		{3, 0.13, 1},
	} {
		fails, sum := 0, 0.0
		for range n {
			if s := pm(tc.node).Missing(id); s > 0 {
				if s > 1 {
					t.Fatalf("node %d: share %v above 1", tc.node, s)
				}
				fails++
				sum += s
			}
		}
		rate := float64(fails) / n
		if se := math.Sqrt(tc.rate * (1 - tc.rate) / n); math.Abs(rate-tc.rate) > 4*se {
			t.Errorf("node %d: failure rate %.4f, want %.2f ± %.4f", tc.node, rate, tc.rate, 4*se)
		}
		if mean := sum / float64(fails); math.Abs(mean-tc.meanShare) > 0.01 {
			t.Errorf("node %d: mean share fetched %.4f, want %.4f", tc.node, mean, tc.meanShare)
		}
	}
}

// TestDelayAndDegrees checks the host's per-message delay (every message
// is delivered exactly that much later, nothing else moves) and per-node
// degrees (node i has at least Degrees[i] peers).
func TestDelayAndDegrees(t *testing.T) {
	run := func(delay sim.Time, degrees []int) (*Host, []*pingNode) {
		cfg := testConfig(6)
		cfg.StopTime = 5 * sim.Second
		cfg.Degrees = degrees
		if delay > 0 {
			cfg.Delay = func(msg []byte, _ int) sim.Time { return delay }
		}
		h, ns := pingHost(t, cfg)
		if err := h.Run(); err != nil {
			t.Fatal(err)
		}
		return h, ns
	}
	_, base := run(0, nil)
	_, late := run(7e6, nil)
	for i := range base {
		if len(base[i].got) == 0 || len(late[i].got) != len(base[i].got) {
			t.Fatalf("node %d: %d pings without delay, %d with", i, len(base[i].got), len(late[i].got))
		}
		for j, p := range base[i].got {
			q := late[i].got[j]
			if q.from != p.from || q.sent != p.sent || q.recv-p.recv != 7e6 {
				t.Fatalf("node %d ping %d: %+v without delay, %+v with 7 ms", i, j, p, q)
			}
		}
	}
	degrees := []int{1, 1, 1, 1, 1, 4}
	h, _ := run(0, degrees)
	for i, d := range degrees {
		if got := len(h.envs[i].peers); got < d {
			t.Errorf("node %d: %d peers, want at least %d", i, got, d)
		}
	}
	if _, err := New(Config{Seed: 1, Net: sim.SimBlock2019(), Nodes: make([]NodeSpec, 2), Degrees: []int{1},
		NewNode: func(int) (nodes.Node, error) { return &pingNode{}, nil }}); err == nil {
		t.Error("degrees for fewer nodes than the run accepted")
	}
}
