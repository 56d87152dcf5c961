package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"github.com/coinai/coinai/analysis/atomicfile"
	"github.com/coinai/coinai/analysis/rundata"
	"github.com/coinai/coinai/analysis/stats"
	"github.com/coinai/coinai/scenarios"
)

// `coinai regress`: N replications of a scenario compared with a committed
// baseline of N replications, one test per metric and distribution, the
// family-wise false-alarm rate held at alpha with Holm–Bonferroni. The keys
// of baseline.json and regress.json are a contract (DESIGN.md,
// "Regression").

const (
	kindRegress         = "regress"
	regressFormatVers   = 1
	baselineFormatVers  = 1
	baselineName        = "baseline.json"
	regressDefaultReps  = 8
	regressBaselineRoot = "results/regress"
)

// Verdicts. A test is MOVED when its Holm-adjusted p is at most alpha and
// its difference exceeds the declared tolerance; "tolerated" when only the
// first holds; "new" when the baseline does not have the metric at all (a
// summary key added after it was made), which is reported and not tested.
const (
	verdictOK        = "ok"
	verdictMoved     = "MOVED"
	verdictTolerated = "tolerated"
	verdictNew       = "new"
)

// baselineSample is one metric's per-replication values or one
// distribution's pooled samples.
type baselineSample struct {
	Name   string     `json:"name"`
	Source string     `json:"source,omitempty"`
	Values []*float64 `json:"values"`
	// Counts, for a distribution: how many of the pooled values each
	// replication contributed, in replication order.
	Counts []int `json:"counts,omitempty"`
}

// groups splits a distribution's pooled values into its replications.
func (b baselineSample) groups() [][]float64 {
	x := present(b.Values)
	var g [][]float64
	for _, c := range b.Counts {
		if c > len(x) {
			c = len(x)
		}
		g = append(g, x[:c])
		x = x[c:]
	}
	return g
}

// baseline is baseline.json.
type baseline struct {
	Version       int              `json:"coinai_regress_baseline"`
	Scenario      string           `json:"scenario"`
	ScenarioPath  string           `json:"scenario_path"`
	Revision      string           `json:"revision"`
	Reps          int              `json:"reps"`
	Seeds         []int64          `json:"seeds"`
	ScenarioTOML  string           `json:"scenario_toml"`
	Metrics       []baselineSample `json:"metrics"`
	Distributions []baselineSample `json:"distributions"`
}

// regressTest is one entry of regress.json "tests".
type regressTest struct {
	Name  string `json:"name"`
	Kind  string `json:"kind"` // "metric" or "distribution"
	Test  string `json:"test"` // "welch", "ks", "exact", "presence" or "none"
	BaseN int    `json:"baseline_n"`
	NowN  int    `json:"now_n"`
	// BaseMean and NowMean: the mean of the per-replication values (a
	// metric) or of the pooled samples (a distribution).
	BaseMean jfloat `json:"baseline_mean"`
	NowMean  jfloat `json:"now_mean"`
	// Effect: (now - baseline) / pooled sd for welch and bootstrap, D for
	// ks.
	Effect    jfloat `json:"effect"`
	Statistic jfloat `json:"statistic"` // t, D, or null
	DF        jfloat `json:"df"`        // Welch's ν, or null
	P         jfloat `json:"p"`
	PHolm     jfloat `json:"p_holm"`
	Verdict   string `json:"verdict"`
	// Declared: the scenario's [regression] section declares the metric
	// (its test, unless "auto", and its tolerance).
	Declared bool `json:"declared"`
	// Tolerance as declared ("5%", "0.3"; "0" when none), ToleranceAbs the
	// margin it gives in the units of Difference, which is now's mean minus
	// the baseline's (welch, bootstrap), the spread of both sides' values
	// (exact) or D (ks): a test moves only if |difference| exceeds it.
	Tolerance    string `json:"tolerance"`
	ToleranceAbs jfloat `json:"tolerance_abs"`
	Difference   jfloat `json:"difference"`
	// CILo and CIHi: the 95% percentile bootstrap interval of now's mean
	// minus the baseline's (bootstrap only, else null).
	CILo jfloat `json:"ci_lo"`
	CIHi jfloat `json:"ci_hi"`
}

