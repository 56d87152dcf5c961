// Package observe turns the events that nodes report into the run's
// measurements: block records (found time, arrivals, rewards, proofs),
// the choice of the main chain, per-node and per-hardware totals, energy
// samples, proof-of-storage observations, and the Summary (summary.json).
//
// Nodes write no metrics themselves; the observer sees every report with
// the node and the virtual time, in event order, and reads what else it
// needs (energy meters, tips, stores) through the narrow Host view. It
// imports neither the host nor the checkers.
package observe

import (
	"bytes"
	"encoding/hex"
	"math"
	"slices"
	"time"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/coinai"
	"github.com/coinai/coinai/sim"
)

// Host is what the observer reads of the run it watches (package host
// implements it).
type Host interface {
	// Node returns node i.
	Node(i int) nodes.Node
	// Joules is node i's energy from time 0 to at.
	Joules(i int, at sim.Time) float64
}

// Node is what the observer knows of one node.
type Node struct {
	Role     string
	Hardware string
	Region   string  // region name
	HashRate float64 // H/s (PoW)
	FLOPS    float64 // FLOP/s
	// Miner: the node mines (a mining role with a hash rate under PoW,
	// FLOP/s under Coin.AI); only miners weigh in the stale-rate theory.
	Miner bool
	// Attack is the node's attacker role ("reuse"), "" for an honest node.
	Attack string
	// Victim: an eclipse attacker controls all of the node's peers; the
	// observer follows its tip to measure the work it wastes.
	Victim bool
}

// Config is what the observer needs to know of the run.
type Config struct {
	Name       string
	Seed       uint64
	Protocol   string // "pow" or "coinai"
	Nodes      []Node
	StopHeight int64 // blocks above it are left out of the results (0: none)
	Fidelity   []string
	// Offline holds each node's offline windows (the fault plan's network
	// cuts; nil or short: always online). Propagation is measured over the
	// nodes online when a block was found; the others catch up.
	Offline [][]sim.Window
	// BlockReward is the reward in coins that a main-chain block pays its
	// miner when the protocol reports no EvReward of its own (PoW); 0
	// otherwise.
	BlockReward float64
	// Storage is proof-of-storage (nil without it).
	Storage *Storage
	// LinkFaults and Crashes are the windows of the scenario's [[fault]]
	// tables, indexed as the plan's link faults and crashes (nil without
	// them): faults.csv and the fault keys of the summary.
	LinkFaults, Crashes []FaultWindow
	// HasFaults: the scenario has [[fault]] tables (even if they drew no
	// window), so the run reports faults.csv and the fault keys.
	HasFaults bool
	// EvalScale multiplies the counted FLOPs of evaluation jobs in virtual
	// time (the plan's cost scale of verification; 0 means 1): the
	// honest_verify_time_* keys.
	EvalScale float64
}

// Storage is what the observer needs to know of proof-of-storage.
type Storage struct {
	Replication int              // k, for the availability per k' = 1..k
	Cheats      map[int32]string // node -> fault kind (lazy, outsource, sybil)
}

// Observer turns the events that nodes report into the run's measurements.
type Observer struct {
	cfg    Config
	h      Host
	blocks map[[32]byte]*BlockRec
	order  []*BlockRec // in the order they were mined

	top int64 // highest block mined so far (for progress reports)

	nodeStats []NodeStats
	hwNames   []string // hardware classes in first-seen order of node index
	hwOf      []int

	attemptsOK int64
	attemptsX  int64
	rejected   map[string]int64
	reorgs     int64
	maxReorg   int64

	// attemptsSampled counts the completed attempts whose outcome was
	// drawn (EvAttemptDone with coinai.NoteSampled).
	attemptsSampled int64

	notes []string

	st storageObs
	fo faultObs
	ds dsObs

	victimTips map[int32][]tipAt // eclipse victims' tips over time (eclipse.go)
	sp         spamObs
}

// online reports whether node i was connected at time t (no offline
// window of the plan holds t).
func (o *Observer) online(i int32, t sim.Time) bool {
	if int(i) >= len(o.cfg.Offline) {
		return true
	}
	for _, w := range o.cfg.Offline[i] {
		if w.Contains(t) {
			return false
		}
	}
	return true
}

