package rundata

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// Summary is summary.json. Known keys (DESIGN.md, "Run outputs") are decoded
// into fields; a float key that is absent or null is NaN and an absent
// integer key is 0 (use Has to tell absent from zero). Every key, known or
// not, is kept verbatim in Raw so that reports show keys added by later
// simulator versions without a change here.
type Summary struct {
	Protocol    string // "pow" or "coinai"
	Seed        uint64
	Scenario    string
	Nodes       int64
	TraceDigest string
	Kernel      string // trainer kernel of a Coin.AI run ("" for PoW)
	Events      int64
	Fidelity    []string

	VirtualSeconds, WallSeconds        float64
	BlocksMain, BlocksStale            int64
	StaleRate                          float64
	IntervalMeanS, IntervalP50S        float64
	IntervalP90S                       float64
	PropagationP50S, PropagationP90S   float64
	PropagationP100S                   float64
	EnergyJoules, EnergyJoulesPerBlock float64
	AttemptsCompleted                  int64
	AttemptsCancelled, VerifyCacheHits int64
	MinedAccuracyMean, ThresholdFinal  float64
	RewardGini                         float64
	ModelsStored, ProofsValid          int64
	ProofsMissed, CheatersCaught       int64
	AvailabilityMean                   float64
	RetrievalsOK, RetrievalsFailed     int64

	// Raw holds every top-level key of the file with its JSON value.
	Raw map[string]json.RawMessage
}

// KnownKeys lists summary.json's stable keys in the order DESIGN.md gives
// them; reports print them in this order, then any other key sorted.
var KnownKeys = []string{
	"protocol", "scenario", "seed", "nodes", "trace_digest", "kernel", "kernel_impl", "events",
	"virtual_seconds", "wall_seconds", "attempts_speculative", "fidelity",
	"blocks_main", "blocks_stale", "blocks_unaccepted", "stale_rate",
	"interval_mean_s", "interval_p50_s", "interval_p90_s", "propagation_p50_s",
	"propagation_p90_s", "propagation_p100_s", "propagation_p100_blocks",
	"catchup_arrivals", "catchup_blocks", "catchup_mean_s",
	"arrival_delay_weighted_s", "arrival_delay_blocks", "found_interval_s",
	"stale_rate_theory", "reorgs", "reorg_max_depth", "rejected",
	"energy_joules", "energy_joules_per_block", "attempts_completed",
	"attempts_cancelled", "verify_cache_hits", "mined_accuracy_mean",
	"threshold_final", "difficulty_final", "reward_gini", "bytes_sent",
	"messages", "checks", "checks_ok", "models_stored", "proofs_valid",
	"proofs_missed", "proofs_late", "proofs_invalid", "proofs_void",
	"proofs_issued", "storage_evictions", "cheaters_caught", "storage_cheaters",
	"availability_mean", "replicas_alive_mean", "availability_by_replication",
	"retrievals_ok", "retrievals_failed", "retrieval_mean_s", "retrieval_bytes",
	"storage_bytes_sent", "energy_storage_joules",
	"attacker_blocks", "attacker_reward_share", "attacker_compute_share",
	"verify_flops_per_block", "reward_compute_slope", "compute_gini",
	"crashes", "messages_lost", "partition_heal_converge_s",
	"doublespend_attempts", "doublespend_successes", "doublespend_success_rate",
	"victim_wasted_work_share", "victim_blocks_mined", "victim_stale_blocks",
	"problems_submitted", "problems_solved", "problems_refunded", "problem_wait_mean_s",
	"problem_wait_p90_s", "transfers_confirmed", "tx_confirm_p50_s", "reward_fees",
	"models_delivered",
	"spam_models_sent", "spam_models_received", "spam_models_dropped",
	"honest_verify_flops_spam", "honest_verify_flops_per_node",
	"honest_verify_flops_per_block", "honest_verify_time_per_node_s",
	"honest_verify_time_share", "honest_attempts_cancelled_per_block",
	"trainings_real", "attempts_sampled", "energy_per_model_delivered_j",
	"problem_wait_mean_low_fee_s", "problem_wait_mean_high_fee_s", "problem_wait_p90_low_fee_s",
	"problem_wait_p90_high_fee_s", "problem_refund_share_low_fee", "problem_refund_share_high_fee",
	"problem_wait_jain",
	"model_retrieval_p50_s", "models_retrievable_at_end",
}

// Has reports whether summary.json has key with a non-null value.
func (s *Summary) Has(key string) bool {
	v, ok := s.Raw[key]
	return ok && !bytes.Equal(bytes.TrimSpace(v), []byte("null"))
}

