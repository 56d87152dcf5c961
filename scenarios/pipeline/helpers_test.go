package pipeline

import (
	"maps"
	"runtime"
	"slices"
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

// runAtProcs12 runs the scenario at GOMAXPROCS 1 and then 2 and fails the
// test if any output file but summary.json (which holds wall-clock keys)
// differs between the two; it returns the first run's result.
func runAtProcs12(t testing.TB, path string, overrides ...string) *Result {
	t.Helper()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var first *Result
	var firstFiles map[string][]byte
	for _, procs := range []int{1, 2} {
		runtime.GOMAXPROCS(procs)
		_, res := runScenario(t, path, overrides...)
		files, err := res.Files(true)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first, firstFiles = res, files
			continue
		}
		for _, name := range slices.Sorted(maps.Keys(firstFiles)) {
			if name != "summary.json" && string(files[name]) != string(firstFiles[name]) {
				t.Errorf("GOMAXPROCS=2: %s differs from GOMAXPROCS=1", name)
			}
		}
	}
	return first
}