// backOnline is the first time at or after t at which node i is online,
// or -1 if it never comes back.
func (o *Observer) backOnline(i int32, t sim.Time) sim.Time {
	if int(i) >= len(o.cfg.Offline) {
		return t
	}
	for moved := true; moved; {
		moved = false
		for _, w := range o.cfg.Offline[i] {
			if w.Contains(t) {
				if w.Until == 0 {
					return -1
				}
				t, moved = w.Until, true
			}
		}
	}
	return t
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

	// Set when the run ends (Observer.Result):

	// Online is the population propagation is measured over: the nodes
	// online when the block was found, and its miner.
	Online int
	// Prop is the delay in seconds by which 50%, 90% and 100% of Online
	// had the block (the miner at 0), NaN if so many never did.
	Prop [3]float64
	// Delta is the arrival delay weighted by mining power (hash rate
	// under PoW, FLOP/s under Coin.AI) over the miners online when the
	// block was found, the block's miner counting at 0; NaN if one of
	// them never accepted the block or no miner has power.
	Delta float64
	// Catchup are the acceptances by nodes offline when the block was
	// found: seconds from the node's return online to its acceptance.
	Catchup []float64

	energyAt float64   // cumulative network energy at Found
	energyHW []float64 // cumulative energy per hardware class at Found
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
	Reorgs     int64 // tip changes that undid blocks
	ReorgMax   int64 // deepest of them (blocks undone)
	Rejected   int64 // blocks or messages the node rejected
}

// EnergyRow is cumulative energy of a hardware class at a time.
type EnergyRow struct {
	Time     sim.Time
	Hardware string
	Joules   float64
}

// New returns an observer of a run described by cfg, reading h.
func New(cfg Config, h Host) *Observer {
	n := len(cfg.Nodes)
	o := &Observer{cfg: cfg, h: h, blocks: map[[32]byte]*BlockRec{},
		nodeStats: make([]NodeStats, n), hwOf: make([]int, n), rejected: map[string]int64{}}
	idx := map[string]int{}
	for i, s := range cfg.Nodes {
		j, ok := idx[s.Hardware]
		if !ok {
			j = len(o.hwNames)
			idx[s.Hardware] = j
			o.hwNames = append(o.hwNames, s.Hardware)
		}
		o.hwOf[i] = j
		o.nodeStats[i].Rewards = map[string]float64{}
	}
	o.initFaults()
	return o
}

// Top is the height of the highest block mined so far.
func (o *Observer) Top() int64 { return o.top }

// Block returns the record of a mined block.
func (o *Observer) Block(id [32]byte) (*BlockRec, bool) {
	b, ok := o.blocks[id]
	return b, ok
}

// Observe records one event that node reported at time now.
func (o *Observer) Observe(node int32, now sim.Time, ev nodes.Event) {
	if ev.Kind == nodes.EvFault {
		o.faultEvent(node, now, ev) // node -1: a heal
		return
	}
	o.spamEvent(node, ev)
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
		b.energyHW, b.energyAt = o.sampleEnergy(now)
		if o.cfg.BlockReward > 0 {
			// The protocol pays the block reward without reporting it
			// (PoW): credit it as the ledger would, if the block ends on
			// the main chain.
			b.Rewards = append(b.Rewards, Reward{Kind: "block", Value: o.cfg.BlockReward, To: node})
		}
	case nodes.EvAccepted:
		if b, ok := o.blocks[ev.Block]; ok && node != b.Miner && !o.arrivedBefore(b, node) {
			b.Arrivals = append(b.Arrivals, Arrival{Node: node, Delay: now - b.Found})
			if o.cfg.Protocol == "coinai" && b.Accuracy == 0 && ev.Value > 0 {
				b.Accuracy = ev.Value // Coin.AI: the verified test accuracy
			}
		}
	case nodes.EvTip:
		o.faultTip(node, now, ev.Block)
		o.victimTip(node, now, ev.Block)
		if ev.Value > 0 {
			o.reorgs++
			o.maxReorg = max(o.maxReorg, int64(ev.Value))
			ns := &o.nodeStats[node]
			ns.Reorgs++
			ns.ReorgMax = max(ns.ReorgMax, int64(ev.Value))
		}
	case nodes.EvRejected:
		o.rejected[ev.Note]++
		o.nodeStats[node].Rejected++
	case nodes.EvAttemptDone:
		o.attemptsOK++
		o.nodeStats[node].Attempts++
		if ev.Note == coinai.NoteSampled {
			o.attemptsSampled++
		}
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
		if o.ds.note(node, &o.cfg, ev.Note, ev.Block) {
			return
		}
		if len(o.notes) < 1000 {
			o.notes = append(o.notes, ev.Note)
		}
	case nodes.EvStored, nodes.EvDropped, nodes.EvProof, nodes.EvRetrieved:
		o.storageEvent(node, ev, now)
	}
}