// regressResult is regress.json.
type regressResult struct {
	Version          int           `json:"coinai_regress"`
	Scenario         string        `json:"scenario"`
	ScenarioPath     string        `json:"scenario_path"`
	Baseline         string        `json:"baseline"`
	BaselineRevision string        `json:"baseline_revision"`
	Revision         string        `json:"revision"`
	BaselineSeeds    []int64       `json:"baseline_seeds"`
	Seeds            []int64       `json:"seeds"`
	ScenarioChanged  bool          `json:"scenario_changed"`
	Alpha            float64       `json:"alpha"`
	Correction       string        `json:"correction"`
	Family           int           `json:"family"` // tests in the Holm family
	Update           bool          `json:"update"`
	Moved            []string      `json:"moved"`
	OK               bool          `json:"ok"`
	Tests            []regressTest `json:"tests"`
}

// revision is the VCS revision the binary was built from (its build
// info), else that of the git checkout in the working directory (go run
// and builds with -buildvcs=false stamp none), "+modified" when the tree
// had changes, or "unknown".
func revision() string {
	rev, mod := "", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				mod = s.Value == "true"
			}
		}
	}
	if rev == "" {
		out, err := exec.Command("git", "rev-parse", "HEAD").Output()
		if err != nil {
			return "unknown"
		}
		rev = strings.TrimSpace(string(out))
		mod = exec.Command("git", "diff", "--quiet", "HEAD").Run() != nil
	}
	if mod {
		rev += "+modified"
	}
	return rev
}

func cmdRegress(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("coinai regress", flag.ContinueOnError)
	fs.SetOutput(stderr)
	seed := fs.Int64("seed", 0, "first seed S of the replications (default run.seed); replication i uses S+i")
	reps := fs.Int("reps", 0, fmt.Sprintf("replications (default: the scenario's regression.reps, else as many as the baseline has, else %d)", regressDefaultReps))
	alpha := fs.Float64("alpha", 0, fmt.Sprintf("family-wise false-alarm rate of a scenario's tests, Holm–Bonferroni (default: the scenario's regression.alpha, else %g)", scenarios.DefaultRegression().Alpha))
	base := fs.String("baseline", "", "baseline directory (default "+regressBaselineRoot+"/<scenario file name>); one scenario only")
	out := fs.String("out", "", "output directory (default <output.dir>/regress-<scenario file name>); one scenario only")
	force := fs.Bool("force", false, "replace an earlier regress output at the output path")
	update := fs.Bool("update", false, "write or replace the baseline with this build's replications (exit 0 even if metrics moved)")
	maxMemory := addMemoryFlag(fs)
	var sets setFlags
	fs.Var(&sets, "set", "override a scenario key, e.g. --set pow.interval=30s (repeatable)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: coinai regress SCENARIO... [--baseline DIR] [--update] [--reps N] [--alpha A] [--seed S] [--set key=value]... [--out DIR] [--force]")
		fs.PrintDefaults()
	}
	flags, pos := interleaved(args, map[string]bool{"force": true, "update": true, "h": true, "help": true})
	if err := fs.Parse(flags); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if len(pos) == 0 {
		fs.Usage()
		return 2
	}
	if len(pos) > 1 && (*out != "" || *base != "") {
		fmt.Fprintln(stderr, "coinai regress: --out and --baseline name one scenario's directories; give one scenario")
		return 2
	}
	if given(fs, "alpha") && !(*alpha > 0 && *alpha < 1) {
		fmt.Fprintf(stderr, "coinai regress: --alpha %g: want a level between 0 and 1\n", *alpha)
		return 2
	}
	if given(fs, "reps") && *reps < 2 {
		fmt.Fprintf(stderr, "coinai regress: --reps %d: a t test needs at least 2 replications\n", *reps)
		return 2
	}
	code := 0
	for _, path := range pos {
		s, err := scenarios.Load(path)
		if err == nil {
			err = s.Apply(sets...)
		}
		if err == nil {
			err = applySeed(fs, s, *seed)
		}
		if err == nil {
			err = s.Validate()
		}
		if err == nil {
			err = maxMemory.check(s)
		}
		if err == nil {
			err = s.CheckRegression(regressNames())
		}
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		cfg := s.RegressionOrDefault()
		if given(fs, "alpha") {
			cfg.Alpha = *alpha
		}
		if given(fs, "reps") {
			cfg.Reps = *reps
		}
		name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		bdir, odir := *base, *out
		if bdir == "" {
			bdir = filepath.Join(filepath.FromSlash(regressBaselineRoot), name)
		}
		if odir == "" {
			odir = filepath.Join(s.Output.Dir, "regress-"+name)
		}
		c := regressOne(regressOptions{s: s, path: path, baseDir: bdir, out: odir, reps: cfg.Reps, alpha: cfg.Alpha,
			declared: cfg.Metrics, force: *force, update: *update, maxMemory: maxMemory}, stdout, stderr)
		if c > code {
			code = c
		}
		if c > 1 {
			return c
		}
	}
	return code
}

