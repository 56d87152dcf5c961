package pow

import (
	"fmt"
	"github.com/coinai/coinai/nodes/nodestest"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/relay"
)

func mustNode(t testing.TB, cfg Config, env nodes.Env) *Node {
	t.Helper()
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	n.Start(env)
	return n
}

func mustGenesis(t testing.TB, cfg Config) Block {
	t.Helper()
	g, err := Genesis(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestConfigValidation(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Config)
		want string // "" for valid
	}{
		{"valid", func(*Config) {}, ""},
		{"valid miner", func(c *Config) { c.Miner, c.HashRate = true, 1e6 }, ""},
		{"miner without rate", func(c *Config) { c.Miner = true }, "hash rate"},
		{"infinite rate", func(c *Config) { c.Miner, c.HashRate = true, math.Inf(1) }, "hash rate"},
		{"zero interval", func(c *Config) { c.TargetInterval = 0 }, "target interval"},
		{"zero difficulty", func(c *Config) { c.GenesisDifficulty = 0 }, "genesis"},
		{"negative window", func(c *Config) { c.RetargetWindow = -1 }, "retarget window"},
		{"zero tx size", func(c *Config) { c.TxSize = 0 }, "tx size"},
		{"block over max", func(c *Config) { c.BlockSize = c.MaxBlockSize + 1 }, "block size"},
		{"max below encoding", func(c *Config) { c.BlockSize, c.MaxBlockSize = 0, 100 }, "max block size"},
		{"unknown relay", func(c *Config) { c.Relay = 9 }, "relay"},
		{"negative id", func(c *Config) { c.ID = -1 }, "id"},
	}
	for _, tc := range tests {
		c := testConfig(0)
		tc.mod(&c)
		_, err := New(c)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: err = %v, want containing %q", tc.name, err, tc.want)
		}
	}
}

func TestGenesisShared(t *testing.T) {
	a, _ := New(testConfig(0))
	b, _ := New(testConfig(5))
	ida, ha := a.Tip()
	idb, hb := b.Tip()
	g := mustGenesis(t, testConfig(9))
	if ida != idb || ha != 0 || hb != 0 || ida != g.Header.ID() {
		t.Errorf("genesis differs between nodes")
	}
	if g.Header.Bits != Diff1Bits || g.Header.Merkle != g.ComputeMerkle() {
		t.Errorf("genesis = %+v", g.Header)
	}
}

// TestPropagation runs eight miners on a ring with chords and checks that
// every block reaches every node exactly once, that each node downloads
// each block once (no duplicate sends), and that all nodes agree.
func TestPropagation(t *testing.T) {
	const N = 8
	var cfgs []Config
	for i := range N {
		c := testConfig(nodes.PeerID(i))
		c.Miner, c.HashRate = true, 1e6
		c.GenesisDifficulty = DifficultyFor(N*1e6, c.TargetInterval)
		cfgs = append(cfgs, c)
	}
	var links [][2]int
	for i := range N {
		links = append(links, [2]int{i, (i + 1) % N})
	}
	links = append(links, [2]int{0, 4}, [2]int{2, 6})
	run := func() *testNet {
		net := newTestNet(t, cfgs, links, 2e9, 1)
		net.Run(30 * 600e9)
		net.stopMining()
		net.Run(math.MaxInt64)
		return net
	}
	net := run()
	mined := net.Events(nodes.EvMined)
	if len(mined) < 15 || len(mined) > 50 {
		t.Fatalf("%d blocks mined in 30 target intervals", len(mined))
	}
	accepted := map[[2]any]int{}
	for _, o := range net.Events(nodes.EvAccepted) {
		accepted[[2]any{o.Node, o.Ev.Block}]++
	}
	for _, m := range mined {
		for i := range N {
			if c := accepted[[2]any{i, m.Ev.Block}]; c != 1 {
				t.Fatalf("node %d accepted block %x %d times", i, m.Ev.Block[:4], c)
			}
		}
		if m.Ev.Size != 1_000_000 || m.Ev.Value <= 0 {
			t.Errorf("mined event %+v", m.Ev)
		}
	}
	if got, want := net.count[MsgBlock], (N-1)*len(mined); got != want {
		t.Errorf("%d block messages, want %d (one download per node and block)", got, want)
	}
	if len(net.Events(nodes.EvRejected)) != 0 {
		t.Errorf("rejections: %+v", net.Events(nodes.EvRejected))
	}
	main0 := net.nodes[0].MainChain()
	for i, nd := range net.nodes {
		if !slices.Equal(nd.MainChain(), main0) {
			t.Errorf("node %d main chain differs", i)
		}
	}
	// Same seed, same run.
	again := run()
	if len(again.Observed) != len(net.Observed) || !slices.EqualFunc(again.Observed, net.Observed, func(a, b nodestest.Observed) bool { return a == b }) {
		t.Error("two runs with the same seed differ")
	}
}

