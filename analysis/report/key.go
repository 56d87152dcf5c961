package report

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/coinai/coinai/analysis/rundata"
)

// Item is one line of a run's key results: a quantity and its value with
// units, already formatted.
type Item struct {
	Name, Value string
}

// keyNames fixes the order of key results, so that comparisons line up
// runs whose items differ (PoW has no threshold, Coin.AI no difficulty).
var keyNames = []string{
	"protocol", "scenario", "seed", "nodes", "trace digest", "virtual time",
	"blocks", "stale rate", "block interval", "propagation (main chain, mean)",
	"energy", "training attempts", "verification cache hits", "mined accuracy",
	"accuracy threshold", "difficulty", "reward Gini", "proof of storage",
	"checks", "fidelity notes", "wall time",
}

// KeyResults picks from summary.json (and scenario.toml for the target
// interval) the quantities a researcher looks for first, in fixed order,
// with units. Quantities that do not apply to the run's protocol are left
// out rather than shown as zero: PoW runs have no training attempts, mined
// accuracy or threshold; Coin.AI runs no difficulty.
func KeyResults(run *rundata.Run) []Item {
	s := run.Summary
	coin, pow := s.Protocol == "coinai", s.Protocol == "pow"
	var out []Item
	add := func(name, value string) { out = append(out, Item{name, value}) }
	add("protocol", orNA(s.Protocol))
	add("scenario", orNA(s.Scenario))
	add("seed", rawOrNA(s, "seed"))
	add("nodes", fmt.Sprint(run.NodeCount()))
	add("trace digest", orNA(s.TraceDigest))
	if s.Has("virtual_seconds") {
		add("virtual time", duration(s.VirtualSeconds))
	}
	if s.Has("blocks_main") {
		add("blocks", fmt.Sprintf("%d main chain, %d stale", s.BlocksMain, s.BlocksStale))
	}
	if sr := run.StaleRate(); !math.IsNaN(sr) {
		v := fmt.Sprintf("%.2f%%", 100*sr)
		if th := rawFloat(s, "stale_rate_theory"); !math.IsNaN(th) {
			v += fmt.Sprintf(" (first-order theory %.2f%%)", 100*th)
		}
		add("stale rate", v)
	}
	if !math.IsNaN(s.IntervalMeanS) {
		v := "mean " + duration(s.IntervalMeanS) + ", median " + duration(s.IntervalP50S) + ", p90 " + duration(s.IntervalP90S)
		if t := run.TargetIntervalS(); !math.IsNaN(t) {
			v += " (target " + duration(t) + ")"
		}
		add("block interval", v)
	}
	if !math.IsNaN(s.PropagationP50S) {
		v := "50% of nodes " + duration(s.PropagationP50S) + ", 90% " + duration(s.PropagationP90S) + ", 100% " + duration(s.PropagationP100S)
		if n := rawFloat(s, "propagation_p100_blocks"); !math.IsNaN(n) {
			v += fmt.Sprintf(" (100%%: over %g blocks)", n)
		}
		if n := rawFloat(s, "catchup_arrivals"); n > 0 {
			v += fmt.Sprintf("; of the nodes online when each block was found. Catch-up: %g acceptances by nodes offline then, on %g blocks, %s after their return on average",
				n, rawFloat(s, "catchup_blocks"), duration(rawFloat(s, "catchup_mean_s")))
		}
		add("propagation (main chain, mean)", v)
	}
	if !math.IsNaN(s.EnergyJoules) {
		v := joules(s.EnergyJoules) + " in total"
		if !math.IsNaN(s.EnergyJoulesPerBlock) {
			v += ", " + joules(s.EnergyJoulesPerBlock) + " per main-chain block"
		}
		add("energy", v)
	}
	if coin {
		if s.Has("attempts_completed") {
			v := fmt.Sprintf("%d completed, %d cancelled by a new tip", s.AttemptsCompleted, s.AttemptsCancelled)
			if s.AttemptsCompleted > 0 && s.BlocksMain > 0 {
				v += fmt.Sprintf(" (%.1f completed per main-chain block)", float64(s.AttemptsCompleted)/float64(s.BlocksMain))
			}
			if n := rawFloat(s, "attempts_speculative"); n > 0 {
				v += fmt.Sprintf("; %g computed ahead on a spare core, then cancelled and discarded (wall-clock work only)", n)
			}
			add("training attempts", v)
		}
		if s.Has("verify_cache_hits") {
			add("verification cache hits", fmt.Sprint(s.VerifyCacheHits))
		}
		if !math.IsNaN(s.MinedAccuracyMean) {
			add("mined accuracy", fmt.Sprintf("mean %.4f over main-chain blocks", s.MinedAccuracyMean))
		}
		if v := threshold(run); v != "" {
			add("accuracy threshold", v)
		}
	}
	if pow {
		if d := rawFloat(s, "difficulty_final"); !math.IsNaN(d) {
			add("difficulty", fmt.Sprintf("final %.6g", d))
		}
	}
	if !math.IsNaN(s.RewardGini) {
		add("reward Gini", fmt.Sprintf("%.3f", s.RewardGini))
	}
	if s.Has("models_stored") || s.Has("proofs_valid") {
		v := fmt.Sprintf("%d models stored; proofs %d valid, %d missed; %d cheaters caught; retrievals %d ok, %d failed",
			s.ModelsStored, s.ProofsValid, s.ProofsMissed, s.CheatersCaught, s.RetrievalsOK, s.RetrievalsFailed)
		if !math.IsNaN(s.AvailabilityMean) {
			v += fmt.Sprintf("; mean availability %.2f%%", 100*s.AvailabilityMean)
		}
		add("proof of storage", v)
	}
	if v := checks(s); v != "" {
		add("checks", v)
	}
	if len(s.Fidelity) > 0 {
		add("fidelity notes", fmt.Sprintf("%d (listed under Fidelity notes)", len(s.Fidelity)))
	}
	if !math.IsNaN(s.WallSeconds) {
		add("wall time", duration(s.WallSeconds))
	}
	return out
}

