package rundata

import (
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/coinai/coinai/analysis/internal/runtest"
)

func writeRun(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const miniSummary = `{"protocol":"pow","seed":18446744073709551615,"scenario":"mini","nodes":4,
"stale_rate":0.25,"interval_mean_s":null,"blocks_main":2,"fidelity":["a","b"],"new_key":{"x":1}}`

// A hand-made run: 4 nodes, genesis, two main blocks and one stale block.
var miniFiles = map[string]string{
	"summary.json": miniSummary,
	"blocks.csv": "height,id,parent,miner,found_s,size_bytes,main,interval_s,prop_p50_s,prop_p90_s,prop_100_s,difficulty,threshold,accuracy,attempts,energy_j\n" +
		"0,00000000000000aa,,,0,100,1,,,,,,,,,\n" +
		"1,00000000000000BB,00000000000000aa,2,600.5,200,1,600.5,,,,1e12,,,,42\n" +
		"1,00000000000000cc,00000000000000aa,1,601,200,0,601,,,,1e12,,,,40\n" +
		"2,00000000000000dd,00000000000000bb,3,900,300,1,299.5,,,,1.1e12,,,,41\n",
	// Block bb: miner 2 has no row (counted at 0); arrivals 0.5, 1.5, 2.5.
	// Block cc: reached only 2 of 4 nodes (miner 1 at 0 and node 0 at 1).
	// Block dd: miner 3 listed at 0; node 1 listed twice (first counts).
	"propagation.csv": "block,node,arrival_s\n" +
		"00000000000000bb,0,0.5\n00000000000000bb,1,1.5\n00000000000000bb,3,2.5\n" +
		"00000000000000cc,0,1\n" +
		"00000000000000dd,3,0\n00000000000000dd,1,0.2\n00000000000000dd,1,9\n00000000000000dd,0,0.4\n00000000000000dd,2,0.8\n",
	"nodes.csv": "hardware,node,reward,extra\ncpu,0,0,x\ncpu,1,0,x\ngpu,2,50,x\ngpu,3,50,x\n",
}

func TestLoadMini(t *testing.T) {
	r, err := Load(writeRun(t, miniFiles))
	if err != nil {
		t.Fatal(err)
	}
	s := r.Summary
	if s.Protocol != "pow" || s.Seed != math.MaxUint64 || s.Nodes != 4 || s.BlocksMain != 2 || s.StaleRate != 0.25 {
		t.Errorf("summary = %+v", s)
	}
	if !math.IsNaN(s.IntervalMeanS) || s.Has("interval_mean_s") || !s.Has("stale_rate") || !math.IsNaN(s.ThresholdFinal) {
		t.Errorf("null/absent keys not NaN: mean %g, threshold %g", s.IntervalMeanS, s.ThresholdFinal)
	}
	if got := s.ExtraKeys(); !slices.Equal(got, []string{"new_key"}) || string(s.Raw["new_key"]) != `{"x":1}` {
		t.Errorf("extra keys = %v %s", got, s.Raw["new_key"])
	}
	if !slices.Equal(r.Missing, []string{"scenario.toml", "energy.csv", "threshold.csv", "storage.csv"}) {
		t.Errorf("missing = %v", r.Missing)
	}
	if len(r.Blocks) != 4 || r.Blocks[1].ID != "00000000000000bb" || r.Blocks[0].Miner != -1 || r.Blocks[1].Miner != 2 ||
		r.Blocks[2].Main || !math.IsNaN(r.Blocks[1].Threshold) || r.Blocks[3].EnergyJ != 41 {
		t.Errorf("blocks = %+v", r.Blocks)
	}
	if got := r.MainIntervals(); !slices.Equal(got, []float64{600.5, 299.5}) {
		t.Errorf("main intervals = %v", got)
	}
	if r.Nodes[2].Hardware != "gpu" || r.Nodes[2].Reward != 50 || !math.IsNaN(r.Nodes[2].BusyS) {
		t.Errorf("nodes = %+v", r.Nodes)
	}
	if got := r.Label(); got != "mini seed 18446744073709551615" {
		t.Errorf("label = %q", got)
	}

	rc := r.Reach()
	// N=4: 50% at the 2nd arrival, 90% and 100% at the 4th.
	want := Reach{P50: []float64{0.5, 1, 0.2}, P90: []float64{2.5, 0.8}, P100: []float64{2.5, 0.8},
		Never90: 1, Never100: 1, Source: PropagationFile}
	if !slices.Equal(rc.P50, want.P50) || !slices.Equal(rc.P90, want.P90) || !slices.Equal(rc.P100, want.P100) ||
		rc.Never50 != 0 || rc.Never90 != 1 || rc.Never100 != 1 || rc.Source != want.Source {
		t.Errorf("reach = %+v, want %+v", rc, want)
	}
}

func TestLoadErrors(t *testing.T) {
	hdr := "height,id,parent,miner,found_s,main\n"
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string // error text suffix
	}{
		{"bad float", map[string]string{"blocks.csv": hdr + "0,aa,,,0,1\n1,bb,aa,1,x,1\n"},
			`blocks.csv:3:11: column found_s: strconv.ParseFloat: parsing "x": invalid syntax`},
		{"bad main", map[string]string{"blocks.csv": hdr + "0,aa,,,0,yes\n"}, `blocks.csv:2:10: column main: want 1 or 0, got "yes"`},
		{"bad id", map[string]string{"blocks.csv": hdr + "0,zz,,,0,1\n"}, `blocks.csv:2:3: column id: block id "zz" is not hexadecimal`},
		{"missing column", map[string]string{"blocks.csv": "height,id,main\n"}, `blocks.csv:1: missing required column "found_s"`},
		{"ragged row", map[string]string{"nodes.csv": "node,reward\n1,2,3\n"}, `nodes.csv:2:1: wrong number of fields`},
		{"empty required", map[string]string{"propagation.csv": "block,node,arrival_s\naa,,1\n"}, `propagation.csv:2:4: column node: empty cell`},
		{"infinite", map[string]string{"energy.csv": "time_s,hardware,energy_j\n1,cpu,+Inf\n"}, `energy.csv:2:7: column energy_j: non-finite value "+Inf"`},
		{"empty file", map[string]string{"storage.csv": ""}, `storage.csv: empty file, want a header row`},
		{"duplicate column", map[string]string{"threshold.csv": "height,threshold,height\n"}, `threshold.csv:1:18: duplicate column "height"`},
		{"bad json", map[string]string{"summary.json": "{\n\"seed\": 1,\n}"}, `summary.json:3: invalid character '}' looking for beginning of object key string`},
		{"wrong type", map[string]string{"summary.json": `{"nodes": "many"}`}, `summary.json: key "nodes": json: invalid number literal, trying to unmarshal "\"many\"" into Number`},
		{"fractional int", map[string]string{"summary.json": `{"nodes": 2.5}`}, `summary.json: key "nodes": 2.5 is not an integer`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{"summary.json": "{}"}
			for k, v := range tc.files {
				files[k] = v
			}
			_, err := Load(writeRun(t, files))
			var fe *FormatError
			if !errors.As(err, &fe) || !strings.HasSuffix(err.Error(), tc.want) {
				t.Errorf("error = %v\nwant suffix %s", err, tc.want)
			}
		})
	}
	if _, err := Load(t.TempDir()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("run without summary.json: %v, want fs.ErrNotExist", err)
	}
}

