package runner

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/sim"
)

// Observer turns the events that nodes report into the run's measurements.
// Nodes write no metrics themselves; the observer sees every report with
// the node and the virtual time, in event order.
type Observer struct {
	r      *Runner
	blocks map[[32]byte]*BlockRec
	order  []*BlockRec // in the order they were mined

	tipHeight []int64
	top       int64 // highest block mined so far (for progress reports)
	atStop    int   // nodes whose tip height >= StopHeight

	nodeStats []NodeStats
	hwNames   []string // hardware classes in first-seen order of node index
	hwOf      []int

	energyRows []EnergyRow
	cacheHits  int64
	attemptsOK int64
	attemptsX  int64
	rejected   map[string]int64
	reorgs     int64
	maxReorg   int64

	acceptChecked       int64
	thresholdViolations int64
	firstViolation      string
	notes               []string

	st storageObs
}

// BlockRec is what the observer knows of one mined block.
type BlockRec struct {
	ID, Parent [32]byte
	Height     int64
	Miner      int32
	Found      sim.Time
	Size       int
	Value      float64 // difficulty (PoW) or threshold (Coin.AI)
	Accuracy   float64 // Coin.AI: accuracy of the mined model
	Attempts   int64   // attempts completed network-wide while it was mined
	Arrivals   []Arrival
	Rewards    []Reward   // paid if the block ends on the main chain
	Proofs     []ProofRec // storage challenges the block decided
	Main       bool
	EnergyJ    float64 // network energy since the parent was found
	energyAt   float64 // cumulative network energy at Found
}

// Reward is a payment that a block makes to its miner.
type Reward struct {
	Kind  string
	Value float64
	To    int32 // the node paid: the miner, or a storage holder
}

// Arrival is the first acceptance of a block by a node.
type Arrival struct {
	Node  int32
	Delay sim.Time // after the block was found
}

// NodeStats are per-node totals.
type NodeStats struct {
	BlocksWon  int64
	BlocksMain int64
	Rewards    map[string]float64 // by kind: block, fee, problem, storage, penalty
	Attempts   int64
	Cancelled  int64
}

// EnergyRow is cumulative energy of a hardware class at a time.
type EnergyRow struct {
	Time     sim.Time
	Hardware string
	Joules   float64
}

func newObserver(r *Runner) *Observer {
	n := len(r.cfg.Nodes)
	o := &Observer{r: r, blocks: map[[32]byte]*BlockRec{}, tipHeight: make([]int64, n),
		nodeStats: make([]NodeStats, n), hwOf: make([]int, n), rejected: map[string]int64{}}
	idx := map[string]int{}
	for i, s := range r.cfg.Nodes {
		j, ok := idx[s.Hardware]
		if !ok {
			j = len(o.hwNames)
			idx[s.Hardware] = j
			o.hwNames = append(o.hwNames, s.Hardware)
		}
		o.hwOf[i] = j
		o.nodeStats[i].Rewards = map[string]float64{}
	}
	if r.cfg.StopHeight <= 0 {
		o.atStop = -1
	}
	return o
}

// allAtStop reports whether every node's tip has reached the stop height;
// the count is kept as tips move, so the check is O(1) per event.
func (o *Observer) allAtStop() bool { return o.atStop == len(o.tipHeight) }

