package host

import (
	"encoding/binary"
	"hash/fnv"
	"math/rand/v2"
	"runtime"
	"sync"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/sim"
)

var (
	_ nodes.Env       = (*env)(nil)
	_ nodes.Preempter = (*env)(nil)
	_ nodes.Mempool   = (*env)(nil)

	_ nodes.PartialMempool = (*env)(nil)
)

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

// payloadID is the package's payloadID, remembered for the last message
// sent: a node announcing a block sends the same slice to every peer, and
// a sent slice is never modified (nodes.Env.Send), so the same slice, length
// and padding have the same id. Holding the slice keeps its memory from
// being reused for another message while it is remembered.
func (h *Host) payloadID(msg []byte, padding int) uint64 {
	if len(msg) > 0 && len(msg) == len(h.lastMsg) && &msg[0] == &h.lastMsg[0] && padding == h.lastPad {
		return h.lastID
	}
	if len(msg) >= bigPayload {
		if h.payloads == nil {
			h.payloads = new(payloadTable)
		}
		id := h.payloads.lookup(msg, padding)
		h.lastMsg, h.lastPad, h.lastID = msg, padding, id
		return id
	}
	h.lastMsg, h.lastPad, h.lastID = msg, padding, payloadID(msg, padding)
	return h.lastID
}

func (e *env) Now() int64            { return e.h.k.Now() }
func (e *env) Rand() *rand.Rand      { return e.rng }
func (e *env) Peers() []nodes.PeerID { return e.peers }

// Send transfers msg over the virtual network; a node that is offline
// neither sends nor receives (the message is dropped at its end).
func (e *env) Send(to nodes.PeerID, msg []byte, padding int) {
	h := e.h
	if int(to) < 0 || int(to) >= len(h.nodes) || to == nodes.PeerID(e.id) {
		return
	}
	if h.cfg.Faults.Offline(e.id, h.k.Now()) {
		return // the node is cut off
	}
	var extra sim.Time
	if h.links {
		var lost bool
		if extra, lost = h.linkFault(e.id, int32(to)); lost {
			return
		}
	}
	if h.classify {
		h.count(e.id, msg, 0)
	}
	e.sent++
	size := len(msg) + padding
	at := h.net.Transfer(h.k.Now(), int(e.id), int(to), size) + extra
	if h.cfg.Delay != nil {
		at += h.cfg.Delay(msg, padding)
	}
	h.k.Post(sim.Event{At: at, Kind: evMessage, Src: e.id, Dst: int32(to), ID: h.payloadID(msg, padding), Data: msg, Aux: int64(padding)})
}

// computeBit marks compute job handles apart from kernel (timer) handles.
const computeBit = 1 << 63

func (e *env) After(d int64, tag uint64) nodes.Handle {
	if d < 0 {
		d = 0
	}
	h := e.h.k.After(d, sim.Event{Kind: evTimer, Src: -1, Dst: e.id, ID: tag, Tag: tag, Aux: e.epoch})
	return nodes.Handle(h)
}

func (e *env) Cancel(h nodes.Handle) {
	if h == 0 {
		return
	}
	if uint64(h)&computeBit != 0 {
		e.h.cancelJob(uint64(h))
		return
	}
	e.h.k.Cancel(sim.Handle(h))
}

func (e *env) SetBusy(busy bool) {
	if busy == e.busyDecl {
		return
	}
	e.busyDecl = busy
	if busy {
		e.meter.Acquire(e.h.k.Now())
	} else {
		e.meter.Release(e.h.k.Now())
	}
}

func (e *env) Observe(ev nodes.Event) { e.h.observe(e.id, ev) }

// CanRebuild implements nodes.Mempool from the node's spec.
func (e *env) CanRebuild([32]byte) bool { return !e.missesTxs }

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

