package pipeline

import (
	"testing"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/pow"
)

// The double-spend attacker of scenarios/attacks/double-spend.toml races
// on the real PoW nodes: it decides races, wins some, and every win it
// counts is a block on an honest node's main chain whose filler seed is
// the conflict marker of one of its attempts. The same seed with the
// attacker mining honestly has no double-spend keys.
func TestDoubleSpendAttacker(t *testing.T) {
	s, res := runScenarioRun(t, "../attacks/double-spend.toml", "run.stop_height=1500")
	sum := res.Summary
	if sum.DoubleSpendAttempts == nil || sum.DoubleSpendSuccesses == nil || sum.DoubleSpendSuccessRate == nil {
		t.Fatalf("doublespend keys null: %v %v %v", sum.DoubleSpendAttempts, sum.DoubleSpendSuccesses, sum.DoubleSpendSuccessRate)
	}
	att, won := *sum.DoubleSpendAttempts, *sum.DoubleSpendSuccesses
	if att < 50 || won < 3 || won >= att {
		t.Fatalf("%d races, %d won: want tens of races and some wins", att, won)
	}
	if got := *sum.DoubleSpendSuccessRate; got != float64(won)/float64(att) {
		t.Errorf("rate %g != %d/%d", got, won, att)
	}
	// Count the conflict markers on honest node 0's main chain.
	r := s.run
	attacker := 9 // the scenario's tenth node
	ds, ok := r.Host().Node(attacker).(*pow.DoubleSpender)
	if !ok {
		t.Fatalf("node %d is %T, want the attacker", attacker, r.Host().Node(attacker))
	}
	markers := map[uint64]bool{}
	for k := uint64(1); k <= ds.Attempts(); k++ {
		markers[pow.ConflictMarker(nodes.PeerID(attacker), k)] = true
	}
	honest := r.Host().Node(0).(*pow.Node)
	var onMain int64
	for _, id := range honest.MainChain() {
		b, ok := honest.Block(id)
		if !ok {
			t.Fatalf("main-chain block %x missing", id[:4])
		}
		if markers[b.Filler.Seed] {
			onMain++
			if b.Header.Miner != uint32(attacker) {
				t.Errorf("block %x carries a conflict marker but was mined by %d", id[:4], b.Header.Miner)
			}
		}
	}
	if onMain != won {
		t.Errorf("%d conflict blocks on the main chain, the summary counts %d wins", onMain, won)
	}
	t.Logf("%d races, %d won (%.3f; Rosenfeld q=0.3 z=6: 0.156)", att, won, float64(won)/float64(att))

	_, base := runScenarioRun(t, "../attacks/double-spend.toml", "run.stop_height=200", "group.1.role=miner")
	if base.Summary.DoubleSpendAttempts != nil || base.Summary.DoubleSpendSuccessRate != nil {
		t.Errorf("honest baseline has doublespend keys: %v", base.Summary.DoubleSpendAttempts)
	}
}

type scenarioRun struct{ run *Run }

// runScenarioRun is runScenario that also returns the run.
func runScenarioRun(t *testing.T, path string, overrides ...string) (scenarioRun, *Result) {
	t.Helper()
	s := loadWith(t, path, overrides...)
	r, res := runWithRun(t, s)
	requireChecks(t, res)
	return scenarioRun{r}, res
}