type regressOptions struct {
	s             *scenarios.Scenario
	path          string
	baseDir, out  string
	reps          int // 0: as many as the baseline has, else regressDefaultReps
	alpha         float64
	declared      []scenarios.RegressionMetric
	force, update bool
	maxMemory     *memoryFlag
}

// regressNames are the names a [[regression.metric]] may declare: the
// numeric summary.json keys of the ensemble, and the distributions.
func regressNames() (metrics, distributions []string) {
	metrics, _ = metricKeys()
	for _, d := range regressDistributions {
		distributions = append(distributions, d.name)
	}
	return metrics, distributions
}

// readBaseline reads dir/baseline.json: nil if there is none, a refusal
// if the file is not a baseline coinai wrote.
func readBaseline(dir string) (*baseline, error) {
	p := filepath.Join(dir, baselineName)
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var b baseline
	if err := json.Unmarshal(data, &b); err != nil || b.Version == 0 {
		return nil, refuse("%s is no baseline coinai wrote (no coinai_regress_baseline key); nothing was written: move it away or choose another --baseline", p)
	}
	if b.Version > baselineFormatVers {
		return nil, refuse("%s has baseline format %d; this coinai reads up to %d", p, b.Version, baselineFormatVers)
	}
	return &b, nil
}

func regressOne(opt regressOptions, stdout, stderr io.Writer) int {
	s := opt.s
	old, err := readBaseline(opt.baseDir)
	if err != nil {
		fmt.Fprintf(stderr, "coinai regress: %v\n", err)
		return exitCode(err)
	}
	if old == nil && !opt.update {
		fmt.Fprintf(stderr, "coinai regress: no baseline in %s: write one with --update\n", opt.baseDir)
		return 2
	}
	n := opt.reps
	if n == 0 {
		n = regressDefaultReps
		if old != nil && old.Reps >= 2 {
			n = old.Reps
		}
	}
	od, err := prepareOut(opt.out, kindRegress, "--out", opt.force)
	if err != nil {
		fmt.Fprintf(stderr, "coinai regress: %v\n", err)
		return exitCode(err)
	}
	if err := od.create(); err != nil {
		fmt.Fprintf(stderr, "coinai regress: %v\n", err)
		return 1
	}
	defer od.abandon()
	fmt.Fprintf(stdout, "regress:       %s, %d replications, seeds %d..%d\n", opt.path, n, s.Run.Seed, s.Run.Seed+int64(n-1))
	repsDir := od.file("reps")
	if c := runReps(repOptions{s: s, scenarioPath: opt.path, reps: n, out: repsDir, quiet: true, maxMemory: opt.maxMemory}, stdout, stderr); c != 0 {
		return c
	}
	now, err := collectBaseline(s, opt.path, repsDir)
	if err != nil {
		fmt.Fprintf(stderr, "coinai regress: %v\n", err)
		return 1
	}
	res := &regressResult{Version: regressFormatVers, Scenario: s.Run.Name, ScenarioPath: filepath.ToSlash(opt.path),
		Baseline: filepath.ToSlash(opt.baseDir), Revision: now.Revision, Seeds: now.Seeds, Alpha: opt.alpha,
		Correction: "holm-bonferroni", Update: opt.update, Moved: []string{}, OK: true, Tests: []regressTest{}}
	if old != nil {
		res.BaselineRevision, res.BaselineSeeds = old.Revision, old.Seeds
		res.ScenarioChanged = scenarioChanged(s, old)
		res.Tests = compareBaseline(old, now, opt.alpha, opt.declared)
		for _, t := range res.Tests {
			if !math.IsNaN(float64(t.P)) {
				res.Family++
			}
			if t.Verdict == verdictMoved {
				res.Moved = append(res.Moved, t.Name)
			}
		}
		res.OK = len(res.Moved) == 0
	}
	j, err := json.MarshalIndent(res, "", "  ")
	if err == nil {
		err = od.writeFiles(map[string][]byte{"regress.json": append(j, '\n')})
	}
	if err == nil {
		err = od.commit()
	}
	if err != nil {
		fmt.Fprintf(stderr, "coinai regress: %v\n", err)
		return exitCode(err)
	}
	if old != nil {
		printRegress(stdout, res)
	}
	fmt.Fprintf(stdout, "results:       %s (regress.json, reps/)\n", opt.out)
	if opt.update {
		if err := writeBaseline(opt.baseDir, now); err != nil {
			fmt.Fprintf(stderr, "coinai regress: %v\n", err)
			return 1
		}
		if old != nil && len(res.Moved) > 0 {
			fmt.Fprintf(stdout, "baseline:      %s replaced; moved: %s\n", filepath.Join(opt.baseDir, baselineName), strings.Join(res.Moved, ", "))
		} else {
			fmt.Fprintf(stdout, "baseline:      %s written; nothing moved\n", filepath.Join(opt.baseDir, baselineName))
		}
		return 0
	}
	if !res.OK {
		fmt.Fprintf(stderr, "coinai regress: %s: %d of %d tests moved at family-wise alpha %g (Holm–Bonferroni): %s; if the change is intended, run again with --update\n",
			opt.path, len(res.Moved), res.Family, opt.alpha, strings.Join(res.Moved, ", "))
		return 1
	}
	return 0
}

