// Package runner executes a scenario: it builds the virtual network and the
// nodes, implements nodes.Env for each node on top of the sim kernel, drives
// the run to its stop condition, and collects what the observer saw into a
// Result that can be written as a run directory.
//
// It is the only place where the simulator (sim/) and the protocols (nodes/)
// meet: sim knows nothing of blocks, and nodes know nothing of the kernel.
package runner

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"runtime"
	"sync"
	"time"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/sim"
)

// Event kinds of the kernel's queue.
const (
	evMessage uint8 = iota + 1
	evTimer
	evCompute
	evStart
)

var kindNames = [...]string{evMessage: "message", evTimer: "timer", evCompute: "compute", evStart: "start"}

// NodeSpec describes one node of the run.
type NodeSpec struct {
	Group    string
	Role     string
	Region   int8 // index into the network's regions
	Hardware string
	FLOPS    float64 // effective FLOP/s for compute jobs
	HashRate float64 // H/s for proof-of-work
	BusyW    float64
	IdleW    float64
	// StorageBytes is the capacity the node offers for proof-of-storage.
	StorageBytes int64
	// MissesTxs: the node's mempool lacks the transactions of blocks, so
	// it cannot rebuild compact blocks (nodes.Mempool).
	MissesTxs bool
}

// Config is everything the runner needs, already resolved from a scenario.
type Config struct {
	Name       string
	Seed       uint64
	Protocol   string
	Net        sim.NetConfig
	Degree     int
	Nodes      []NodeSpec
	StopHeight int64    // stop when every node's tip is at least this high
	StopTime   sim.Time // virtual time limit (0: none)
	MaxEvents  uint64   // event budget (0: none)
	Fidelity   []string // notes printed with the results
	// CostScale multiplies the counted FLOPs of each class of job in
	// virtual time and energy (0 means 1): a scenario lets a small job
	// stand in for a larger one here, in the processor model, never in
	// the protocol.
	CostScale [nodes.NumJobClasses]float64
	// NewNode builds node i. peers is the node's peer list.
	NewNode func(i int, spec NodeSpec) (nodes.Node, error)
	// Trace, if not nil, receives a JSON Lines record per delivered event.
	Trace io.Writer
	// Progress, if not nil, is called now and then with the virtual time
	// and the height of the highest block mined so far.
	Progress func(now sim.Time, height int64)
	// Check, if not nil, is called after each event a node handled; it may
	// return an error to stop the run (invariant checkers).
	Check func(r *Runner) error
	// Storage is the proof-of-storage plan (nil without storage).
	Storage *StoragePlan
}

// Runner is one run in progress.
type Runner struct {
	cfg   Config
	k     *sim.Kernel
	net   *sim.Network
	nodes []nodes.Node
	envs  []*env
	obs   *Observer

	jobs      map[uint64]*jobState
	nextJob   uint64
	ready     map[[32]byte]any // results computed ahead of their event
	done      map[[32]byte]any // results of shareable jobs, by key
	CacheHits int64
	Computed  int64

	err error
}

type env struct {
	r        *Runner
	id       int32
	rng      *rand.Rand
	peers    []nodes.PeerID
	meter    sim.Meter
	busyDecl bool
	queue    []uint64 // compute job handles, head is running
}

type jobState struct {
	node    int32
	job     nodes.Job
	tag     uint64
	dur     sim.Time
	started sim.Time
	running bool
	ev      sim.Handle
	share   bool
}

