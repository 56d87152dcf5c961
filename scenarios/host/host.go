// Package host hosts protocol nodes on the sim kernel: it implements
// nodes.Env for each node (clock, random stream, peers, network transfer,
// timers, a processor with FIFO jobs, preemption and compute-ahead, energy
// meters, a mempool model), applies the run's fault plan (offline windows,
// fault events), drives the run to its stop condition and hands every
// event a node reports to an Observer.
//
// It is where the simulator (sim/) and the protocols (nodes/) meet: sim
// knows nothing of blocks, and nodes know nothing of the kernel. It knows
// no protocol either: a node's optional capabilities are the interfaces of
// package nodes (Tipper, DiskLoser, TrafficClassifier, Shareable, Classed).
// What the run measures is the Observer's business, never the host's.
package host

import (
	"fmt"
	"io"
	"math/rand/v2"
	"time"
	"unsafe"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/sim"
	"github.com/coinai/coinai/sim/cpu"
)

// Event kinds of the kernel's queue. They enter the trace digest.
const (
	evMessage uint8 = iota + 1
	evTimer
	evCompute
	evStart
	evFault uint8 = 16 // a fault event of the plan (sim.Faults)
)

// NodeSpec is what the host needs of one node: where it sits and what its
// hardware can do.
type NodeSpec struct {
	Region int8    // index into the network's regions
	FLOPS  float64 // effective FLOP/s for compute jobs (0: jobs take 1 ns)
	BusyW  float64 // power while busy
	IdleW  float64 // power while idle
	// MissesTxs: the node's mempool lacks the transactions of blocks, so
	// it cannot rebuild compact blocks (nodes.Mempool).
	MissesTxs bool
	// RebuildFail, when > 0, replaces MissesTxs by a draw per reception:
	// the probability (0..1] that the node cannot rebuild a compact block
	// it receives (nodes.PartialMempool).
	RebuildFail float64
	// Refetch is the distribution of the share of a block's transaction
	// bytes that a failed rebuild fetches, as sim.Quantile knots; nil
	// fetches them all.
	Refetch []float64
}

// Observer receives every event a node reports, with the node and the
// virtual time, in event order.
type Observer interface {
	Observe(node int32, at sim.Time, ev nodes.Event)
}

// Config is everything the host needs, already resolved.
type Config struct {
	Seed   uint64
	Net    sim.NetConfig
	Degree int // peers per node in the random topology (0: 8)
	Nodes  []NodeSpec
	// StopHeight: stop when every node's tip (nodes.EvTip) is at least
	// this high; under offline windows, every node that is online now.
	StopHeight int64
	StopTime   sim.Time // virtual time limit (0: none)
	MaxEvents  uint64   // event budget (0: none)
	// Degrees, if not nil, gives each node its own outbound degree
	// (drawn from a measured distribution) instead of Degree.
	Degrees []int
	// Delay, if not nil, is the time a receiver spends on msg before it
	// handles it (a block's validation): the message is delivered that
	// much after it arrives. It must be a pure function of the message.
	Delay func(msg []byte, padding int) sim.Time
	// CostScale multiplies the counted FLOPs of each class of job in
	// virtual time and energy (0 means 1): a scenario lets a small job
	// stand in for a larger one here, in the processor model, never in
	// the protocol.
	CostScale [nodes.NumJobClasses]float64
	// Faults is the fault plan (nil: none).
	Faults *sim.Faults
	// Rewire, if not nil, edits the random topology (symmetric, sorted
	// adjacency lists) before the nodes are built.
	Rewire func(adj [][]int32)
	// NewNode builds node i.
	NewNode func(i int) (nodes.Node, error)
	// Trace, if not nil, receives a JSON Lines record per delivered event.
	Trace io.Writer
	// Progress, if not nil, is called now and then (every 100 ms of wall
	// time at most) with the virtual time.
	Progress func(now sim.Time)
	// Observer, if not nil, receives the nodes' reports.
	Observer Observer
	// Check, if not nil, is called after every event; an error stops the
	// run, and Run returns it with the time and the event count.
	Check func() error
}