// TestForkResolves: the two ends of a line mine at the same moment, each
// half adopts its own block first, then one side extends and everyone
// reorganises to the most-work chain.
func TestForkResolves(t *testing.T) {
	const N = 6
	var cfgs []Config
	for i := range N {
		cfgs = append(cfgs, testConfig(nodes.PeerID(i)))
	}
	net := newTestNet(t, cfgs, [][2]int{{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}}, 1e9, 3)
	net.At(100e9, func() { net.nodes[0].mine(); net.nodes[5].mine() })
	net.Run(200e9)
	a, _ := net.nodes[0].Tip()
	b, _ := net.nodes[5].Tip()
	if a == b {
		t.Fatal("no fork")
	}
	for i, nd := range net.nodes {
		tip, h := nd.Tip()
		want := a
		if i >= 3 {
			want = b
		}
		if tip != want || h != 1 {
			t.Errorf("node %d before resolution: tip %x h %d", i, tip[:4], h)
		}
	}
	net.At(300e9, func() { net.nodes[5].mine() })
	net.Run(math.MaxInt64)
	c, _ := net.nodes[5].Tip()
	for i, nd := range net.nodes {
		tip, h := nd.Tip()
		if tip != c || h != 2 {
			t.Errorf("node %d: tip %x h %d, want %x at 2", i, tip[:4], h, c[:4])
		}
		if !slices.Equal(nd.MainChain(), net.nodes[5].MainChain()) {
			t.Errorf("node %d main chain differs", i)
		}
	}
	reorgs := map[int]float64{}
	for _, o := range net.Events(nodes.EvTip) {
		reorgs[o.Node] += o.Ev.Value
	}
	for i := range N {
		want := 0.0
		if i < 3 {
			want = 1
		}
		if reorgs[i] != want {
			t.Errorf("node %d undid %v blocks, want %v", i, reorgs[i], want)
		}
	}
	// Both fork blocks reached everyone.
	if got := len(net.Events(nodes.EvAccepted)); got != 3*N {
		t.Errorf("%d acceptances, want %d", got, 3*N)
	}
}

func TestOrphanThenParent(t *testing.T) {
	cfg := testConfig(1)
	env := newRecEnv(7, 8)
	env.now = 1000e9
	n := mustNode(t, cfg, env)
	g := mustGenesis(t, cfg)
	b1, m1 := child(cfg, g, 100e9, 7, 0)
	b2, m2 := child(cfg, b1, 200e9, 7, 0)

	n.Receive(7, m2)
	if len(env.kinds(nodes.EvAccepted)) != 0 || len(env.kinds(nodes.EvRejected)) != 0 {
		t.Fatalf("orphan accepted or rejected: %+v", env.events)
	}
	s := env.take()
	if len(s) != 1 || s[0].typ != MsgGetData || s[0].to != 7 || [32]byte(s[0].msg[1:33]) != b1.Header.ID() {
		t.Fatalf("orphan did not ask its sender for the parent: %+v", s)
	}
	n.Receive(7, m1)
	acc := env.kinds(nodes.EvAccepted)
	if len(acc) != 2 || acc[0].Block != b1.Header.ID() || acc[1].Block != b2.Header.ID() || acc[1].Height != 2 {
		t.Fatalf("accepted %+v", acc)
	}
	if tip, h := n.Tip(); tip != b2.Header.ID() || h != 2 {
		t.Errorf("tip at %d", h)
	}
	tips := env.kinds(nodes.EvTip)
	if len(tips) != 1 || tips[0].Block != b2.Header.ID() || tips[0].Value != 0 {
		t.Errorf("tip events %+v", tips)
	}
	// Both blocks are announced to peer 8, not back to the sender.
	var invs []nodes.PeerID
	for _, s := range env.take() {
		if s.typ == MsgInv {
			invs = append(invs, s.to)
		}
	}
	if !slices.Equal(invs, []nodes.PeerID{8, 8}) {
		t.Errorf("invs to %v, want [8 8]", invs)
	}
}

