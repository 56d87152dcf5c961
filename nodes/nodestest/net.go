// Package nodestest is an in-memory network for testing protocol nodes
// without the simulator, in the manner of etcd raft's tests: a manual
// virtual clock, every message delivered after a fixed delay in send order,
// timers, and one FIFO processor per node whose jobs take FLOPs / FLOPS of
// virtual time. Jobs whose results are shareable are computed once.
package nodestest

import (
	"container/heap"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/coinai/coinai/nodes"
)

// Observed is an event a node reported, with the node and the time.
type Observed struct {
	Node int
	At   int64
	Ev   nodes.Event
}

// Net is the network. Set the exported fields before Start.
type Net struct {
	Delay int64           // message delay
	FLOPS float64         // processor speed of every node...
	Speed map[int]float64 // ...times this factor, per node
	// Drop, if set, loses the messages for which it returns true.
	Drop func(from, to nodes.PeerID, msg []byte) bool
	// OnSend, if set, sees every message sent, dropped or not.
	OnSend func(from, to nodes.PeerID, msg []byte, padding int)
	// Observed lists every event the nodes reported, in order.
	Observed []Observed
	// Ran counts jobs actually computed (shared results count once).
	Ran int
	// Unshared, if set, computes every job, shareable or not: for tests
	// that check what a node asked for, which a shared result of an equal
	// key would hide.
	Unshared bool

	now       int64
	seq       int64
	q         queue
	nodes     []nodes.Node
	envs      []*Env
	cancelled map[nodes.Handle]bool
	handles   nodes.Handle
	cache     map[[32]byte]any
}

// New returns an empty network whose messages take delay ns.
func New(delay int64) *Net {
	return &Net{Delay: delay, FLOPS: 1e6, cancelled: map[nodes.Handle]bool{}, cache: map[[32]byte]any{}}
}

// Peers turns a list of links into each of count nodes' sorted peer list;
// links are bidirectional.
func Peers(count int, links [][2]int) [][]nodes.PeerID {
	peers := make([][]nodes.PeerID, count)
	for _, l := range links {
		peers[l[0]] = append(peers[l[0]], nodes.PeerID(l[1]))
		peers[l[1]] = append(peers[l[1]], nodes.PeerID(l[0]))
	}
	for _, p := range peers {
		slices.Sort(p)
	}
	return peers
}

// AddAll makes a node of each config with newNode (a protocol's New) and
// adds it with its random stream seed, linked both ways by links (see
// Peers); it returns the nodes in order and fails t if one cannot be made.
func AddAll[C any, N nodes.Node](t testing.TB, n *Net, cfgs []C, links [][2]int, seed uint64, newNode func(C) (N, error)) []N {
	t.Helper()
	peers := Peers(len(cfgs), links)
	out := make([]N, 0, len(cfgs))
	for i, c := range cfgs {
		nd, err := newNode(c)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, nd)
		n.Add(nd, peers[i], seed)
	}
	return out
}

// Add adds a node with its peers and its random stream PCG(seed, index).
func (n *Net) Add(node nodes.Node, peers []nodes.PeerID, seed uint64) *Env {
	e := &Env{net: n, id: len(n.nodes), peers: peers, rnd: rand.New(rand.NewPCG(seed, uint64(len(n.nodes))))}
	n.nodes = append(n.nodes, node)
	n.envs = append(n.envs, e)
	return e
}

// Start starts every node.
func (n *Net) Start() {
	for i, nd := range n.nodes {
		nd.Start(n.envs[i])
	}
}

// Now is the virtual time.
func (n *Net) Now() int64 { return n.now }

// Env returns node i's environment.
func (n *Net) Env(i int) *Env { return n.envs[i] }

// At runs fn at virtual time t.
func (n *Net) At(t int64, fn func()) { n.push(event{at: t, fn: fn}) }

// Run processes events up to and including time until.
func (n *Net) Run(until int64) {
	for n.q.Len() > 0 && n.q[0].at <= until {
		ev := heap.Pop(&n.q).(event)
		n.now = ev.at
		switch {
		case ev.fn != nil:
			ev.fn()
		case ev.msg != nil:
			n.nodes[ev.node].Receive(ev.from, ev.msg)
		case ev.compute:
			n.finish(ev)
		default:
			if !n.cancelled[ev.h] {
				n.nodes[ev.node].OnTimer(ev.tag)
			}
		}
	}
	n.now = max(n.now, until)
}

// Events returns the observations of kind k.
func (n *Net) Events(k nodes.EventKind) []Observed {
	var out []Observed
	for _, o := range n.Observed {
		if o.Ev.Kind == k {
			out = append(out, o)
		}
	}
	return out
}

// NodeEvents returns node's events of kind k.
func (n *Net) NodeEvents(node int, k nodes.EventKind) []nodes.Event {
	var out []nodes.Event
	for _, o := range n.Events(k) {
		if o.Node == node {
			out = append(out, o.Ev)
		}
	}
	return out
}