// Host is one run in progress.
type Host struct {
	cfg   Config
	k     *sim.Kernel
	net   *sim.Network
	nodes []nodes.Node
	envs  []*env
	class []nodes.TrafficClassifier // per node, nil if it does not classify
	// classify: some node classifies its traffic (else count does nothing).
	classify bool
	// hot is what delivering a message touches of its node, in one array
	// of 32-byte elements: with tens of thousands of nodes, each separate
	// per-node array read on the hot path is a cache miss.
	hot []hotNode

	jobs      map[uint64]*jobState
	nextJob   uint64
	ready     map[[32]byte]ahead // results computed ahead of their event
	done      map[[32]byte]any   // results of shareable jobs, by key
	cacheHits []int64            // per node: jobs whose result was shared
	// classFLOPs are the counted FLOPs (unscaled) of the jobs each node
	// completed, per nodes.JobClass.
	classFLOPs [nodes.NumJobClasses][]float64
	computed   int64
	// speculative counts training results computed ahead (on a spare
	// core) whose job was then cancelled: wall-clock work only.
	speculative int64

	classBytes map[string]*[2][]int64 // per traffic class: bytes sent, received per node

	// The last message sent and its payload id (see Host.payloadID).
	lastMsg []byte
	lastPad int
	lastID  uint64
	// payloads remembers the ids of big messages (payload.go).
	payloads *payloadTable

	tipHeight []int64
	atStop    int // nodes whose tip height >= StopHeight
	offline   bool

	// The [[fault]] part of the plan (see fault.go): whether it has link
	// faults and cuts, the random streams of link losses, the messages
	// each link fault and crash dropped, which nodes are down, and the
	// parts the cuts split the network into.
	links, cuts bool
	lossRng     []*rand.Rand
	lostLink    []int64
	lostCrash   []int64
	down        []bool
	adj         [][]int32
	parts       *sim.Parts

	// mempool is the random stream of the per-reception mempool model
	// (NodeSpec.RebuildFail, Refetch); nil when no node uses it.
	mempool *rand.Rand

	err error
}

// New builds the run: the topology and every node's random stream are
// derived from the seed, in node order.
func New(cfg Config) (*Host, error) {
	if len(cfg.Nodes) == 0 {
		return nil, fmt.Errorf("host: no nodes")
	}
	if cfg.NewNode == nil {
		return nil, fmt.Errorf("host: no node constructor")
	}
	n := len(cfg.Nodes)
	h := &Host{cfg: cfg, jobs: map[uint64]*jobState{}, ready: map[[32]byte]ahead{}, done: map[[32]byte]any{},
		classBytes: map[string]*[2][]int64{}, tipHeight: make([]int64, n), offline: cfg.Faults.HasOffline(),
		cacheHits: make([]int64, n), hot: make([]hotNode, n)}
	for c := range h.classFLOPs {
		h.classFLOPs[c] = make([]float64, n)
	}
	h.k = sim.NewKernel(h.handle)
	regions := make([]int8, len(cfg.Nodes))
	for i, n := range cfg.Nodes {
		regions[i] = n.Region
	}
	var err error
	h.net, err = sim.NewNetwork(cfg.Net, regions, sim.Stream(cfg.Seed, "network/jitter"))
	if err != nil {
		return nil, err
	}
	degree := cfg.Degree
	if degree <= 0 {
		degree = 8
	}
	var adj [][]int32
	if cfg.Degrees != nil {
		if len(cfg.Degrees) != len(cfg.Nodes) {
			return nil, fmt.Errorf("host: %d degrees for %d nodes", len(cfg.Degrees), len(cfg.Nodes))
		}
		adj = sim.RandomTopologyDegrees(cfg.Degrees, sim.Stream(cfg.Seed, "network/topology"))
	} else {
		adj = sim.RandomTopology(len(cfg.Nodes), degree, sim.Stream(cfg.Seed, "network/topology"))
	}
	if cfg.Rewire != nil {
		cfg.Rewire(adj)
	}
	h.initFaults(adj)
	if cfg.StopHeight <= 0 {
		h.atStop = -1
	}
	h.nodes = make([]nodes.Node, len(cfg.Nodes))
	h.envs = make([]*env, len(cfg.Nodes))
	h.class = make([]nodes.TrafficClassifier, len(cfg.Nodes))
	for i, spec := range cfg.Nodes {
		e := &env{h: h, id: int32(i), rng: sim.Stream(cfg.Seed, fmt.Sprintf("node/%d", i)), missesTxs: spec.MissesTxs,
			failP: spec.RebuildFail, refetch: spec.Refetch}
		if (spec.RebuildFail > 0 || spec.Refetch != nil) && h.mempool == nil {
			h.mempool = sim.Stream(cfg.Seed, "network/mempool")
		}
		e.meter.BusyW, e.meter.IdleW = spec.BusyW, spec.IdleW
		e.peers = make([]nodes.PeerID, len(adj[i]))
		for j, p := range adj[i] {
			e.peers[j] = nodes.PeerID(p)
		}
		h.envs[i] = e
		n, err := cfg.NewNode(i)
		if err != nil {
			return nil, fmt.Errorf("host: building node %d: %w", i, err)
		}
		h.nodes[i] = n
		h.hot[i].node, h.hot[i].env = n, e
		h.hot[i].pre, _ = n.(nodes.Prefetcher)
		h.class[i], _ = n.(nodes.TrafficClassifier)
		h.classify = h.classify || h.class[i] != nil
	}
	if cfg.Trace != nil {
		h.k.SetTrace(h.traceEvent)
	}
	h.k.SetAhead(h.ahead)
	return h, nil
}

