package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	asweep "github.com/coinai/coinai/analysis/sweep"
)

// smallSweep is 6 points (3 intervals x 2 network sizes) of the PoW
// quickstart cut to 5 blocks, 2 replications each: a few ms a run.
const smallSweep = "testdata/sweep-small.toml"

// signalAt makes the test binary, acting as coinai, signal itself at the
// n-th time a phase is reached: spec "phase:n:SIGNAL" (SIGINT, SIGTERM,
// SIGKILL). After SIGINT or SIGTERM the phase waits until the signal is
// caught, so that nothing races past it.
func signalAt(spec string) {
	if spec == "" {
		return
	}
	f := strings.Split(spec, ":")
	n, _ := strconv.Atoi(f[1])
	sig := map[string]syscall.Signal{"SIGINT": syscall.SIGINT, "SIGTERM": syscall.SIGTERM, "SIGKILL": syscall.SIGKILL}[f[2]]
	var count atomic.Int32
	var once sync.Once
	testHook = func(phase string, intr *interrupt) {
		if phase != f[0] || int(count.Add(1)) < n {
			return
		}
		once.Do(func() { syscall.Kill(os.Getpid(), sig) })
		for deadline := time.Now().Add(10 * time.Second); intr.caught() == nil && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
	}
}

// coinaiProcess runs the test binary as coinai in a separate process; at
// is a signalAt spec ("" for none). It returns the exit code, stdout and
// stderr.
func coinaiProcess(t *testing.T, at string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "COINAI_TEST_MAIN=1", "COINAI_TEST_SIGNAL_AT="+at)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatalf("%v: %v", args, err)
		}
		code = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			code = 128 + int(ws.Signal())
		}
	}
	return code, stdout.String(), stderr.String()
}

// pointFiles is every file of every point folder below dir/points, but
// runs/ (whose summary.json holds wall-clock times), by path.
func pointFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for rel, v := range snapshot(t, filepath.Join(dir, "points")) {
		if parts := strings.Split(rel, string(filepath.Separator)); len(parts) >= 2 && parts[1] == "runs" {
			continue
		}
		m[rel] = v
	}
	return m
}