func TestLoadSynthetic(t *testing.T) {
	dir := t.TempDir()
	if err := runtest.Write(dir, runtest.Config{Protocol: "coinai", Scenario: "syn", Seed: 3, Nodes: 20, Blocks: 30, Storage: true, PropInBlocks: true}); err != nil {
		t.Fatal(err)
	}
	r, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Missing) != 0 {
		t.Errorf("missing = %v", r.Missing)
	}
	if got := len(r.MainIntervals()); got != 30 {
		t.Errorf("%d main intervals, want 30", got)
	}
	if len(r.Nodes) != 20 || len(r.Threshold) != 30 || len(r.Storage) != 30 || len(r.Energy) != 31*3 || len(r.Compute) != 20 {
		t.Errorf("rows: nodes %d threshold %d storage %d energy %d compute %d", len(r.Nodes), len(r.Threshold), len(r.Storage), len(r.Energy), len(r.Compute))
	}
	if a := r.Attackers(); a == nil || len(a) != 0 || r.Compute[3].FLOPS != 2.5e11 || // gpu-rtx3090, speed 2.5
		r.Compute[3].EvalFLOPs != 30*5e7 {
		t.Errorf("compute rows %+v, attackers %v", r.Compute[3], a)
	}
	// blocks.csv's prop columns and propagation.csv must agree.
	fromBlocks := r.Reach()
	r2 := *r
	r2.Blocks = slices.Clone(r.Blocks)
	for i := range r2.Blocks {
		r2.Blocks[i].PropP50S, r2.Blocks[i].PropP90S, r2.Blocks[i].Prop100S = math.NaN(), math.NaN(), math.NaN()
	}
	fromArrivals := r2.Reach()
	if fromBlocks.Source != BlocksFile || fromArrivals.Source != PropagationFile ||
		!slices.Equal(fromBlocks.P90, fromArrivals.P90) || !slices.Equal(fromBlocks.P100, fromArrivals.P100) ||
		fromBlocks.Never100 != fromArrivals.Never100 {
		t.Errorf("reach from blocks.csv %+v\n!= from propagation.csv %+v", fromBlocks, fromArrivals)
	}
}
