package rundata

import (
	"math"
	"slices"
)

// MainIntervals returns interval_s of the main-chain blocks that have one
// (genesis has none), in file order.
func (r *Run) MainIntervals() []float64 {
	var out []float64
	for _, b := range r.Blocks {
		if b.Main {
			out = finite(out, b.IntervalS)
		}
	}
	return out
}

// PropP50s returns prop_p50_s of the blocks that have one (blocks that
// never reached half the nodes have none), in file order.
func (r *Run) PropP50s() []float64 {
	var out []float64
	for _, b := range r.Blocks {
		out = finite(out, b.PropP50S)
	}
	return out
}

// Rewards returns nodes.csv's reward of the nodes that have one, in file
// order.
func (r *Run) Rewards() []float64 {
	var out []float64
	for _, n := range r.Nodes {
		out = finite(out, n.Reward)
	}
	return out
}

// NodeCount is the number of nodes: summary.json's nodes, else the rows of
// nodes.csv.
func (r *Run) NodeCount() int {
	if r.Summary.Nodes > 0 {
		return int(r.Summary.Nodes)
	}
	return len(r.Nodes)
}

// Reach holds, for each block with propagation data, the time after it was
// found at which it had reached a fraction of the nodes. Blocks that never
// reached a fraction are left out of that fraction's slice and counted in
// the matching Never field, so CDFs stay honest about partial propagation.
type Reach struct {
	P50, P90, P100             []float64
	Never50, Never90, Never100 int
	Source                     string // "blocks.csv" or "propagation.csv"
}

// Reach returns reach times per block. It uses blocks.csv's prop_*
// columns when any block has them (blocks with all three empty have no data
// and are skipped; an empty cell among filled ones means never); otherwise it computes them from
// propagation.csv, counting the miner as reached at time 0 when the file has
// no row for it. The k-th fraction f is reached at the ⌈f·N⌉-th arrival,
// N = NodeCount(). Blocks are taken in blocks.csv order, then any other
// block of propagation.csv in order of first appearance.
func (r *Run) Reach() Reach { return r.ReachOf(nil) }

// ReachOf is Reach restricted to the blocks.csv rows that pass keep (all
// blocks when keep is nil; blocks found only in propagation.csv are then
// included too). ReachOf(func(b Block) bool { return b.Main }) matches
// summary.json's propagation_* keys, which average main-chain blocks.
func (r *Run) ReachOf(keep func(Block) bool) Reach {
	var rc Reach
	for _, b := range r.Blocks {
		if !math.IsNaN(b.PropP50S) || !math.IsNaN(b.PropP90S) || !math.IsNaN(b.Prop100S) {
			rc.Source = BlocksFile
			break
		}
	}
	if rc.Source == BlocksFile {
		for _, b := range r.Blocks {
			if keep != nil && !keep(b) {
				continue
			}
			if math.IsNaN(b.PropP50S) && math.IsNaN(b.PropP90S) && math.IsNaN(b.Prop100S) {
				continue // no data for this block (e.g. genesis)
			}
			rc.P50, rc.Never50 = reachAppend(rc.P50, rc.Never50, b.PropP50S)
			rc.P90, rc.Never90 = reachAppend(rc.P90, rc.Never90, b.PropP90S)
			rc.P100, rc.Never100 = reachAppend(rc.P100, rc.Never100, b.Prop100S)
		}
		return rc
	}
	n := r.NodeCount()
	if len(r.Propagation) == 0 || n == 0 {
		return rc
	}
	rc.Source = PropagationFile
	byBlock := map[string][]Arrival{}
	var order []string
	for _, b := range r.Blocks {
		if keep != nil && !keep(b) {
			continue
		}
		if _, ok := byBlock[b.ID]; !ok {
			byBlock[b.ID] = nil
			order = append(order, b.ID)
		}
	}
	for _, a := range r.Propagation {
		if _, ok := byBlock[a.Block]; !ok {
			if keep != nil {
				continue // not a kept block of blocks.csv
			}
			order = append(order, a.Block)
		}
		byBlock[a.Block] = append(byBlock[a.Block], a)
	}
	miner := map[string]int64{}
	for _, b := range r.Blocks {
		miner[b.ID] = b.Miner
	}
	k50, k90, k100 := int(math.Ceil(0.5*float64(n))), int(math.Ceil(0.9*float64(n))), n
	for _, id := range order {
		arr := byBlock[id]
		if len(arr) == 0 {
			continue // no propagation data for this block
		}
		times := make([]float64, 0, len(arr)+1)
		seen := map[int64]bool{}
		for _, a := range arr {
			if !seen[a.Node] { // first acceptance only
				seen[a.Node] = true
				times = append(times, a.ArrivalS)
			}
		}
		if m, ok := miner[id]; ok && m >= 0 && !seen[m] {
			times = append(times, 0)
		}
		slices.Sort(times)
		at := func(k int) float64 {
			if k >= 1 && k <= len(times) {
				return times[k-1]
			}
			return math.NaN()
		}
		rc.P50, rc.Never50 = reachAppend(rc.P50, rc.Never50, at(k50))
		rc.P90, rc.Never90 = reachAppend(rc.P90, rc.Never90, at(k90))
		rc.P100, rc.Never100 = reachAppend(rc.P100, rc.Never100, at(k100))
	}
	return rc
}

func reachAppend(dst []float64, never int, v float64) ([]float64, int) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return dst, never + 1
	}
	return append(dst, v), never
}

// StaleRate is summary.json's stale_rate, else stale / all blocks of
// blocks.csv, else NaN.
func (r *Run) StaleRate() float64 {
	if !math.IsNaN(r.Summary.StaleRate) {
		return r.Summary.StaleRate
	}
	if len(r.Blocks) == 0 {
		return math.NaN()
	}
	var stale int
	for _, b := range r.Blocks {
		if !b.Main {
			stale++
		}
	}
	return float64(stale) / float64(len(r.Blocks))
}

// Column returns f over the rows of blocks that pass keep, dropping NaNs.
func Column(blocks []Block, keep func(Block) bool, f func(Block) float64) []float64 {
	var out []float64
	for _, b := range blocks {
		if keep == nil || keep(b) {
			out = finite(out, f(b))
		}
	}
	return out
}

// MainAttempts returns, for each main-chain block with an attempts value in
// height order, its height and the training attempts completed network-wide
// while it was mined. Simulator versions before the per-block count wrote
// a running total instead; such a column is recognised because its values
// never decrease along the main chain yet sum to more than
// summary.json's attempts_completed, which per-block counts cannot, and it
// is differenced here.
func (r *Run) MainAttempts() (heights, attempts []float64) {
	type hv struct{ h, v float64 }
	var rows []hv
	for _, b := range r.Blocks {
		if b.Main && b.Height > 0 && !math.IsNaN(b.Attempts) && !math.IsInf(b.Attempts, 0) {
			rows = append(rows, hv{float64(b.Height), b.Attempts})
		}
	}
	slices.SortStableFunc(rows, func(a, b hv) int { return cmpFloat(a.h, b.h) })
	var sum float64
	monotone := true
	for i, x := range rows {
		sum += x.v
		if i > 0 && x.v < rows[i-1].v {
			monotone = false
		}
	}
	total := float64(r.Summary.AttemptsCompleted)
	cumulative := monotone && total > 0 && sum > total
	prev := 0.0
	for _, x := range rows {
		v := x.v
		if cumulative {
			v, prev = x.v-prev, x.v
		}
		heights, attempts = append(heights, x.h), append(attempts, v)
	}
	return heights, attempts
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
