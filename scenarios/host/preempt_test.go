package host

import (
	"crypto/sha256"
	"testing"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/sim"
)

type flopJob struct {
	flops float64
	name  string
}

func (j flopJob) FLOPs() float64 { return j.flops }
func (j flopJob) Key() [32]byte  { return sha256.Sum256([]byte(j.name)) }
func (j flopJob) Run() any       { return j.name }

// jobNode queues a long job at start and an urgent one at t = 2 s.
type jobNode struct {
	env  nodes.Env
	done map[string]int64
}

func (n *jobNode) Start(env nodes.Env) {
	n.env, n.done = env, map[string]int64{}
	env.Compute(flopJob{10e9, "long"}, 1) // 10 s at 1 GFLOP/s
	env.Compute(flopJob{1e9, "queued"}, 2)
	env.After(2e9, 0)
}
func (n *jobNode) OnTimer(uint64) {
	n.env.(nodes.Preempter).ComputeFirst(flopJob{3e9, "urgent"}, 3)
}
func (n *jobNode) OnComputed(tag uint64, res any) { n.done[res.(string)] = n.env.Now() }
func (n *jobNode) Receive(nodes.PeerID, []byte)   {}

// testConfig is a host of n nodes at 1 GFLOP/s on SimBlock's network.
func testConfig(n int) Config {
	specs := make([]NodeSpec, n)
	regions := sim.AssignRegions(sim.SimBlock2019().Share, n, sim.Stream(1, "regions"))
	for i := range specs {
		specs[i] = NodeSpec{Region: regions[i], FLOPS: 1e9, BusyW: 1000, IdleW: 10}
	}
	return Config{Seed: 1, Net: sim.SimBlock2019(), Degree: 8, Nodes: specs}
}

// An urgent job suspends the running one, which resumes with the time it
// still needs; queued jobs keep their order; busy time is charged once.
func TestComputeFirstPreempts(t *testing.T) {
	cfg := testConfig(2)
	cfg.StopTime = 100 * sim.Second
	var n0 *jobNode
	cfg.NewNode = func(i int) (nodes.Node, error) {
		n := &jobNode{}
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
	want := map[string]int64{"urgent": 5e9, "long": 13e9, "queued": 14e9}
	for k, v := range want {
		if n0.done[k] != v {
			t.Errorf("%s done at %d, want %d", k, n0.done[k], v)
		}
	}
	if busy := h.Busy(0, 100*sim.Second); busy != 14*sim.Second {
		t.Errorf("busy %d, want 14 s", busy)
	}
}

// classedJob is a flopJob of a declared nodes.JobClass.
type classedJob struct {
	flopJob
	class nodes.JobClass
}

func (j classedJob) Class() nodes.JobClass { return j.class }

// classNode queues a training, an evaluation and an unclassed job, and a
// second training job that it cancels before it runs.
type classNode struct{ env nodes.Env }

func (n *classNode) Start(env nodes.Env) {
	n.env = env
	env.Compute(classedJob{flopJob{4e9, "train"}, nodes.JobTrain}, 1)
	env.Compute(classedJob{flopJob{2e9, "eval"}, nodes.JobEval}, 2)
	env.Compute(flopJob{1e9, "other"}, 3)
	env.Cancel(env.Compute(classedJob{flopJob{8e9, "cancelled"}, nodes.JobTrain}, 4))
}
func (n *classNode) OnTimer(uint64)               {}
func (n *classNode) OnComputed(uint64, any)       {}
func (n *classNode) Receive(nodes.PeerID, []byte) {}

// ClassFLOPs counts, per node and class, the declared FLOPs of the jobs
// completed, before the class's cost scale; a cancelled job counts
// nothing.
func TestClassFLOPs(t *testing.T) {
	cfg := testConfig(2)
	cfg.StopTime = 100 * sim.Second
	cfg.CostScale[nodes.JobEval] = 3 // virtual time only
	cfg.NewNode = func(i int) (nodes.Node, error) { return &classNode{}, nil }
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Run(); err != nil {
		t.Fatal(err)
	}
	for c, want := range map[nodes.JobClass]float64{nodes.JobTrain: 4e9, nodes.JobEval: 2e9, nodes.JobOther: 1e9} {
		if got := h.ClassFLOPs(c); len(got) != 2 || got[0] != want || got[1] != want {
			t.Errorf("class %v: %v, want %v per node", c, got, want)
		}
	}
	if got := h.ClassFLOPs(nodes.NumJobClasses); len(got) != 2 || got[0] != 0 {
		t.Errorf("out-of-range class: %v", got)
	}
	// 4 s + 2 s × 3 + 1 s of busy time.
	if busy := h.Busy(0, 100*sim.Second); busy != 11*sim.Second {
		t.Errorf("busy %d, want 11 s", busy)
	}
}