func TestInvalidBlocks(t *testing.T) {
	cfg := testConfig(1)
	g := mustGenesis(t, cfg)
	const now = 1000e9
	good, _ := child(cfg, g, 100e9, 7, 0)
	tests := []struct {
		name string
		mod  func(b *Block) // applied before re-encoding
		raw  []byte         // instead of a block
		fix  bool           // recompute the Merkle root after mod
		note string         // "" expects no rejection (orphan)
	}{
		{name: "bad merkle root", mod: func(b *Block) { b.Filler.Seed++ }, note: "bad merkle root"},
		{name: "wrong difficulty", mod: func(b *Block) { b.Header.Bits = 0x1d01fffe }, note: "wrong difficulty"},
		{name: "oversize", mod: func(b *Block) { b.Filler.Bytes = 2_000_000 }, fix: true, note: "block too large"},
		{name: "oversize overflow", mod: func(b *Block) { b.Filler.Bytes = math.MaxUint64 }, fix: true, note: "block too large"},
		{name: "filler count above bytes", mod: func(b *Block) { b.Filler.Count, b.Filler.Bytes = 10, 5 }, fix: true, note: "bad filler"},
		{name: "coinbase reward", mod: func(b *Block) { b.Coinbase.Reward++ }, fix: true, note: "bad coinbase"},
		{name: "coinbase miner", mod: func(b *Block) { b.Coinbase.Miner = 9 }, fix: true, note: "bad coinbase"},
		{name: "future timestamp", mod: func(b *Block) { b.Header.Time = now + 2*3600e9 + 1 }, note: "future"},
		{name: "time not after parent", mod: func(b *Block) { b.Header.Time = 0 }, note: "not after parent"},
		{name: "height", mod: func(b *Block) { b.Header.Height, b.Coinbase.Height = 2, 2 }, fix: true, note: "bad height"},
		{name: "version", mod: func(b *Block) { b.Header.Version = 2 }, note: "bad version"},
		{name: "garbage", raw: []byte("\x03garbage"), note: "undecodable"},
		{name: "unknown type", raw: []byte{0x77, 1, 2}, note: "undecodable"},
		{name: "empty", raw: []byte{}, note: "undecodable"},
		{name: "unknown parent is an orphan", mod: func(b *Block) { b.Header.Prev[0] ^= 1 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := newRecEnv(7)
			env.now = now
			n := mustNode(t, cfg, env)
			msg := tc.raw
			if msg == nil {
				b := good
				tc.mod(&b)
				if tc.fix {
					b.Header.Merkle = b.ComputeMerkle()
				}
				msg = encodeBlockMsg(&b, MsgBlock)
			}
			n.Receive(7, msg)
			rej := env.kinds(nodes.EvRejected)
			if tc.note == "" {
				if len(rej) != 0 || n.tree.Orphans() != 1 {
					t.Errorf("rejections %+v, orphans %d", rej, n.tree.Orphans())
				}
				return
			}
			if len(rej) != 1 || !strings.Contains(rej[0].Note, tc.note) {
				t.Fatalf("rejections %+v, want one with %q", rej, tc.note)
			}
			if len(env.kinds(nodes.EvAccepted)) != 0 || n.tree.Len() != 1 {
				t.Error("invalid block stored")
			}
			// A rejected block is not requested again, unless it was only
			// early.
			if tc.raw == nil {
				n.Receive(7, (&Message{Type: MsgInv, ID: rej[0].Block}).Append(nil))
				asked := 0
				for _, s := range env.take() {
					if s.typ == MsgGetData {
						asked++
					}
				}
				if want := b2i(tc.note == "future"); asked != int(want) {
					t.Errorf("asked for the rejected block %d times, want %d", asked, want)
				}
			}
		})
	}
	// The unmodified block is accepted, so the cases above fail for their
	// stated reason only.
	env := newRecEnv(7)
	env.now = now
	n := mustNode(t, cfg, env)
	n.Receive(7, encodeBlockMsg(&good, MsgBlock))
	if len(env.kinds(nodes.EvAccepted)) != 1 {
		t.Fatalf("good block not accepted: %+v", env.events)
	}
}

