package pipeline

import (
	"strings"
	"testing"

	"github.com/coinai/coinai/scenarios"
	"github.com/coinai/coinai/scenarios/observe"
)

// failed returns the verdict of checker name, which must have failed and
// stopped the run.
func failed(t *testing.T, res *Result, name string) observe.CheckResult {
	t.Helper()
	if res.Summary.ChecksOK {
		t.Fatalf("checks ok, want %s to fail", name)
	}
	for _, c := range res.Summary.Checks {
		if c.Name == name {
			if c.OK {
				t.Fatalf("%s ok (%s)", name, c.Note)
			}
			if !strings.HasPrefix(c.Note, "at t=") || !strings.Contains(c.Note, " after event ") {
				t.Errorf("%s: note %q does not say when", name, c.Note)
			}
			t.Logf("%s: %s", name, c.Note)
			return c
		}
	}
	t.Fatalf("no verdict of %s in %+v", name, res.Summary.Checks)
	return observe.CheckResult{}
}

// runWith runs a loaded scenario after edit changes its plan.
func runWith(t *testing.T, s *scenarios.Scenario, edit func(*Config)) *Result {
	t.Helper()
	cfg, err := FromScenario(s)
	if err != nil {
		t.Fatal(err)
	}
	edit(&cfg)
	_, res := runConfig(t, cfg)
	return res
}

func loadQuickstart(t *testing.T, overrides ...string) *scenarios.Scenario {
	t.Helper()
	s, err := scenarios.Load("../quickstart.toml")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Apply(overrides...); err != nil {
		t.Fatal(err)
	}
	return s
}

// The accepted-model checker recomputes thresholds and accuracies itself:
// a checker that knows another threshold rule, or scores models on other
// data than the nodes, finds every node at fault and stops the run there.
func TestModelCheckerRecomputes(t *testing.T) {
	s := loadQuickstart(t)
	res := runWith(t, s, func(c *Config) {
		rule := *c.CoinAI
		rule.ThresholdMaxStep = 0.02 // the nodes step by 0.01
		c.CoinAI = &rule
	})
	v := failed(t, res, "accepted-models-pass-threshold")
	if !strings.Contains(v.Note, "at height 4 carries threshold 905868 ppm; the rule on its chain gives 911737 ppm") {
		t.Errorf("threshold rule: %s", v.Note)
	}
	// The first retarget is block 4's, found at 128.5 s; the whole run
	// would go on to 198 s.
	if res.End > 130e9 {
		t.Errorf("the run went on to %ds after the first retarget (128.5 s)", res.End/1e9)
	}

	res = runWith(t, loadQuickstart(t, "run.stop_height=2"), func(c *Config) {
		rule := *c.CoinAI
		rule.Default.Test = rule.Default.Val
		c.CoinAI = &rule
	})
	if v := failed(t, res, "accepted-models-pass-threshold"); !strings.Contains(v.Note, "its model scores") {
		t.Errorf("accuracy: %s", v.Note)
	}
}

// A Coin.AI network whose threshold no model reaches mines nothing: the
// liveness checker stops it after LivenessIntervals target intervals
// instead of letting it run forever.
func TestUnreachableThresholdStops(t *testing.T) {
	s := loadQuickstart(t, "group.0.count=4", "network.degree=3", "coinai.threshold_initial=0.999999", "coinai.threshold_decay=0")
	res := runResolved(t, s)
	v := failed(t, res, "liveness")
	if !strings.Contains(v.Note, "no tip above height 0 for 1200s (20 times the 60s target interval); no block was mined since, while 4 of 4 miners were online throughout") {
		t.Errorf("note: %s", v.Note)
	}
	if res.End > 1300e9 {
		t.Errorf("stopped at %ds", res.End/1e9)
	}
}

// A network whose miners are all cut off cannot reach its stop height; the
// progress checker stops it after StallIntervals target intervals, though
// the quorum for liveness is missing (and the offline miners keep mining
// chains of their own).
func TestStalledNetworkStops(t *testing.T) {
	src := `
[run]
protocol = "pow"
seed = 2
stop_height = 5

[[group]]
count = 10
hardware = "asic"

[[group]]
count = 5
hardware = "asic"
role = "relay"

[pow]
interval = "60s"
`
	for i := range 10 {
		src += "\n[[storage.fault]]\nkind = \"offline\"\nnode = " + string(rune('0'+i)) + "\nat = \"0s\"\n"
	}
	s, err := scenarios.Parse("stall.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res := runResolved(t, s)
	v := failed(t, res, "progress")
	// Events are sparse here: the run stops at the first one after the limit.
	if !strings.Contains(v.Note, "the run cannot make progress: no tip above height 0 for 30") || !strings.Contains(v.Note, "blocks were mined since") {
		t.Errorf("note: %s", v.Note)
	}
	if res.Summary.BlocksStale+res.Summary.BlocksMain == 0 {
		t.Error("the offline miners mined nothing")
	}
}
