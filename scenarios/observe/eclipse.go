package observe

import (
	"math"

	"github.com/coinai/coinai/sim"
)

// VictimResult is what eclipse attackers cost their victims (nodes whose
// peers are all attackers; Node.Victim).
//
// A victim's mining work at time t is wasted when the tip it mines on at t
// can no longer lead to a main-chain block: the tip is not on the final
// main chain, or the main chain's next block on it was already found at t
// (the victim, fed late, does not know yet). Work is the victim's mining
// time weighted by its hash rate (PoW) or FLOP/s (Coin.AI, where it stands
// for training time: a miner trains whenever it mines); WastedShare is the
// wasted part over all victims.
type VictimResult struct {
	WastedShare float64 // NaN if the victims did no mining work
	Mined       int64   // blocks the victims mined (up to the stop height)
	Stale       int64   // of them, not on the main chain
}

type tipAt struct {
	at sim.Time
	id [32]byte
}

// victimTip records a victim's new tip.
func (o *Observer) victimTip(node int32, now sim.Time, id [32]byte) {
	if int(node) >= len(o.cfg.Nodes) || !o.cfg.Nodes[node].Victim {
		return
	}
	if o.victimTips == nil {
		o.victimTips = map[int32][]tipAt{}
	}
	o.victimTips[node] = append(o.victimTips[node], tipAt{now, id})
}

// victimResult measures the victims over the run, main being the main
// chain in height order; nil without victims.
func (o *Observer) victimResult(main []*BlockRec, blocks []*BlockRec, end sim.Time) *VictimResult {
	any := false
	for _, n := range o.cfg.Nodes {
		any = any || n.Victim
	}
	if !any {
		return nil
	}
	r := &VictimResult{}
	for _, b := range blocks {
		if int(b.Miner) < len(o.cfg.Nodes) && o.cfg.Nodes[b.Miner].Victim {
			r.Mined++
			if !b.Main {
				r.Stale++
			}
		}
	}
	onMain := map[[32]byte]bool{}
	next := map[[32]byte]sim.Time{} // main block -> when its main-chain child was found
	for _, b := range main {
		onMain[b.ID] = true
		onMain[b.Parent] = true // the genesis, for the first
		next[b.Parent] = b.Found
	}
	var wasted, total float64
	for i, n := range o.cfg.Nodes {
		if !n.Victim || !n.Miner {
			continue
		}
		w := n.FLOPS
		if o.cfg.Protocol == "pow" {
			w = n.HashRate
		}
		var genesis [32]byte
		if len(main) > 0 {
			genesis = main[0].Parent
		}
		tips := append([]tipAt{{0, genesis}}, o.victimTips[int32(i)]...)
		for k, t := range tips {
			until := end
			if k+1 < len(tips) {
				until = tips[k+1].at
			}
			if until <= t.at {
				continue
			}
			d := float64(until - t.at)
			total += w * d
			switch c, ok := next[t.id]; {
			case !onMain[t.id]:
				wasted += w * d
			case ok && c < until:
				wasted += w * float64(until-max(c, t.at))
			}
		}
	}
	r.WastedShare = math.NaN()
	if total > 0 {
		r.WastedShare = wasted / total
	}
	return r
}

// victimSummary sets the victim keys of the summary.
func victimSummary(s *Summary, v *VictimResult) {
	if v == nil {
		return
	}
	s.VictimWastedWorkShare = ptr(v.WastedShare)
	s.VictimBlocksMined, s.VictimStaleBlocks = &v.Mined, &v.Stale
}