// TestRetargetInChain: with W=4 and T=600 s, blocks 1..3 come 1200 s
// apart after genesis at time 0. Block 4 is retargeted on the window from
// block h-W (genesis, 0 s) to h-1 (block 3, 3600 s) against W*T = 2400 s,
// so its target is 1.5 times the genesis target.
func TestRetargetInChain(t *testing.T) {
	cfg := testConfig(1)
	cfg.RetargetWindow = 4
	env := newRecEnv(7)
	env.now = 1e13
	n := mustNode(t, cfg, env)
	b := mustGenesis(t, cfg)
	for h := 1; h <= 3; h++ {
		b, _ = child(cfg, b, int64(h)*1200e9, 7, 0)
		n.Receive(7, encodeBlockMsg(&b, MsgBlock))
	}
	want := Retarget(Diff1Bits, 3600e9, 2400e9)
	if want != 0x1d017ffe {
		t.Fatalf("Retarget = %#08x, want 0x1d017ffe (0xffff*1.5)", want)
	}
	for _, bits := range []uint32{Diff1Bits, 0x1d01fffe} {
		bad, m := child(cfg, b, 4*1200e9, 7, bits)
		n.Receive(7, m)
		if n.Has(bad.Header.ID()) {
			t.Errorf("block 4 with bits %#08x accepted", bits)
		}
	}
	b4, m := child(cfg, b, 4*1200e9, 7, want)
	n.Receive(7, m)
	if !n.Has(b4.Header.ID()) {
		t.Fatalf("block 4 with retargeted bits rejected: %+v", env.kinds(nodes.EvRejected))
	}
	// Block 5 keeps block 4's bits.
	b5, m := child(cfg, b4, 5*1200e9, 7, 0)
	n.Receive(7, m)
	if !n.Has(b5.Header.ID()) {
		t.Fatalf("block 5 rejected: %+v", env.kinds(nodes.EvRejected))
	}
	if got := env.kinds(nodes.EvAccepted)[4].Value; got != 0xffff/float64(0x17ffe) {
		t.Errorf("difficulty of block 5 = %v", got)
	}
}