// scenarioChanged reports whether s, with the baseline's first seed,
// resolves to another scenario than the baseline's: scenarios.Equal, which
// ignores the file a scenario was loaded from (the resolved TOML's header
// names it) and its [regression] section.
func scenarioChanged(s *scenarios.Scenario, b *baseline) bool {
	if len(b.Seeds) == 0 {
		return true
	}
	c := *s
	if c.Set("run.seed", strconv.FormatInt(b.Seeds[0], 10)) != nil {
		return true
	}
	old, err := scenarios.Parse("baseline scenario_toml", []byte(b.ScenarioTOML))
	return err != nil || !c.Equal(old)
}

// writeBaseline writes dir/baseline.json atomically (an existing file was
// checked by readBaseline to be coinai's).
func writeBaseline(dir string, b *baseline) error {
	if _, err := readBaseline(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	j, err := json.MarshalIndent(b, "", " ")
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, baselineName), append(j, '\n'))
}

// regressDistributions are the pooled per-replication samples compared
// with the KS test.
var regressDistributions = []struct {
	name, source string
	get          func(r *rundata.Run) []float64
}{
	{"block_interval_s", "blocks.csv interval_s, main chain", (*rundata.Run).MainIntervals},
	{"prop_p50_s", "blocks.csv prop_p50_s, every block with one", (*rundata.Run).PropP50s},
	{"reward", "nodes.csv reward, per node", (*rundata.Run).Rewards},
}

