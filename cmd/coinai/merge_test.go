package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/coinai/coinai/analysis/sweep"
	"github.com/coinai/coinai/analysis/sweep/sweeptest"
	"github.com/coinai/coinai/scenarios/observe"
)

// mergeSweep is a 3 x 2 sweep whose points hold the ensemble.json and
// ensemble.csv `coinai run --reps` writes (computeEnsemble), of synthetic
// summaries: interval_mean_s grows with pow.interval, stale_rate with the
// block size; every other metric is constant or has no value.
var mergeSweep = sweeptest.Config{Name: "pow-stale", Seed: 7, Reps: 3, Note: "a test sweep",
	Params: []sweep.Param{{Key: "pow.interval", Values: []string{"10s", "60s", "600s"}}, {Key: "pow.block_size", Values: []string{"1MB", "8MB"}}},
	Ensemble: func(pt sweeptest.Point) (map[string][]byte, error) {
		var sums []*observe.Summary
		var dirs []string
		for i, seed := range pt.Seeds {
			iv := 10*float64(1+pt.ValueIndex[0]) + float64(i)
			sums = append(sums, &observe.Summary{Protocol: "pow", Scenario: "pow-stale", Nodes: 50, ChecksOK: true,
				TraceDigest: fmt.Sprintf("%064d", seed), IntervalMeanS: &iv, StaleRate: 0.01 * float64(1+pt.ValueIndex[1]+i)})
			dirs = append(dirs, fmt.Sprintf("runs/rep-%03d-seed%d", i, seed))
		}
		return computeEnsemble(sums, pt.Seeds, dirs).files()
	}}

func fakeSweepDir(t *testing.T, c sweeptest.Config, shard string, points []int) string {
	t.Helper()
	dir, err := os.MkdirTemp(t.TempDir(), "sweep-")
	if err != nil {
		t.Fatal(err)
	}
	if err := sweeptest.Write(dir, c, shard, points); err != nil {
		t.Fatal(err)
	}
	return dir
}

// regularFiles maps the regular files below dir (slash paths) to their
// contents.
func regularFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func allPoints(c sweeptest.Config) []int { return c.Shard(0, 1) }

