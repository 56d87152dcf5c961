package pipeline

import (
	"testing"

	"github.com/coinai/coinai/scenarios"
)

// runScenario loads a scenario file, applies overrides ("key=value") and
// runs it to the end.
func runScenario(t testing.TB, path string, overrides ...string) (*scenarios.Scenario, *Result) {
	t.Helper()
	s, err := scenarios.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Apply(overrides...); err != nil {
		t.Fatal(err)
	}
	return s, runResolved(t, s)
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
