package pipeline

import (
	"strings"
	"testing"
)

// marketSmall shrinks coinai-market.toml for tests: 10 miners, 20 users
// submitting for 12 minutes with 45-second deadlines (short enough that a
// problem waiting behind another is refunded: seed 1 solves 6 and refunds
// 1), run for 25 minutes.
var marketSmall = []string{"group.0.count=10", "network.degree=4", "run.stop_time=25m",
	"workload.0.accounts=20", "workload.0.rate=4/m", "workload.0.until=12m", "workload.0.deadline=45s"}

// On the market scenario every submitted problem is either solved, with its
// model delivered to its submitter, or refunded at its deadline; the coins
// check replays every chain; the summary's market keys are filled; and the
// run is byte-identical at GOMAXPROCS 1 and 2.
func TestMarketScenario(t *testing.T) {
	res := runAtProcs12(t, "../coinai-market.toml", marketSmall...)
	s := res.Summary
	for _, k := range []struct {
		name string
		v    *int64
	}{{"problems_submitted", s.ProblemsSubmitted}, {"problems_solved", s.ProblemsSolved},
		{"transfers_confirmed", s.TransfersConfirmed}, {"models_delivered", s.ModelsDelivered}} {
		if k.v == nil || *k.v == 0 {
			t.Errorf("%s = %v: the run does not exercise it", k.name, k.v)
		}
	}
	for _, k := range []struct {
		name string
		v    *float64
	}{{"problem_wait_mean_s", s.ProblemWaitMeanS}, {"problem_wait_p90_s", s.ProblemWaitP90S},
		{"tx_confirm_p50_s", s.TxConfirmP50S}, {"reward_fees", s.RewardFees}} {
		if k.v == nil || !(*k.v > 0) {
			t.Errorf("%s = %v, want a positive value", k.name, k.v)
		}
	}
	m := res.Market
	datasets := map[string]int{}
	for _, p := range m.Problems {
		datasets[p.Dataset]++
		switch p.Status() {
		case "solved":
			if !p.Delivered || !(p.Accuracy > 0) || p.Miner < 0 {
				t.Errorf("problem %s solved at %.1fs but not delivered (delivered %v, accuracy %v, miner %d)",
					p.ID[:8], p.SolvedS, p.Delivered, p.Accuracy, p.Miner)
			}
		case "refunded":
			if p.RefundedS < p.DeadlineS {
				t.Errorf("problem %s refunded at %.1fs, before its deadline %.1fs", p.ID[:8], p.RefundedS, p.DeadlineS)
			}
		default:
			t.Errorf("problem %s ends %s: want solved or refunded", p.ID[:8], p.Status())
		}
	}
	if s.ProblemsRefunded == nil || *s.ProblemsRefunded == 0 {
		t.Error("no problem refunded: the run does not exercise the refund")
	}
	if len(datasets) < 2 {
		t.Errorf("problems on %v: want at least two data sets", datasets)
	}
	coins := false
	for _, c := range s.Checks {
		coins = coins || c.Name == "coins-conserved" && c.OK && strings.Contains(c.Note, "10 nodes' main chains replayed")
	}
	if !coins {
		t.Errorf("no passing coins-conserved check over the 10 nodes in %+v", s.Checks)
	}
	files, err := res.Files(true)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"problems.csv", "transactions.csv"} {
		if len(files[f]) == 0 {
			t.Errorf("%s not written", f)
		}
	}
	t.Logf("digest %s: %d problems (%v), %d solved, %d delivered; %d transfers confirmed", s.TraceDigest, *s.ProblemsSubmitted,
		datasets, *s.ProblemsSolved, *s.ModelsDelivered, *s.TransfersConfirmed)
}
