package coinai

import (
	"container/heap"
	"crypto/sha256"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/dataset"
	"github.com/coinai/coinai/nodes/grammar"
	"github.com/coinai/coinai/nodes/ledger"
	"github.com/coinai/coinai/nodes/nn"
)

// This file holds the test harness: a tiny in-memory network with a manual
// clock, a fixed link delay and one FIFO processor per node whose jobs run
// (synchronously, when their virtual time comes) at a fixed FLOP rate, in
// the style of etcd raft's network tests.

var (
	dataOnce sync.Once
	testData Data
)

// digitsData is the digits set split 70/15/15 with seed 1, loaded once.
func digitsData(t testing.TB) *Data {
	dataOnce.Do(func() {
		s, err := dataset.Digits()
		if err != nil {
			panic(err)
		}
		tr, va, te := s.Split(1, 0.15, 0.15)
		testData = Data{Name: "digits", Train: tr, Val: va, Test: te}
	})
	return &testData
}

// tinyRanges keeps unit tests fast: one dense layer of 16 or 32 units.
func tinyRanges() grammar.Ranges {
	return grammar.Ranges{MinFCs: 1, MaxFCs: 1, UnitChoices: []int{16, 32},
		Activations: []nn.Activation{nn.ActReLU, nn.ActTanh}}
}

func testKey(i int) []byte {
	return ledger.KeyFromSeed(sha256.Sum256([]byte{byte(i), 'k'}))
}

func testConfig(t testing.TB, id int, miner bool) Config {
	return Config{
		ID: nodes.PeerID(id), Key: testKey(id), Miner: miner,
		Default: *digitsData(t), Ranges: tinyRanges(),
		Epochs: 1, Batch: 32, LR: 0.05, Momentum: 0.9,
		TargetInterval: 60e9, ThresholdInitial: 0.5, ThresholdMin: 0.1,
		ThresholdWindow: 0, ThresholdMaxStep: 0.01,
		BlockReward: 50 * ledger.Coin, Verify: true,
	}
}

type netEvent struct {
	at, seq int64
	node    int
	from    nodes.PeerID
	msg     []byte
	tag     uint64
	h       nodes.Handle
	compute bool
	fn      func()
}

type evQueue []netEvent