// HugePagesFrom is the node count from which a run asks the system for
// huge pages (cpu.HugePages) when it starts and every 2^hugeEvery events:
// with tens of thousands of nodes nearly every read of a node's state
// misses the TLB with 4 KB pages (an eighth of the run time at 60,000
// nodes); a small run gains nothing and would pay for the request.
const HugePagesFrom = 10000

const hugeEvery = 23 // about 8 million events

// SetObserver installs where the nodes' reports go (before Run).
func (h *Host) SetObserver(o Observer) { h.cfg.Observer = o }

// SetCheck installs the per-event check (before Run); see Config.Check.
func (h *Host) SetCheck(f func() error) { h.cfg.Check = f }

// SetProgress installs the progress callback (before Run); see
// Config.Progress.
func (h *Host) SetProgress(f func(now sim.Time)) { h.cfg.Progress = f }

// Run drives the run to its stop condition: every node's tip at the stop
// height, the time limit, the event budget, an empty queue, or a failed
// check, whose error it returns.
func (h *Host) Run() error {
	for i := range h.nodes {
		h.k.Schedule(sim.Event{At: 0, Kind: evStart, Src: -1, Dst: int32(i)})
	}
	h.cfg.Faults.Schedule(h.k, evFault)
	stop := func() bool {
		if h.err != nil {
			return true
		}
		if h.cfg.StopHeight > 0 && h.atStop == len(h.tipHeight) {
			return true
		}
		if h.cfg.StopHeight > 0 && h.offline && h.allOnlineAtLeast(h.cfg.StopHeight) {
			return true
		}
		return false
	}
	var fired uint64
	huge := len(h.nodes) >= HugePagesFrom
	if huge {
		cpu.HugePages()
	}
	lastProgress := time.Now()
	for {
		budget := uint64(4096)
		if h.cfg.MaxEvents > 0 {
			if fired >= h.cfg.MaxEvents {
				break
			}
			budget = min(budget, h.cfg.MaxEvents-fired)
		}
		n := h.k.Run(h.cfg.StopTime, budget, stop)
		if huge && fired>>hugeEvery != (fired+n)>>hugeEvery {
			cpu.HugePages() // the memory mapped since, as the heap grew
		}
		fired += n
		if h.cfg.Progress != nil && time.Since(lastProgress) > 100*time.Millisecond {
			h.cfg.Progress(h.k.Now())
			lastProgress = time.Now()
		}
		if n < budget || stop() {
			break
		}
	}
	return h.err
}

// allOnlineAtLeast is the stop condition under offline windows: every
// node that is not cut off has reached height target (a node offline for
// good never would).
func (h *Host) allOnlineAtLeast(target int64) bool {
	now := h.k.Now()
	for i, t := range h.tipHeight {
		if t < target && !h.cfg.Faults.Offline(int32(i), now) {
			return false
		}
	}
	return true
}