func (n *Net) finish(ev event) {
	e := n.envs[ev.node]
	if n.cancelled[ev.h] || len(e.jobs) == 0 || e.jobs[0].h != ev.h {
		return
	}
	j := e.jobs[0]
	e.jobs = e.jobs[1:]
	if len(e.jobs) > 0 {
		e.startHead()
	}
	var res any
	if nodes.IsShareable(j.job) && !n.Unshared {
		if r, ok := n.cache[j.job.Key()]; ok {
			res = r
		} else {
			res = j.job.Run()
			n.Ran++
			n.cache[j.job.Key()] = res
		}
	} else {
		res = j.job.Run()
		n.Ran++
	}
	n.nodes[ev.node].OnComputed(j.tag, res)
}

func (n *Net) push(ev event) {
	n.seq++
	ev.seq = n.seq
	heap.Push(&n.q, ev)
}

// Env is one node's nodes.Env.
type Env struct {
	net   *Net
	id    int
	peers []nodes.PeerID
	rnd   *rand.Rand
	jobs  []job // FIFO; the head is running
	// MissesTxs makes the node's mempool lack every block's transactions
	// (nodes.Mempool), so that compact blocks cannot be rebuilt.
	MissesTxs bool
	// MissingShare is the share (0..1] of a block that a node with
	// MissesTxs lacks (nodes.PartialMempool); 0 means all of it.
	MissingShare float64
}

// CanRebuild implements nodes.Mempool.
func (e *Env) CanRebuild([32]byte) bool { return !e.MissesTxs }

// Missing implements nodes.PartialMempool: a node that misses
// transactions lacks MissingShare of each block, or all of it when
// MissingShare is 0.
func (e *Env) Missing([32]byte) float64 {
	switch {
	case !e.MissesTxs:
		return 0
	case e.MissingShare > 0:
		return e.MissingShare
	}
	return 1
}

type job struct {
	h   nodes.Handle
	job nodes.Job
	tag uint64
}

// Queue lists the node's pending jobs, the running one first.
func (e *Env) Queue() []nodes.Job {
	out := make([]nodes.Job, len(e.jobs))
	for i, j := range e.jobs {
		out[i] = j.job
	}
	return out
}

func (e *Env) Now() int64            { return e.net.now }
func (e *Env) Rand() *rand.Rand      { return e.rnd }
func (e *Env) Peers() []nodes.PeerID { return e.peers }
func (e *Env) SetBusy(bool)          {}
func (e *Env) Observe(ev nodes.Event) {
	e.net.Observed = append(e.net.Observed, Observed{e.id, e.net.now, ev})
}

// Send delivers msg after the network's delay. Peers outside the network
// stand for test drivers: what is sent to them is lost.
func (e *Env) Send(to nodes.PeerID, msg []byte, pad int) {
	n := e.net
	if n.OnSend != nil {
		n.OnSend(nodes.PeerID(e.id), to, msg, pad)
	}
	if int(to) >= len(n.nodes) || n.Drop != nil && n.Drop(nodes.PeerID(e.id), to, msg) {
		return
	}
	n.push(event{at: n.now + n.Delay, node: int(to), from: nodes.PeerID(e.id), msg: msg})
}

func (e *Env) After(d int64, tag uint64) nodes.Handle {
	n := e.net
	n.handles++
	n.push(event{at: n.now + d, node: e.id, tag: tag, h: n.handles})
	return n.handles
}

func (e *Env) Compute(j nodes.Job, tag uint64) nodes.Handle {
	n := e.net
	n.handles++
	e.jobs = append(e.jobs, job{n.handles, j, tag})
	if len(e.jobs) == 1 {
		e.startHead()
	}
	return n.handles
}

func (e *Env) startHead() {
	n := e.net
	f := n.FLOPS
	if s, ok := n.Speed[e.id]; ok {
		f *= s
	}
	d := max(int64(e.jobs[0].job.FLOPs()/f*1e9), 1)
	n.push(event{at: n.now + d, node: e.id, h: e.jobs[0].h, compute: true})
}

func (e *Env) Cancel(h nodes.Handle) {
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

var _ nodes.Env = (*Env)(nil)

type event struct {
	at, seq int64
	node    int
	from    nodes.PeerID
	msg     []byte
	tag     uint64
	h       nodes.Handle
	compute bool
	fn      func()
}

type queue []event

func (q queue) Len() int { return len(q) }
func (q queue) Less(i, j int) bool {
	return q[i].at < q[j].at || q[i].at == q[j].at && q[i].seq < q[j].seq
}
func (q queue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *queue) Push(x any)   { *q = append(*q, x.(event)) }
func (q *queue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

// Idle is a Node that does nothing: a stand-in for tests that need a node
// (an observer asking for tips, say) but none of its behaviour.
type Idle struct{}

func (Idle) Start(nodes.Env)              {}
func (Idle) Receive(nodes.PeerID, []byte) {}
func (Idle) OnTimer(uint64)               {}
func (Idle) OnComputed(uint64, any)       {}
