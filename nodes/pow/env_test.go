package pow

import (
	"container/heap"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/coinai/coinai/nodes"
)

// This file holds the test harnesses: a one-node recording Env for
// message-level tests, and a tiny in-memory network with a manual clock
// and a fixed link delay, in the style of etcd raft's network tests.

func testConfig(id nodes.PeerID) Config {
	return Config{
		ID:                id,
		TargetInterval:    600e9,
		GenesisDifficulty: 1,
		BlockSize:         1_000_000,
		TxSize:            500,
		MaxBlockSize:      2_000_000,
		BlockReward:       5000,
	}
}

// child builds a valid block on parent at time t, with parent's bits
// unless bits is non-zero.
func child(cfg Config, parent Block, t int64, miner uint32, bits uint32) (Block, []byte) {
	if bits == 0 {
		bits = parent.Header.Bits
	}
	h := parent.Header.Height + 1
	filler := max(cfg.BlockSize-blockMsgSize, 0)
	b := Block{
		Header:   Header{Version: Version, Prev: parent.Header.ID(), Height: h, Time: t, Bits: bits, Miner: miner, Nonce: uint64(t)},
		Coinbase: Coinbase{Miner: miner, Height: h, Reward: cfg.BlockReward},
		Filler:   Filler{Count: uint32(filler / cfg.TxSize), Bytes: uint64(filler), Seed: 7},
	}
	b.Header.Merkle = b.ComputeMerkle()
	return b, encodeBlockMsg(&b, MsgBlock)
}

func encodeBlockMsg(b *Block, t MsgType) []byte {
	m := Message{Type: t, Block: *b}
	return m.Append(nil)
}

type sent struct {
	to  nodes.PeerID
	typ MsgType
	msg []byte
	pad int
}

type timer struct {
	at  int64
	tag uint64
	h   nodes.Handle
}

// recEnv records what one node does.
type recEnv struct {
	now       int64
	peers     []nodes.PeerID
	rnd       *rand.Rand
	sent      []sent
	timers    []timer
	cancelled []nodes.Handle
	events    []nodes.Event
	busy      bool
	next      nodes.Handle
}

func newRecEnv(peers ...nodes.PeerID) *recEnv {
	return &recEnv{peers: peers, rnd: rand.New(rand.NewPCG(1, 2))}
}

func (e *recEnv) Now() int64             { return e.now }
func (e *recEnv) Rand() *rand.Rand       { return e.rnd }
func (e *recEnv) Peers() []nodes.PeerID  { return e.peers }
func (e *recEnv) SetBusy(b bool)         { e.busy = b }
func (e *recEnv) Observe(ev nodes.Event) { e.events = append(e.events, ev) }
func (e *recEnv) Cancel(h nodes.Handle)  { e.cancelled = append(e.cancelled, h) }
func (e *recEnv) Send(to nodes.PeerID, msg []byte, pad int) {
	e.sent = append(e.sent, sent{to, MsgType(msg[0]), msg, pad})
}
func (e *recEnv) After(d int64, tag uint64) nodes.Handle {
	e.next++
	e.timers = append(e.timers, timer{e.now + d, tag, e.next})
	return e.next
}
func (e *recEnv) Compute(nodes.Job, uint64) nodes.Handle { panic("pow computes nothing") }

func (e *recEnv) take() []sent {
	s := e.sent
	e.sent = nil
	return s
}

func (e *recEnv) kinds(k nodes.EventKind) []nodes.Event {
	var out []nodes.Event
	for _, ev := range e.events {
		if ev.Kind == k {
			out = append(out, ev)
		}
	}
	return out
}

// netEvent is a delivery or a timer in the test network.
type netEvent struct {
	at, seq int64
	node    int
	from    nodes.PeerID
	msg     []byte
	tag     uint64
	h       nodes.Handle
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

// testNet delivers every message after a fixed delay, in send order.
type testNet struct {
	now       int64
	seq       int64
	delay     int64
	q         evQueue
	nodes     []*Node
	envs      []*netEnv
	cancelled map[nodes.Handle]bool
	handles   nodes.Handle
	bytes     map[MsgType]int // len(msg)+padding per type
	count     map[MsgType]int
	observed  []observed
	drop      func(from, to nodes.PeerID, t MsgType) bool
}

type netEnv struct {
	net   *testNet
	id    int
	peers []nodes.PeerID
	rnd   *rand.Rand
}

func (e *netEnv) Now() int64            { return e.net.now }
func (e *netEnv) Rand() *rand.Rand      { return e.rnd }
func (e *netEnv) Peers() []nodes.PeerID { return e.peers }
func (e *netEnv) SetBusy(bool)          {}
func (e *netEnv) Observe(ev nodes.Event) {
	e.net.observed = append(e.net.observed, observed{e.id, e.net.now, ev})
}
func (e *netEnv) Cancel(h nodes.Handle) { e.net.cancelled[h] = true }
func (e *netEnv) Compute(nodes.Job, uint64) nodes.Handle {
	panic("pow computes nothing")
}
func (e *netEnv) Send(to nodes.PeerID, msg []byte, pad int) {
	n := e.net
	t := MsgType(msg[0])
	n.bytes[t] += len(msg) + pad
	n.count[t]++
	if n.drop != nil && n.drop(nodes.PeerID(e.id), to, t) {
		return
	}
	n.push(netEvent{at: n.now + n.delay, node: int(to), from: nodes.PeerID(e.id), msg: msg})
}
func (e *netEnv) After(d int64, tag uint64) nodes.Handle {
	n := e.net
	n.handles++
	n.push(netEvent{at: n.now + d, node: e.id, tag: tag, h: n.handles})
	return n.handles
}

func (n *testNet) push(ev netEvent) {
	n.seq++
	ev.seq = n.seq
	heap.Push(&n.q, ev)
}

// at schedules fn at virtual time t.
func (n *testNet) at(t int64, fn func()) { n.push(netEvent{at: t, fn: fn}) }

// newTestNet builds nodes from cfgs, linked both ways by links.
func newTestNet(t testing.TB, cfgs []Config, links [][2]int, delay int64, seed uint64) *testNet {
	t.Helper()
	n := &testNet{delay: delay, cancelled: map[nodes.Handle]bool{}, bytes: map[MsgType]int{}, count: map[MsgType]int{}}
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
		n.envs = append(n.envs, &netEnv{net: n, id: i, peers: peers[i], rnd: rand.New(rand.NewPCG(seed, uint64(i)))})
	}
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
		default:
			if !n.cancelled[ev.h] {
				n.nodes[ev.node].OnTimer(ev.tag)
			}
		}
	}
	n.now = max(n.now, until)
}

// stopMining turns every miner off, so that the network can drain.
func (n *testNet) stopMining() {
	for _, nd := range n.nodes {
		nd.cfg.Miner = false
		if nd.mineTimer != 0 {
			nd.env.Cancel(nd.mineTimer)
		}
	}
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
