// Package recompute derives every figure of a run's summary.json from the
// other files the run wrote (the CSVs and scenario.toml), with the
// definitions DESIGN.md gives ("summary.json keys"). A figure the files
// cannot give is listed in NotRecomputable with the reason.
//
// It is how a reader checks that summary.json says what the files say,
// and the test of the simulator's outputs requires the two to agree on
// real runs, so that a figure added to summary.json without a way to
// recompute it from the run fails that test.
package recompute

import (
	"math"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/coinai/coinai/analysis/rundata"
	"github.com/coinai/coinai/analysis/stats"
)

// NotRecomputable names the numeric summary.json keys that no file of a
// run can give, and why.
var NotRecomputable = map[string]string{
	"events":                   "kernel events delivered (timers, compute ends and messages): the trace digest replay checks the run, trace.jsonl (--trace) lists them",
	"wall_seconds":             "wall-clock time of the machine that ran it",
	"attempts_speculative":     "wall-clock work that depends on GOMAXPROCS; written to summary.json only, so that the files compare byte-exact across GOMAXPROCS",
	"doublespend_attempts":     "races of the double-spend attackers, counted from their EvNote events (trace.jsonl with --trace lists them)",
	"doublespend_successes":    "races won, from the attackers' EvNote events and the main chain (trace.jsonl with --trace lists them)",
	"doublespend_success_rate": "doublespend_successes / doublespend_attempts, from the attackers' EvNote events",
	// The eclipse victims' keys need the victims' tips over time and
	// which nodes are victims, which no file of the run holds.
	"victim_wasted_work_share": "the eclipse victims' tips over time, which no file records (trace.jsonl with --trace has them)",
	"victim_blocks_mined":      "which nodes are eclipse victims, which no file records (the scenario's [group.eclipse] victims)",
	"victim_stale_blocks":      "which nodes are eclipse victims, which no file records (the scenario's [group.eclipse] victims)",
	"trainings_real":           "which completed attempts were trained and which drawn (sampled fidelity) is written to no other file of the run (replaying the scenario and seed gives it again)",
	"attempts_sampled":         "which completed attempts were trained and which drawn (sampled fidelity) is written to no other file of the run (replaying the scenario and seed gives it again)",
}

// Values maps summary.json keys to their values recomputed from the run's
// files: a float64 (NaN where summary.json has null), a []float64, or,
// for storage_cheaters, a []map[string]any of the entries' fields. The
// rejected map is recomputed as its total.
type Values map[string]any

// Summary recomputes summary.json's figures from the files of run.
func Summary(run *rundata.Run) Values {
	v := Values{}
	pow := run.Summary.Protocol == "pow"
	v["seed"] = seed(run.Scenario)
	v["nodes"] = float64(len(run.Nodes))
	v["virtual_seconds"] = math.NaN()
	if n := len(run.Energy); n > 0 {
		v["virtual_seconds"] = run.Energy[n-1].TimeS // the row at the end
	}

	blocks(v, run, pow)
	nodes(v, run)
	compute(v, run)
	verifyCost(v, run)
	faults(v, run)
	market(v, run)
	if run.Has(rundata.StorageFile) {
		storage(v, run)
	} else {
		for _, k := range []string{"models_stored", "proofs_valid", "proofs_missed", "proofs_late", "proofs_invalid",
			"proofs_void", "proofs_issued", "storage_evictions", "cheaters_caught", "availability_mean",
			"replicas_alive_mean", "retrievals_ok", "retrievals_failed", "retrieval_mean_s", "retrieval_bytes",
			"storage_bytes_sent", "energy_storage_joules"} {
			v[k] = math.NaN()
		}
		v["storage_cheaters"] = []map[string]any(nil)
		v["availability_by_replication"] = []float64(nil)
	}
	return v
}

func seed(scenario []byte) float64 {
	var doc struct {
		Run struct {
			Seed *int64 `toml:"seed"`
		} `toml:"run"`
	}
	if _, err := toml.Decode(string(scenario), &doc); err != nil || doc.Run.Seed == nil {
		return math.NaN()
	}
	return float64(*doc.Run.Seed)
}

