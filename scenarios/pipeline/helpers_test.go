package pipeline

import (
	"testing"

	"github.com/coinai/coinai/scenarios"
)

// runScenario loads a scenario file, applies overrides ("key=value") and
// runs it to the end; every checker must pass.
func runScenario(t testing.TB, path string, overrides ...string) (*scenarios.Scenario, *Result) {
	t.Helper()
	s, err := scenarios.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Apply(overrides...); err != nil {
		t.Fatal(err)
	}
	res := runResolved(t, s)
	requireChecks(t, res)
	return s, res
}

// requireChecks fails the test if a checker failed.
func requireChecks(t testing.TB, res *Result) {
	t.Helper()
	for _, c := range res.Summary.Checks {
		if !c.OK {
			t.Fatalf("checker %s failed: %s", c.Name, c.Note)
		}
	}
}

// runResolved runs an already loaded scenario.
func runResolved(t testing.TB, s *scenarios.Scenario) *Result {
	t.Helper()
	_, res := runWithRun(t, s)
	return res
}

// runWithRun runs a loaded scenario and also returns the run, whose host
// (nodes) and observer tests may inspect.
func runWithRun(t testing.TB, s *scenarios.Scenario) (*Run, *Result) {
	t.Helper()
	cfg, err := FromScenario(s)
	if err != nil {
		t.Fatal(err)
	}
	return runConfig(t, cfg)
}

// runConfig builds and runs a run from its configuration.
func runConfig(t testing.TB, cfg Config) (*Run, *Result) {
	t.Helper()
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Run()
	if err != nil {
		t.Fatal(err)
	}
	return r, res
}
