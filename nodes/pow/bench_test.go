package pow

import (
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/coinai/coinai/nodes"
)

// nullEnv discards everything; it measures the node alone.
type nullEnv struct {
	now   int64
	peers []nodes.PeerID
	rnd   *rand.Rand
	h     nodes.Handle
}

func (e *nullEnv) Now() int64                             { return e.now }
func (e *nullEnv) Rand() *rand.Rand                       { return e.rnd }
func (e *nullEnv) Peers() []nodes.PeerID                  { return e.peers }
func (e *nullEnv) Send(nodes.PeerID, []byte, int)         {}
func (e *nullEnv) After(int64, uint64) nodes.Handle       { e.h++; return e.h }
func (e *nullEnv) Compute(nodes.Job, uint64) nodes.Handle { e.h++; return e.h }
func (e *nullEnv) Cancel(nodes.Handle)                    {}
func (e *nullEnv) SetBusy(bool)                           {}
func (e *nullEnv) Observe(nodes.Event)                    {}

func benchChain(b *testing.B, cfg Config, n int) (blocks [][]byte, invs [][]byte) {
	blk := mustGenesis(b, cfg)
	for i := 1; i <= n; i++ {
		var m []byte
		blk, m = child(cfg, blk, int64(i)*600e9, 7, 0)
		blocks = append(blocks, m)
		invs = append(invs, (&Message{Type: MsgInv, ID: blk.Header.ID()}).Append(nil))
	}
	return blocks, invs
}

func eightPeers() []nodes.PeerID { return []nodes.PeerID{1, 2, 3, 4, 5, 6, 7, 8} }

// BenchmarkReceiveInvKnown: the common case in gossip, an announcement of
// a block the node already has (each node hears ~degree-1 of these per
// block).
func BenchmarkReceiveInvKnown(b *testing.B) {
	cfg := testConfig(0)
	blocks, invs := benchChain(b, cfg, 1)
	env := &nullEnv{now: 1e15, peers: eightPeers(), rnd: rand.New(rand.NewPCG(1, 1))}
	n := mustNode(b, cfg, env)
	n.Receive(1, blocks[0])
	b.ReportAllocs()
	for b.Loop() {
		n.Receive(2, invs[0])
	}
}

// BenchmarkReceiveInvBlock: the first Inv of a new block (GetData sent)
// followed by the block itself (validated, stored, announced to 7 peers).
func BenchmarkReceiveInvBlock(b *testing.B) {
	cfg := testConfig(0)
	cfg.ExpectedBlocks = b.N
	blocks, invs := benchChain(b, cfg, b.N)
	env := &nullEnv{now: 1e18, peers: eightPeers(), rnd: rand.New(rand.NewPCG(1, 1))}
	n := mustNode(b, cfg, env)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		n.Receive(1, invs[i])
		n.Receive(1, blocks[i])
	}
	b.StopTimer()
	if _, h := n.Tip(); h != int64(b.N) {
		b.Fatalf("height %d after %d blocks", h, b.N)
	}
}

// BenchmarkNodeMemory reports the heap a node keeps per block once the
// block bytes are shared (as in the simulator, where all nodes hold the
// same received slice): 100 nodes each accepting the same 100 blocks.
func BenchmarkNodeMemory(b *testing.B) {
	const nodesN, blocksN = 100, 100
	cfg := testConfig(0)
	cfg.ExpectedBlocks = blocksN
	blocks, _ := benchChain(b, cfg, blocksN)
	var before, after runtime.MemStats
	var keep []*Node
	for range b.N {
		keep = nil
		runtime.GC()
		runtime.ReadMemStats(&before)
		for range nodesN {
			env := &nullEnv{now: 1e18, peers: eightPeers(), rnd: rand.New(rand.NewPCG(1, 1))}
			n := mustNode(b, cfg, env)
			for _, m := range blocks {
				n.Receive(1, m)
			}
			keep = append(keep, n)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
	}
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/nodesN, "B/node")
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/(nodesN*blocksN), "B/node-block")
	runtime.KeepAlive(keep)
}

// BenchmarkNetwork600 runs 600 nodes (each linked to 4 random others, so
// ~8 peers) for about 100 blocks through the test network, whose heap and
// maps add their own cost: an upper bound on the node-side work the
// simulator's target of 600 nodes x 100 blocks in 0.75 s has to absorb.
func BenchmarkNetwork600(b *testing.B) {
	const N = 600
	rnd := rand.New(rand.NewPCG(5, 5))
	var cfgs []Config
	var links [][2]int
	for i := range N {
		c := testConfig(nodes.PeerID(i))
		c.Miner, c.HashRate = true, 1e6
		c.GenesisDifficulty = DifficultyFor(N*1e6, c.TargetInterval)
		c.ExpectedBlocks = 110
		cfgs = append(cfgs, c)
		for range 4 {
			if j := rnd.IntN(N); j != i {
				links = append(links, [2]int{i, j})
			}
		}
	}
	for range b.N {
		net := newTestNet(b, cfgs, links, 100e6, 1)
		net.Run(100 * 600e9)
		b.ReportMetric(float64(len(net.Events(nodes.EvMined))), "blocks")
		b.ReportMetric(float64(len(net.Observed)), "events")
	}
}