// blocks recomputes the chain's figures from blocks.csv.
func blocks(v Values, run *rundata.Run, pow bool) {
	var main []rundata.Block
	var stale, unaccepted int
	for _, b := range run.Blocks {
		switch {
		case b.Main:
			main = append(main, b)
		case !pow && b.Arrivals == 0:
			unaccepted++ // no node but its miner accepted it
		default:
			stale++
		}
	}
	slices.SortStableFunc(main, func(a, b rundata.Block) int { return int(a.Height - b.Height) })
	v["blocks_main"] = float64(len(main))
	v["blocks_stale"] = float64(stale)
	v["blocks_unaccepted"] = float64(unaccepted)
	v["stale_rate"] = 0.0
	if tot := len(main) + stale; tot > 0 {
		v["stale_rate"] = float64(stale) / float64(tot)
	}
	var intervals, p50, p90, p100, delta, acc []float64
	var catchN, catchSum float64
	var catchBlocks int
	for _, b := range main {
		intervals = appendFinite(intervals, b.IntervalS)
		p50 = appendFinite(p50, b.PropP50S)
		p90 = appendFinite(p90, b.PropP90S)
		p100 = appendFinite(p100, b.Prop100S)
		delta = appendFinite(delta, b.ArrivalDelayWeightedS)
		if b.Accuracy > 0 {
			acc = append(acc, b.Accuracy)
		}
		if b.CatchupNodes > 0 {
			catchBlocks++
			catchN += b.CatchupNodes
			catchSum += b.CatchupNodes * b.CatchupMeanS
		}
	}
	v["interval_mean_s"] = stats.Mean(intervals)
	v["interval_p50_s"] = stats.Quantile(intervals, 0.5)
	v["interval_p90_s"] = stats.Quantile(intervals, 0.9)
	v["propagation_p50_s"] = stats.Mean(p50)
	v["propagation_p90_s"] = stats.Mean(p90)
	v["propagation_p100_s"] = stats.Mean(p100)
	v["propagation_p100_blocks"] = float64(len(p100))
	v["catchup_arrivals"] = catchN
	v["catchup_blocks"] = float64(catchBlocks)
	v["catchup_mean_s"] = math.NaN()
	if catchN > 0 {
		v["catchup_mean_s"] = catchSum / catchN
	}
	v["arrival_delay_blocks"] = float64(len(delta))
	v["arrival_delay_weighted_s"], v["found_interval_s"], v["stale_rate_theory"] = math.NaN(), math.NaN(), math.NaN()
	v["threshold_final"], v["difficulty_final"] = math.NaN(), math.NaN()
	if len(main) > 0 {
		last := main[len(main)-1]
		t := last.FoundS / float64(len(main)+stale)
		v["found_interval_s"] = t
		if len(delta) > 0 {
			d := stats.Mean(delta)
			v["arrival_delay_weighted_s"] = d
			v["stale_rate_theory"] = 1 - math.Exp(-d/t)
		}
		if pow {
			v["difficulty_final"] = last.Difficulty
		} else {
			v["threshold_final"] = last.Threshold
		}
	}
	v["mined_accuracy_mean"] = stats.Mean(acc)
}

// nodes recomputes the per-node totals from nodes.csv.
func nodes(v Values, run *rundata.Run) {
	sum := func(f func(rundata.Node) float64) float64 {
		var s float64
		for _, n := range run.Nodes {
			s += f(n)
		}
		return s
	}
	v["energy_joules"] = sum(func(n rundata.Node) float64 { return n.EnergyJ })
	v["energy_joules_per_block"] = math.NaN()
	if m := v["blocks_main"].(float64); m > 0 {
		v["energy_joules_per_block"] = v["energy_joules"].(float64) / m
	}
	v["attempts_completed"] = sum(func(n rundata.Node) float64 { return n.AttemptsCompleted })
	v["attempts_cancelled"] = sum(func(n rundata.Node) float64 { return n.AttemptsCancelled })
	v["verify_cache_hits"] = sum(func(n rundata.Node) float64 { return n.VerifyCacheHits })
	v["bytes_sent"] = sum(func(n rundata.Node) float64 { return n.BytesSent })
	v["messages"] = sum(func(n rundata.Node) float64 { return n.MessagesSent })
	v["reorgs"] = sum(func(n rundata.Node) float64 { return n.Reorgs })
	v["rejected"] = sum(func(n rundata.Node) float64 { return n.Rejected })
	var depth float64
	rewards := make([]float64, len(run.Nodes))
	for i, n := range run.Nodes {
		depth = max(depth, n.ReorgMaxDepth)
		rewards[i] = n.Reward
	}
	v["reorg_max_depth"] = depth
	v["reward_gini"] = stats.Gini(rewards)
}