// collectBaseline reads a `run --reps` directory into a baseline.
func collectBaseline(s *scenarios.Scenario, path, dir string) (*baseline, error) {
	data, err := os.ReadFile(filepath.Join(dir, "ensemble.json"))
	if err != nil {
		return nil, err
	}
	var e struct {
		Seeds        []int64 `json:"seeds"`
		Replications []struct {
			Dir string `json:"dir"`
		} `json:"replications"`
		Metrics []struct {
			Metric string     `json:"metric"`
			Values []*float64 `json:"values"`
		} `json:"metrics"`
	}
	if err := json.Unmarshal(data, &e); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "ensemble.json"), err)
	}
	resolved, err := s.TOML()
	if err != nil {
		return nil, err
	}
	b := &baseline{Version: baselineFormatVers, Scenario: s.Run.Name, ScenarioPath: filepath.ToSlash(path),
		Revision: revision(), Reps: len(e.Seeds), Seeds: e.Seeds, ScenarioTOML: string(resolved)}
	for _, m := range e.Metrics {
		b.Metrics = append(b.Metrics, baselineSample{Name: m.Metric, Values: m.Values})
	}
	pooled := make([][]float64, len(regressDistributions))
	counts := make([][]int, len(regressDistributions))
	for _, rep := range e.Replications {
		r, err := rundata.Load(filepath.Join(dir, rep.Dir))
		if err != nil {
			return nil, err
		}
		for i, d := range regressDistributions {
			x := d.get(r)
			pooled[i] = append(pooled[i], x...)
			counts[i] = append(counts[i], len(x))
		}
	}
	for i, d := range regressDistributions {
		v := make([]*float64, len(pooled[i]))
		for k := range pooled[i] {
			v[k] = &pooled[i][k]
		}
		b.Distributions = append(b.Distributions, baselineSample{Name: d.name, Source: d.source, Values: v, Counts: counts[i]})
	}
	return b, nil
}

// repMeans are the means of a distribution's values per replication
// (replications without a value left out).
func repMeans(b baselineSample) []float64 {
	var m []float64
	for _, g := range b.groups() {
		if len(g) > 0 {
			m = append(m, stats.Mean(g))
		}
	}
	return m
}

func present(v []*float64) []float64 {
	var x []float64
	for _, p := range v {
		if p != nil {
			x = append(x, *p)
		}
	}
	return x
}

func constant(x []float64) bool {
	return len(x) > 0 && !slices.ContainsFunc(x, func(v float64) bool { return v != x[0] })
}

// compareBaseline tests every metric and distribution of the baseline
// and of now (in the baseline's order, then those only now has), as
// declared (by name) or automatically, and applies Holm–Bonferroni at
// alpha over all tests made. A test moves when its adjusted p is at most
// alpha and its difference exceeds its tolerance; a metric the baseline
// lacks is "new" and a metric now lacks has moved.
func compareBaseline(old, now *baseline, alpha float64, declared []scenarios.RegressionMetric) []regressTest {
	decl := map[string]scenarios.RegressionMetric{}
	for _, m := range declared {
		decl[m.Name] = m
	}
	var tests []regressTest
	pair := func(kind string, a, b []baselineSample) {
		idx := map[string]int{}
		for i, s := range b {
			idx[s.Name] = i
		}
		seen := map[string]bool{}
		for _, s := range a {
			seen[s.Name] = true
			var y baselineSample
			if i, ok := idx[s.Name]; ok {
				y = b[i]
			}
			d, ok := decl[s.Name]
			tests = append(tests, testPair(kind, s.Name, s, y, d, ok))
		}
		for _, s := range b {
			if !seen[s.Name] {
				d, ok := decl[s.Name]
				t := testPair(kind, s.Name, baselineSample{}, s, d, ok)
				if t.Test != "none" {
					t.Test, t.P = "presence", jfloat(math.NaN()) // not in the family
				}
				t.Verdict = verdictNew
				tests = append(tests, t)
			}
		}
	}
	pair("metric", old.Metrics, now.Metrics)
	pair("distribution", old.Distributions, now.Distributions)
	judge(tests, alpha)
	return tests
}