// KeyTable is KeyResults as a two-column table.
func KeyTable(run *rundata.Run) *Table {
	t := &Table{Header: []string{"quantity", "value"}}
	for _, it := range KeyResults(run) {
		t.Rows = append(t.Rows, []string{it.Name, it.Value})
	}
	return t
}

// KeyTableOf lays out the key results of several runs side by side, one
// column per run; an item a run lacks shows as "—".
func KeyTableOf(runs []*rundata.Run) *Table {
	t := &Table{Header: []string{"quantity"}}
	vals := make([]map[string]string, len(runs))
	present := map[string]bool{}
	for i, r := range runs {
		t.Header = append(t.Header, r.Label())
		vals[i] = map[string]string{}
		for _, it := range KeyResults(r) {
			if it.Name == "trace digest" && len(it.Value) > 16 {
				// Full digests are listed with the runs; columns stay narrow.
				it.Value = it.Value[:16] + "…"
			}
			vals[i][it.Name] = it.Value
			present[it.Name] = true
		}
	}
	for _, name := range keyNames {
		if !present[name] {
			continue
		}
		row := []string{name}
		for i := range runs {
			v, ok := vals[i][name]
			if !ok {
				v = "—"
			}
			row = append(row, v)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// threshold describes the Coin.AI accuracy threshold: its first and final
// value from threshold.csv, else summary.json's threshold_final.
func threshold(run *rundata.Run) string {
	var ts []float64
	for _, r := range run.Threshold {
		if !math.IsNaN(r.Threshold) {
			ts = append(ts, r.Threshold)
		}
	}
	final := run.Summary.ThresholdFinal
	if len(ts) > 0 {
		v := fmt.Sprintf("%.4g at height %d", ts[0], run.Threshold[0].Height)
		if math.IsNaN(final) {
			final = ts[len(ts)-1]
		}
		return v + fmt.Sprintf(", final %.4g (range %.4g–%.4g)", final, slices.Min(ts), slices.Max(ts))
	}
	if !math.IsNaN(final) {
		return fmt.Sprintf("final %.4g", final)
	}
	return ""
}

// checks summarises summary.json's "checks" list of {name, ok, note}.
func checks(s rundata.Summary) string {
	raw, ok := s.Raw["checks"]
	if !ok {
		return ""
	}
	var cs []struct {
		Name string `json:"name"`
		OK   bool   `json:"ok"`
		Note string `json:"note"`
	}
	if json.Unmarshal(raw, &cs) != nil || len(cs) == 0 {
		return ""
	}
	var failed []string
	for _, c := range cs {
		if !c.OK {
			failed = append(failed, c.Name+" ("+c.Note+")")
		}
	}
	if len(failed) == 0 {
		return fmt.Sprintf("all %d passed", len(cs))
	}
	return fmt.Sprintf("%d of %d FAILED: %s", len(failed), len(cs), strings.Join(failed, "; "))
}

// rawFloat reads a numeric summary key that Summary does not decode; NaN
// when absent, null or not a number.
func rawFloat(s rundata.Summary, key string) float64 {
	var v float64
	if !s.Has(key) || json.Unmarshal(s.Raw[key], &v) != nil {
		return math.NaN()
	}
	return v
}

// duration writes seconds with a unit that reads well: "27.41 s",
// "3.78 min", "5.61 h", "2.1 d", "350 ms".
func duration(sec float64) string {
	switch {
	case math.IsNaN(sec) || math.IsInf(sec, 0):
		return "n/a"
	case sec >= 2*86400:
		return num(sec/86400) + " d"
	case sec >= 2*3600:
		return num(sec/3600) + " h"
	case sec >= 120:
		return num(sec/60) + " min"
	case sec >= 1 || sec == 0:
		return num(sec) + " s"
	}
	return num(sec*1000) + " ms"
}

// joules writes energy in J, kJ, MJ, GJ, TJ or PJ.
func joules(j float64) string {
	if math.IsNaN(j) || math.IsInf(j, 0) {
		return "n/a"
	}
	names := []string{"J", "kJ", "MJ", "GJ", "TJ", "PJ"}
	k, v := 0, j
	for k < len(names)-1 && math.Abs(v) >= 1000 {
		v /= 1000
		k++
	}
	return num(v) + " " + names[k]
}
