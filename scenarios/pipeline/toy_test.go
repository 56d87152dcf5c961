package pipeline

import (
	"encoding/binary"
	"runtime"
	"testing"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/scenarios/build"
	"github.com/coinai/coinai/sim"
)

// toyNode floods 24-byte blocks and mines on the highest block it knows:
// just enough protocol to exercise the pipeline without a real one.
type toyNode struct {
	env    nodes.Env
	id     int
	rate   float64 // blocks per ns
	seen   map[uint64]bool
	tip    uint64
	height int64
	timer  nodes.Handle
	next   uint64
}

func (n *toyNode) Start(env nodes.Env) {
	n.env = env
	n.seen = map[uint64]bool{}
	env.SetBusy(true)
	n.arm()
}

func (n *toyNode) arm() {
	n.env.Cancel(n.timer)
	n.timer = n.env.After(int64(n.env.Rand().ExpFloat64()/n.rate), 1)
}

func (n *toyNode) OnTimer(tag uint64) {
	n.next++
	id := uint64(n.id)<<32 | n.next
	msg := make([]byte, 24)
	binary.LittleEndian.PutUint64(msg, id)
	binary.LittleEndian.PutUint64(msg[8:], n.tip)
	binary.LittleEndian.PutUint64(msg[16:], uint64(n.height+1))
	n.env.Observe(nodes.Event{Kind: nodes.EvMined, Block: key(id), Parent: key(n.tip), Height: n.height + 1, Size: 24})
	n.accept(msg, -1)
}

func key(id uint64) (k [32]byte) { binary.LittleEndian.PutUint64(k[:], id); return }

func (n *toyNode) accept(msg []byte, from nodes.PeerID) {
	id := binary.LittleEndian.Uint64(msg)
	if n.seen[id] {
		return
	}
	n.seen[id] = true
	h := int64(binary.LittleEndian.Uint64(msg[16:]))
	if from >= 0 {
		n.env.Observe(nodes.Event{Kind: nodes.EvAccepted, Block: key(id), Height: h})
	}
	for _, p := range n.env.Peers() {
		if p != from {
			n.env.Send(p, msg, 1000)
		}
	}
	if h > n.height {
		n.tip, n.height = id, h
		n.env.Observe(nodes.Event{Kind: nodes.EvTip, Block: key(id), Height: h})
		n.arm()
	}
}

func (n *toyNode) Receive(from nodes.PeerID, msg []byte) { n.accept(msg, from) }
func (n *toyNode) OnComputed(uint64, any)                {}
func (n *toyNode) Tip() ([32]byte, int64)                { return key(n.tip), n.height }

func toyConfig(nn int, blocks int64, interval sim.Time) Config {
	specs := make([]build.Node, nn)
	regions := sim.AssignRegions(sim.SimBlock2019().Share, nn, sim.Stream(1, "regions"))
	for i := range specs {
		specs[i] = build.Node{Region: regions[i], Hardware: "asic", HashRate: 1, BusyW: 1000, IdleW: 10}
	}
	return Config{Plan: build.Plan{Name: "toy", Seed: 1, Protocol: "pow", Net: sim.SimBlock2019(), Degree: 8, Nodes: specs,
		StopHeight: blocks, NewNode: func(i int, _ build.Node) (nodes.Node, error) {
			return &toyNode{id: i, rate: 1 / float64(interval) / float64(nn)}, nil
		}}}
}

func runToy(t testing.TB, nn int, blocks int64) *Result {
	_, res := runConfig(t, toyConfig(nn, blocks, 600*sim.Second))
	return res
}

func TestToyDeterministicAcrossGOMAXPROCS(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var digests [3][32]byte
	var files [3]map[string][]byte
	for i, procs := range []int{1, 2, 1} {
		runtime.GOMAXPROCS(procs)
		res := runToy(t, 100, 10)
		digests[i] = res.Digest
		files[i], _ = res.Files(true)
	}
	for i := 1; i < 3; i++ {
		if digests[i] != digests[0] {
			t.Fatalf("digest differs: %x vs %x", digests[i], digests[0])
		}
		for _, name := range []string{"blocks.csv", "propagation.csv", "nodes.csv", "energy.csv"} {
			if string(files[i][name]) != string(files[0][name]) {
				t.Fatalf("%s differs between runs", name)
			}
		}
	}
}

func BenchmarkToy600x100(b *testing.B) {
	for i := 0; i < b.N; i++ {
		res := runToy(b, 600, 100)
		b.ReportMetric(float64(res.Events), "events")
	}
}