func (h *Host) handle(ev *sim.Event) {
	i := ev.Dst
	switch ev.Kind {
	case evStart:
		h.nodes[i].Start(h.envs[i])
	case evMessage:
		if h.cfg.Faults.Offline(i, h.k.Now()) {
			h.lostAtCrash(i)
			return // the node is cut off
		}
		if h.down != nil && h.down[i] || h.cuts && h.cutInFlight(ev.Src, i) {
			return // it restarts at this instant, or the link went down
		}
		if h.classify {
			h.count(i, ev.Data, 1)
		}
		hn := &h.hot[i]
		hn.env.recv += int64(len(ev.Data)) + ev.Aux // payload and declared padding
		hn.node.Receive(nodes.PeerID(ev.Src), ev.Data)
	case evFault:
		h.fault(h.cfg.Faults.Events()[ev.Tag])
	case evTimer:
		hn := &h.hot[i]
		if ev.Aux != hn.env.epoch {
			return // set before the node crashed
		}
		hn.node.OnTimer(ev.Tag)
	case evCompute:
		h.finishJob(ev.Tag)
	}
	if h.cfg.Check != nil && h.err == nil {
		if err := h.cfg.Check(); err != nil {
			h.err = fmt.Errorf("stopped at t=%.3fs after event %d: %w", float64(h.k.Now())/1e9, h.k.Delivered(), err)
		}
	}
}

// fault applies a fault event to its node.
func (h *Host) fault(f sim.Fault) {
	switch f.Kind {
	case sim.FaultDiskLoss:
		if n, ok := h.nodes[f.Node].(nodes.DiskLoser); ok {
			n.LoseDisk()
		}
	case sim.FaultCrash:
		h.crash(f)
	case sim.FaultRestart:
		h.restart(f)
	case sim.FaultHeal:
		h.heal(f)
	}
}

// count adds a message of node i to its traffic class (dir 0 sent, 1
// received), as the node classifies its own traffic.
func (h *Host) count(i int32, msg []byte, dir int) {
	c := h.class[i]
	if c == nil {
		return
	}
	name := c.MsgClass(msg)
	if name == "" {
		return
	}
	b := h.classBytes[name]
	if b == nil {
		b = &[2][]int64{make([]int64, len(h.nodes)), make([]int64, len(h.nodes))}
		h.classBytes[name] = b
	}
	b[dir][i] += int64(len(msg))
}

// observe passes a node's report on, keeping the tip heights that the
// stop condition reads.
func (h *Host) observe(node int32, ev nodes.Event) {
	if ev.Kind == nodes.EvTip {
		old := h.tipHeight[node]
		h.tipHeight[node] = ev.Height
		if s := h.cfg.StopHeight; s > 0 {
			if old < s && ev.Height >= s {
				h.atStop++
			} else if old >= s && ev.Height < s {
				h.atStop--
			}
		}
	}
	if h.cfg.Observer != nil {
		h.cfg.Observer.Observe(node, h.k.Now(), ev)
	}
}

// --- Read-only accessors ---

// NumNodes is the number of nodes.
func (h *Host) NumNodes() int { return len(h.nodes) }

// Node returns node i.
func (h *Host) Node(i int) nodes.Node { return h.nodes[i] }

// Now is the current virtual time.
func (h *Host) Now() sim.Time { return h.k.Now() }

// Events is the number of events delivered so far.
func (h *Host) Events() uint64 { return h.k.Delivered() }

// Digest is the trace digest of the events delivered so far.
func (h *Host) Digest() [32]byte { return h.k.Digest() }

// Joules is node i's energy from time 0 to at (at >= the meter's last
// change, e.g. now).
func (h *Host) Joules(i int, at sim.Time) float64 { return h.envs[i].meter.Joules(at) }

// Busy is node i's busy time up to at.
func (h *Host) Busy(i int, at sim.Time) sim.Time { return h.envs[i].meter.Busy(at) }

// Online reports whether node i is connected at time t (no offline window
// of the fault plan holds t).
func (h *Host) Online(i int32, t sim.Time) bool { return !h.cfg.Faults.Offline(i, t) }

// OnlineThrough reports whether node i is connected at every instant of
// [from, until].
func (h *Host) OnlineThrough(i int32, from, until sim.Time) bool {
	return !h.cfg.Faults.OfflineDuring(i, from, until)
}

// TipHeight is the height of node i's tip as its last EvTip reported.
func (h *Host) TipHeight(i int) int64 { return h.tipHeight[i] }

// BytesSent is the bytes each node sent (the network's count).
func (h *Host) BytesSent() []int64 { return h.net.BytesSent() }

// BytesRecv is the bytes each node received, padding included, counted
// at delivery: a message dropped at an offline node, or still in flight
// when the run stops, was not received.
func (h *Host) BytesRecv() []int64 {
	out := make([]int64, len(h.hot))
	for i := range h.hot {
		out[i] = h.envs[i].recv
	}
	return out
}