func (o *Observer) observe(node int32, ev nodes.Event) {
	now := o.r.k.Now()
	switch ev.Kind {
	case nodes.EvMined:
		b := &BlockRec{ID: ev.Block, Parent: ev.Parent, Height: ev.Height, Miner: node, Found: now,
			Size: ev.Size, Value: ev.Value, Attempts: o.attemptsOK}
		if _, dup := o.blocks[ev.Block]; dup {
			return
		}
		o.blocks[ev.Block] = b
		o.order = append(o.order, b)
		o.nodeStats[node].BlocksWon++
		o.top = max(o.top, b.Height)
		b.energyAt = o.sampleEnergy(now)
	case nodes.EvAccepted:
		if b, ok := o.blocks[ev.Block]; ok && node != b.Miner {
			b.Arrivals = append(b.Arrivals, Arrival{Node: node, Delay: now - b.Found})
			if o.r.cfg.Protocol == "coinai" && b.Accuracy == 0 && ev.Value > 0 {
				b.Accuracy = ev.Value // Coin.AI: the verified test accuracy
			}
			if o.r.cfg.Protocol == "coinai" && ev.Value > 0 {
				o.acceptChecked++
				if ev.Value < b.Value {
					if o.thresholdViolations == 0 {
						o.firstViolation = fmt.Sprintf("node %d accepted block %s with accuracy %.6f under threshold %.6f",
							node, ShortID(b.ID), ev.Value, b.Value)
					}
					o.thresholdViolations++
				}
			}
		}
	case nodes.EvTip:
		old := o.tipHeight[node]
		o.tipHeight[node] = ev.Height
		if h := o.r.cfg.StopHeight; h > 0 {
			if old < h && ev.Height >= h {
				o.atStop++
			} else if old >= h && ev.Height < h {
				o.atStop--
			}
		}
		if ev.Value > 0 {
			o.reorgs++
			o.maxReorg = max(o.maxReorg, int64(ev.Value))
		}
	case nodes.EvRejected:
		o.rejected[ev.Note]++
	case nodes.EvAttemptDone:
		o.attemptsOK++
		o.nodeStats[node].Attempts++
	case nodes.EvAttemptCancelled:
		o.attemptsX++
		o.nodeStats[node].Cancelled++
	case nodes.EvReward:
		if b, ok := o.blocks[ev.Block]; ok {
			// A block's rewards count only if it ends on the main chain.
			to := b.Miner
			if ev.Note == "storage" || ev.Note == "penalty" {
				to = int32(ev.Miner)
			}
			b.Rewards = append(b.Rewards, Reward{Kind: ev.Note, Value: ev.Value, To: to})
		} else {
			o.nodeStats[node].Rewards[ev.Note] += ev.Value
		}
	case nodes.EvNote:
		if len(o.notes) < 1000 {
			o.notes = append(o.notes, ev.Note)
		}
	case nodes.EvStored, nodes.EvDropped, nodes.EvProof, nodes.EvRetrieved:
		o.storageEvent(node, ev, now)
	}
}

// sampleEnergy records cumulative energy per hardware class and returns the
// network total.
func (o *Observer) sampleEnergy(now sim.Time) float64 {
	per := make([]float64, len(o.hwNames))
	for i, e := range o.r.envs {
		per[o.hwOf[i]] += e.meter.Joules(now)
	}
	var total float64
	for j, v := range per {
		o.energyRows = append(o.energyRows, EnergyRow{Time: now, Hardware: o.hwNames[j], Joules: v})
		total += v
	}
	return total
}

// Result is a finished run's measurements.
type Result struct {
	Config     Config
	Digest     [32]byte
	Events     uint64
	End        sim.Time
	Wall       time.Duration
	Blocks     []*BlockRec // in mining order, up to the stop height
	MainTip    [32]byte
	Nodes      []NodeStats
	NodeEnergy []float64
	NodeBusy   []sim.Time
	BytesSent  []int64
	BytesRecv  []int64
	Energy     []EnergyRow
	CacheHits  int64
	AttemptsOK int64
	AttemptsX  int64
	Rejected   map[string]int64
	Reorgs     int64
	MaxReorg   int64
	Summary    *Summary
	Checks     []CheckResult
	Messages   int64
	Storage    *StorageResult // nil without proof-of-storage
}