// hidden lists the hidden entries of dir/points.
func hidden(dir string) []string {
	h, _ := filepath.Glob(filepath.Join(dir, "points", ".*"))
	return h
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// A sweep's points are byte-identical whoever makes them: three shards run
// as separate processes together hold exactly the points of the unsharded
// run, made in this process with one worker and GOMAXPROCS 1.
func TestSweepShardsEqualWhole(t *testing.T) {
	root := t.TempDir()
	whole := filepath.Join(root, "whole")
	prev := runtime.GOMAXPROCS(1)
	code, stdout, stderr := run("sweep", smallSweep, "--out", whole, "--jobs", "1")
	runtime.GOMAXPROCS(prev)
	if code != 0 {
		t.Fatalf("whole: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "ran 6 points (12 runs)") {
		t.Errorf("stdout %q", stdout)
	}
	want := pointFiles(t, whole)
	if len(want) != 1+6+6*4 { // points/, 6 folders of 4 files
		t.Fatalf("whole sweep has %d entries: %v", len(want), want)
	}
	var hash string
	var sj struct {
		Hash   string `json:"sweep_hash"`
		Shard  string `json:"shard"`
		Points int    `json:"points"`
		Seeds  []int64
	}
	readJSON(t, filepath.Join(whole, "sweep.json"), &sj)
	hash = sj.Hash
	if sj.Shard != "0/1" || sj.Points != 6 || len(hash) != 64 {
		t.Errorf("sweep.json %+v", sj)
	}

	union := map[string]string{}
	var wg sync.WaitGroup
	dirs := make([]string, 3)
	codes := make([]int, 3)
	errs := make([]string, 3)
	for i := range 3 {
		dirs[i] = filepath.Join(root, "shard"+strconv.Itoa(i))
		wg.Go(func() {
			codes[i], _, errs[i] = coinaiProcess(t, "", "sweep", smallSweep, "--out", dirs[i], "--shard", strconv.Itoa(i)+"/3")
		})
	}
	wg.Wait()
	for i, dir := range dirs {
		if codes[i] != 0 {
			t.Fatalf("shard %d/3: exit %d: %s", i, codes[i], errs[i])
		}
		readJSON(t, filepath.Join(dir, "sweep.json"), &sj)
		if sj.Hash != hash || sj.Shard != strconv.Itoa(i)+"/3" || sj.Points != 6 {
			t.Errorf("shard %d: sweep.json %+v", i, sj)
		}
		ents, _ := os.ReadDir(filepath.Join(dir, "points"))
		var ids []string
		for _, e := range ents {
			ids = append(ids, e.Name())
		}
		if w := []string{"p000" + strconv.Itoa(i), "p000" + strconv.Itoa(i+3)}; !slices.Equal(ids, w) {
			t.Errorf("shard %d/3 holds %v, want %v", i, ids, w)
		}
		for k, v := range pointFiles(t, dir) {
			if _, dup := union[k]; dup && k != "." {
				t.Errorf("%s made by two shards", k)
			}
			union[k] = v
		}
	}
	sameTree(t, "shards vs whole", want, union)

	// Merged, the three shards give what the whole sweep gives: the same
	// table and the same point folders, byte for byte.
	mw, ms := filepath.Join(root, "merge-whole"), filepath.Join(root, "merge-shards")
	mustRun(t, "merge", whole, "--out", mw)
	mustRun(t, append(append([]string{"merge"}, dirs...), "--out", ms)...)
	for _, f := range []string{"merged.json", "merged.csv"} {
		a, _ := os.ReadFile(filepath.Join(mw, f))
		b, _ := os.ReadFile(filepath.Join(ms, f))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s of the merged shards differs from the whole sweep's", f)
		}
	}
	sameTree(t, "merged points: shards vs whole", snapshot(t, filepath.Join(mw, "points")), snapshot(t, filepath.Join(ms, "points")))
	if got := len(snapshot(t, filepath.Join(ms, "points"))); got != len(want) {
		t.Errorf("merged shards hold %d point entries, want %d", got, len(want))
	}

	// A point is what `coinai run --reps` writes for its values.
	reps := filepath.Join(root, "reps")
	mustRun(t, "run", quick, "--set", "run.stop_height=5", "--set", "pow.interval=60s", "--set", "group.0.count=20",
		"--reps", "2", "--seed", "3", "--out", reps, "--quiet")
	for _, f := range []string{"ensemble.json", "ensemble.csv"} {
		a, _ := os.ReadFile(filepath.Join(reps, f))
		b, _ := os.ReadFile(filepath.Join(whole, "points", "p0003", f))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("p0003/%s differs from run --reps's", f)
		}
	}
	var pj asweep.PointRecord
	readJSON(t, filepath.Join(whole, "points", "p0003", "point.json"), &pj)
	if pj.Version != 1 || pj.Hash != hash || pj.Index == nil || *pj.Index != 3 || pj.ID != "p0003" || !slices.Equal(pj.Seeds, []int64{3, 4}) ||
		len(pj.Params) != 2 || pj.Params[0].Key != "pow.interval" || pj.Params[0].Value != "60s" || pj.Params[1].Value != "20" {
		t.Errorf("point.json %+v", pj)
	}
	sc, _ := os.ReadFile(filepath.Join(whole, "points", "p0003", "scenario.toml"))
	for _, w := range []string{"seed = 3\n", "stop_height = 5\n", `interval = "60s"`, "count = 20\n", "# Loaded from ../../../scenarios/pow-quickstart.toml."} {
		if !strings.Contains(string(sc), w) {
			t.Errorf("p0003/scenario.toml lacks %q", w)
		}
	}
}