func (q evQueue) Len() int { return len(q) }
func (q evQueue) Less(i, j int) bool {
	return q[i].at < q[j].at || q[i].at == q[j].at && q[i].seq < q[j].seq
}
func (q evQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *evQueue) Push(x any)   { *q = append(*q, x.(netEvent)) }
func (q *evQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

type observed struct {
	node int
	at   int64
	ev   nodes.Event
}

type queuedJob struct {
	h   nodes.Handle
	job nodes.Job
	tag uint64
}

type testNet struct {
	now       int64
	seq       int64
	delay     int64
	flops     float64 // per second, for every node unless speed says otherwise
	speed     map[int]float64
	q         evQueue
	nodes     []*Node
	envs      []*netEnv
	cancelled map[nodes.Handle]bool
	handles   nodes.Handle
	observed  []observed
	cache     map[[32]byte]any // shareable results
	ran       int              // jobs actually run
	drop      func(from, to nodes.PeerID, msg []byte) bool
}

type netEnv struct {
	net   *testNet
	id    int
	peers []nodes.PeerID
	rnd   *rand.Rand
	jobs  []queuedJob // FIFO; the head is running
	since int64       // start of the head job
}

func (e *netEnv) Now() int64            { return e.net.now }
func (e *netEnv) Rand() *rand.Rand      { return e.rnd }
func (e *netEnv) Peers() []nodes.PeerID { return e.peers }
func (e *netEnv) SetBusy(bool)          {}
func (e *netEnv) Observe(ev nodes.Event) {
	e.net.observed = append(e.net.observed, observed{e.id, e.net.now, ev})
}
func (e *netEnv) Send(to nodes.PeerID, msg []byte, pad int) {
	n := e.net
	if int(to) >= len(n.nodes) || n.drop != nil && n.drop(nodes.PeerID(e.id), to, msg) {
		return // peers outside the network stand for test drivers
	}
	n.push(netEvent{at: n.now + n.delay, node: int(to), from: nodes.PeerID(e.id), msg: msg})
}
func (e *netEnv) After(d int64, tag uint64) nodes.Handle {
	n := e.net
	n.handles++
	n.push(netEvent{at: n.now + d, node: e.id, tag: tag, h: n.handles})
	return n.handles
}
func (e *netEnv) Compute(job nodes.Job, tag uint64) nodes.Handle {
	n := e.net
	n.handles++
	e.jobs = append(e.jobs, queuedJob{n.handles, job, tag})
	if len(e.jobs) == 1 {
		e.startHead()
	}
	return n.handles
}
func (e *netEnv) startHead() {
	n := e.net
	j := e.jobs[0]
	f := n.flops
	if s, ok := n.speed[e.id]; ok {
		f *= s
	}
	d := max(int64(j.job.FLOPs()/f*1e9), 1)
	n.push(netEvent{at: n.now + d, node: e.id, h: j.h, compute: true})
}
func (e *netEnv) Cancel(h nodes.Handle) {
	e.net.cancelled[h] = true
	for i, j := range e.jobs {
		if j.h == h {
			e.jobs = slices.Delete(e.jobs, i, i+1)
			if i == 0 && len(e.jobs) > 0 {
				e.startHead()
			}
			return
		}
	}
}

func (n *testNet) push(ev netEvent) {
	n.seq++
	ev.seq = n.seq
	heap.Push(&n.q, ev)
}

func (n *testNet) at(t int64, fn func()) { n.push(netEvent{at: t, fn: fn}) }

// newTestNet builds nodes from cfgs, linked both ways by links; start
// starts them.
func newTestNet(t testing.TB, cfgs []Config, links [][2]int, delay int64) *testNet {
	t.Helper()
	n := &testNet{delay: delay, flops: 1e6, cancelled: map[nodes.Handle]bool{}, cache: map[[32]byte]any{}}
	peers := make([][]nodes.PeerID, len(cfgs))
	for _, l := range links {
		peers[l[0]] = append(peers[l[0]], nodes.PeerID(l[1]))
		peers[l[1]] = append(peers[l[1]], nodes.PeerID(l[0]))
	}
	for i, c := range cfgs {
		nd, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(peers[i])
		n.nodes = append(n.nodes, nd)
		n.envs = append(n.envs, &netEnv{net: n, id: i, peers: peers[i], rnd: rand.New(rand.NewPCG(1, uint64(i)))})
	}
	return n
}

// start starts every node; set speed and drop before.
func (n *testNet) start() *testNet {
	for i, nd := range n.nodes {
		nd.Start(n.envs[i])
	}
	return n
}

// run processes events up to and including time until.
func (n *testNet) run(until int64) {
	for n.q.Len() > 0 && n.q[0].at <= until {
		ev := heap.Pop(&n.q).(netEvent)
		n.now = ev.at
		switch {
		case ev.fn != nil:
			ev.fn()
		case ev.msg != nil:
			n.nodes[ev.node].Receive(ev.from, ev.msg)
		case ev.compute:
			e := n.envs[ev.node]
			if n.cancelled[ev.h] || len(e.jobs) == 0 || e.jobs[0].h != ev.h {
				continue
			}
			j := e.jobs[0]
			e.jobs = e.jobs[1:]
			if len(e.jobs) > 0 {
				e.startHead()
			}
			var res any
			if s, ok := j.job.(interface{ Shareable() bool }); ok && s.Shareable() {
				if r, ok := n.cache[j.job.Key()]; ok {
					res = r
				} else {
					res = j.job.Run()
					n.ran++
					n.cache[j.job.Key()] = res
				}
			} else {
				res = j.job.Run()
				n.ran++
			}
			n.nodes[ev.node].OnComputed(j.tag, res)
		default:
			if !n.cancelled[ev.h] {
				n.nodes[ev.node].OnTimer(ev.tag)
			}
		}
	}
	n.now = max(n.now, until)
}

func (n *testNet) events(k nodes.EventKind) []observed {
	var out []observed
	for _, o := range n.observed {
		if o.ev.Kind == k {
			out = append(out, o)
		}
	}
	return out
}

func (n *testNet) nodeEvents(node int, k nodes.EventKind) []nodes.Event {
	var out []nodes.Event
	for _, o := range n.observed {
		if o.node == node && o.ev.Kind == k {
			out = append(out, o.ev)
		}
	}
	return out
}

// trainFor trains a model for a child of prev as miner key would on
// attempt, returning the serialised model and the job's result.
func trainFor(t testing.TB, cfg Config, prev [32]byte, miner ledger.Address, attempt uint32, epochs int) *TrainResult {
	t.Helper()
	d := &cfg.Default
	a, err := grammar.Decode(prev, cfg.Ranges, d.Train.C, d.Train.H, d.Train.W, d.Train.Classes)
	if err != nil {
		t.Fatal(err)
	}
	j := &TrainJob{Arch: a, Data: d, Seed: Seed(prev, miner, attempt), WorkScale: 1,
		Train: nn.TrainConfig{Epochs: epochs, Batch: cfg.Batch, LR: cfg.LR, Momentum: cfg.Momentum}}
	r := j.Run().(*TrainResult)
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	return r
}

// makeBlock builds a signed block on parent with the given model bytes.
func makeBlock(t testing.TB, parent Header, model []byte, key []byte, time int64, thr uint32, txs []ledger.Tx) (Block, []byte) {
	t.Helper()
	h := Header{Version: Version, Prev: parent.ID(), Height: parent.Height + 1, Time: time,
		Model: sha256.Sum256(model), TxRoot: TxRoot(txs), Accuracy: 900000, Threshold: thr}
	if err := h.Sign(key); err != nil {
		t.Fatal(err)
	}
	b := Block{Header: h, Model: model, Txs: txs}
	return b, AppendBlock(nil, &b)
}

// stopMining turns every miner off so that the network can drain.
func (n *testNet) stopMining() {
	for _, nd := range n.nodes {
		nd.cfg.Miner = false
		nd.cancelAttempt()
	}
}

// validChild builds a block on parent whose model, trained for parent by
// key's owner, passes the tiny test threshold.
func validChild(t testing.TB, cfg Config, parent Header, key []byte, time int64, txs []ledger.Tx) (Block, []byte) {
	t.Helper()
	addr := ledger.AddressOfKey(key)
	r := trainFor(t, cfg, parent.ID(), addr, 0, 1)
	return makeBlock(t, parent, r.Model, key, time, Genesis(cfg).Threshold, txs)
}

// validator returns a one-node network whose node only validates.
func validator(t testing.TB) *testNet {
	return newTestNet(t, []Config{testConfig(t, 0, false)}, nil, 1e6).start()
}

// deliver hands msg to node 0 from peer 9 and runs until its verification
// is done.
func (n *testNet) deliver(msg []byte) {
	n.nodes[0].Receive(9, msg)
	n.run(n.now + 1e12)
}

// lastNote returns the note of node's last EvRejected, or "".
func (n *testNet) lastRejection() string {
	r := n.events(nodes.EvRejected)
	if len(r) == 0 {
		return ""
	}
	return r[len(r)-1].ev.Note
}