// sampleEnergy returns the cumulative energy per hardware class at now, and
// the network total.
func (o *Observer) sampleEnergy(now sim.Time) ([]float64, float64) {
	per := make([]float64, len(o.hwNames))
	for i := range o.cfg.Nodes {
		per[o.hwOf[i]] += o.h.Joules(i, now)
	}
	var total float64
	for _, v := range per {
		total += v
	}
	return per, total
}

// energyRows are the rows of energy.csv: one per hardware class at each
// main-chain block's found time (main in height order) and at end.
func (o *Observer) energyRows(main []*BlockRec, end sim.Time) []EnergyRow {
	var rows []EnergyRow
	add := func(t sim.Time, per []float64) {
		for j, v := range per {
			rows = append(rows, EnergyRow{Time: t, Hardware: o.hwNames[j], Joules: v})
		}
	}
	for _, b := range main {
		add(b.Found, b.energyHW)
	}
	per, _ := o.sampleEnergy(end)
	add(end, per)
	return rows
}

// Totals are what the host measured of the whole run, read at its end.
type Totals struct {
	Digest     [32]byte
	Events     uint64
	End        sim.Time
	Wall       time.Duration
	NodeEnergy []float64
	NodeBusy   []sim.Time
	BytesSent  []int64
	BytesRecv  []int64 // delivered to the node while online
	Messages   int64
	// MessagesSent and CacheHits are per node: messages sent, jobs whose
	// result was shared from an identical job (nodes.Shareable).
	MessagesSent []int64
	CacheHits    []int64
	// Speculative counts training results computed ahead on a spare core
	// and then discarded (wall-clock work; depends on GOMAXPROCS).
	Speculative int64
	// StorageSent and StorageRecv are each node's proof-of-storage
	// traffic (with storage only).
	StorageSent, StorageRecv []int64
	// TrainFLOPs and EvalFLOPs are the counted FLOPs of the training and
	// evaluation jobs each node completed (nil: not measured).
	TrainFLOPs, EvalFLOPs []float64
	// LostLink and LostCrash are the messages each link fault and each
	// crash of the plan dropped (nil without them).
	LostLink, LostCrash []int64
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
	// NodeCacheHits and MessagesSent are per node (see Totals).
	NodeCacheHits []int64
	MessagesSent  []int64
	Speculative   int64
	AttemptsOK    int64
	AttemptsX     int64
	Rejected      map[string]int64
	Reorgs        int64
	MaxReorg      int64
	Summary       *Summary // set by Summarize
	Messages      int64
	Storage       *StorageResult // nil without proof-of-storage
	// TrainFLOPs and EvalFLOPs are per node (see Totals); zeros when not
	// measured.
	TrainFLOPs, EvalFLOPs []float64

	// AttemptsSampled counts the completed attempts whose outcome was
	// drawn under the sampled fidelity instead of trained.
	AttemptsSampled int64
	// Faults are the [[fault]] windows with what they did, link faults
	// then crashes, in the plan's order (nil without [[fault]] tables).
	Faults []FaultResult
	// DoubleSpend is what double-spend attackers achieved (nil without
	// them).
	DoubleSpend *DoubleSpendResult
	// Victims is what eclipse attackers cost their victims (nil
	// without victims).
	Victims *VictimResult
	// Market is what the users of the [[workload]] tables got (nil
	// without any); the pipeline sets it after the run.
	Market *MarketResult
	// Spam is what the invalid-model spam cost (nil without spammers).
	Spam *SpamResult
}

