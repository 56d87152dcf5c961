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
