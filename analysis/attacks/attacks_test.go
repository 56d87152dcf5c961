package attacks

import (
	"math"
	"strings"
	"testing"
)

func rv(c int, seed int64, twin bool, share, stale float64, attackers []int64, rewards []float64) RunValues {
	v := RunValues{Case: c, Seed: seed, Twin: twin, Values: map[string]float64{}, Attackers: attackers}
	for _, m := range Metrics {
		v.Values[m.Key] = math.NaN()
	}
	v.Values["attacker_reward_share"] = share
	v.Values["stale_rate"] = stale
	compute := 0.25
	if c == 1 {
		compute = math.NaN() // a proof-of-work case: no compute shares
	}
	for i, r := range rewards {
		v.Nodes = append(v.Nodes, NodeShare{Node: int64(i), Attacker: containsID(attackers, int64(i)), Reward: r, Compute: compute})
	}
	v.Values["attacker_set_reward_share"] = v.setShare(attackers)
	return v
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// TestBuild pairs each attack run with its twin of the same seed, whatever
// the order the runs come in: the twin's attacker-set share is computed
// over the attack run's attackers, the effect is the paired difference,
// and NaN values are left out of the statistics.
func TestBuild(t *testing.T) {
	m := &Manifest{File: "m.toml", Cases: []Case{
		{Attack: "reuse", Variant: "baseline", Scenario: "r.toml"},
		{Attack: "cut", Variant: "baseline", Scenario: "c.toml"},
	}}
	runs := []RunValues{
		rv(1, 2, true, math.NaN(), 0.10, nil, []float64{1, 1, 1, 1}),
		rv(0, 2, false, 0.5, 0.2, []int64{3}, []float64{1, 0, 1, 2}),
		rv(0, 1, true, math.NaN(), 0.1, nil, []float64{1, 1, 1, 1}),
		rv(0, 1, false, 0.25, 0.1, []int64{3}, []float64{1, 1, 1, 1}),
		rv(0, 2, true, math.NaN(), 0.1, nil, []float64{1, 1, 2, 0}),
		rv(1, 1, false, math.NaN(), 0.30, nil, []float64{1, 1, 1, 1}),
		rv(1, 2, false, math.NaN(), 0.40, nil, []float64{1, 1, 1, 1}),
		rv(1, 1, true, math.NaN(), 0.10, nil, []float64{1, 1, 1, 1}),
	}
	// Node rewards here are shares already scaled by 4: the attacker's
	// share in twin seed 1 is 1, seed 2 is 0.
	r := Build(m, 2, runs, [][]string{{"group.1 -> miner"}, {"fault.0 removed"}})
	if len(r.Rows) != 2 || len(r.Runs) != 8 {
		t.Fatalf("%d rows, %d runs", len(r.Rows), len(r.Runs))
	}
	for i, want := range []struct {
		seed int64
		twin bool
	}{{1, false}, {1, true}, {2, false}, {2, true}} {
		if g := r.Runs[i]; g.Case != 0 || g.Seed != want.seed || g.Twin != want.twin {
			t.Errorf("run %d: case %d seed %d twin %v", i, g.Case, g.Seed, g.Twin)
		}
	}
	c := r.Rows[0].Cells["attacker_set_reward_share"]
	// Attack: 1, 2; twin: 1, 0; effect: 0, 2.
	if c.Attack.N != 2 || c.Attack.Mean != 1.5 || c.Twin.Mean != 0.5 || c.Effect.Mean != 1 || c.Effect.N != 2 {
		t.Errorf("attacker set share: %+v", c)
	}
	if s := r.Rows[0].Cells["attacker_reward_share"]; s.Attack.N != 2 || s.Twin.N != 0 || s.Effect.N != 0 {
		t.Errorf("attacker reward share: %+v (twins have none)", s)
	}
	st := r.Rows[1].Cells["stale_rate"]
	if math.Abs(st.Effect.Mean-0.25) > 1e-12 || !(st.Effect.Lo < 0.25 && st.Effect.Hi > 0.25) || math.Abs(st.Twin.Mean-0.1) > 1e-12 {
		t.Errorf("stale rate: %+v", st)
	}
	if s := r.Rows[1].Cells["attacker_set_reward_share"]; s.Attack.N != 0 {
		t.Errorf("a case without attackers has attacker-set values: %+v", s)
	}
	md := string(r.Markdown(nil))
	if !strings.Contains(md, "| cut | baseline |") || !strings.Contains(md, "twin: fault.0 removed") {
		t.Errorf("markdown:\n%s", md)
	}
	if csv := string(r.CSV()); !strings.Contains(csv, "cut,baseline,c.toml,stale_rate,effect,2,0.25,") {
		t.Errorf("csv:\n%s", csv)
	}
	if _, err := r.JSON(); err != nil {
		t.Error(err)
	}
	if figs := r.Figures(); len(figs) != 3 { // reuse: share and effect; cut: effect
		t.Errorf("%d figures, want 3", len(figs))
	}
}

func TestStatOf(t *testing.T) {
	for _, tc := range []struct {
		x          []float64
		n          int
		mean, half float64
	}{
		{[]float64{1, 2, 3}, 3, 2, 4.303 * 1 / math.Sqrt(3)},
		{[]float64{math.NaN(), 5}, 1, 5, math.NaN()},
		{nil, 0, math.NaN(), math.NaN()},
	} {
		s := statOf(tc.x)
		if s.N != tc.n || !same(s.Mean, tc.mean, 1e-9) || !same((s.Hi-s.Lo)/2, tc.half, 1e-3) {
			t.Errorf("statOf(%v) = %+v", tc.x, s)
		}
	}
}

func same(a, b, tol float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= tol
}