// storage recomputes the proof-of-storage figures from storage.csv,
// proofs.csv, retrievals.csv and nodes.csv.
func storage(v Values, run *rundata.Run) {
	v["models_stored"] = 0.0
	if n := len(run.Storage); n > 0 {
		v["models_stored"] = run.Storage[n-1].Models // the state at the end
	}
	count := map[string]float64{}
	type cheater struct {
		node                                        int64
		kind                                        string
		valid, missed, late, invalid, evicted, seen float64
		toCatch, toEvict                            float64
		rewards                                     float64
	}
	cheats := map[int64]*cheater{}
	var ids []int64
	for _, n := range run.Nodes {
		if n.StorageCheat != "" {
			cheats[n.Node] = &cheater{node: n.Node, kind: n.StorageCheat, rewards: n.RewardStorage}
			ids = append(ids, n.Node)
		}
	}
	for _, p := range run.Proofs { // main-chain blocks in height order
		if !p.Main {
			continue
		}
		out := p.Outcome
		if strings.HasPrefix(out, "invalid") {
			out = "invalid"
		}
		count[out]++
		c := cheats[p.Holder]
		if c == nil {
			continue
		}
		switch out {
		case "valid":
			c.seen++
			c.valid++
		case "missed":
			c.seen++
			c.missed++
			if c.toCatch == 0 {
				c.toCatch = c.seen
			}
		case "late":
			c.late++
		case "invalid":
			c.invalid++
		case "evicted":
			c.evicted++
			if c.toEvict == 0 {
				c.toEvict = c.seen
			}
		}
	}
	v["proofs_valid"], v["proofs_missed"], v["proofs_late"] = count["valid"], count["missed"], count["late"]
	v["proofs_invalid"], v["proofs_void"], v["storage_evictions"] = count["invalid"], count["void"], count["evicted"]
	v["proofs_issued"] = count["valid"] + count["missed"] + count["late"] + count["invalid"] + count["void"]
	slices.Sort(ids)
	var list []map[string]any
	var caught float64
	for _, id := range ids {
		c := cheats[id]
		if c.evicted > 0 {
			caught++
		}
		list = append(list, map[string]any{
			"node": float64(c.node), "kind": c.kind, "proofs_valid": c.valid, "proofs_missed": c.missed,
			"challenges_to_catch": c.toCatch, "evictions": c.evicted, "caught": c.evicted > 0,
			"challenges_to_evict": c.toEvict, "proofs_late": c.late, "proofs_invalid": c.invalid, "rewards": c.rewards,
		})
	}
	v["cheaters_caught"] = caught
	v["storage_cheaters"] = list

	var avail, alive []float64
	var byK []float64
	for _, s := range run.Storage {
		if !(s.Models > 0) {
			continue
		}
		avail = append(avail, s.Available/s.Models)
		alive = append(alive, s.ReplicasAlive/s.Models)
		if byK == nil {
			byK = make([]float64, len(s.AvailableK))
		}
		for k := range byK {
			byK[k] += s.AvailableK[k] / s.Models
		}
	}
	for k := range byK {
		byK[k] /= float64(len(avail))
	}
	v["availability_mean"] = stats.Mean(avail)
	v["replicas_alive_mean"] = stats.Mean(alive)
	v["availability_by_replication"] = byK

	var ok, failed, bytes float64
	var secs []float64
	for _, r := range run.Retrievals {
		if r.Outcome == "ok" {
			ok++
			secs = append(secs, r.Seconds)
		} else {
			failed++
		}
		bytes += r.Bytes
	}
	v["retrievals_ok"], v["retrievals_failed"], v["retrieval_bytes"] = ok, failed, bytes
	v["retrieval_mean_s"] = stats.Mean(secs)

	var sent, energy float64
	for _, n := range run.Nodes {
		sent += n.StorageBytesSent
		if n.Role == "storage" {
			energy += n.EnergyJ
		}
	}
	v["storage_bytes_sent"] = sent
	v["energy_storage_joules"] = energy
}