// TestRelayBytes checks what a block costs on the wire: one hop between a
// miner and a peer, with full and compact relay, and with a compact
// reconstruction failure.
func TestRelayBytes(t *testing.T) {
	// BlockSize 1,000,000: filler 1,000,000-141 = 999,859 bytes in
	// 999,859/500 = 1,999 transactions.
	const filler, txs = 999_859, 1_999
	tests := []struct {
		name  string
		relay Relay
		fails bool
		want  map[MsgType]int
	}{
		{"full", RelayFull, false, map[MsgType]int{MsgInv: 33, MsgGetData: 34, MsgBlock: 141 + filler}},
		{"compact", RelayCompact, false, map[MsgType]int{MsgInv: 33, MsgGetData: 34, MsgCmpctBlock: 141 + 6*txs}},
		{"compact fails", RelayCompact, true, map[MsgType]int{MsgInv: 33, MsgGetData: 34, MsgCmpctBlock: 141 + 6*txs,
			MsgGetBlockTxn: 33, MsgBlockTxn: 33 + filler}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c0, c1 := testConfig(0), testConfig(1)
			c1.Relay = tc.relay
			net := newTestNet(t, []Config{c0, c1}, [][2]int{{0, 1}}, 1e9, 1)
			net.Env(1).MissesTxs = tc.fails
			net.At(10e9, func() { net.nodes[0].mine() })
			net.Run(math.MaxInt64)
			if !maps(net.bytes, tc.want) {
				t.Errorf("bytes %v, want %v", net.bytes, tc.want)
			}
			a, _ := net.nodes[0].Tip()
			b, _ := net.nodes[1].Tip()
			if a != b {
				t.Error("block not accepted")
			}
			if acc := net.Events(nodes.EvAccepted); len(acc) != 2 || acc[1].Ev.Size != 1_000_000 || acc[1].At != 10e9+3e9+2e9*b2i(tc.fails) {
				t.Errorf("acceptances %+v", acc)
			}
		})
	}
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func maps(a, b map[MsgType]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestRequestTimeout: the first announcer never answers; after the timeout
// the node asks the second, and relays to nobody who announced.
func TestRequestTimeout(t *testing.T) {
	cfg := testConfig(1)
	env := newRecEnv(7, 8, 9)
	env.now = 1000e9
	n := mustNode(t, cfg, env)
	b1, m1 := child(cfg, mustGenesis(t, cfg), 100e9, 7, 0)
	inv := (&Message{Type: MsgInv, ID: b1.Header.ID()}).Append(nil)
	n.Receive(7, inv)
	n.Receive(8, inv)
	n.Receive(7, inv)
	s := env.take()
	if len(s) != 1 || s[0].to != 7 || s[0].typ != MsgGetData {
		t.Fatalf("sent %+v, want one getdata to 7", s)
	}
	if len(env.timers) != 1 || env.timers[0].at != 1000e9+DefaultRequestTimeout {
		t.Fatalf("timers %+v", env.timers)
	}
	n.OnTimer(env.timers[0].tag)
	s = env.take()
	if len(s) != 1 || s[0].to != 8 || s[0].typ != MsgGetData {
		t.Fatalf("after timeout sent %+v, want one getdata to 8", s)
	}
	n.OnTimer(env.timers[0].tag) // stale: ignored
	if len(env.take()) != 0 {
		t.Error("stale timer acted")
	}
	n.Receive(8, m1)
	if !n.Has(b1.Header.ID()) {
		t.Fatal("block not accepted")
	}
	if !slices.Contains(env.cancelled, env.timers[1].h) {
		t.Error("request timer not cancelled")
	}
	s = env.take()
	if len(s) != 1 || s[0].to != 9 || s[0].typ != MsgInv {
		t.Errorf("relay %+v, want one inv to 9", s)
	}
	// A second timeout with nobody left drops the request.
	b2, _ := child(cfg, b1, 200e9, 7, 0)
	n.Receive(7, (&Message{Type: MsgInv, ID: b2.Header.ID()}).Append(nil))
	n.OnTimer(env.timers[len(env.timers)-1].tag)
	if n.reqs.Len() != 0 {
		t.Errorf("request kept after its last announcer timed out")
	}
}

func TestServesOnce(t *testing.T) {
	cfg := testConfig(1)
	env := newRecEnv(7, 8)
	env.now = 1000e9
	n := mustNode(t, cfg, env)
	b1, m1 := child(cfg, mustGenesis(t, cfg), 100e9, 7, 0)
	n.Receive(7, m1)
	env.take()
	get := func(w Relay) []byte { return (&Message{Type: MsgGetData, ID: b1.Header.ID(), Want: w}).Append(nil) }
	n.Receive(8, get(RelayCompact))
	n.Receive(8, get(RelayCompact))
	n.Receive(8, get(RelayFull))
	n.Receive(7, get(RelayFull))
	s := env.take()
	if len(s) != 2 || s[0].to != 8 || s[0].typ != MsgCmpctBlock || s[0].pad != 6*1999 ||
		s[1].to != 7 || s[1].typ != MsgBlock || s[1].pad != 999_859 {
		t.Fatalf("served %+v", s)
	}
	// The full block is the received slice itself; the compact one a
	// re-typed copy.
	if &s[1].msg[0] != &m1[0] || &s[0].msg[0] == &m1[0] || m1[0] != byte(MsgBlock) {
		t.Error("block bytes were not relayed as received")
	}
	// Unknown blocks are not served.
	n.Receive(8, (&Message{Type: MsgGetData, ID: [32]byte{1}}).Append(nil))
	if len(env.take()) != 0 {
		t.Error("served an unknown block")
	}
}

// TestMiningRate: a lone miner at the genesis difficulty for its rate
// averages the target interval, and with retargeting a miner twice as fast
// as planned is brought back to the target interval at about twice the
// difficulty.
func TestMiningRate(t *testing.T) {
	tests := []struct {
		name           string
		rate, planned  float64
		window         int
		blocks         int
		meanLo, meanHi float64 // seconds over all blocks
		diffLo, diffHi float64 // final difficulty / genesis difficulty
	}{
		// 300 draws: mean 600 s, standard error ~35 s.
		{"no retarget", 1e6, 1e6, 0, 300, 460, 740, 1, 1},
		// Retargeting brings the interval back from 300 s to the target;
		// with W=10 it is biased up by W/(W-1) (the mean of 1/Gamma(10)),
		// so ~667 s.
		{"retarget to twice the rate", 2e6, 1e6, 10, 300, 540, 860, 1.4, 2.8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := testConfig(0)
			c.Miner, c.HashRate, c.RetargetWindow = true, tc.rate, tc.window
			c.GenesisDifficulty = DifficultyFor(tc.planned, c.TargetInterval)
			net := newTestNet(t, []Config{c}, nil, 1e9, 11)
			for len(net.Events(nodes.EvMined)) < tc.blocks {
				net.Run(net.Now() + 3600e9)
			}
			mined := net.Events(nodes.EvMined)[:tc.blocks]
			mean := float64(mined[tc.blocks-1].At) / 1e9 / float64(tc.blocks)
			if mean < tc.meanLo || mean > tc.meanHi {
				t.Errorf("mean interval %.1f s, want in [%v, %v]", mean, tc.meanLo, tc.meanHi)
			}
			ratio := mined[tc.blocks-1].Ev.Value / mined[0].Ev.Value
			t.Logf("mean %.1f s, difficulty ratio %.3f", mean, ratio)
			if ratio < tc.diffLo || ratio > tc.diffHi {
				t.Errorf("difficulty ratio %.3f, want in [%v, %v]", ratio, tc.diffLo, tc.diffHi)
			}
		})
	}
}