// New builds the run: regions are taken from the specs, the topology and
// every node's random stream are derived from the seed.
func New(cfg Config) (*Runner, error) {
	if len(cfg.Nodes) == 0 {
		return nil, fmt.Errorf("runner: no nodes")
	}
	if cfg.NewNode == nil {
		return nil, fmt.Errorf("runner: no node constructor")
	}
	r := &Runner{cfg: cfg, jobs: map[uint64]*jobState{}, ready: map[[32]byte]any{}, done: map[[32]byte]any{}}
	r.k = sim.NewKernel(r.handle)
	regions := make([]int8, len(cfg.Nodes))
	for i, n := range cfg.Nodes {
		regions[i] = n.Region
	}
	var err error
	r.net, err = sim.NewNetwork(cfg.Net, regions, sim.Stream(cfg.Seed, "network/jitter"))
	if err != nil {
		return nil, err
	}
	degree := cfg.Degree
	if degree <= 0 {
		degree = 8
	}
	adj := sim.RandomTopology(len(cfg.Nodes), degree, sim.Stream(cfg.Seed, "network/topology"))
	r.obs = newObserver(r)
	if cfg.Storage != nil {
		r.obs.st.sent = make([]int64, len(cfg.Nodes))
		r.obs.st.recv = make([]int64, len(cfg.Nodes))
	}
	r.nodes = make([]nodes.Node, len(cfg.Nodes))
	r.envs = make([]*env, len(cfg.Nodes))
	for i, spec := range cfg.Nodes {
		e := &env{r: r, id: int32(i), rng: sim.Stream(cfg.Seed, fmt.Sprintf("node/%d", i))}
		e.meter.BusyW, e.meter.IdleW = spec.BusyW, spec.IdleW
		e.peers = make([]nodes.PeerID, len(adj[i]))
		for j, p := range adj[i] {
			e.peers[j] = nodes.PeerID(p)
		}
		r.envs[i] = e
		n, err := cfg.NewNode(i, spec)
		if err != nil {
			return nil, fmt.Errorf("runner: building node %d: %w", i, err)
		}
		r.nodes[i] = n
	}
	if cfg.Trace != nil {
		r.k.SetTrace(r.traceEvent)
	}
	return r, nil
}

// Kernel exposes the event kernel (for checkers and tests).
func (r *Runner) Kernel() *sim.Kernel { return r.k }

// Node returns node i.
func (r *Runner) Node(i int) nodes.Node { return r.nodes[i] }

// NumNodes is the number of nodes.
func (r *Runner) NumNodes() int { return len(r.nodes) }

// Observer returns the run's observer.
func (r *Runner) Observer() *Observer { return r.obs }