// compute recomputes the attacker keys, the verification cost and the
// rewards against compute (reward_compute_slope, compute_gini: busy_s ×
// flops per node) from compute.csv (Coin.AI runs) and nodes.csv:
// attackers are the nodes whose
// compute.csv attack is not empty; their main-chain blocks, share of the
// rewards and share of the compute (busy_s × flops, every node); and the
// evaluation FLOPs of all nodes per main-chain block. Without compute.csv
// (PoW, or runs of earlier versions) every one is null.
func compute(v Values, run *rundata.Run) {
	for _, k := range []string{"attacker_blocks", "attacker_reward_share", "attacker_compute_share", "verify_flops_per_block",
		"reward_compute_slope", "compute_gini"} {
		v[k] = math.NaN()
	}
	if !run.Has(rundata.ComputeFile) || run.Compute == nil {
		return
	}
	// Under PoW (compute.csv only with attackers) a node's compute is
	// its hashes, busy_s × hashrate, and the Coin.AI keys stay null.
	pow := run.Summary.Protocol == "pow"
	flops := map[int64]float64{}
	var eval float64
	for _, c := range run.Compute {
		flops[c.Node] = c.FLOPS
		if pow {
			flops[c.Node] = c.HashRate
		}
		eval += c.EvalFLOPs
	}
	if !pow {
		if m := v["blocks_main"].(float64); m > 0 {
			v["verify_flops_per_block"] = eval / m
		}
		work, rewards := make([]float64, len(run.Nodes)), make([]float64, len(run.Nodes))
		for i, n := range run.Nodes {
			work[i], rewards[i] = n.BusyS*flops[n.Node], n.Reward
		}
		v["reward_compute_slope"] = stats.ShareSlope(work, rewards)
		v["compute_gini"] = stats.Gini(work)
	}
	att := run.Attackers()
	if len(att) == 0 {
		return
	}
	var blocks, rAtt, rAll, cAtt, cAll float64
	for _, n := range run.Nodes {
		work := n.BusyS * flops[n.Node]
		rAll += n.Reward
		cAll += work
		if _, ok := att[n.Node]; ok {
			blocks += n.BlocksMain
			rAtt += n.Reward
			cAtt += work
		}
	}
	v["attacker_blocks"] = blocks
	if rAll > 0 {
		v["attacker_reward_share"] = rAtt / rAll
	}
	if cAll > 0 {
		v["attacker_compute_share"] = cAtt / cAll
	}
}

// faults recomputes the fault keys from faults.csv: the crash rows, the
// messages lost of every row, and the longest converge_s. Without
// faults.csv (no [[fault]] tables) each is null.
func faults(v Values, run *rundata.Run) {
	v["crashes"], v["messages_lost"], v["partition_heal_converge_s"] = math.NaN(), math.NaN(), math.NaN()
	if !run.Has(rundata.FaultsFile) || !run.Summary.Has("messages_lost") {
		return
	}
	var crashes, lost float64
	conv := math.NaN()
	for _, f := range run.Faults {
		if f.Kind == "crash" {
			crashes++
		}
		lost += f.MessagesLost
		if !math.IsNaN(f.ConvergeS) && (math.IsNaN(conv) || f.ConvergeS > conv) {
			conv = f.ConvergeS
		}
	}
	v["crashes"], v["messages_lost"], v["partition_heal_converge_s"] = crashes, lost, conv
}

func appendFinite(dst []float64, x float64) []float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return dst
	}
	return append(dst, x)
}
