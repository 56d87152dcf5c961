package host

import (
	"math"
	"math/rand/v2"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/sim"
)

// The host's part of the [[fault]] tables (sim.Faults' link faults and
// crashes): it drops and delays messages on faulty links, stops crashed
// nodes (their timers and jobs die with them) and restarts them, makes
// the nodes on either side of a healed cut, and a restarted node and its
// peers, announce their tips to each other (nodes.Reconnecter), counts
// the messages each fault dropped, and follows the parts the cuts split
// the network into for the checkers. A plan without these faults takes
// none of these paths, so its runs are unchanged.

// initFaults prepares the fault state of a plan with link faults or
// crashes; adj is the topology.
func (h *Host) initFaults(adj [][]int32) {
	f := h.cfg.Faults
	h.adj = adj
	if ls := f.Links(); len(ls) > 0 {
		h.links, h.cuts = true, f.HasCuts()
		h.lossRng = make([]*rand.Rand, len(ls))
		h.lostLink = make([]int64, len(ls))
		for i, l := range ls {
			if l.Kind == sim.LinkLoss {
				h.lossRng[i] = sim.Stream(h.cfg.Seed, l.Stream)
			}
		}
	}
	if cs := f.Crashes(); len(cs) > 0 {
		h.lostCrash = make([]int64, len(cs))
		h.down = make([]bool, len(h.cfg.Nodes))
	}
	if f.HasSevered() {
		h.parts = sim.NewParts(f, adj)
	}
}

// linkFault applies the link faults that hold the link from s to d now
// to a message s sends: it reports the message lost (a cut, or a loss
// drawn from the fault's stream), or the extra delay of latency spikes.
func (h *Host) linkFault(s, d int32) (extra sim.Time, lost bool) {
	now := h.k.Now()
	ls := h.cfg.Faults.Links()
	for i := range ls {
		l := &ls[i]
		if !l.Contains(now) || !l.Covers(s, d) {
			continue
		}
		switch l.Kind {
		case sim.LinkCut:
			h.lostLink[i]++
			return 0, true
		case sim.LinkLoss:
			if l.Loss > 0 && h.lossRng[i].Float64() < l.Loss {
				h.lostLink[i]++
				return 0, true
			}
		case sim.LinkDelay:
			extra += l.Extra
			if l.Factor > 1 {
				extra += sim.Time(math.Round((l.Factor - 1) * float64(h.net.MeanLatency(int(s), int(d)))))
			}
		}
	}
	return extra, false
}

// cutInFlight reports whether a message from s arriving at d now meets a
// cut of their link (it was sent before the cut began): it is lost.
func (h *Host) cutInFlight(s, d int32) bool {
	c := h.cfg.Faults.Cut(s, d, h.k.Now())
	if c < 0 {
		return false
	}
	h.lostLink[c]++
	return true
}

// lostAtCrash counts a message dropped at node i, offline now, against
// its crash if it is down.
func (h *Host) lostAtCrash(i int32) {
	if h.down == nil {
		return
	}
	if c := h.cfg.Faults.CrashAt(i, h.k.Now()); c >= 0 {
		h.lostCrash[c]++
	}
}

// crash stops a node: its timers die (a new epoch), its jobs are dropped
// (the busy time up to now is charged), it declares itself idle, and the
// checkers and observers hear of it. A crash that loses the state first
// wipes the node's disk (nodes.DiskLoser), while it is already offline,
// so that what it stored is reported dropped.
func (h *Host) crash(f sim.Fault) {
	i := f.Node
	e := h.envs[i]
	now := h.k.Now()
	e.epoch++
	h.down[i] = true
	if h.cfg.Faults.Crashes()[f.Index].Lost {
		if n, ok := h.nodes[i].(nodes.DiskLoser); ok {
			n.LoseDisk()
		}
	}
	for _, handle := range e.queue {
		js := h.jobs[handle]
		if js.running {
			h.k.Cancel(js.ev)
			e.meter.Release(now)
		}
		delete(h.jobs, handle)
		if !js.share {
			if a, ok := h.ready[js.job.Key()]; ok {
				if a.train {
					h.speculative++
				}
				delete(h.ready, js.job.Key())
			}
		}
	}
	e.queue = nil
	if e.busyDecl {
		e.busyDecl = false
		e.meter.Release(now)
	}
	h.observe(i, nodes.Event{Kind: nodes.EvFault, Height: int64(f.Index), Note: "crash"})
}

