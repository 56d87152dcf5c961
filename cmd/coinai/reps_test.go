package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coinai/coinai/analysis/stats"
)

// repsArgs runs the PoW quickstart cut to 5 blocks: a few ms a replication.
func repsArgs(out string, extra ...string) []string {
	return append([]string{"run", quick, "--set", "run.stop_height=5", "--out", out, "--quiet"}, extra...)
}

// coinaiRepsArgs runs the Coin.AI quickstart cut to 3 blocks.
func coinaiRepsArgs(out string, extra ...string) []string {
	return append([]string{"run", "../../scenarios/quickstart.toml", "--set", "run.stop_height=3", "--out", out, "--quiet"}, extra...)
}

// wallRe masks the wall-clock keys of summary.json, the only bytes of a
// run folder that depend on the machine.
var wallRe = regexp.MustCompile(`"(wall_seconds|attempts_speculative)": [^,\n]*`)

// tree is snapshot with the wall-clock keys of every summary.json masked.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := snapshot(t, dir)
	for k, v := range m {
		if filepath.Base(k) == "summary.json" {
			m[k] = wallRe.ReplaceAllString(v, `"$1": X`)
		}
	}
	return m
}

type ensembleFile struct {
	Reps         int     `json:"reps"`
	Seeds        []int64 `json:"seeds"`
	ChecksOK     bool    `json:"checks_ok"`
	FailedSeeds  []int64 `json:"failed_seeds"`
	Replications []struct {
		Seed int64  `json:"seed"`
		Dir  string `json:"dir"`
	} `json:"replications"`
	Metrics []struct {
		Metric string     `json:"metric"`
		N      int        `json:"n"`
		Mean   *float64   `json:"mean"`
		SD     *float64   `json:"sd"`
		TLo    *float64   `json:"t_lo"`
		THi    *float64   `json:"t_hi"`
		BootLo *float64   `json:"boot_lo"`
		BootHi *float64   `json:"boot_hi"`
		Values []*float64 `json:"values"`
	} `json:"metrics"`
}

func readEnsemble(t *testing.T, dir string) ensembleFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "ensemble.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e ensembleFile
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	return e
}

func eqNull(p *float64, v float64) bool {
	if math.IsNaN(v) {
		return p == nil
	}
	return p != nil && *p == v
}

