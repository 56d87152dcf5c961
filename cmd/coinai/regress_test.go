package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/coinai/coinai/scenarios"
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

// repsBaseline runs 8 replications of s from seed in process and reads
// them as a baseline.
func repsBaseline(t *testing.T, s *scenarios.Scenario, path string, seed int64, dir string) *baseline {
	t.Helper()
	c := *s
	if err := c.Set("run.seed", strconv.FormatInt(seed, 10)); err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	if code := runReps(repOptions{s: &c, scenarioPath: path, reps: 8, out: dir, quiet: true, maxMemory: &memoryFlag{}}, io.Discard, &stderr); code != 0 {
		t.Fatalf("seeds %d..: exit %d: %s", seed, code, stderr.String())
	}
	b, err := collectBaseline(&c, path, dir)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The false-alarm rate of the unchanged build, as the issue states it: it
// passes against its own baseline on seeds other than the baseline's, and
// over 20 such checks the false alarm count is what the declared
// significance predicts. Baseline: seeds 1..8 of the PoW quickstart (its
// shipped [regression] section; stop height 10 to keep it fast); checks:
// 20 disjoint blocks of 8 seeds from 101. A check false-alarms when any of
// its tests moves at the family-wise alpha. Holm promises at most alpha
// per check, so the count is bounded by the binomial(20, alpha) upper
// 99.9% quantile: 3 at the declared alpha 0.01, and 17 at alpha 0.5,
// where false alarms are expected and a too-small p-value anywhere would
// show. The checks share one baseline, so they are not independent: a
// baseline that happens to lie far from the mean (as seeds 1..8 do for
// the block intervals, 53 s against about 60) raises the rejections of
// its metrics in every check. The raw p-values of the continuous tests
// (welch, bootstrap, ks) are also counted against 10 independent pairs of
// the check blocks, which share nothing: their share at or below 0.05 is
// about 0.05 if the p-values are uniform.
func TestRegressFalseAlarms(t *testing.T) {
	s, err := scenarios.Load(quick)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set("run.stop_height", "10"); err != nil {
		t.Fatal(err)
	}
	cfg := s.RegressionOrDefault()
	td := t.TempDir()
	base := repsBaseline(t, s, quick, 1, filepath.Join(td, "base"))
	const checks = 20
	nows := make([]*baseline, checks)
	for k := range nows {
		nows[k] = repsBaseline(t, s, quick, int64(101+8*k), filepath.Join(td, strconv.Itoa(k)))
	}
	continuous := func(tests []regressTest) (small, all int) {
		for _, x := range tests {
			if x.Test == "welch" || x.Test == "bootstrap" || x.Test == "ks" {
				all++
				if x.P <= 0.05 {
					small++
				}
			}
		}
		return small, all
	}
	moved := func(tests []regressTest, alpha float64) bool {
		judge(tests, alpha)
		return slices.ContainsFunc(tests, func(x regressTest) bool { return x.Verdict == verdictMoved })
	}
	alarms := map[float64]int{}
	small, all := 0, 0
	perMetric := map[string]int{}
	for _, now := range nows {
		tests := compareBaseline(base, now, cfg.Alpha, cfg.Metrics)
		a, b := continuous(tests)
		small, all = small+a, all+b
		for _, x := range tests {
			if x.P <= 0.05 && x.Test != "presence" {
				perMetric[x.Name]++
			}
		}
		for _, alpha := range []float64{cfg.Alpha, 0.5} {
			if moved(tests, alpha) {
				alarms[alpha]++
			}
		}
	}
	pairSmall, pairAll := 0, 0
	for k := 0; k+1 < checks; k += 2 {
		a, b := continuous(compareBaseline(nows[k], nows[k+1], cfg.Alpha, cfg.Metrics))
		pairSmall, pairAll = pairSmall+a, pairAll+b
	}
	t.Logf("checks with a false alarm, of %d: %d at alpha %g (binomial bound 3), %d at alpha 0.5 (bound 17)", checks, alarms[cfg.Alpha], cfg.Alpha, alarms[0.5])
	t.Logf("raw p <= 0.05 of the continuous tests: against the baseline %d of %d = %.3f; independent pairs %d of %d = %.3f", small, all, float64(small)/float64(all), pairSmall, pairAll, float64(pairSmall)/float64(pairAll))
	t.Logf("tests with p <= 0.05 against the baseline, by metric: %v", perMetric)
	if cfg.Alpha != 0.01 || alarms[cfg.Alpha] > 3 || alarms[0.5] > 17 {
		t.Errorf("false alarms: %v at alpha %g", alarms, cfg.Alpha)
	}
}