func ExampleNode() {
	cfg := Config{
		ID: 0, Miner: true, HashRate: 1e12, TargetInterval: 600e9,
		GenesisDifficulty: DifficultyFor(1e12, 600e9), RetargetWindow: 2016,
		BlockSize: 1_000_000, TxSize: 500, MaxBlockSize: 4_000_000, BlockReward: 50e8,
	}
	n, err := New(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	env := newRecEnv(1, 2)
	n.Start(env) // a miner: busy, with a block timer armed
	fmt.Println(env.busy, len(env.timers))
	n.OnTimer(env.timers[0].tag) // the timer fires: a block is found
	_, h := n.Tip()
	fmt.Println("height", h, "events", len(env.events), "invs", len(env.sent))
	// Output:
	// true 1
	// height 1 events 3 invs 2
}

// TestMiningRedrawOnTip: a block from a peer cancels the mining timer and
// draws a new one on the new tip; the old timer's tag is then ignored.
func TestMiningRedrawOnTip(t *testing.T) {
	cfg := testConfig(1)
	cfg.Miner, cfg.HashRate = true, 1e6
	env := newRecEnv(7)
	env.now = 1000e9
	n := mustNode(t, cfg, env)
	if !env.busy || len(env.timers) != 1 {
		t.Fatalf("miner not started: busy %v timers %d", env.busy, len(env.timers))
	}
	old := env.timers[0]
	b1, m1 := child(cfg, mustGenesis(t, cfg), 100e9, 7, 0)
	n.Receive(7, m1)
	if !slices.Contains(env.cancelled, old.h) || len(env.timers) != 2 {
		t.Fatalf("cancelled %v, timers %d", env.cancelled, len(env.timers))
	}
	n.OnTimer(old.tag)
	if _, h := n.Tip(); h != 1 || len(env.kinds(nodes.EvMined)) != 0 {
		t.Fatal("stale mining timer mined")
	}
	n.OnTimer(env.timers[1].tag)
	mined := env.kinds(nodes.EvMined)
	if tip, h := n.Tip(); h != 2 || len(mined) != 1 || mined[0].Parent != b1.Header.ID() || mined[0].Block != tip {
		t.Fatalf("mined %+v at height %d", mined, h)
	}
}

// TestRequestsBounded: announcements of unknown ids beyond relay.MaxRequests
// are ignored.
func TestRequestsBounded(t *testing.T) {
	env := newRecEnv(7)
	n := mustNode(t, testConfig(1), env)
	for i := range 100 {
		n.Receive(7, (&Message{Type: MsgInv, ID: [32]byte{byte(i), 1}}).Append(nil))
	}
	if n.reqs.Len() != relay.MaxRequests || len(env.take()) != relay.MaxRequests {
		t.Errorf("%d requests in flight, want %d", n.reqs.Len(), relay.MaxRequests)
	}
}