// (a) ensemble.json is what the replication folders' summary.json files
// give: the same keys (every number but the seed and the wall-clock ones),
// n the replications with a value, mean and sd exactly, intervals by
// analysis/stats.
func TestRepsEnsembleRecomputed(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "e")
	if code, _, stderr := run(repsArgs(dir, "--reps", "4", "--seed", "11", "--jobs", "2")...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	e := readEnsemble(t, dir)
	if e.Reps != 4 || !slices.Equal(e.Seeds, []int64{11, 12, 13, 14}) || !e.ChecksOK || len(e.FailedSeeds) != 0 {
		t.Fatalf("ensemble header %+v", e)
	}
	sums := make([]map[string]any, 4)
	for i, r := range e.Replications {
		if want := "rep-00" + strconv.Itoa(i) + "-seed" + strconv.Itoa(11+i); r.Dir != want || r.Seed != int64(11+i) {
			t.Errorf("replication %d: %+v, want dir %s", i, r, want)
		}
		b, err := os.ReadFile(filepath.Join(dir, r.Dir, "summary.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &sums[i]); err != nil {
			t.Fatal(err)
		}
		if sums[i]["seed"] != float64(11+i) {
			t.Errorf("%s ran seed %v", r.Dir, sums[i]["seed"])
		}
	}
	// Keys: every key that is a number in some summary.json is a metric
	// (but the seed and the wall-clock keys), and every metric is a key.
	var numeric []string
	for k, v := range sums[0] {
		if _, ok := v.(float64); ok && k != "seed" && k != "wall_seconds" && k != "attempts_speculative" {
			numeric = append(numeric, k)
		}
	}
	var got []string
	for _, m := range e.Metrics {
		got = append(got, m.Metric)
		if _, ok := sums[0][m.Metric]; !ok {
			t.Errorf("metric %s is no summary.json key", m.Metric)
		}
	}
	for _, k := range numeric {
		if !slices.Contains(got, k) {
			t.Errorf("summary.json number %s missing from ensemble", k)
		}
	}
	for _, m := range e.Metrics {
		var x []float64
		for i, s := range sums {
			v, ok := s[m.Metric].(float64)
			if ok != (m.Values[i] != nil) || ok && *m.Values[i] != v {
				t.Errorf("%s: value %d is %v, summary.json has %v", m.Metric, i, m.Values[i], s[m.Metric])
			}
			if ok {
				x = append(x, v)
			}
		}
		ci := stats.MeanCI(x, 0.95)
		b := stats.Bootstrap(x, stats.Mean, 10000, 0.95, stats.NewRand(stats.BootstrapSeed))
		if m.N != len(x) || !eqNull(m.Mean, stats.Mean(x)) || !eqNull(m.SD, stats.StdDev(x)) ||
			!eqNull(m.TLo, ci.Lo) || !eqNull(m.THi, ci.Hi) || !eqNull(m.BootLo, b.Lo) || !eqNull(m.BootHi, b.Hi) {
			t.Errorf("%s: ensemble %+v; recomputed n %d mean %v sd %v t %v boot %v", m.Metric, m, len(x), stats.Mean(x), stats.StdDev(x), ci, b)
		}
		// And the mean is the plain one, to rounding.
		if len(x) > 0 {
			sum := 0.0
			for _, v := range x {
				sum += v
			}
			if d := math.Abs(sum/float64(len(x)) - *m.Mean); d > 1e-12*math.Max(1, math.Abs(*m.Mean)) {
				t.Errorf("%s: mean %v, plain mean %v", m.Metric, *m.Mean, sum/float64(len(x)))
			}
		}
	}
	csv, err := os.ReadFile(filepath.Join(dir, "ensemble.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
	if lines[0] != "metric,n,mean,sd,t_lo,t_hi,boot_lo,boot_hi" || len(lines) != len(e.Metrics)+1 {
		t.Errorf("ensemble.csv header %q, %d rows for %d metrics", lines[0], len(lines)-1, len(e.Metrics))
	}
}

// (b) The output is the same whatever the number of workers and
// GOMAXPROCS (which Coin.AI's compute-ahead also uses).
func TestRepsIndependentOfWorkers(t *testing.T) {
	for _, tc := range []struct {
		name string
		args func(out string, extra ...string) []string
		reps string
	}{
		{"pow", repsArgs, "5"},
		{"coinai", coinaiRepsArgs, "2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			one, two := filepath.Join(root, "one"), filepath.Join(root, "two")
			args := func(out string, jobs string) []string { return tc.args(out, "--reps", tc.reps, "--jobs", jobs) }
			prev := runtime.GOMAXPROCS(1)
			code, _, stderr := run(args(one, "1")...)
			runtime.GOMAXPROCS(max(prev, 2))
			if code != 0 {
				t.Fatalf("jobs 1: exit %d: %s", code, stderr)
			}
			code, _, stderr = run(args(two, "3")...)
			runtime.GOMAXPROCS(prev)
			if code != 0 {
				t.Fatalf("jobs 3: exit %d: %s", code, stderr)
			}
			a, b := tree(t, one), tree(t, two)
			if len(a) < 2*6 {
				t.Fatalf("only %d entries", len(a))
			}
			sameTree(t, "workers 3 vs 1", a, b)
		})
	}
}

// (c) Replication i is the run `coinai run --seed S+i` writes.
func TestRepIsPlainRun(t *testing.T) {
	root := t.TempDir()
	reps, plain := filepath.Join(root, "reps"), filepath.Join(root, "plain")
	if code, _, stderr := run(repsArgs(reps, "--reps", "3", "--seed", "7")...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if code, _, stderr := run(repsArgs(plain, "--seed", "9", "--no-report")...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	a, b := tree(t, filepath.Join(reps, "rep-002-seed9")), tree(t, plain)
	if !strings.Contains(a["summary.json"], `"trace_digest"`) || a["blocks.csv"] == "" {
		t.Fatalf("replication folder lacks summary.json or blocks.csv: %v", len(a))
	}
	sameTree(t, "replication 2 vs plain run --seed 9", b, a)
}

// (d) Bad --reps values (and a last seed past 2^63-1) exit 2 and write
// nothing.
func TestRepsBadValues(t *testing.T) {
	root := t.TempDir()
	out := filepath.Join(root, "x", "out")
	for _, args := range [][]string{
		{"--reps", "0"}, {"--reps", "-3"}, {"--reps", "two"}, {"--reps", "2", "--jobs", "-1"},
		{"--reps", "2", "--seed", "9223372036854775807"},
		{"--reps", "2", "--cpuprofile", filepath.Join(root, "p")},
	} {
		code, _, stderr := run(repsArgs(out, args...)...)
		if code != 2 || stderr == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a message", args, code, stderr)
		}
		if ents, _ := os.ReadDir(root); len(ents) != 0 {
			t.Fatalf("%v: wrote %v", args, ents)
		}
	}
	// The largest seed that fits is fine.
	if code, _, stderr := run(repsArgs(out, "--reps", "2", "--seed", "9223372036854775806")...); code != 0 {
		t.Errorf("last seed 2^63-1: exit %d: %s", code, stderr)
	}
}

// Replications' output follows the rules of run outputs: an existing
// coinai output is replaced only with --force, a path coinai did not write
// is refused, and a failing checker exits 1 with the ensemble written and
// the failing seeds named.
func TestRepsOutputRules(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "e")
	if code, _, stderr := run(repsArgs(dir, "--reps", "2")...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	before := snapshot(t, root)
	if code, _, stderr := run(repsArgs(dir, "--reps", "2")...); code != 2 || !strings.Contains(stderr, "--force") {
		t.Errorf("without --force: exit %d, %q", code, stderr)
	}
	sameTree(t, "refused", before, snapshot(t, root))
	// A report added to a replication is coinai's (its folder's manifest
	// lists it) and goes with --force; a user's file stays.
	rep0 := filepath.Join(dir, "rep-000-seed1")
	if code, _, stderr := run("report", rep0); code != 0 {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	if err := os.WriteFile(filepath.Join(rep0, "notes.txt"), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(repsArgs(dir, "--reps", "3", "--force")...); code != 0 {
		t.Errorf("--force: exit %d, %q", code, stderr)
	}
	if e := readEnsemble(t, dir); e.Reps != 3 {
		t.Errorf("--force kept %d replications", e.Reps)
	}
	if _, err := os.Stat(filepath.Join(rep0, "report.md")); err == nil {
		t.Errorf("the earlier replication's report survived --force")
	}
	if b, err := os.ReadFile(filepath.Join(rep0, "notes.txt")); err != nil || string(b) != "mine\n" {
		t.Errorf("user's file lost: %q %v", b, err)
	}
	// A single run's directory is no reps output.
	runDir := filepath.Join(root, "r")
	if code, _, stderr := run(repsArgs(runDir, "--no-report")...); code != 0 {
		t.Fatal(stderr)
	}
	if code, _, stderr := run(repsArgs(runDir, "--reps", "2", "--force")...); code != 2 || !strings.Contains(stderr, "run output") {
		t.Errorf("over a run dir: exit %d, %q", code, stderr)
	}

	fail := filepath.Join(root, "fail")
	code, _, stderr := run("run", "../../scenarios/quickstart.toml", "--out", fail, "--quiet", "--reps", "2",
		"--set", "group.0.count=4", "--set", "network.degree=3",
		"--set", "coinai.threshold_initial=0.999999", "--set", "coinai.threshold_decay=0")
	if code != 1 || !strings.Contains(stderr, "seeds 1, 2") || !strings.Contains(stderr, "liveness") {
		t.Errorf("failing checker: exit %d, stderr %q", code, stderr)
	}
	if e := readEnsemble(t, fail); e.ChecksOK || !slices.Equal(e.FailedSeeds, []int64{1, 2}) {
		t.Errorf("ensemble checks_ok %v, failed_seeds %v", e.ChecksOK, e.FailedSeeds)
	}
}

// SIGINT stops all replications and removes everything.
func TestRepsInterrupted(t *testing.T) {
	root := t.TempDir()
	// Both workers reach the hook; one SIGINT only, since a second one is
	// the user insisting and exits the process (this test binary) at once.
	var once sync.Once
	testHook = func(phase string, intr *interrupt) {
		if phase != "rep" {
			return
		}
		once.Do(func() { syscall.Kill(os.Getpid(), syscall.SIGINT) })
		for deadline := time.Now().Add(10 * time.Second); intr.caught() == nil && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
	}
	defer func() { testHook = func(string, *interrupt) {} }()
	code, _, stderr := run(repsArgs(filepath.Join(root, "e"), "--reps", "6", "--jobs", "2")...)
	if code != 130 || !strings.Contains(stderr, "interrupted by SIGINT") {
		t.Errorf("exit %d, stderr %q; want 130", code, stderr)
	}
	if ents, _ := os.ReadDir(root); len(ents) != 0 {
		t.Errorf("left behind: %v", ents)
	}
}
