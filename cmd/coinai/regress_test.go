package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readRegress(t *testing.T, dir string) regressResult {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "regress.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r regressResult
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func verdicts(r regressResult) map[string]regressTest {
	m := map[string]regressTest{}
	for _, t := range r.Tests {
		m[t.Name] = t
	}
	return m
}

// An unchanged build passes against its own baseline made from other
// seeds; a halved block interval moves the interval metrics and the
// block-interval distribution but not the node count; --update replaces
// the baseline and the next check passes.
func TestRegress(t *testing.T) {
	td := t.TempDir()
	base := filepath.Join(td, "base")
	args := func(out string, extra ...string) []string {
		return append([]string{"regress", quick, "--set", "run.stop_height=40", "--baseline", base, "--out", filepath.Join(td, out)}, extra...)
	}
	if code, _, stderr := run(args("none")...); code != 2 || !strings.Contains(stderr, "no baseline") {
		t.Fatalf("without a baseline: exit %d, %s", code, stderr)
	}
	if code, _, stderr := run(args("u1", "--update", "--reps", "8", "--seed", "1")...); code != 0 {
		t.Fatalf("--update: exit %d: %s", code, stderr)
	}
	// (a) seeds 101..108 against 1..8: nothing moves.
	code, stdout, stderr := run(args("a", "--seed", "101")...)
	if code != 0 {
		t.Fatalf("unchanged build: exit %d\n%s%s", code, stdout, stderr)
	}
	if r := readRegress(t, filepath.Join(td, "a")); !r.OK || r.Alpha != 0.01 || r.Correction != "holm-bonferroni" || len(r.Seeds) != 8 || r.ScenarioChanged {
		t.Errorf("unchanged build: %+v", r)
	}
	// (b) a 30 s target against the 60 s baseline.
	code, stdout, _ = run(args("b", "--seed", "101", "--set", "pow.interval=30s")...)
	if code != 1 {
		t.Fatalf("changed interval: exit %d, want 1\n%s", code, stdout)
	}
	t.Logf("changed interval:\n%s", stdout)
	r := readRegress(t, filepath.Join(td, "b"))
	v := verdicts(r)
	for _, name := range []string{"interval_mean_s", "block_interval_s", "difficulty_final"} {
		if v[name].Verdict != verdictMoved {
			t.Errorf("%s: %+v, want MOVED", name, v[name])
		}
	}
	if v["block_interval_s"].Test != "ks" || v["interval_mean_s"].Test != "welch" {
		t.Errorf("tests: %+v %+v", v["block_interval_s"], v["interval_mean_s"])
	}
	for _, name := range []string{"nodes", "blocks_main"} {
		if v[name].Verdict != verdictOK || v[name].Test != "exact" {
			t.Errorf("%s: %+v, want exact ok", name, v[name])
		}
	}
	if !r.ScenarioChanged || r.OK {
		t.Errorf("changed interval: scenario_changed %v ok %v", r.ScenarioChanged, r.OK)
	}
	// (c) --update accepts the change; the next check passes.
	if code, stdout, stderr := run(args("c1", "--seed", "101", "--set", "pow.interval=30s", "--update")...); code != 0 || !strings.Contains(stdout, "moved: ") {
		t.Fatalf("--update of a moved baseline: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, stdout, stderr := run(args("c2", "--seed", "201", "--set", "pow.interval=30s")...); code != 0 {
		t.Fatalf("after --update: exit %d\n%s%s", code, stdout, stderr)
	}
	// The output directory follows the output rules.
	if code, _, stderr := run(args("c2", "--seed", "201", "--set", "pow.interval=30s")...); code != 2 || !strings.Contains(stderr, "--force") {
		t.Errorf("existing output: exit %d, %s", code, stderr)
	}
}

// A baseline.json coinai did not write is never replaced.
func TestRegressRefusesForeignBaseline(t *testing.T) {
	td := t.TempDir()
	p := filepath.Join(td, "baseline.json")
	os.WriteFile(p, []byte(`{"mine": true}`), 0o644)
	code, _, stderr := run("regress", quick, "--baseline", td, "--out", filepath.Join(td, "o"), "--update", "--reps", "2")
	if data, _ := os.ReadFile(p); code != 2 || string(data) != `{"mine": true}` || !strings.Contains(stderr, "no baseline coinai wrote") {
		t.Errorf("foreign baseline: exit %d, %s, file %s", code, stderr, data)
	}
}
