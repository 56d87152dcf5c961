package observe

import (
	"math"
	"testing"

	"github.com/coinai/coinai/analysis/stats"
	"github.com/coinai/coinai/sim"
)

// summary.json and the report share one definition of each statistic
// (package analysis/stats): type-7 quantiles of the block intervals, and a
// reward Gini that is null, not 0, when nobody was paid.
func TestSummaryUsesTheStatisticsOfTheReport(t *testing.T) {
	cfg := Config{Protocol: "coinai", Nodes: []Node{{Role: "miner", FLOPS: 1}, {Role: "miner", FLOPS: 1}}}
	res := &Result{Config: cfg, Nodes: make([]NodeStats, 2), NodeEnergy: make([]float64, 2),
		BytesSent: make([]int64, 2), BytesRecv: make([]int64, 2)}
	for i := range res.Nodes {
		res.Nodes[i].Rewards = map[string]float64{}
	}
	var parent [32]byte
	intervals := []float64{10, 20, 30, 40}
	var at float64
	for h, iv := range intervals {
		at += iv
		b := &BlockRec{Height: int64(h + 1), Parent: parent, Found: sim.Time(at * 1e9), Main: true}
		b.ID[0] = byte(h + 1)
		parent = b.ID
		res.Blocks = append(res.Blocks, b)
	}
	s := Summarize(res, nil)
	for _, q := range []struct {
		name string
		got  *float64
		p    float64
	}{{"interval_p50_s", s.IntervalP50S, 0.5}, {"interval_p90_s", s.IntervalP90S, 0.9}} {
		want := stats.Quantile(intervals, q.p)
		if q.got == nil || math.Abs(*q.got-want) > 1e-9 {
			t.Errorf("%s = %v, want the type-7 quantile %g", q.name, q.got, want)
		}
	}
	if *s.IntervalP50S != 25 || *s.IntervalP90S != 37 {
		t.Errorf("p50, p90 = %g, %g; want 25, 37 (type 7)", *s.IntervalP50S, *s.IntervalP90S)
	}
	if s.RewardGini != nil {
		t.Errorf("reward_gini = %g with no reward paid, want null (stats.Gini is NaN)", *s.RewardGini)
	}
}

// The attack keys: attacker_blocks, attacker_reward_share and
// attacker_compute_share (busy time × FLOP/s, under PoW × hash rate) are
// null without attackers;
// verify_flops_per_block is the evaluation FLOPs of all nodes per
// main-chain block, for Coin.AI only.
func TestSummaryAttackKeys(t *testing.T) {
	for _, tc := range []struct {
		name      string
		protocol  string
		attack    string
		blocks    *int64
		rew, comp *float64
		verify    *float64
	}{
		{"attacker", "coinai", "reuse", new(int64(1)), new(0.25), new(0.1), new(300.0)},
		{"honest", "coinai", "", nil, nil, nil, new(300.0)},
		{"pow", "pow", "", nil, nil, nil, nil},
		// Under PoW compute is hashes: 1 s × 3 H/s of 3·2 + 3·2 + 1·3.
		{"pow attacker", "pow", "selfish", new(int64(1)), new(0.25), new(0.2), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Node 2 (the attacker, if any): 1 s busy at 1e9 FLOP/s against
			// 9e9 FLOPs of the others; 50 coins of 200; 1 of 2 main blocks.
			cfg := Config{Protocol: tc.protocol, Nodes: []Node{{FLOPS: 1e9, HashRate: 2}, {FLOPS: 2e9, HashRate: 2}, {FLOPS: 1e9, HashRate: 3, Attack: tc.attack}}}
			res := &Result{Config: cfg, Nodes: make([]NodeStats, 3), NodeEnergy: make([]float64, 3),
				BytesSent: make([]int64, 3), BytesRecv: make([]int64, 3),
				NodeBusy: []sim.Time{3 * sim.Second, 3 * sim.Second, 1 * sim.Second}, EvalFLOPs: []float64{100, 200, 300}}
			for i, r := range []float64{100, 50, 50} {
				res.Nodes[i].Rewards = map[string]float64{"block": r}
			}
			res.Nodes[2].BlocksMain = 1
			for h := range 2 {
				b := &BlockRec{Height: int64(h + 1), Found: sim.Time(h+1) * sim.Second, Main: true}
				b.ID[0] = byte(h + 1)
				res.Blocks = append(res.Blocks, b)
			}
			s := Summarize(res, nil)
			for _, k := range []struct {
				name      string
				got, want *float64
			}{{"attacker_reward_share", s.AttackerRewardShare, tc.rew}, {"attacker_compute_share", s.AttackerComputeShare, tc.comp},
				{"verify_flops_per_block", s.VerifyFLOPsPerBlock, tc.verify}} {
				if (k.got == nil) != (k.want == nil) || k.got != nil && math.Abs(*k.got-*k.want) > 1e-12 {
					t.Errorf("%s = %v, want %v", k.name, deref(k.got), deref(k.want))
				}
			}
			if (s.AttackerBlocks == nil) != (tc.blocks == nil) || s.AttackerBlocks != nil && *s.AttackerBlocks != *tc.blocks {
				t.Errorf("attacker_blocks = %v, want %v", s.AttackerBlocks, tc.blocks)
			}
		})
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
