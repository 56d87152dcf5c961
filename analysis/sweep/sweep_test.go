package sweep_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/coinai/coinai/analysis/sweep"
	"github.com/coinai/coinai/analysis/sweep/sweeptest"
)

// stale is the sweep of the contract's example, smaller: 3 intervals x 2
// block sizes, 3 replications.
var stale = sweeptest.Config{Name: "pow-stale", Seed: 1, Note: "stale rate against interval and block size",
	Params: []sweep.Param{{Key: "pow.interval", Values: []string{"10s", "60s", "600s"}}, {Key: "pow.block_size", Values: []string{"1MB", "8MB"}}}}

func all(c sweeptest.Config) []int {
	var out []int
	for _, p := range c.Points() {
		out = append(out, p.Index)
	}
	return out
}

// write writes a sweep directory and returns its path.
func write(t *testing.T, name string, c sweeptest.Config, shard string, points []int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	if err := sweeptest.Write(dir, c, shard, points); err != nil {
		t.Fatal(err)
	}
	return dir
}

// tree maps the files below dir (slash paths) to their contents.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
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

func load(t *testing.T, dirs ...string) *sweep.Merge {
	t.Helper()
	m, err := sweep.Load(dirs)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func writeMerge(t *testing.T, m *sweep.Merge) string {
	t.Helper()
	out := t.TempDir()
	if err := m.Write(out); err != nil {
		t.Fatal(err)
	}
	return out
}

// Three shards merge to exactly what one directory holding every point
// merges to: merged.json, merged.csv, points/ and the figures. Only
// index.html, which names the directories, differs.
func TestShardsMergeLikeOneDirectory(t *testing.T) {
	whole := write(t, "whole", stale, "0/1", all(stale))
	var shards []string
	for i := range 3 {
		c := stale
		c.KeepRuns, c.Wall = true, float64(i+1) // runs/ differ in wall time: not merged
		shards = append(shards, write(t, "shard", c, "x/3", c.Shard(i, 3)))
	}
	// Given in another order than the shards' numbers.
	slices.Reverse(shards)
	a := tree(t, writeMerge(t, load(t, whole)))
	b := tree(t, writeMerge(t, load(t, shards...)))
	if len(a) != len(b) {
		t.Errorf("%d files from one directory, %d from shards", len(a), len(b))
	}
	var points, figs int
	for name, want := range a {
		if name == sweep.IndexHTML {
			continue
		}
		if strings.HasPrefix(name, "points/") {
			points++
		}
		if strings.HasPrefix(name, "figures/") {
			figs++
		}
		if got, ok := b[name]; !ok {
			t.Errorf("%s: missing from the merge of shards", name)
		} else if got != want {
			t.Errorf("%s differs between the merge of one directory and of shards", name)
		}
	}
	// 6 points x (point.json, scenario.toml, ensemble.json, ensemble.csv).
	if points != 24 {
		t.Errorf("%d files in points/, want 24", points)
	}
	// 3 varying metrics x 2 parameters x 2 formats.
	if figs != 12 {
		t.Errorf("%d figures, want 12", figs)
	}
	for name := range b {
		if strings.Contains(name, "/runs/") {
			t.Errorf("%s merged: runs/ stays in the sweep directories", name)
		}
	}
	// The point folders are copied byte for byte.
	src := tree(t, whole)
	for name, got := range b {
		if strings.HasPrefix(name, "points/") && src[name] != got {
			t.Errorf("%s is not the source's bytes", name)
		}
	}
}

// The merge refuses directories it cannot trust, naming the directories
// and the file.
func TestLoadRefuses(t *testing.T) {
	other := stale
	other.Hash = "feedface"
	for _, tc := range []struct {
		name string
		// setup returns the directories to merge.
		setup func(t *testing.T) []string
		want  []string
	}{
		{"mixed sweep_hash", func(t *testing.T) []string {
			return []string{write(t, "a", stale, "0/2", stale.Shard(0, 2)), write(t, "b", other, "1/2", other.Shard(1, 2))}
		}, []string{"/a", "/b", "sweep_hash feedface", "different sweeps"}},
		{"duplicate point with other bytes", func(t *testing.T) []string {
			a := write(t, "a", stale, "0/1", all(stale))
			b := write(t, "b", stale, "0/1", []int{2})
			f := filepath.Join(b, "points", "p0002", "ensemble.csv")
			edit(t, f, func(s string) string { return strings.Replace(s, "nodes,3,50", "nodes,3,51", 1) })
			return []string{a, b}
		}, []string{"point p0002", "/a", "/b", "points/p0002/ensemble.csv differs"}},
		{"duplicate point with another file", func(t *testing.T) []string {
			a := write(t, "a", stale, "0/1", []int{1})
			b := write(t, "b", stale, "0/1", []int{1})
			if err := os.WriteFile(filepath.Join(b, "points", "p0001", "extra.txt"), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
			return []string{a, b}
		}, []string{"point p0001", "points/p0001/extra.txt exists only in", "/b"}},
		{"point of another sweep", func(t *testing.T) []string {
			a := write(t, "a", stale, "0/1", []int{0})
			b := write(t, "b", other, "0/1", []int{1})
			if err := os.Rename(filepath.Join(b, "points", "p0001"), filepath.Join(a, "points", "p0001")); err != nil {
				t.Fatal(err)
			}
			return []string{a}
		}, []string{"p0001/point.json: sweep_hash: feedface", "another sweep"}},
		{"point off the grid", func(t *testing.T) []string {
			a := write(t, "a", stale, "0/1", []int{3})
			edit(t, filepath.Join(a, "points", "p0003", "point.json"), func(s string) string { return strings.Replace(s, `"8MB"`, `"2MB"`, 1) })
			return []string{a}
		}, []string{"p0003/point.json: params: pow.interval=60s, pow.block_size=2MB", "pow.block_size=8MB"}},
		{"malformed ensemble", func(t *testing.T) []string {
			a := write(t, "a", stale, "0/1", []int{4})
			edit(t, filepath.Join(a, "points", "p0004", "ensemble.json"), func(s string) string { return s[:len(s)/2] })
			return []string{a}
		}, []string{"p0004/ensemble.json"}},
		{"grid size", func(t *testing.T) []string {
			a := write(t, "a", stale, "0/1", nil)
			edit(t, filepath.Join(a, "sweep.json"), func(s string) string { return strings.Replace(s, `"points": 6`, `"points": 7`, 1) })
			return []string{a}
		}, []string{"sweep.json: points: 7", "grid of 6"}},
		{"same hash, other definition", func(t *testing.T) []string {
			a := write(t, "a", stale, "0/1", nil)
			b := write(t, "b", stale, "0/1", nil)
			edit(t, filepath.Join(b, "sweep.json"), func(s string) string { return strings.Replace(s, `"600s"`, `"300s"`, 1) })
			return []string{a, b}
		}, []string{"same sweep_hash but different params"}},
		{"no sweep.json", func(t *testing.T) []string { return []string{t.TempDir()} }, []string{"not a sweep directory", "sweep.json"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dirs := tc.setup(t)
			_, err := sweep.Load(dirs)
			var ie *sweep.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("Load = %v, want an InputError", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func edit(t *testing.T, file string, f func(string) string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	s := f(string(b))
	if s == string(b) {
		t.Fatalf("%s: the edit changed nothing", file)
	}
	if err := os.WriteFile(file, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A point held by several directories with the same bytes is merged once;
// unfinished hidden point folders and stray names are not points.
func TestDuplicatesAndMissing(t *testing.T) {
	a := write(t, "a", stale, "0/2", []int{0, 1, 2})
	b := write(t, "b", stale, "1/2", []int{2, 3})
	if err := os.MkdirAll(filepath.Join(b, "points", ".p0005.tmp-123"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(b, "points", "README"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	m := load(t, a, b, a)
	var ids []string
	for _, p := range m.Points {
		ids = append(ids, p.ID)
	}
	if want := []string{"p0000", "p0001", "p0002", "p0003"}; !slices.Equal(ids, want) {
		t.Errorf("points %v, want %v", ids, want)
	}
	var missing []string
	for _, p := range m.Missing {
		missing = append(missing, p.ID+" "+p.Label())
	}
	if want := []string{"p0004 pow.interval=600s, pow.block_size=1MB", "p0005 pow.interval=600s, pow.block_size=8MB"}; !slices.Equal(missing, want) {
		t.Errorf("missing %q, want %q", missing, want)
	}
	var held []int
	for _, s := range m.Sources {
		held = append(held, s.Held, s.Repeated)
	}
	if want := []int{3, 0, 2, 1, 3, 3}; !slices.Equal(held, want) {
		t.Errorf("held, repeated per directory = %v, want %v", held, want)
	}
	if m.Note != stale.Note {
		t.Errorf("note %q, want %q (from sweep.toml)", m.Note, stale.Note)
	}
	out := writeMerge(t, m)
	var mj struct {
		Version int      `json:"coinai_sweep_merge"`
		Hash    string   `json:"sweep_hash"`
		Name    string   `json:"name"`
		Missing []string `json:"missing"`
		Params  []struct {
			Key    string   `json:"key"`
			Values []string `json:"values"`
		} `json:"params"`
		Points []struct {
			ID      string          `json:"id"`
			Params  []sweep.Setting `json:"params"`
			Metrics []sweep.Metric  `json:"metrics"`
		} `json:"points"`
	}
	b2, err := os.ReadFile(filepath.Join(out, "merged.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b2, &mj); err != nil {
		t.Fatal(err)
	}
	if mj.Version != 1 || mj.Name != "pow-stale" || mj.Hash != m.Def.Hash || !slices.Equal(mj.Missing, []string{"p0004", "p0005"}) ||
		len(mj.Points) != 4 || len(mj.Params) != 2 || mj.Params[1].Values[1] != "8MB" {
		t.Errorf("merged.json = %+v", mj)
	}
	if p := mj.Points[3]; p.ID != "p0003" || p.Params[0].Value != "60s" || p.Params[1].Value != "8MB" || len(p.Metrics) != 5 {
		t.Errorf("merged.json point 3 = %+v", p)
	}
	html, err := os.ReadFile(filepath.Join(out, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"Missing points", "partial: 2 of 6 points are missing", "p0004: pow.interval=600s, pow.block_size=1MB",
		"sweep_hash: " + m.Def.Hash, "note: " + stale.Note, "parameter pow.interval: 10s, 60s, 600s",
		"nodes — constant: 50", "No value at any point", "catchup_mean_s", `id="interval_mean_s--pow.interval"`} {
		if !strings.Contains(string(html), w) {
			t.Errorf("index.html lacks %q", w)
		}
	}
}

// merged.csv has the contract's columns and each point's ensemble.csv
// numbers, unchanged.
func TestCSV(t *testing.T) {
	dir := write(t, "a", stale, "0/1", all(stale))
	m := load(t, dir)
	b, err := m.CSV()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if want := "id,pow.interval,pow.block_size,metric,n,mean,sd,t_lo,t_hi,boot_lo,boot_hi"; lines[0] != want {
		t.Errorf("header %q, want %q", lines[0], want)
	}
	if len(lines) != 1+6*5 {
		t.Errorf("%d lines, want %d", len(lines), 1+6*5)
	}
	// Point 5 (600s, 8MB): its rows are its ensemble.csv rows behind the
	// id and parameters.
	ens, err := os.ReadFile(filepath.Join(dir, "points", "p0005", "ensemble.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range strings.Split(strings.TrimSuffix(string(ens), "\n"), "\n")[1:] {
		if got, want := lines[1+5*5+i], "p0005,600s,8MB,"+row; got != want {
			t.Errorf("row %q, want %q", got, want)
		}
	}
	// No value: empty cells; one replication: no sd nor t interval.
	for _, want := range []string{"p0000,10s,1MB,catchup_mean_s,0,,,,,,", "p0000,10s,1MB,mined_accuracy_mean,1,0.5,,,,0.5,0.5", "p0000,10s,1MB,nodes,3,50,0,50,50,50,50"} {
		if !slices.Contains(lines, want) {
			t.Errorf("no row %q", want)
		}
	}
}

// Every (varying metric, parameter) pair gets a PNG and an SVG, the same
// bytes when drawn twice; constant metrics and metrics without values get
// none.
func TestFigures(t *testing.T) {
	c := stale
	c.Params = append(slices.Clone(c.Params), sweep.Param{Key: "network.relay", Values: []string{"true", "false"}})
	m := load(t, write(t, "a", c, "0/1", all(c)))
	out := writeMerge(t, m)
	var want []string
	for _, metric := range []string{"interval_mean_s", "stale_rate", "mined_accuracy_mean"} {
		for _, key := range []string{"pow.interval", "pow.block_size", "network.relay"} {
			for _, ext := range []string{"png", "svg"} {
				want = append(want, "figures/"+metric+"--"+key+"."+ext)
			}
		}
	}
	slices.Sort(want)
	var got []string
	files := tree(t, out)
	for name := range files {
		if strings.HasPrefix(name, "figures/") {
			got = append(got, name)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("figures %v\nwant %v", got, want)
	}
	img, err := png.Decode(strings.NewReader(files["figures/stale_rate--pow.interval.png"]))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 1050 || b.Dy() < 675 {
		t.Errorf("PNG %v, want 1050 wide and at least 675 high", b)
	}
	// One series per combination of the other parameters, labelled.
	if svg := files["figures/stale_rate--pow.interval.svg"]; !strings.Contains(svg, "pow.block_size=8MB, network.relay=false") {
		t.Errorf("SVG lacks the legend entry of a series")
	}
	// Drawn twice: the same bytes.
	figs, err := m.Figures()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range figs[:2] {
		for _, format := range []string{"png", "svg"} {
			var a, b bytes.Buffer
			if err := f.Encode(&a, format); err != nil {
				t.Fatal(err)
			}
			if err := f.Encode(&b, format); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) || a.String() != files["figures/"+f.Name+"."+format] {
				t.Errorf("%s.%s: not the same bytes when drawn again", f.Name, format)
			}
		}
	}
}