// judge sets the Holm-adjusted p-values and verdicts of tests at alpha
// from their p-values, differences and tolerances (again, if judged
// before).
func judge(tests []regressTest, alpha float64) {
	p := make([]float64, len(tests))
	for i, t := range tests {
		p[i] = float64(t.P)
	}
	adj := stats.Holm(p)
	for i := range tests {
		t := &tests[i]
		t.PHolm = jfloat(adj[i])
		if t.Verdict == verdictNew {
			continue
		}
		t.Verdict = verdictOK
		if adj[i] <= alpha {
			t.Verdict = verdictMoved
			// NaN (a value on one side only) exceeds any tolerance.
			if math.Abs(float64(t.Difference)) <= float64(t.ToleranceAbs) {
				t.Verdict = verdictTolerated
			}
		}
	}
}

// Distributions are compared by replication: the exact permutation
// p-value up to ksExactLimit splits of the replications, else ksResamples
// random ones.
const (
	ksExactLimit = 20000
	ksResamples  = 9999
)

// bootstrapResamples are the rounds of a declared bootstrap test, drawn
// from a fresh stats.BootstrapSeed generator per test.
const bootstrapResamples = 9999

// testPair makes one test of the baseline sample against now's: the
// declared test (decl, when declared) or the automatic choice, and the
// tolerance its verdict will allow.
func testPair(kind, name string, bs, ns baselineSample, decl scenarios.RegressionMetric, declared bool) regressTest {
	x, y := present(bs.Values), present(ns.Values)
	test := decl.TestOf()
	ks := kind == "distribution" && (test == "auto" || test == "ks")
	if kind == "distribution" && !ks && test != "none" {
		// A test of means on a distribution compares the replications'
		// means of it, one independent value per replication.
		x, y = repMeans(bs), repMeans(ns)
	}
	nan := jfloat(math.NaN())
	t := regressTest{Name: name, Kind: kind, BaseN: len(x), NowN: len(y),
		BaseMean: jfloat(stats.Mean(x)), NowMean: jfloat(stats.Mean(y)),
		Effect: nan, Statistic: nan, DF: nan, P: nan, PHolm: nan,
		Declared: declared, Tolerance: decl.Tolerance.String(), Difference: nan, CILo: nan, CIHi: nan}
	// A KS tolerance is a distance ("5%" = 0.05); others are in the
	// metric's units, a percentage of the baseline's mean.
	t.ToleranceAbs = jfloat(decl.Tolerance.Abs(stats.Mean(x)))
	if ks {
		t.ToleranceAbs = jfloat(decl.Tolerance.Value)
	}
	switch {
	case test == "none" || len(x) == 0 && len(y) == 0:
		t.Test = "none"
	case len(x) == 0 || len(y) == 0:
		t.Test, t.P = "presence", 0 // a value appeared or vanished
	case ks:
		r := stats.KSClusterPermutation(bs.groups(), ns.groups(), ksExactLimit, ksResamples, stats.NewRand(stats.BootstrapSeed))
		t.Test, t.Effect, t.Statistic, t.P = "ks", jfloat(r.D), jfloat(r.D), jfloat(r.PValue)
		t.Difference = jfloat(r.D)
	case test == "exact" || constant(x) && constant(y):
		// Every value of both sides equal: the result is determined. The
		// difference is the spread of all the values.
		all := append(slices.Clone(x), y...)
		t.Test, t.P, t.Difference = "exact", 1, jfloat(slices.Max(all)-slices.Min(all))
		if t.Difference != 0 {
			t.P = 0
		}
	case len(x) < 2 || len(y) < 2:
		t.Test = "none"
	default:
		t.Difference = t.NowMean - t.BaseMean
		n, m := float64(len(x)), float64(len(y))
		sx, sy := stats.StdDev(x), stats.StdDev(y)
		pooled := math.Sqrt(((n-1)*sx*sx + (m-1)*sy*sy) / (n + m - 2))
		t.Effect = jfloat((stats.Mean(y) - stats.Mean(x)) / pooled)
		if test == "bootstrap" {
			r := stats.BootstrapMeanDiff(y, x, bootstrapResamples, 0.95, stats.NewRand(stats.BootstrapSeed))
			t.Test, t.Statistic, t.P = "bootstrap", jfloat(r.T), jfloat(r.PValue)
			t.CILo, t.CIHi = jfloat(r.CI.Lo), jfloat(r.CI.Hi)
			break
		}
		r := stats.WelchT(y, x)
		t.Test, t.Statistic, t.DF, t.P = "welch", jfloat(r.T), jfloat(r.DF), jfloat(r.PValue)
	}
	return t
}

