package recompute

import (
	"math"

	"github.com/BurntSushi/toml"

	"github.com/coinai/coinai/analysis/rundata"
)

// verifyCost recomputes what verification cost the honest nodes of a
// Coin.AI run with attackers (null otherwise): from compute.csv (the
// honest nodes, their FLOP rates and evaluation FLOPs), nodes.csv (busy_s,
// attempts_cancelled), scenario.toml (coinai.verify_scale, the cost scale
// of evaluation in virtual time) and, with spammers, spam.csv (the honest
// rows' received, dropped and evaluation FLOPs; every row's sent).
func verifyCost(v Values, run *rundata.Run) {
	keys := []string{"honest_verify_flops_per_node", "honest_verify_flops_per_block", "honest_verify_time_per_node_s",
		"honest_verify_time_share", "honest_attempts_cancelled_per_block",
		"spam_models_sent", "spam_models_received", "spam_models_dropped", "honest_verify_flops_spam"}
	for _, k := range keys {
		v[k] = math.NaN()
	}
	if len(run.Attackers()) == 0 || run.Summary.Protocol != "coinai" {
		return // Coin.AI runs with attackers only, as summary.json
	}
	scale := verifyScale(run.Scenario)
	attack := map[int64]string{}
	var flops, secs float64
	honest := 0
	for _, c := range run.Compute {
		attack[c.Node] = c.Attack
		if c.Attack != "" {
			continue
		}
		honest++
		flops += c.EvalFLOPs
		if c.FLOPS > 0 {
			secs += c.EvalFLOPs * scale / c.FLOPS
		}
	}
	var busy, cancelled float64
	for _, n := range run.Nodes {
		if a, ok := attack[n.Node]; ok && a == "" {
			busy += n.BusyS
			cancelled += n.AttemptsCancelled
		}
	}
	if honest > 0 {
		v["honest_verify_flops_per_node"] = flops / float64(honest)
		v["honest_verify_time_per_node_s"] = secs / float64(honest)
	}
	if m := v["blocks_main"].(float64); m > 0 {
		v["honest_verify_flops_per_block"] = flops / m
		v["honest_attempts_cancelled_per_block"] = cancelled / m
	}
	if busy > 0 {
		v["honest_verify_time_share"] = secs / busy
	}
	if !run.Has(rundata.SpamFile) || run.Spam == nil {
		return
	}
	var sent, recv, drop, spent float64
	for _, s := range run.Spam {
		sent += s.Sent
		if s.Attack == "" {
			recv += s.Received
			drop += s.Dropped
			spent += s.EvalFLOPs
		}
	}
	v["spam_models_sent"], v["spam_models_received"], v["spam_models_dropped"] = sent, recv, drop
	v["honest_verify_flops_spam"] = spent
}

// verifyScale is coinai.verify_scale of a resolved scenario (1 when
// absent or 0, as the host applies it).
func verifyScale(scenario []byte) float64 {
	var doc struct {
		CoinAI struct {
			VerifyScale float64 `toml:"verify_scale"`
		} `toml:"coinai"`
	}
	if _, err := toml.Decode(string(scenario), &doc); err != nil || doc.CoinAI.VerifyScale == 0 {
		return 1
	}
	return doc.CoinAI.VerifyScale
}