// (b) A sweep stopped by SIGINT or SIGTERM keeps its finished points and
// no half point; one killed by SIGKILL may leave hidden unfinished point
// folders. Rerunning the same command removes them, skips the points that
// exist, and ends with the points of an uninterrupted sweep, byte for
// byte.
func TestSweepResumesAfterSignals(t *testing.T) {
	root := t.TempDir()
	ref := filepath.Join(root, "ref")
	mustRun(t, "sweep", smallSweep, "--out", ref, "--quiet")
	want := pointFiles(t, ref)
	refJSON, _ := os.ReadFile(filepath.Join(ref, "sweep.json"))
	for _, tc := range []struct {
		name, at, jobs string
		code           int
	}{
		{"SIGINT", "sweep-point:2:SIGINT", "2", 130},
		{"SIGTERM", "sweep-point:3:SIGTERM", "2", 143},
		// One worker, at the 5th replication's end: points 0 and 1 are
		// done, the replication's own point is in its hidden folder.
		{"SIGKILL", "sweep-rep:5:SIGKILL", "1", 137},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(root, tc.name)
			args := []string{"sweep", smallSweep, "--out", dir, "--jobs", tc.jobs, "--keep-runs"}
			code, _, stderr := coinaiProcess(t, tc.at, args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, stderr)
			}
			ents, _ := os.ReadDir(filepath.Join(dir, "points"))
			var done []string
			for _, e := range ents {
				if !strings.HasPrefix(e.Name(), ".") {
					done = append(done, e.Name())
				}
			}
			if len(done) < 2 || len(done) >= 6 {
				t.Fatalf("after %s: points %v; want at least 2 and not all", tc.name, done)
			}
			// Every point folder there is whole.
			have := pointFiles(t, dir)
			for _, id := range done {
				for _, f := range []string{"point.json", "scenario.toml", "ensemble.json", "ensemble.csv"} {
					k := filepath.Join(id, f)
					if have[k] != want[k] {
						t.Errorf("after %s: %s differs from the uninterrupted sweep's", tc.name, k)
					}
				}
				if runs, _ := filepath.Glob(filepath.Join(dir, "points", id, "runs", "rep-*", "summary.json")); len(runs) != 2 {
					t.Errorf("after %s: %s has %d runs", tc.name, id, len(runs))
				}
			}
			if tc.name == "SIGKILL" {
				if len(hidden(dir)) == 0 {
					t.Errorf("SIGKILL left no hidden point folder: the test does not test the clean-up")
				}
			} else {
				if h := hidden(dir); len(h) != 0 {
					t.Errorf("hidden folders left: %v", h)
				}
				if !strings.Contains(stderr, "interrupted by "+tc.name) || !strings.Contains(stderr, "run the same command again to resume") {
					t.Errorf("stderr %q", stderr)
				}
			}

			code, stdout, stderr := coinaiProcess(t, "", args...)
			if code != 0 {
				t.Fatalf("resumed: exit %d: %s", code, stderr)
			}
			skipped := "skipped " + strconv.Itoa(len(done)) + " existing points"
			ran := "ran " + strconv.Itoa(6-len(done)) + " points"
			if !strings.Contains(stdout, skipped) || !strings.Contains(stdout, ran) {
				t.Errorf("resumed stdout %q lacks %q and %q", stdout, skipped, ran)
			}
			if tc.name == "SIGKILL" && !regexp.MustCompile(`removed [1-9][0-9]* unfinished point folders`).MatchString(stdout) {
				t.Errorf("resumed stdout %q does not say it removed the unfinished folders", stdout)
			}
			if h := hidden(dir); len(h) != 0 {
				t.Errorf("hidden folders left: %v", h)
			}
			sameTree(t, "resumed vs uninterrupted", want, pointFiles(t, dir))
			if b, _ := os.ReadFile(filepath.Join(dir, "sweep.json")); !bytes.Equal(b, bytes.ReplaceAll(refJSON, []byte(ref), []byte(dir))) && !bytes.Equal(b, refJSON) {
				t.Errorf("sweep.json differs:\n%s\n%s", b, refJSON)
			}
			// The manifest lists every file, runs included, and nothing
			// else.
			m := readManifestT(t, dir)
			files, err := walkFiles(dir)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(m.Files, files) || m.Kind != kindSweep {
				t.Errorf("manifest kind %s lists %d files, the directory has %d", m.Kind, len(m.Files), len(files))
			}
			// A third run has nothing to do.
			code, stdout, _ = coinaiProcess(t, "", args...)
			if code != 0 || !strings.Contains(stdout, "ran 0 points (0 runs)") || !strings.Contains(stdout, "skipped 6 existing points") {
				t.Errorf("third run: exit %d, %q", code, stdout)
			}
		})
	}
}

// (c) Bad sweeps and bad flags exit 2 with one message naming the file,
// line and key (or the flag), and write nothing.
func TestSweepBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown key", []string{"testdata/sweep-unknown-key.toml"},
			"testdata/sweep-unknown-key.toml:4: sweep.repetitions: unknown key (valid keys here: name, base, reps, seed, set, note, param)"},
		{"unknown param key", []string{"testdata/sweep-unknown-param.toml"},
			`testdata/sweep-unknown-param.toml:6: sweep.param.0.key: pow.intervall: unknown key "pow.intervall" (valid keys here: block_size, fidelity, interval,`},
		{"value refused", []string{"testdata/sweep-bad-value.toml"},
			`testdata/sweep-bad-value.toml:8: sweep.param.0.values.1: pow.interval=60: "60" has no unit`},
		{"empty values", []string{"testdata/sweep-empty-values.toml"},
			"testdata/sweep-empty-values.toml:11: sweep.param.1.values: empty: want at least one value"},
		{"shard 3/3", []string{smallSweep, "--shard", "3/3"}, `coinai sweep: --shard "3/3": want 0 <= i < n`},
		{"shard x", []string{smallSweep, "--shard", "x"}, `coinai sweep: --shard "x": want i/n`},
		{"jobs", []string{smallSweep, "--jobs", "-2"}, "coinai sweep: --jobs -2"},
		{"memory", []string{smallSweep, "--max-memory", "1MB"},
			"testdata/sweep-small.toml:16: sweep.param.1.values.0: group.0.count=10: 10 nodes over up to 21 blocks need about 17.1 MB of memory, more than the 1 MB allowed by --max-memory"},
		{"no file", []string{"testdata/none.toml"}, "testdata/none.toml: no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			out := filepath.Join(root, "a", "sweep")
			code, stdout, stderr := run(append([]string{"sweep", "--out", out}, tc.args...)...)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tc.want)
			}
			if n := strings.Count(strings.TrimSpace(stderr), "\n"); n > 0 {
				t.Errorf("%d messages: %q", n+1, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout %q", stdout)
			}
			if ents, _ := os.ReadDir(root); len(ents) != 0 {
				t.Errorf("written: %v", ents)
			}
			if strings.HasPrefix(tc.args[0], "testdata/sweep-") && len(tc.args) == 1 {
				if code, _, stderr := run("validate", tc.args[0]); code != 2 || !strings.Contains(stderr, tc.want) {
					t.Errorf("validate: exit %d, %q", code, stderr)
				}
			}
		})
	}
}