// Result closes the observation at the end of the run (t.End): the main
// chain, each block's own attempts, energy and propagation, rewards, the
// energy samples, and the proof-of-storage results. Call it once.
func (o *Observer) Result(t Totals) *Result {
	now := t.End
	res := &Result{Spam: o.spamResult(), Config: o.cfg, Digest: t.Digest, Events: t.Events, End: now, Wall: t.Wall,
		Nodes: o.nodeStats, AttemptsOK: o.attemptsOK,
		AttemptsX: o.attemptsX, AttemptsSampled: o.attemptsSampled, Rejected: o.rejected, Reorgs: o.reorgs, MaxReorg: o.maxReorg,
		BytesSent: t.BytesSent, BytesRecv: t.BytesRecv, Messages: t.Messages,
		NodeEnergy: t.NodeEnergy, NodeBusy: t.NodeBusy,
		NodeCacheHits: t.CacheHits, MessagesSent: t.MessagesSent, Speculative: t.Speculative}
	n := len(o.cfg.Nodes)
	for _, v := range t.CacheHits {
		res.CacheHits += v
	}
	if res.NodeCacheHits == nil {
		res.NodeCacheHits = make([]int64, n)
	}
	if res.MessagesSent == nil {
		res.MessagesSent = make([]int64, n)
	}
	res.TrainFLOPs, res.EvalFLOPs = t.TrainFLOPs, t.EvalFLOPs
	if res.TrainFLOPs == nil {
		res.TrainFLOPs = make([]float64, n)
	}
	if res.EvalFLOPs == nil {
		res.EvalFLOPs = make([]float64, n)
	}
	limit := o.cfg.StopHeight
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
	for _, b := range res.Blocks {
		o.propagation(b)
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
	res.Energy = o.energyRows(main, now)
	res.Storage = o.storageResult(main, t)
	res.Faults = o.faultResults(now, t.LostLink, t.LostCrash)
	res.DoubleSpend = o.doubleSpendResult()
	res.Victims = o.victimResult(main, res.Blocks, now)
	return res
}

// propagation measures how b spread: over the nodes online when it was
// found (and its miner), the delays to 50%, 90% and 100% of them and the
// mining-power-weighted delay over the online miners; the acceptances by
// nodes that were offline then are catch-up, timed from their return.
func (o *Observer) propagation(b *BlockRec) {
	n := len(o.cfg.Nodes)
	in := func(i int32) bool { return i == b.Miner || o.online(i, b.Found) }
	delay := make([]sim.Time, n) // -1: never accepted
	for i := range delay {
		delay[i] = -1
	}
	if b.Miner >= 0 && int(b.Miner) < n {
		delay[b.Miner] = 0
	}
	var d []sim.Time // delays of the online nodes other than the miner
	b.Catchup = b.Catchup[:0]
	for _, a := range b.Arrivals {
		delay[a.Node] = a.Delay
		if in(a.Node) {
			d = append(d, a.Delay)
			continue
		}
		if back := o.backOnline(a.Node, b.Found); back >= 0 {
			b.Catchup = append(b.Catchup, float64(b.Found+a.Delay-back)/1e9)
		}
	}
	b.Online = 0
	for i := range n {
		if in(int32(i)) {
			b.Online++
		}
	}
	slices.Sort(d)
	for k, q := range []float64{0.5, 0.9, 1} {
		b.Prop[k] = reachDelay(d, b.Online, q)
	}
	var wsum, wd float64
	b.Delta = math.NaN()
	for i, spec := range o.cfg.Nodes {
		if !spec.Miner || !in(int32(i)) {
			continue
		}
		w := spec.FLOPS
		if o.cfg.Protocol == "pow" {
			w = spec.HashRate
		}
		if delay[i] < 0 {
			return // an online miner never had it: Δ undefined
		}
		wsum += w
		wd += w * float64(delay[i]) / 1e9
	}
	if wsum > 0 {
		b.Delta = wd / wsum
	}
}

// reachDelay is the delay in seconds by which a fraction q of a population
// of m nodes had a block, given the sorted delays of the nodes that
// accepted it other than its miner (who has it at 0); NaN if fewer did.
func reachDelay(sorted []sim.Time, m int, q float64) float64 {
	need := int(math.Ceil(q * float64(m)))
	if need <= 1 {
		return 0
	}
	if len(sorted)+1 < need {
		return math.NaN()
	}
	return float64(sorted[need-2]) / 1e9
}

// mainTip picks the main chain: each node's tip (nodes that implement
// nodes.Tipper) is walked back to the limit height, and the block there
// held by the most nodes wins, ties broken by the smaller id. Without
// tips, the block at the top height with the most acceptances is taken.
func (o *Observer) mainTip(limit int64) [32]byte {
	votes := map[[32]byte]int{}
	for i := range o.cfg.Nodes {
		t, ok := o.h.Node(i).(nodes.Tipper)
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
