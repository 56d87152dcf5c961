package pipeline

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/coinai/coinai/analysis/recompute"
	"github.com/coinai/coinai/analysis/rundata"
)

// Every numeric figure of summary.json can be recomputed from the files
// the run writes (analysis/recompute, with DESIGN.md's definitions), on a
// Coin.AI run, a PoW run and a proof-of-storage run with churn, cheats and
// a disk loss. A key added to summary.json without a recomputation fails
// here.
func TestSummaryRecomputedFromFiles(t *testing.T) {
	for _, tc := range []struct {
		name      string
		file      string
		overrides []string
		needs     func(t *testing.T, run *rundata.Run)
	}{
		{"quickstart", "../quickstart.toml", nil, func(t *testing.T, run *rundata.Run) {
			// No attackers: their keys are null; verification has a cost.
			for _, k := range []string{"attacker_blocks", "attacker_reward_share", "attacker_compute_share"} {
				if run.Summary.Has(k) {
					t.Errorf("%s = %s without attackers, want null", k, run.Summary.Raw[k])
				}
			}
			if !run.Summary.Has("verify_flops_per_block") {
				t.Error("verify_flops_per_block is null in a Coin.AI run")
			}
		}},
		{"pow-quickstart", "../pow-quickstart.toml", nil, func(t *testing.T, run *rundata.Run) {
			for _, k := range []string{"attacker_blocks", "attacker_reward_share", "attacker_compute_share", "verify_flops_per_block",
				"crashes", "messages_lost", "partition_heal_converge_s"} {
				if run.Summary.Has(k) {
					t.Errorf("%s = %s in a PoW run, want null", k, run.Summary.Raw[k])
				}
			}
		}},
		{"model-reuse", "../attacks/model-reuse.toml", []string{"run.stop_height=10"}, func(t *testing.T, run *rundata.Run) {
			// The attackers win blocks (seed 1: 2 of 10) with a sliver of the compute.
			for _, k := range []string{"attacker_blocks", "attacker_reward_share", "attacker_compute_share"} {
				if v := string(run.Summary.Raw[k]); v == "0" || v == "null" || v == "" {
					t.Errorf("%s = %q: the run does not exercise it", k, v)
				}
			}
		}},
		{"selfish-pow", "../attacks/selfish-pow.toml", []string{"run.stop_height=300"}, func(t *testing.T, run *rundata.Run) {
			// A PoW pool: compute share is its hash-rate share (1/3).
			for _, k := range []string{"attacker_blocks", "attacker_reward_share", "attacker_compute_share"} {
				if v := string(run.Summary.Raw[k]); v == "0" || v == "null" || v == "" {
					t.Errorf("%s = %q: the run does not exercise it", k, v)
				}
			}
		}},
		{"selfish-coinai", "../attacks/selfish-coinai.toml", []string{"run.stop_height=3"}, func(t *testing.T, run *rundata.Run) {
			if !run.Summary.Has("attacker_compute_share") || !run.Summary.Has("attacker_blocks") {
				t.Error("attacker keys are null in a run with a selfish pool")
			}
		}},
		{"eclipse", "../attacks/eclipse.toml", []string{"run.stop_height=40"}, func(t *testing.T, run *rundata.Run) {
			if !run.Summary.Has("victim_wasted_work_share") || !run.Summary.Has("victim_blocks_mined") {
				t.Error("victim keys are null in an eclipse run")
			}
		}},
		{"partition", "../attacks/partition.toml", nil, func(t *testing.T, run *rundata.Run) {
			// The cut dropped messages, and the nodes agreed after it healed.
			if len(run.Faults) != 1 || run.Faults[0].MessagesLost == 0 || !(run.Faults[0].ConvergeS >= 0) {
				t.Errorf("faults.csv %+v: want one cut that dropped messages and converged", run.Faults)
			}
			for _, k := range []string{"messages_lost", "partition_heal_converge_s", "crashes"} {
				if !run.Summary.Has(k) {
					t.Errorf("%s is null in a run with a partition", k)
				}
			}
		}},
		{"crash-churn", "../attacks/crash-churn.toml", []string{"run.stop_height=20"}, func(t *testing.T, run *rundata.Run) {
			if string(run.Summary.Raw["crashes"]) == "0" || run.Summary.Has("partition_heal_converge_s") {
				t.Errorf("crashes %s, partition_heal_converge_s %s: want crashes and no cut", run.Summary.Raw["crashes"], run.Summary.Raw["partition_heal_converge_s"])
			}
		}},
		{"fastest-wins", "../attacks/fastest-wins.toml", []string{"run.stop_height=4"}, func(t *testing.T, run *rundata.Run) {
			// Unequal hardware: rewards against compute are measured.
			for _, k := range []string{"reward_compute_slope", "compute_gini"} {
				if !run.Summary.Has(k) {
					t.Errorf("%s is null in a run with unequal hardware", k)
				}
			}
		}},
		{"fastest-wins-lottery", "../attacks/fastest-wins-lottery.toml", []string{"run.stop_height=2"}, func(t *testing.T, run *rundata.Run) {
			// The lottery's verification re-trains: far more evaluation
			// FLOPs per block than an evaluation on the test split.
			if v := string(run.Summary.Raw["verify_flops_per_block"]); v == "null" || v == "" {
				t.Errorf("verify_flops_per_block = %q", v)
			}
		}},
		{"timestamp", "../attacks/timestamp.toml", []string{"run.stop_height=3", "coinai.threshold_initial=0.9"}, func(t *testing.T, run *rundata.Run) {
			// A threshold the chain reaches at once, to keep the test short.
			if !run.Summary.Has("attacker_compute_share") || !run.Summary.Has("attacker_blocks") {
				t.Error("attacker keys are null in a run with timestamp attackers")
			}
		}},
		{"market", "../coinai-market.toml", marketSmall, func(t *testing.T, run *rundata.Run) {
			if len(run.Problems) == 0 || len(run.Txs) == 0 || !run.Summary.Has("models_delivered") {
				t.Errorf("%d problems, %d transactions, models_delivered %s: the run does not exercise the market",
					len(run.Problems), len(run.Txs), run.Summary.Raw["models_delivered"])
			}
			if !run.Summary.Has("energy_per_model_delivered_j") {
				t.Error("energy_per_model_delivered_j is null with models delivered")
			}
			// Rewards are drawn uniform around the mean: both fee classes
			// have problems, and some waited.
			for _, k := range []string{"problem_wait_mean_low_fee_s", "problem_wait_mean_high_fee_s", "problem_wait_p90_low_fee_s",
				"problem_wait_p90_high_fee_s", "problem_refund_share_low_fee", "problem_refund_share_high_fee", "problem_wait_jain"} {
				if !run.Summary.Has(k) {
					t.Errorf("%s is null in a market run", k)
				}
			}
		}},
		{"market-storage", "../coinai-market-storage.toml", marketStorageSmall, func(t *testing.T, run *rundata.Run) {
			for _, k := range []string{"models_delivered", "model_retrieval_p50_s", "models_retrievable_at_end", "models_stored"} {
				if !run.Summary.Has(k) || string(run.Summary.Raw[k]) == "0" {
					t.Errorf("%s = %s: the run does not exercise it", k, run.Summary.Raw[k])
				}
			}
		}},
		{"mixed-hardware", "../coinai-mixed-hardware.toml", mixedSmall, func(t *testing.T, run *rundata.Run) {
			for _, k := range []string{"reward_compute_slope", "compute_gini", "energy_per_model_delivered_j"} {
				if !run.Summary.Has(k) {
					t.Errorf("%s is null: the run does not exercise it", k)
				}
			}
		}},
		{"spam-defended", "../attacks/spam-defended.toml", []string{"run.stop_height=4"}, func(t *testing.T, run *rundata.Run) {
			// The spam keys and spam.csv: spam sent, some evaluated, the
			// rest dropped from banned peers.
			for _, k := range []string{"spam_models_sent", "spam_models_received", "spam_models_dropped", "honest_verify_flops_spam",
				"honest_verify_time_share", "honest_verify_flops_per_block"} {
				if !run.Summary.Has(k) || string(run.Summary.Raw[k]) == "0" {
					t.Errorf("%s = %s in a run with spammers", k, run.Summary.Raw[k])
				}
			}
		}},
		{"pow-market", "../pow-market.toml", []string{"run.stop_time=20m", "workload.0.until=15m"}, func(t *testing.T, run *rundata.Run) {
			if len(run.Txs) == 0 || !run.Summary.Has("transfers_confirmed") || !run.Summary.Has("tx_confirm_p50_s") {
				t.Errorf("%d transactions, transfers_confirmed %s: the run does not exercise the transfers",
					len(run.Txs), run.Summary.Raw["transfers_confirmed"])
			}
		}},
		{"storage-churn", "../storage-churn.toml", []string{"run.stop_height=30"}, func(t *testing.T, run *rundata.Run) {
			// The run exercises what it should: catch-up after an offline
			// window, evicted cheaters, retrievals.
			for _, k := range []string{"catchup_arrivals", "cheaters_caught", "storage_evictions", "retrievals_ok"} {
				if string(run.Summary.Raw[k]) == "0" {
					t.Errorf("%s = 0: the run does not exercise it", k)
				}
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, res := runScenario(t, tc.file, tc.overrides...)
			files, err := res.Files(true)
			if err != nil {
				t.Fatal(err)
			}
			files["scenario.toml"], err = s.TOML()
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			for name, b := range files {
				if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			run, err := rundata.Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range recompute.Check(run) {
				t.Error(d)
			}
			// Every key is documented (DESIGN.md's table) and known to
			// the report's reader.
			design, err := os.ReadFile("../../DESIGN.md")
			if err != nil {
				t.Fatal(err)
			}
			for k := range run.Summary.Raw {
				if !strings.Contains(string(design), "`"+k+"`") {
					t.Errorf("summary.json key %s is not in DESIGN.md", k)
				}
				if !slices.Contains(rundata.KnownKeys, k) {
					t.Errorf("summary.json key %s is not in rundata.KnownKeys", k)
				}
			}
			if tc.needs != nil {
				tc.needs(t, run)
			}
		})
	}
}