// The sweep directory's rules: another sweep (or shard) on it, a run
// directory and a directory of the user's are refused and left as they
// are; a run that is not this sweep's is never resumed.
func TestSweepOutputRules(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "s")
	mustRun(t, "sweep", smallSweep, "--out", dir, "--quiet", "--shard", "1/2")
	other := filepath.Join(root, "other.toml")
	src, _ := os.ReadFile(smallSweep)
	src = bytes.Replace(src, []byte("reps = 2"), []byte("reps = 3"), 1)
	src = bytes.Replace(src, []byte("../../../scenarios/"), []byte(filepath.Join(mustAbs(t, "../../scenarios"))+"/"), 1)
	if err := os.WriteFile(other, src, 0o644); err != nil {
		t.Fatal(err)
	}
	runDir := filepath.Join(root, "r")
	mustRun(t, "run", quick, "--set", "run.stop_height=2", "--out", runDir, "--quiet", "--no-report")
	user := filepath.Join(root, "u")
	userDir(t, user)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{other, "--out", dir, "--shard", "1/2"}, "holds sweep \"sweep-small\" of sweep_hash"},
		{[]string{smallSweep, "--out", dir}, "holds shard 1/2 of this sweep, not shard 0/1"},
		{[]string{smallSweep, "--out", runDir}, "holds coinai run output, not a sweep"},
		{[]string{smallSweep, "--out", user}, "holds files coinai did not write"},
		{[]string{smallSweep, "--out", filepath.Join(user, "notes.txt")}, "is not a directory coinai wrote"},
	} {
		if msg := refused(t, root, append([]string{"sweep"}, tc.args...)...); !strings.Contains(msg, tc.want) {
			t.Errorf("%v: %q lacks %q", tc.args, msg, tc.want)
		}
	}
	// A folder named like a point that is no point of this sweep is
	// never taken for one nor removed.
	bogus := filepath.Join(dir, "points", "p0003")
	if err := os.RemoveAll(bogus); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(bogus, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(bogus, "mine.txt"), []byte("x"), 0o644)
	if msg := refused(t, root, "sweep", smallSweep, "--out", dir, "--shard", "1/2"); !strings.Contains(msg, "points/p0003 is not a complete point of this sweep") {
		t.Errorf("bogus point: %q", msg)
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// --dry-run and validate say what a sweep would run.
func TestSweepDryRun(t *testing.T) {
	root := t.TempDir()
	out := filepath.Join(root, "s")
	code, stdout, stderr := run("sweep", smallSweep, "--dry-run", "--shard", "1/4", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, w := range []string{"grid:          6 points = 3 pow.interval x 2 group.0.count",
		"replications:  2 a point, seeds 3..4", "shard 1/4:     2 of 6 points, 4 runs",
		"  p0001  pow.interval=20s, group.0.count=20\n  p0005  pow.interval=120s, group.0.count=20\n"} {
		if !strings.Contains(stdout, w) {
			t.Errorf("stdout %q lacks %q", stdout, w)
		}
	}
	if ents, _ := os.ReadDir(root); len(ents) != 0 {
		t.Errorf("--dry-run wrote %v", ents)
	}
	code, stdout, stderr = run("validate", smallSweep, quick)
	if code != 0 || !strings.Contains(stdout, "sweep-small.toml: ok (sweep sweep-small: 6 points = 3 pow.interval x 2 group.0.count, 2 replications each, 12 runs;") ||
		!strings.Contains(stdout, "pow-quickstart.toml: ok (pow, 50 nodes") {
		t.Errorf("validate: exit %d, %q %q", code, stdout, stderr)
	}
}
