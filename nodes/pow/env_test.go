package pow

import (
	"github.com/coinai/coinai/nodes/nodestest"
	"math/rand/v2"
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

// testNet is a nodestest network of PoW nodes that counts the bytes
// (len(msg)+padding) and messages sent per type.
type testNet struct {
	*nodestest.Net
	nodes []*Node
	bytes map[MsgType]int
	count map[MsgType]int
}

// newTestNet builds and starts nodes from cfgs, linked both ways by links.
func newTestNet(t testing.TB, cfgs []Config, links [][2]int, delay int64, seed uint64) *testNet {
	t.Helper()
	n := &testNet{Net: nodestest.New(delay), bytes: map[MsgType]int{}, count: map[MsgType]int{}}
	n.OnSend = func(_, _ nodes.PeerID, msg []byte, pad int) {
		n.bytes[MsgType(msg[0])] += len(msg) + pad
		n.count[MsgType(msg[0])]++
	}
	n.nodes = nodestest.AddAll(t, n.Net, cfgs, links, seed, New)
	n.Start()
	return n
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