func (o *Observer) result(wall time.Duration) *Result {
	r := o.r
	now := r.k.Now()
	o.sampleEnergy(now)
	res := &Result{Config: r.cfg, Digest: r.k.Digest(), Events: r.k.Delivered(), End: now, Wall: wall,
		Nodes: o.nodeStats, Energy: o.energyRows, CacheHits: o.cacheHits, AttemptsOK: o.attemptsOK,
		AttemptsX: o.attemptsX, Rejected: o.rejected, Reorgs: o.reorgs, MaxReorg: o.maxReorg,
		BytesSent: r.net.BytesSent, BytesRecv: r.net.BytesRecv, Messages: r.net.Messages}
	for _, e := range r.envs {
		res.NodeEnergy = append(res.NodeEnergy, e.meter.Joules(now))
		res.NodeBusy = append(res.NodeBusy, e.meter.Busy(now))
	}
	limit := r.cfg.StopHeight
	for _, b := range o.order {
		if limit <= 0 || b.Height <= limit {
			res.Blocks = append(res.Blocks, b)
		}
	}
	// Attempts were recorded as running totals when each block was mined;
	// a block's own count is what completed since its parent was mined.
	total := map[[32]byte]int64{}
	for _, b := range o.order {
		total[b.ID] = b.Attempts
	}
	for _, b := range o.order {
		b.Attempts -= total[b.Parent] // 0 for the genesis
	}
	res.MainTip = o.mainTip(limit)
	var main []*BlockRec // tip first
	for id := res.MainTip; ; {
		b, ok := o.blocks[id]
		if !ok {
			break
		}
		b.Main = true
		o.nodeStats[b.Miner].BlocksMain++
		main = append(main, b)
		for _, rw := range b.Rewards {
			o.nodeStats[rw.To].Rewards[rw.Kind] += rw.Value
		}
		if p, ok := o.blocks[b.Parent]; ok {
			b.EnergyJ = b.energyAt - p.energyAt
		} else {
			b.EnergyJ = b.energyAt
		}
		id = b.Parent
	}
	slices.Reverse(main)
	res.Storage = o.storageResult(main)
	res.Checks = r.runChecks()
	res.Summary = summarize(res)
	return res
}

// mainTip picks the main chain: each node's tip (nodes that implement
// Tip) is walked back to the limit height, and the block there held by the
// most nodes wins, ties broken by the smaller id. Without Tip, the block at
// the top height with the most acceptances is taken.
func (o *Observer) mainTip(limit int64) [32]byte {
	votes := map[[32]byte]int{}
	for _, n := range o.r.nodes {
		t, ok := n.(nodes.Tipper)
		if !ok {
			continue
		}
		id, _ := t.Tip()
		for {
			b, ok := o.blocks[id]
			if !ok || limit <= 0 || b.Height <= limit {
				break
			}
			id = b.Parent
		}
		if _, ok := o.blocks[id]; ok {
			votes[id]++
		}
	}
	var best *BlockRec
	bestVotes := -1
	for _, b := range o.order { // mining order: deterministic
		v, ok := votes[b.ID]
		if !ok {
			continue
		}
		if v > bestVotes || (v == bestVotes && bytes.Compare(b.ID[:], best.ID[:]) < 0) {
			best, bestVotes = b, v
		}
	}
	if best != nil {
		return best.ID
	}
	top := int64(-1)
	for _, b := range o.order {
		if limit > 0 && b.Height > limit {
			continue
		}
		top = max(top, b.Height)
	}
	for _, b := range o.order {
		if b.Height != top {
			continue
		}
		if best == nil || len(b.Arrivals) > len(best.Arrivals) ||
			(len(b.Arrivals) == len(best.Arrivals) && bytes.Compare(b.ID[:], best.ID[:]) < 0) {
			best = b
		}
	}
	if best == nil {
		return [32]byte{}
	}
	return best.ID
}

// ShortID is the first 8 bytes of a block id in hex, as in the CSVs.
func ShortID(id [32]byte) string { return hex.EncodeToString(id[:8]) }

// quantileDelay returns the delay by which a fraction q of all n nodes had
// the block (the miner counts as having it at 0), or NaN if fewer did.
func quantileDelay(b *BlockRec, n int, q float64) float64 {
	need := int(math.Ceil(q * float64(n)))
	if need <= 1 {
		return 0
	}
	if len(b.Arrivals)+1 < need {
		return math.NaN()
	}
	d := make([]sim.Time, len(b.Arrivals))
	for i, a := range b.Arrivals {
		d[i] = a.Delay
	}
	slices.Sort(d)
	return float64(d[need-2]) / 1e9
}
