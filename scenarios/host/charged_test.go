package host

import (
	"testing"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/sim"
)

// chargedJob is a classed job that declares a stand-in's FLOPs.
type chargedJob struct {
	classedJob
	charged float64
}

func (j chargedJob) ChargedFLOPs() (float64, bool) { return j.charged, j.charged > 0 }

// chargedNode runs a stand-in training, a stand-in evaluation and a plain
// training one after the other, recording when each ends.
type chargedNode struct {
	env  nodes.Env
	done map[string]int64
}

func (n *chargedNode) Start(env nodes.Env) {
	n.env, n.done = env, map[string]int64{}
	env.Compute(chargedJob{classedJob{flopJob{1e6, "standin-train"}, nodes.JobTrain}, 7e9}, 1)
	env.Compute(chargedJob{classedJob{flopJob{1e6, "standin-eval"}, nodes.JobEval}, 5e8}, 2)
	env.Compute(chargedJob{classedJob{flopJob{1e6, "plain"}, nodes.JobTrain}, 0}, 3)
}
func (n *chargedNode) OnTimer(uint64)                 {}
func (n *chargedNode) OnComputed(tag uint64, res any) { n.done[res.(string)] = n.env.Now() }
func (n *chargedNode) Receive(nodes.PeerID, []byte)   {}

// A job that declares a stand-in is charged exactly its declared FLOPs at
// the node's rate, whatever the class's cost scale; a job that declares
// none is charged its counted FLOPs times the scale. ClassFLOPs still
// counts what was really computed.
func TestChargedFLOPsExact(t *testing.T) {
	cfg := testConfig(2)
	cfg.StopTime = 100 * sim.Second
	cfg.CostScale[nodes.JobTrain] = 1000
	cfg.CostScale[nodes.JobEval] = 1000
	var n0 *chargedNode
	cfg.NewNode = func(i int) (nodes.Node, error) {
		n := &chargedNode{}
		if i == 0 {
			n0 = n
		}
		return n, nil
	}
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Run(); err != nil {
		t.Fatal(err)
	}
	// 7e9 FLOPs at 1e9 FLOP/s, then 5e8, then 1e6 × 1000.
	want := map[string]int64{"standin-train": 7e9, "standin-eval": 7.5e9, "plain": 8.5e9}
	for k, v := range want {
		if n0.done[k] != v {
			t.Errorf("%s done at %d ns, want %d", k, n0.done[k], v)
		}
	}
	if got := h.ClassFLOPs(nodes.JobTrain); got[0] != 2e6 {
		t.Errorf("counted training FLOPs %v, want 2e6", got[0])
	}
}