// compute charges a job its FLOPs, scaled by its class's cost scale (or
// the FLOPs it declares as a stand-in, nodes.Charged), on the node's
// hardware.
func (e *env) compute(job nodes.Job, tag uint64, first bool) nodes.Handle {
	h := e.h
	h.nextJob++
	handle := computeBit | h.nextJob
	spec := h.cfg.Nodes[e.id]
	dur := sim.Time(1)
	if spec.FLOPS > 0 {
		flops := job.FLOPs()
		if f, ok := nodes.ChargedFLOPs(job); ok {
			flops = f // a declared stand-in, charged as declared
		} else if s := h.cfg.CostScale[nodes.ClassOf(job)]; s != 0 {
			flops *= s
		}
		dur = max(1, sim.Time(flops/spec.FLOPS*1e9))
	}
	js := &jobState{node: e.id, job: job, tag: tag, dur: dur, share: nodes.IsShareable(job)}
	h.jobs[handle] = js
	if first && len(e.queue) > 0 {
		if head := h.jobs[e.queue[0]]; head.running {
			// Suspend the running job with the time it still needs.
			now := h.k.Now()
			if ev := h.k.Lookup(head.ev); ev != nil {
				head.dur = max(1, ev.At-now)
			}
			h.k.Cancel(head.ev)
			e.meter.Release(now)
			head.running = false
		}
		e.queue = append([]uint64{handle}, e.queue...)
		h.startJob(handle)
		return nodes.Handle(handle)
	}
	e.queue = append(e.queue, handle)
	if len(e.queue) == 1 {
		h.startJob(handle)
	}
	return nodes.Handle(handle)
}

func (h *Host) startJob(handle uint64) {
	js := h.jobs[handle]
	now := h.k.Now()
	js.running = true
	js.started = now
	h.envs[js.node].meter.Acquire(now)
	js.ev = h.k.After(js.dur, sim.Event{Kind: evCompute, Src: -1, Dst: js.node, ID: js.tag, Tag: handle})
}

func (h *Host) cancelJob(handle uint64) {
	js, ok := h.jobs[handle]
	if !ok {
		return
	}
	e := h.envs[js.node]
	if js.running {
		h.k.Cancel(js.ev)
		e.meter.Release(h.k.Now())
	}
	delete(h.jobs, handle)
	if !js.share {
		key := js.job.Key()
		if a, ok := h.ready[key]; ok {
			// Computed ahead, now discarded: wall-clock work only.
			if a.train {
				h.speculative++
			}
			delete(h.ready, key)
		}
	}
	for i, q := range e.queue {
		if q == handle {
			e.queue = append(e.queue[:i], e.queue[i+1:]...)
			if i == 0 && len(e.queue) > 0 {
				h.startJob(e.queue[0])
			}
			break
		}
	}
}

func (h *Host) finishJob(handle uint64) {
	js, ok := h.jobs[handle]
	if !ok {
		return
	}
	e := h.envs[js.node]
	e.meter.Release(h.k.Now())
	delete(h.jobs, handle)
	e.queue = e.queue[1:]
	if c := nodes.ClassOf(js.job); c < nodes.NumJobClasses {
		h.classFLOPs[c][js.node] += js.job.FLOPs()
	}
	key := js.job.Key()
	var res any
	if v, ok := h.done[key]; ok {
		res = v
		h.cacheHits[js.node]++
	} else {
		if v, ok := h.ready[key]; ok {
			res = v.res
			delete(h.ready, key)
		} else {
			res = h.computeAhead(js)
		}
		h.computed++
		if js.share {
			h.done[key] = res
		}
	}
	if len(e.queue) > 0 {
		h.startJob(e.queue[0])
	}
	h.nodes[js.node].OnComputed(js.tag, res)
}

// ahead is a result computed ahead of its job's end event.
type ahead struct {
	res   any
	train bool // a training job (nodes.JobTrain)
}

// computeAhead runs js and, in parallel, the compute jobs whose end events
// come next and whose results are not known yet. Results are pure functions
// of the jobs, so running them early or in parallel changes nothing but
// wall time; they wait in h.ready for their own event, and are handed out
// in event order. A job cancelled before its event (a new tip) is charged
// its busy time up to the cancellation, as at GOMAXPROCS=1, and its result
// computed ahead is discarded: speculative work, counted by Speculative.
func (h *Host) computeAhead(js *jobState) any {
	workers := runtime.GOMAXPROCS(0)
	batch := []nodes.Job{js.job}
	seen := map[[32]byte]bool{js.job.Key(): true}
	if workers > 1 {
		h.k.PeekN(256, func(ev *sim.Event) bool {
			if ev.Kind != evCompute {
				return true
			}
			o, ok := h.jobs[ev.Tag]
			if !ok {
				return true
			}
			k := o.job.Key()
			if seen[k] {
				return true
			}
			if _, ok := h.done[k]; ok {
				return true
			}
			if _, ok := h.ready[k]; ok {
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
		h.ready[batch[i].Key()] = ahead{res: out[i], train: nodes.ClassOf(batch[i]) == nodes.JobTrain}
	}
	return out[0]
}