// Run drives the run to its stop condition and returns the results.
func (r *Runner) Run() (*Result, error) {
	wall := time.Now()
	for i := range r.nodes {
		r.k.Schedule(sim.Event{At: 0, Kind: evStart, Src: -1, Dst: int32(i)})
	}
	r.scheduleFaults()
	stop := func() bool {
		if r.err != nil {
			return true
		}
		if r.cfg.StopHeight > 0 && r.obs.allAtStop() {
			return true
		}
		if r.cfg.StopHeight > 0 && r.cfg.Storage != nil && r.obs.allOnlineAtLeast(r.cfg.StopHeight) {
			return true
		}
		return false
	}
	var fired uint64
	lastProgress := time.Now()
	for {
		budget := uint64(4096)
		if r.cfg.MaxEvents > 0 {
			if fired >= r.cfg.MaxEvents {
				break
			}
			budget = min(budget, r.cfg.MaxEvents-fired)
		}
		n := r.k.Run(r.cfg.StopTime, budget, stop)
		fired += n
		if r.cfg.Progress != nil && time.Since(lastProgress) > 100*time.Millisecond {
			r.cfg.Progress(r.k.Now(), r.obs.top)
			lastProgress = time.Now()
		}
		if n < budget || stop() {
			break
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	res := r.obs.result(time.Since(wall))
	return res, nil
}

func (r *Runner) handle(ev *sim.Event) {
	i := ev.Dst
	switch ev.Kind {
	case evStart:
		r.nodes[i].Start(r.envs[i])
	case evMessage:
		if r.cfg.Storage.offline(i, r.k.Now()) {
			return // churn: the node is cut off
		}
		if st := &r.obs.st; st.recv != nil && r.isStorageMsg(i, ev.Data) {
			st.recv[i] += int64(len(ev.Data))
		}
		r.nodes[i].Receive(nodes.PeerID(ev.Src), ev.Data)
	case evFault:
		r.handleFault(ev)
	case evTimer:
		r.nodes[i].OnTimer(ev.Tag)
	case evCompute:
		r.finishJob(ev.Tag)
	}
	if r.cfg.Check != nil && r.err == nil {
		if err := r.cfg.Check(r); err != nil {
			r.err = fmt.Errorf("checker failed at t=%.3fs after event %d: %w", float64(r.k.Now())/1e9, r.k.Delivered(), err)
		}
	}
}

// payloadID is the message's id in the trace digest: FNV-1a of its bytes
// and its padding.
func payloadID(msg []byte, padding int) uint64 {
	h := fnv.New64a()
	h.Write(msg)
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(padding))
	h.Write(b[:])
	return h.Sum64()
}

// --- nodes.Env ---

func (e *env) Now() int64            { return e.r.k.Now() }
func (e *env) Rand() *rand.Rand      { return e.rng }
func (e *env) Peers() []nodes.PeerID { return e.peers }

func (e *env) Send(to nodes.PeerID, msg []byte, padding int) {
	r := e.r
	if int(to) < 0 || int(to) >= len(r.nodes) || to == nodes.PeerID(e.id) {
		return
	}
	if p := r.cfg.Storage; p != nil {
		if p.offline(e.id, r.k.Now()) {
			return // churn: the node is cut off
		}
		if r.isStorageMsg(e.id, msg) {
			r.obs.st.sent[e.id] += int64(len(msg))
		}
	}
	size := len(msg) + padding
	at := r.net.Transfer(r.k.Now(), int(e.id), int(to), size)
	r.k.Post(sim.Event{At: at, Kind: evMessage, Src: e.id, Dst: int32(to), ID: payloadID(msg, padding), Data: msg, Aux: int64(padding)})
}

const computeBit = 1 << 63

func (e *env) After(d int64, tag uint64) nodes.Handle {
	if d < 0 {
		d = 0
	}
	h := e.r.k.After(d, sim.Event{Kind: evTimer, Src: -1, Dst: e.id, ID: tag, Tag: tag})
	return nodes.Handle(h)
}

func (e *env) Cancel(h nodes.Handle) {
	if h == 0 {
		return
	}
	if uint64(h)&computeBit != 0 {
		e.r.cancelJob(uint64(h))
		return
	}
	e.r.k.Cancel(sim.Handle(h))
}

func (e *env) SetBusy(busy bool) {
	if busy == e.busyDecl {
		return
	}
	e.busyDecl = busy
	if busy {
		e.meter.Acquire(e.r.k.Now())
	} else {
		e.meter.Release(e.r.k.Now())
	}
}

func (e *env) Observe(ev nodes.Event) { e.r.obs.observe(e.id, ev) }

// CanRebuild implements nodes.Mempool from the node's spec.
func (e *env) CanRebuild([32]byte) bool { return !e.r.cfg.Nodes[e.id].MissesTxs }

// Compute queues a job on the node's processor (FIFO, one at a time).
func (e *env) Compute(job nodes.Job, tag uint64) nodes.Handle {
	return e.compute(job, tag, false)
}

// ComputeFirst is Compute for a job that must not wait: it runs at once,
// and a job that was running is suspended and resumes, with the time it
// still needs, when the urgent job is done (a processor time-slicing a
// verification ahead of a training run). See nodes.Preempter.
func (e *env) ComputeFirst(job nodes.Job, tag uint64) nodes.Handle {
	return e.compute(job, tag, true)
}

func (e *env) compute(job nodes.Job, tag uint64, first bool) nodes.Handle {
	r := e.r
	r.nextJob++
	h := computeBit | r.nextJob
	spec := r.cfg.Nodes[e.id]
	dur := sim.Time(1)
	if spec.FLOPS > 0 {
		flops := job.FLOPs()
		if s := r.cfg.CostScale[nodes.ClassOf(job)]; s != 0 {
			flops *= s
		}
		dur = max(1, sim.Time(flops/spec.FLOPS*1e9))
	}
	js := &jobState{node: e.id, job: job, tag: tag, dur: dur, share: nodes.IsShareable(job)}
	r.jobs[h] = js
	if first && len(e.queue) > 0 {
		if head := r.jobs[e.queue[0]]; head.running {
			// Suspend the running job with the time it still needs.
			now := r.k.Now()
			if ev := r.k.Lookup(head.ev); ev != nil {
				head.dur = max(1, ev.At-now)
			}
			r.k.Cancel(head.ev)
			e.meter.Release(now)
			head.running = false
		}
		e.queue = append([]uint64{h}, e.queue...)
		r.startJob(h)
		return nodes.Handle(h)
	}
	e.queue = append(e.queue, h)
	if len(e.queue) == 1 {
		r.startJob(h)
	}
	return nodes.Handle(h)
}

func (r *Runner) startJob(h uint64) {
	js := r.jobs[h]
	now := r.k.Now()
	js.running = true
	js.started = now
	r.envs[js.node].meter.Acquire(now)
	js.ev = r.k.After(js.dur, sim.Event{Kind: evCompute, Src: -1, Dst: js.node, ID: js.tag, Tag: h})
}

func (r *Runner) cancelJob(h uint64) {
	js, ok := r.jobs[h]
	if !ok {
		return
	}
	e := r.envs[js.node]
	if js.running {
		r.k.Cancel(js.ev)
		e.meter.Release(r.k.Now())
	}
	delete(r.jobs, h)
	if !js.share {
		delete(r.ready, js.job.Key())
	}
	for i, q := range e.queue {
		if q == h {
			e.queue = append(e.queue[:i], e.queue[i+1:]...)
			if i == 0 && len(e.queue) > 0 {
				r.startJob(e.queue[0])
			}
			break
		}
	}
}

func (r *Runner) finishJob(h uint64) {
	js, ok := r.jobs[h]
	if !ok {
		return
	}
	e := r.envs[js.node]
	e.meter.Release(r.k.Now())
	delete(r.jobs, h)
	e.queue = e.queue[1:]
	key := js.job.Key()
	var res any
	if v, ok := r.done[key]; ok {
		res = v
		r.CacheHits++
		r.obs.cacheHits++
	} else {
		if v, ok := r.ready[key]; ok {
			res = v
			delete(r.ready, key)
		} else {
			res = r.computeAhead(js)
		}
		r.Computed++
		if js.share {
			r.done[key] = res
		}
	}
	if len(e.queue) > 0 {
		r.startJob(e.queue[0])
	}
	r.nodes[js.node].OnComputed(js.tag, res)
}

// computeAhead runs js and, in parallel, the compute jobs whose end events
// come next and whose results are not known yet. Results are pure functions
// of the jobs, so running them early or in parallel changes nothing but
// wall time; they wait in r.ready for their own event.
func (r *Runner) computeAhead(js *jobState) any {
	workers := runtime.GOMAXPROCS(0)
	batch := []nodes.Job{js.job}
	seen := map[[32]byte]bool{js.job.Key(): true}
	if workers > 1 {
		r.k.PeekN(256, func(ev *sim.Event) bool {
			if ev.Kind != evCompute {
				return true
			}
			o, ok := r.jobs[ev.Tag]
			if !ok {
				return true
			}
			k := o.job.Key()
			if seen[k] {
				return true
			}
			if _, ok := r.done[k]; ok {
				return true
			}
			if _, ok := r.ready[k]; ok {
				return true
			}
			seen[k] = true
			batch = append(batch, o.job)
			return len(batch) < workers
		})
	}
	if len(batch) == 1 {
		return js.job.Run()
	}
	out := make([]any, len(batch))
	var wg sync.WaitGroup
	for i := range batch {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			out[i] = batch[i].Run()
		}(i)
	}
	wg.Wait()
	for i := 1; i < len(batch); i++ {
		r.ready[batch[i].Key()] = out[i]
	}
	return out[0]
}
