package runner

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

// An urgent job suspends the running one, which resumes with the time it
// still needs; queued jobs keep their order; busy time is charged once.
func TestComputeFirstPreempts(t *testing.T) {
	cfg := toyConfig(2, 1, sim.Second)
	cfg.StopHeight, cfg.StopTime = 0, 100*sim.Second
	for i := range cfg.Nodes {
		cfg.Nodes[i].FLOPS = 1e9
	}
	var n0 *jobNode
	cfg.NewNode = func(i int, spec NodeSpec) (nodes.Node, error) {
		n := &jobNode{}
		if i == 0 {
			n0 = n
		}
		return n, nil
	}
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run(); err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"urgent": 5e9, "long": 13e9, "queued": 14e9}
	for k, v := range want {
		if n0.done[k] != v {
			t.Errorf("%s done at %d, want %d", k, n0.done[k], v)
		}
	}
	if busy := r.envs[0].meter.Busy(100 * sim.Second); busy != 14*sim.Second {
		t.Errorf("busy %d, want 14 s", busy)
	}
}