// ExtraKeys returns the keys of Raw that are not in KnownKeys, sorted.
func (s *Summary) ExtraKeys() []string {
	var out []string
	for k := range s.Raw {
		if !slices.Contains(KnownKeys, k) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// ParseSummary decodes summary.json. It fails on malformed JSON or a known
// key of the wrong type; unknown keys are accepted and kept in Raw.
func ParseSummary(data []byte) (Summary, error) {
	s := Summary{Raw: map[string]json.RawMessage{}}
	if err := json.Unmarshal(data, &s.Raw); err != nil {
		return Summary{}, &FormatError{File: "summary.json", Line: lineOf(data, err), Err: err}
	}
	if s.Raw == nil { // the file was the literal null
		return Summary{}, &FormatError{File: "summary.json", Err: errors.New("want a JSON object")}
	}
	strs := map[string]*string{"protocol": &s.Protocol, "scenario": &s.Scenario, "trace_digest": &s.TraceDigest, "kernel": &s.Kernel}
	ints := map[string]*int64{
		"nodes": &s.Nodes, "events": &s.Events, "blocks_main": &s.BlocksMain, "blocks_stale": &s.BlocksStale,
		"attempts_completed": &s.AttemptsCompleted, "attempts_cancelled": &s.AttemptsCancelled,
		"verify_cache_hits": &s.VerifyCacheHits, "models_stored": &s.ModelsStored, "proofs_valid": &s.ProofsValid,
		"proofs_missed": &s.ProofsMissed, "cheaters_caught": &s.CheatersCaught,
		"retrievals_ok": &s.RetrievalsOK, "retrievals_failed": &s.RetrievalsFailed,
	}
	floats := map[string]*float64{
		"virtual_seconds": &s.VirtualSeconds, "wall_seconds": &s.WallSeconds, "stale_rate": &s.StaleRate,
		"interval_mean_s": &s.IntervalMeanS, "interval_p50_s": &s.IntervalP50S, "interval_p90_s": &s.IntervalP90S,
		"propagation_p50_s": &s.PropagationP50S, "propagation_p90_s": &s.PropagationP90S,
		"propagation_p100_s": &s.PropagationP100S, "energy_joules": &s.EnergyJoules,
		"energy_joules_per_block": &s.EnergyJoulesPerBlock, "mined_accuracy_mean": &s.MinedAccuracyMean,
		"threshold_final": &s.ThresholdFinal, "reward_gini": &s.RewardGini, "availability_mean": &s.AvailabilityMean,
	}
	// Decode in KnownKeys order so that the first error reported is stable.
	for _, k := range KnownKeys {
		raw, present := s.Raw[k]
		var err error
		switch {
		case strs[k] != nil:
			if present && s.Has(k) {
				err = json.Unmarshal(raw, strs[k])
			}
		case ints[k] != nil:
			if present && s.Has(k) {
				*ints[k], err = jsonInt(raw)
			}
		case floats[k] != nil:
			*floats[k] = math.NaN()
			if present && s.Has(k) {
				err = json.Unmarshal(raw, floats[k])
			}
		case k == "seed":
			if present && s.Has(k) {
				s.Seed, err = jsonSeed(raw)
			}
		case k == "fidelity":
			if present && s.Has(k) {
				err = json.Unmarshal(raw, &s.Fidelity)
			}
		}
		if err != nil {
			return Summary{}, &FormatError{File: "summary.json", Err: fmt.Errorf("key %q: %w", k, err)}
		}
	}
	return s, nil
}

// jsonInt accepts an integer written as 12, 12.0 or 1.2e1.
func jsonInt(raw json.RawMessage) (int64, error) {
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return 0, err
	}
	if v, err := n.Int64(); err == nil {
		return v, nil
	}
	f, err := n.Float64()
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, fmt.Errorf("%s is not an integer", n)
	}
	return int64(f), nil
}

// jsonSeed accepts the seed as a JSON number or decimal string, since a
// 64-bit seed does not survive float64 in some JSON writers.
func jsonSeed(raw json.RawMessage) (uint64, error) {
	var str string
	if err := json.Unmarshal(raw, &str); err == nil {
		return strconv.ParseUint(str, 10, 64)
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return 0, err
	}
	return strconv.ParseUint(n.String(), 10, 64)
}

// lineOf maps a JSON syntax error to its 1-based line, or 0.
func lineOf(data []byte, err error) int {
	var se *json.SyntaxError
	if errors.As(err, &se) && se.Offset <= int64(len(data)) {
		return 1 + bytes.Count(data[:se.Offset], []byte("\n"))
	}
	return 0
}