// Merging three shards and merging one directory that holds every point
// give byte-identical merged.json, merged.csv and points/; the output is
// a coinai output of kind merge.
func TestMergeShards(t *testing.T) {
	whole := fakeSweepDir(t, mergeSweep, "0/1", allPoints(mergeSweep))
	var shards []string
	for i := range 3 {
		shards = append(shards, fakeSweepDir(t, mergeSweep, fmt.Sprintf("%d/3", i), mergeSweep.Shard(i, 3)))
	}
	outA := filepath.Join(t.TempDir(), "a")
	outB := filepath.Join(t.TempDir(), "b")
	code, stdout, stderr := run("merge", whole, "--out", outA)
	if code != 0 {
		t.Fatalf("merge of one directory: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "merged 6 points of sweep pow-stale from 1 directory into "+outA) {
		t.Errorf("stdout %q", stdout)
	}
	if code, _, stderr := run(append([]string{"merge", "--out", outB}, shards...)...); code != 0 {
		t.Fatalf("merge of shards: exit %d: %s", code, stderr)
	}
	a, b := regularFiles(t, outA), regularFiles(t, outB)
	var compared []string
	for name, want := range a {
		if name == "index.html" || name == manifestName {
			continue
		}
		if b[name] != want {
			t.Errorf("%s differs between the merge of one directory and of three shards", name)
		}
		compared = append(compared, name)
	}
	slices.Sort(compared)
	var want []string
	for _, metric := range []string{"interval_mean_s", "stale_rate"} {
		for _, key := range []string{"pow.block_size", "pow.interval"} {
			want = append(want, "figures/"+metric+"--"+key+".png", "figures/"+metric+"--"+key+".svg")
		}
	}
	want = append(want, "merged.csv", "merged.json")
	for _, p := range mergeSweep.Points() {
		for _, f := range []string{"ensemble.csv", "ensemble.json", "point.json", "scenario.toml"} {
			want = append(want, "points/"+p.ID+"/"+f)
		}
	}
	slices.Sort(want)
	if !slices.Equal(compared, want) {
		t.Errorf("files %v\nwant %v", compared, want)
	}
	if src := regularFiles(t, whole); a["points/p0004/ensemble.json"] != src["points/p0004/ensemble.json"] {
		t.Errorf("points/p0004/ensemble.json is not the sweep's bytes")
	}
	man, err := readManifest(outA)
	if err != nil || man == nil || man.Kind != kindMerge || !man.has("merged.json") || !man.has("points/p0005/point.json") {
		t.Errorf("manifest %+v, %v: want kind merge listing the files", man, err)
	}
	html := a["index.html"]
	for _, w := range []string{"Sweep pow-stale", "note: a test sweep", "seeds 7..9", "nodes — constant: 50",
		"<h2>interval_mean_s</h2>", "<td>p0005</td><td>600s</td><td>8MB</td><td>3</td><td>31 ± 2.484</td>", "No value at any point"} {
		if !strings.Contains(html, w) {
			t.Errorf("index.html lacks %q", w)
		}
	}
	if strings.Contains(html, "Missing points") {
		t.Errorf("index.html of a complete merge mentions missing points")
	}
	var mj struct {
		Missing []string `json:"missing"`
		Points  []struct {
			Metrics []sweep.Metric `json:"metrics"`
		} `json:"points"`
	}
	if err := json.Unmarshal([]byte(a["merged.json"]), &mj); err != nil {
		t.Fatal(err)
	}
	if mj.Missing == nil || len(mj.Missing) != 0 || len(mj.Points) != 6 {
		t.Errorf("merged.json: missing %v (want []), %d points", mj.Missing, len(mj.Points))
	}
	keys, _ := metricKeys()
	if got := len(mj.Points[0].Metrics); got != len(keys) {
		t.Errorf("%d metrics per point, want %d (every ensemble metric)", got, len(keys))
	}
}

// What merge refuses (exit 2) or cannot complete (exit 1) writes nothing.
func TestMergeRefuses(t *testing.T) {
	other := mergeSweep
	other.Hash = "0ther"
	reps := filepath.Join(t.TempDir(), "reps")
	if code, _, stderr := run(repsArgs(reps, "--reps", "2")...); code != 0 {
		t.Fatalf("reps: exit %d: %s", code, stderr)
	}
	for _, tc := range []struct {
		name  string
		dirs  func(t *testing.T) []string
		extra []string
		code  int
		want  []string
		// named: stderr names every directory given.
		named bool
	}{
		{"mixed sweep_hash", func(t *testing.T) []string {
			return []string{fakeSweepDir(t, mergeSweep, "0/2", mergeSweep.Shard(0, 2)), fakeSweepDir(t, other, "1/2", other.Shard(1, 2))}
		}, nil, 2, []string{"sweep_hash 0ther", "different sweeps"}, true},
		{"a reps directory", func(t *testing.T) []string { return []string{reps} }, nil, 2, []string{reps, "not a sweep directory", "coinai reps output"}, true},
		{"an empty directory", func(t *testing.T) []string { return []string{t.TempDir()} }, nil, 2, []string{"not a sweep directory", "no coinai output"}, true},
		{"no such directory", func(t *testing.T) []string { return []string{filepath.Join(t.TempDir(), "nope")} }, nil, 2, []string{"nope does not exist"}, true},
		{"duplicates that differ", func(t *testing.T) []string {
			a := fakeSweepDir(t, mergeSweep, "0/1", allPoints(mergeSweep))
			b := fakeSweepDir(t, mergeSweep, "0/1", []int{3})
			f := filepath.Join(b, "points", "p0003", "scenario.toml")
			if err := os.WriteFile(f, []byte("[run]\nname = \"edited\"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			return []string{a, b}
		}, nil, 2, []string{"point p0003", "points/p0003/scenario.toml differs"}, true},
		{"missing points", func(t *testing.T) []string {
			return []string{fakeSweepDir(t, mergeSweep, "0/3", mergeSweep.Shard(0, 3)), fakeSweepDir(t, mergeSweep, "2/3", mergeSweep.Shard(2, 3))}
		}, nil, 1, []string{"2 of 6 points of sweep pow-stale are missing", "--partial",
			"  p0001  pow.interval=10s, pow.block_size=8MB\n  p0004  pow.interval=600s, pow.block_size=1MB\n"}, false},
		{"no point at all", func(t *testing.T) []string { return []string{fakeSweepDir(t, mergeSweep, "0/1", nil)} }, []string{"--partial"}, 1, []string{"no complete point"}, true},
		{"no --out", func(t *testing.T) []string { return []string{fakeSweepDir(t, mergeSweep, "0/1", nil)} }, []string{"--out", ""}, 2, []string{"--out is required"}, false},
		{"no directory", func(t *testing.T) []string { return nil }, nil, 2, []string{"want at least one sweep DIR"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dirs := tc.dirs(t)
			out := filepath.Join(t.TempDir(), "merged")
			args := append([]string{"merge", "--out", out}, tc.extra...)
			code, _, stderr := run(append(args, dirs...)...)
			if code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.code, stderr)
			}
			want := tc.want
			if tc.named {
				want = append(want, dirs...)
			}
			for _, w := range want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
			if _, err := os.Lstat(out); err == nil {
				t.Errorf("%s was written", out)
			}
			if ents, _ := os.ReadDir(filepath.Dir(out)); len(ents) != 0 {
				t.Errorf("left %v beside the output", ents)
			}
		})
	}
}

// --partial merges the points there are and lists the missing ones; the
// same point in two directories is merged once; an earlier merge is
// replaced only with --force.
func TestMergePartialAndDuplicates(t *testing.T) {
	a := fakeSweepDir(t, mergeSweep, "0/2", []int{0, 2, 4})
	b := fakeSweepDir(t, mergeSweep, "1/2", []int{2, 3, 5})
	out := filepath.Join(t.TempDir(), "merged")
	code, stdout, stderr := run("merge", a, b, "--out", out, "--partial")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "merged 5 of 6 points (partial: 1 missing)") {
		t.Errorf("stdout %q", stdout)
	}
	files := regularFiles(t, out)
	var mj struct {
		Missing []string `json:"missing"`
		Points  []struct {
			ID string `json:"id"`
		} `json:"points"`
	}
	if err := json.Unmarshal([]byte(files["merged.json"]), &mj); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range mj.Points {
		ids = append(ids, p.ID)
	}
	if !slices.Equal(mj.Missing, []string{"p0001"}) || !slices.Equal(ids, []string{"p0000", "p0002", "p0003", "p0004", "p0005"}) {
		t.Errorf("merged.json points %v missing %v", ids, mj.Missing)
	}
	for _, w := range []string{"Missing points", "partial: 1 of 6 points are missing", "p0001: pow.interval=10s, pow.block_size=8MB"} {
		if !strings.Contains(files["index.html"], w) {
			t.Errorf("index.html lacks %q", w)
		}
	}
	if strings.Contains(files["merged.csv"], "\np0001,") {
		t.Errorf("merged.csv has rows of the missing point")
	}
	// Again: refused without --force, replaced with it (a file the user
	// added is kept).
	if err := os.WriteFile(filepath.Join(out, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run("merge", a, b, "--out", out, "--partial"); code != 2 || !strings.Contains(stderr, "--force") {
		t.Errorf("second merge without --force: exit %d, %q", code, stderr)
	}
	c := fakeSweepDir(t, mergeSweep, "0/1", []int{1})
	if code, _, stderr := run("merge", a, b, c, "--out", out, "--force"); code != 0 {
		t.Fatalf("merge with --force: exit %d: %s", code, stderr)
	}
	again := regularFiles(t, out)
	if again["notes.txt"] != "mine" || again["points/p0001/point.json"] == "" || strings.Contains(again["index.html"], "Missing points") {
		t.Errorf("the forced merge did not replace the partial one and keep notes.txt")
	}
}