func fmtJ(v jfloat) string {
	x := float64(v)
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "-"
	}
	return strconv.FormatFloat(x, 'g', 4, 64)
}

// printRegress prints the table of tests.
func printRegress(w io.Writer, r *regressResult) {
	fmt.Fprintf(w, "baseline:      %s (revision %s, seeds %s); now revision %s, seeds %s\n",
		r.Baseline, r.BaselineRevision, seedRange(r.BaselineSeeds), r.Revision, seedRange(r.Seeds))
	if r.ScenarioChanged {
		fmt.Fprintln(w, "scenario:      differs from the baseline's (beyond the seed)")
	}
	fmt.Fprintf(w, "tests:         %d, family-wise false-alarm rate alpha = %g with Holm–Bonferroni; effect: (now-baseline)/pooled sd for welch and bootstrap, D for ks (p by permuting whole replications); tolerance: a difference within it never moves\n", r.Family, r.Alpha)
	fmt.Fprintf(w, "%-26s %12s %12s %8s %-9s %9s %9s %9s  %s\n", "metric", "baseline", "now", "effect", "test", "p", "p_holm", "tolerance", "verdict")
	for _, t := range r.Tests {
		if t.Test == "none" {
			continue
		}
		tol := "-"
		if t.Tolerance != "0" {
			tol = t.Tolerance
		}
		fmt.Fprintf(w, "%-26s %12s %12s %8s %-9s %9s %9s %9s  %s\n", t.Name, fmtJ(t.BaseMean), fmtJ(t.NowMean), fmtJ(t.Effect), t.Test, fmtJ(t.P), fmtJ(t.PHolm), tol, t.Verdict)
	}
	var news []string
	for _, t := range r.Tests {
		if t.Verdict == verdictNew {
			news = append(news, t.Name)
		}
	}
	if len(news) > 0 {
		fmt.Fprintf(w, "new:           %s (not in the baseline, not tested; --update adds them)\n", strings.Join(news, ", "))
	}
	if r.OK {
		fmt.Fprintln(w, "verdict:       ok, nothing moved")
	} else {
		fmt.Fprintf(w, "verdict:       MOVED: %s\n", strings.Join(r.Moved, ", "))
	}
}

func seedRange(s []int64) string {
	if len(s) == 0 {
		return "none"
	}
	return fmt.Sprintf("%d..%d", s[0], s[len(s)-1])
}
