package observe

import (
	"math"
	"slices"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/sim"
)

// FaultWindow is one occurrence of a scenario [[fault]]: a link fault
// (a cut, loss or delay of links during a window) or the crash of one
// node, as the run's plan has it. faults.csv has one row per window.
type FaultWindow struct {
	Name string // the [[fault]] table's name ("fault<i>" when unnamed)
	Kind string // partition, link-loss, latency-spike, crash
	sim.Window
	// Node is the crashed node (-1 for a link fault).
	Node int32
	// Nodes is how many nodes the fault covers: the crashed node, the
	// nodes of a link fault's set or, for a fault between sides or of
	// every link, every node.
	Nodes int
	// Sides are the node counts of each side of a fault between sides,
	// the rest last (nil otherwise).
	Sides []int
	// Cut: the links are down (a partition, or a link loss of 1); how
	// long the nodes take to agree again after it heals is measured.
	Cut bool
	// State is a crash's "kept" or "lost".
	State string
}

// FaultResult is what the run measured of a fault window.
type FaultResult struct {
	FaultWindow
	// Lost is the number of messages the fault dropped.
	Lost int64
	// Converge is, for a cut that healed, the time from the heal until
	// every honest node online then held the same tip (NaN if they did
	// not before the run ended).
	Converge float64
}

// faultObs follows what the fault keys need: each node's tip (zero:
// genesis), how many honest nodes hold each tip, which nodes restarted
// from nothing, and the cuts that healed and wait for the nodes to agree.
type faultObs struct {
	on       bool
	tipOf    [][32]byte
	holders  map[[32]byte]int // honest nodes per tip
	honest   []bool
	nHonest  int
	mayBeOff int // honest nodes with an offline window
	fresh    []bool
	struck   []bool // per crash: it happened before the run ended
	waiting  []int  // link faults healed and not yet agreed
	healedAt []sim.Time
	agreeAt  []sim.Time // per link fault: when agreement came, -1 not yet
}

func (o *Observer) initFaults() {
	c := &o.cfg
	if !c.HasFaults {
		return
	}
	f := &o.fo
	n := len(c.Nodes)
	f.on = true
	f.tipOf = make([][32]byte, n)
	f.honest = make([]bool, n)
	f.fresh = make([]bool, n)
	f.holders = map[[32]byte]int{}
	f.healedAt = make([]sim.Time, len(c.LinkFaults))
	f.agreeAt = make([]sim.Time, len(c.LinkFaults))
	f.struck = make([]bool, len(c.Crashes))
	for k := range f.agreeAt {
		f.healedAt[k], f.agreeAt[k] = -1, -1
	}
	for i, spec := range c.Nodes {
		cheat := false
		if c.Storage != nil {
			_, cheat = c.Storage.Cheats[int32(i)]
		}
		if spec.Attack != "" || cheat {
			continue
		}
		f.honest[i] = true
		f.nHonest++
		f.holders[[32]byte{}]++
		if i < len(c.Offline) && len(c.Offline[i]) > 0 {
			f.mayBeOff++
		}
	}
}

// faultEvent follows a fault the host reports (node -1: a heal).
func (o *Observer) faultEvent(node int32, now sim.Time, ev nodes.Event) {
	f := &o.fo
	if !f.on {
		return
	}
	switch ev.Note {
	case "heal":
		k := int(ev.Height)
		if k >= 0 && k < len(f.healedAt) && o.cfg.LinkFaults[k].Cut {
			f.healedAt[k] = now
			f.waiting = append(f.waiting, k)
			o.checkAgreement(now)
		}
	case "crash":
		if k := int(ev.Height); k >= 0 && k < len(f.struck) {
			f.struck[k] = true
		}
	case "restart":
		if node >= 0 && ev.Value == 1 {
			f.fresh[node] = true
		}
	}
}

// faultTip follows node's tip.
func (o *Observer) faultTip(node int32, now sim.Time, id [32]byte) {
	f := &o.fo
	if !f.on || node < 0 || int(node) >= len(f.tipOf) {
		return
	}
	if f.honest[node] {
		f.holders[f.tipOf[node]]--
		f.holders[id]++
	}
	f.tipOf[node] = id
	// Every online honest node holds the tip: at least those that are
	// never offline do (a bound that spares most scans).
	if len(f.waiting) > 0 && f.holders[id] >= f.nHonest-f.mayBeOff {
		o.checkAgreement(now)
	}
}

// checkAgreement closes the healed cuts that wait if every honest node
// online now holds one tip.
func (o *Observer) checkAgreement(now sim.Time) {
	f := &o.fo
	var tip [32]byte
	first := true
	for i, h := range f.honest {
		if !h || !o.online(int32(i), now) {
			continue
		}
		if first {
			tip, first = f.tipOf[i], false
		} else if f.tipOf[i] != tip {
			return
		}
	}
	for _, k := range f.waiting {
		f.agreeAt[k] = now
	}
	f.waiting = f.waiting[:0]
}

// arrivedBefore reports whether node, which restarted from nothing,
// accepted b before (propagation counts a node's first acceptance).
func (o *Observer) arrivedBefore(b *BlockRec, node int32) bool {
	if !o.fo.on || !o.fo.fresh[node] {
		return false
	}
	return slices.ContainsFunc(b.Arrivals, func(a Arrival) bool { return a.Node == node })
}

// faultResults closes the fault observations at the end of the run with
// the messages each fault dropped (the host's counts, per link fault and
// per crash). Windows of the plan that had not begun when the run ended
// are left out.
func (o *Observer) faultResults(end sim.Time, lostLink, lostCrash []int64) []FaultResult {
	c := &o.cfg
	if !o.fo.on {
		return nil
	}
	out := []FaultResult{}
	for k, w := range c.LinkFaults {
		if w.From > end {
			continue
		}
		r := FaultResult{FaultWindow: w, Converge: math.NaN()}
		if k < len(lostLink) {
			r.Lost = lostLink[k]
		}
		if at := o.fo.agreeAt[k]; at >= 0 {
			r.Converge = float64(at-o.fo.healedAt[k]) / 1e9
		}
		out = append(out, r)
	}
	for k, w := range c.Crashes {
		if !o.fo.struck[k] {
			continue
		}
		r := FaultResult{FaultWindow: w, Converge: math.NaN()}
		if k < len(lostCrash) {
			r.Lost = lostCrash[k]
		}
		out = append(out, r)
	}
	return out
}
