package recompute

import (
	"math"

	"github.com/coinai/coinai/analysis/rundata"
	"github.com/coinai/coinai/analysis/stats"
)

// market recomputes the problem market's keys from problems.csv and
// transactions.csv (null without them): counts by status, the wait of the
// solved problems (wait_s: mean and type-7 90th percentile), the confirmed
// transfers, the median confirm_s of every included transaction, the fees
// miners were paid (fees of included transfers plus rewards of solved
// problems), the delivered models and the energy (nodes.csv energy_j
// summed) per delivered model; the pick rule's fairness by fee class
// (stats.MarketFairness on the rows, a refund's wait being refunded_s -
// submitted_s); the median retrieval_s of the delivered models; and, with
// proof-of-storage (storage.csv present), the solved problems whose model
// is retrievable_at_end.
func market(v Values, run *rundata.Run) {
	keys := []string{"problems_submitted", "problems_solved", "problems_refunded", "problem_wait_mean_s", "problem_wait_p90_s",
		"transfers_confirmed", "tx_confirm_p50_s", "reward_fees", "models_delivered", "energy_per_model_delivered_j",
		"problem_wait_mean_low_fee_s", "problem_wait_mean_high_fee_s", "problem_wait_p90_low_fee_s", "problem_wait_p90_high_fee_s",
		"problem_refund_share_low_fee", "problem_refund_share_high_fee", "problem_wait_jain",
		"model_retrieval_p50_s", "models_retrievable_at_end"}
	for _, k := range keys {
		v[k] = math.NaN()
	}
	if !run.Has(rundata.ProblemsFile) || !run.Has(rundata.TransactionsFile) || !run.Summary.Has("problems_submitted") {
		return
	}
	var solved, refunded, delivered, transfers, fees float64
	var waits, confirms, retrievals []float64
	var retrievable float64
	outs := make([]stats.ProblemOutcome, len(run.Problems))
	for i, p := range run.Problems {
		outs[i] = stats.ProblemOutcome{Reward: p.Reward, Solved: p.Status == "solved", Refunded: p.Status == "refunded", WaitS: p.WaitS}
		if p.Status == "refunded" {
			outs[i].WaitS = p.RefundedS - p.SubmittedS
		}
		switch p.Status {
		case "solved":
			solved++
			waits = append(waits, p.WaitS)
			fees += p.Reward
		case "refunded":
			refunded++
		}
		if p.Delivered {
			delivered++
			retrievals = append(retrievals, p.RetrievalS)
		}
		if p.RetrievableAtEnd == 1 {
			retrievable++
		}
	}
	for _, t := range run.Txs {
		if t.Height == 0 {
			continue
		}
		confirms = append(confirms, t.ConfirmS)
		if t.Kind == "transfer" {
			transfers++
			fees += t.Fee
		}
	}
	v["problems_submitted"] = float64(len(run.Problems))
	v["problems_solved"], v["problems_refunded"], v["models_delivered"] = solved, refunded, delivered
	v["transfers_confirmed"], v["reward_fees"] = transfers, fees
	v["problem_wait_mean_s"], v["problem_wait_p90_s"] = stats.Mean(waits), stats.Quantile(waits, 0.9)
	v["tx_confirm_p50_s"] = stats.Quantile(confirms, 0.5)
	f := stats.MarketFairness(outs)
	v["problem_wait_mean_low_fee_s"], v["problem_wait_mean_high_fee_s"] = f.WaitMeanLow, f.WaitMeanHigh
	v["problem_wait_p90_low_fee_s"], v["problem_wait_p90_high_fee_s"] = f.WaitP90Low, f.WaitP90High
	v["problem_refund_share_low_fee"], v["problem_refund_share_high_fee"] = f.RefundShareLow, f.RefundShareHigh
	v["problem_wait_jain"] = f.WaitJain
	v["model_retrieval_p50_s"] = stats.Quantile(retrievals, 0.5)
	if run.Has(rundata.StorageFile) {
		v["models_retrievable_at_end"] = retrievable
	}
	if e, ok := v["energy_joules"].(float64); ok && delivered > 0 {
		v["energy_per_model_delivered_j"] = e / delivered
	}
}