// restart starts a crashed node again: from its kept state
// (nodes.Restarter; a node without it is started again with Start), or,
// if the crash lost it, as a new node from the constructor, at genesis.
// Then it and its peers announce their tips to each other.
func (h *Host) restart(f sim.Fault) {
	i := f.Node
	e := h.envs[i]
	h.down[i] = false
	lost := h.cfg.Faults.Crashes()[f.Index].Lost
	value := 0.0
	if lost {
		value = 1
		n, err := h.cfg.NewNode(int(i))
		if err != nil {
			h.err = err
			return
		}
		h.nodes[i] = n
		h.hot[i].node = n
		h.hot[i].pre, _ = n.(nodes.Prefetcher)
		h.class[i], _ = n.(nodes.TrafficClassifier)
		h.observe(i, nodes.Event{Kind: nodes.EvFault, Height: int64(f.Index), Value: value, Note: "restart"})
		h.observe(i, nodes.Event{Kind: nodes.EvTip, Height: 0}) // back at genesis, for the stop condition
		n.Start(e)
	} else {
		h.observe(i, nodes.Event{Kind: nodes.EvFault, Height: int64(f.Index), Value: value, Note: "restart"})
		if r, ok := h.nodes[i].(nodes.Restarter); ok {
			r.Restart(e)
		} else {
			h.nodes[i].Start(e)
		}
	}
	now := h.k.Now()
	for _, p := range h.adj[i] {
		if !h.reachable(i, p, now) {
			continue
		}
		h.reconnect(i, p)
		h.reconnect(p, i)
	}
}

// heal ends a cut: the nodes on either side of each link it cut, if the
// link is up again and both are running, announce their tips to each
// other, in node order.
func (h *Host) heal(f sim.Fault) {
	l := &h.cfg.Faults.Links()[f.Index]
	h.observe(-1, nodes.Event{Kind: nodes.EvFault, Height: int64(f.Index), Note: "heal"})
	now := h.k.Now()
	for a := range h.adj {
		for _, b := range h.adj[a] {
			if b <= int32(a) || !l.Covers(int32(a), b) || !h.reachable(int32(a), b, now) {
				continue
			}
			h.reconnect(int32(a), b)
			h.reconnect(b, int32(a))
		}
	}
}

// reachable reports whether a and b can exchange messages now: both
// online and running, and no cut holds their link.
func (h *Host) reachable(a, b int32, now sim.Time) bool {
	f := h.cfg.Faults
	if f.Offline(a, now) || f.Offline(b, now) || h.down != nil && (h.down[a] || h.down[b]) {
		return false
	}
	return f.Cut(a, b, now) < 0
}

// reconnect tells node a that its link to b is back.
func (h *Host) reconnect(a, b int32) {
	if r, ok := h.nodes[a].(nodes.Reconnecter); ok {
		r.Reconnected(nodes.PeerID(b))
	}
}

// LostMessages returns the messages each link fault (sim.Faults.Links)
// and each crash (sim.Faults.Crashes) dropped: sent across a cut or lost
// on a lossy link (not sent at all), in flight on a link when a cut began,
// or arriving at a crashed node. nil without such faults.
func (h *Host) LostMessages() (link, crash []int64) { return h.lostLink, h.lostCrash }

// Partitioned reports whether the fault plan severs links (cuts them, or
// loses messages on them), so that the network may split into parts whose
// nodes cannot count on hearing each other (see Part).
func (h *Host) Partitioned() bool { return h.parts != nil }

// Part returns the part of the network node i is in now: nodes of one
// part can reach each other over links no cut or loss holds; offline and
// crashed nodes are in none (-1). Without such faults every online node
// is in part 0.
func (h *Host) Part(i int32) int32 {
	if h.parts == nil {
		if h.cfg.Faults.Offline(i, h.k.Now()) {
			return -1
		}
		return 0
	}
	h.parts.At(h.k.Now())
	return h.parts.Part(i)
}

// Rejoined returns the last time node i's part was formed by joining
// parts that a cut or a loss had kept apart (a heal, the end of a loss),
// or -1: until they have caught up, its nodes may hold different chains.
func (h *Host) Rejoined(i int32) sim.Time {
	if h.parts == nil {
		return -1
	}
	h.parts.At(h.k.Now())
	return h.parts.Rejoined(i)
}

// Split reports whether the online nodes form more than one part now.
func (h *Host) Split() bool {
	if h.parts == nil {
		return false
	}
	h.parts.At(h.k.Now())
	return h.parts.Split()
}

// PartsVersion changes whenever the parts may have changed (a cut, a
// loss or an offline window started or ended); 0 without them.
func (h *Host) PartsVersion() int {
	if h.parts == nil {
		return 0
	}
	h.parts.At(h.k.Now())
	return h.parts.Version()
}

// Down reports whether node i is crashed now.
func (h *Host) Down(i int32) bool { return h.down != nil && h.down[i] }