// Messages is the number of messages sent.
func (h *Host) Messages() int64 { return h.net.Messages }

// MessagesSent is the number of messages each node sent (while online;
// they sum to Messages).
func (h *Host) MessagesSent() []int64 {
	out := make([]int64, len(h.envs))
	for i, e := range h.envs {
		out[i] = e.sent
	}
	return out
}

// ClassBytes returns the bytes of traffic class name (as the nodes'
// nodes.TrafficClassifier names it) that each node sent and received
// while online; all zero for a class nobody used.
func (h *Host) ClassBytes(name string) (sent, recv []int64) {
	if b := h.classBytes[name]; b != nil {
		return b[0], b[1]
	}
	return make([]int64, len(h.nodes)), make([]int64, len(h.nodes))
}

// CacheHits is the number of jobs whose result was shared from another
// node's identical job (nodes.Shareable).
func (h *Host) CacheHits() int64 {
	var n int64
	for _, v := range h.cacheHits {
		n += v
	}
	return n
}

// NodeCacheHits is CacheHits per node (the node whose job was served).
func (h *Host) NodeCacheHits() []int64 { return h.cacheHits }

// Speculative is the number of training jobs (nodes.JobTrain) whose
// result was computed ahead of its event on a spare core and then thrown
// away: the job was cancelled (a new tip) before its virtual completion,
// or was still pending when the run stopped. Such work costs wall-clock
// time only, never virtual time or energy, and its count depends on
// GOMAXPROCS (0 at GOMAXPROCS=1): it must not enter any output that is
// compared across GOMAXPROCS.
func (h *Host) Speculative() int64 {
	n := h.speculative
	for _, a := range h.ready {
		if a.train {
			n++
		}
	}
	return n
}

// ClassFLOPs is the counted FLOPs (as the jobs declare them, before the
// class's cost scale) of the jobs of class c that each node completed; a
// cancelled job counts nothing. It is how a run reports what verification
// (nodes.JobEval) costs, apart from training.
func (h *Host) ClassFLOPs(c nodes.JobClass) []float64 {
	if c >= nodes.NumJobClasses {
		return make([]float64, len(h.nodes))
	}
	return h.classFLOPs[c]
}

// Computed is the number of jobs whose result was computed.
func (h *Host) Computed() int64 { return h.computed }

// env implements nodes.Env (and nodes.Preempter, nodes.Mempool) for one
// node.
type env struct {
	// What sending and receiving read comes first, in one cache line.
	h    *Host
	id   int32
	sent int64 // messages sent
	recv int64 // bytes delivered while online
	// missesTxs is NodeSpec.MissesTxs, kept here where the node's calls
	// already look.
	missesTxs bool
	epoch     int64 // crashes so far: timers of an earlier epoch are dead

	rng      *rand.Rand
	peers    []nodes.PeerID
	meter    sim.Meter
	busyDecl bool
	queue    []uint64 // compute job handles, head is running

	// failP and refetch are NodeSpec.RebuildFail and Refetch.
	failP   float64
	refetch []float64
}

// hotNode is a node's entry in Host.hot.
type hotNode struct {
	node nodes.Node
	pre  nodes.Prefetcher // the node, if it prefetches (see ahead)
	env  *env
}

// ahead prefetches what delivering the coming messages will read (see
// sim.Kernel.SetAhead), in three stages so that each reads only memory
// fetched one event earlier: for the third message from now its node's
// hot entry; for the second its env, its uplink and what its node asks
// for first (its own fields); for the next one what the node asks for
// then (memory its fields point to). Nodes that do not implement
// nodes.Prefetcher get their env and uplink prefetched.
func (h *Host) ahead(next *[sim.AheadMax]sim.Coming, n int) {
	if n > 2 && next[2].Kind == evMessage {
		cpu.Prefetch(unsafe.Pointer(&h.hot[next[2].Dst]))
	}
	if ev := &next[1]; n > 1 && ev.Kind == evMessage {
		hn := &h.hot[ev.Dst]
		if hn.pre != nil {
			hn.pre.Prefetch(ev.Data, 1)
		}
		cpu.Prefetch(unsafe.Pointer(hn.env))
		h.net.Prefetch(int(ev.Dst))
	}
	if ev := &next[0]; n > 0 && ev.Kind == evMessage {
		if p := h.hot[ev.Dst].pre; p != nil {
			p.Prefetch(ev.Data, 0)
		}
	}
}
