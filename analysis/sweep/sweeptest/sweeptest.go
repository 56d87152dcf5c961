// Package sweeptest writes synthetic sweep directories in the format
// `coinai sweep` writes (the sweep contract: sweep.json, sweep.toml, the
// .coinai-output manifest of kind "sweep", and points/pNNNN/ with
// point.json, scenario.toml, ensemble.json and ensemble.csv), so that the
// consumers of sweeps — `coinai merge`, analysis/sweep — are tested against
// the contract rather than against the producer's code, and without running
// simulations. The metrics are plausible functions of the point's
// parameters with seeded noise; a test that needs the exact ensemble.json
// of `coinai run --reps` passes its own renderer (Config.Ensemble).
package sweeptest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/coinai/coinai/analysis/stats"
	"github.com/coinai/coinai/analysis/sweep"
)

// Config describes a synthetic sweep.
type Config struct {
	Name   string
	Hash   string // sweep_hash; default: derived from the other fields
	Reps   int    // default 3
	Seed   int64  // first seed S; replication i uses S+i
	Set    []string
	Note   string
	Params []sweep.Param
	// Revision is sweep.json's revision (it may differ between shards).
	Revision string
	// KeepRuns writes runs/rep-NNN-seedS/summary.json in each point, with
	// Wall as its wall_seconds, as `coinai sweep --keep-runs` does.
	KeepRuns bool
	Wall     float64
	// Ensemble renders a point's ensemble.json and ensemble.csv (file name
	// to bytes); nil: Synthetic.
	Ensemble func(Point) (map[string][]byte, error)
}

// Point is a point of the grid.
type Point struct {
	Index  int
	ID     string
	Params []sweep.Setting
	// ValueIndex is the index of each parameter's value in its Values.
	ValueIndex []int
	Seeds      []int64
}

func (c *Config) defaults() {
	if c.Reps == 0 {
		c.Reps = 3
	}
	if c.Hash == "" {
		b, _ := json.Marshal([]any{c.Name, c.Params, c.Reps, c.Seed, c.Set})
		h := sha256.Sum256(b)
		c.Hash = hex.EncodeToString(h[:])
	}
	if c.Revision == "" {
		c.Revision = "0123456789abcdef0123456789abcdef01234567"
	}
}

// seeds are S..S+Reps-1.
func (c Config) seeds() []int64 {
	s := make([]int64, c.Reps)
	for i := range s {
		s[i] = c.Seed + int64(i)
	}
	return s
}

// Points is the grid: the cartesian product of the parameters' values in
// the declared order, the last varying fastest, with ids p0000, p0001...
func (c Config) Points() []Point {
	c.defaults()
	n := 1
	for _, p := range c.Params {
		n *= len(p.Values)
	}
	width := max(4, len(strconv.Itoa(n-1)))
	out := make([]Point, n)
	for k := range n {
		pt := Point{Index: k, ID: fmt.Sprintf("p%0*d", width, k), Params: make([]sweep.Setting, len(c.Params)),
			ValueIndex: make([]int, len(c.Params)), Seeds: c.seeds()}
		r := k
		for i := len(c.Params) - 1; i >= 0; i-- {
			v := r % len(c.Params[i].Values)
			r /= len(c.Params[i].Values)
			pt.ValueIndex[i] = v
			pt.Params[i] = sweep.Setting{Key: c.Params[i].Key, Value: c.Params[i].Values[v]}
		}
		out[k] = pt
	}
	return out
}

// Shard is the indices of the points shard i of n runs: k mod n == i.
func (c Config) Shard(i, n int) []int {
	var out []int
	for k := range c.Points() {
		if k%n == i {
			out = append(out, k)
		}
	}
	return out
}

// Write writes the sweep directory dir, recorded as shard ("i/n"), holding
// the points of the given indices.
func Write(dir string, c Config, shard string, points []int) error {
	c.defaults()
	grid := c.Points()
	files := map[string][]byte{}
	def := sweep.Definition{Version: 1, Name: c.Name, SweepFile: "scenarios/sweeps/" + c.Name + ".toml", Hash: c.Hash,
		Base: "../pow-bitcoin.toml", Reps: c.Reps, Seed: c.Seed, Seeds: c.seeds(), Set: append([]string{}, c.Set...),
		Params: c.Params, Points: len(grid), Shard: shard, Revision: c.Revision}
	b, err := json.MarshalIndent(def, "", "  ")
	if err != nil {
		return err
	}
	files[sweep.DefinitionFile] = append(b, '\n')
	files[sweep.SweepFile] = []byte(c.toml())
	for _, k := range points {
		pt := grid[k]
		pf, err := c.pointFiles(pt)
		if err != nil {
			return err
		}
		for name, b := range pf {
			files[sweep.PointsDir+"/"+pt.ID+"/"+name] = b
		}
	}
	for name, b := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return err
		}
	}
	return writeManifest(dir)
}

// toml is the sweep file.
func (c Config) toml() string {
	var b strings.Builder
	fmt.Fprintf(&b, "[sweep]\nname = %q\nbase = \"../pow-bitcoin.toml\"\nreps = %d\nseed = %d\n", c.Name, c.Reps, c.Seed)
	if c.Note != "" {
		fmt.Fprintf(&b, "note = %q\n", c.Note)
	}
	for _, p := range c.Params {
		q := make([]string, len(p.Values))
		for i, v := range p.Values {
			q[i] = strconv.Quote(v)
		}
		fmt.Fprintf(&b, "\n[[sweep.param]]\nkey = %q\nvalues = [%s]\n", p.Key, strings.Join(q, ", "))
	}
	return b.String()
}

// pointFiles are the files of a point folder.
func (c Config) pointFiles(pt Point) (map[string][]byte, error) {
	files := map[string][]byte{}
	meta := struct {
		Version int             `json:"coinai_sweep_point"`
		Hash    string          `json:"sweep_hash"`
		Index   int             `json:"index"`
		ID      string          `json:"id"`
		Params  []sweep.Setting `json:"params"`
		Seeds   []int64         `json:"seeds"`
	}{1, c.Hash, pt.Index, pt.ID, pt.Params, pt.Seeds}
	b, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return nil, err
	}
	files[sweep.PointFile] = append(b, '\n')
	var sc strings.Builder
	fmt.Fprintf(&sc, "[run]\nname = %q\nprotocol = \"pow\"\nseed = %d\n", c.Name, c.Seed)
	for _, s := range pt.Params {
		fmt.Fprintf(&sc, "# %s = %q\n", s.Key, s.Value)
	}
	files["scenario.toml"] = []byte(sc.String())
	render := c.Ensemble
	if render == nil {
		render = Synthetic
	}
	ens, err := render(pt)
	if err != nil {
		return nil, err
	}
	for name, b := range ens {
		files[name] = b
	}
	if c.KeepRuns {
		for i, s := range pt.Seeds {
			files[fmt.Sprintf("%s/rep-%03d-seed%d/summary.json", sweep.RunsDir, i, s)] = fmt.Appendf(nil, "{\n  \"seed\": %d,\n  \"wall_seconds\": %g\n}\n", s, c.Wall)
		}
	}
	return files, nil
}

// Synthetic renders ensemble.json and ensemble.csv in the format of `coinai
// run --reps` for metrics that depend on the point's value indices v
// (seeded noise per point and seed): nodes (50 everywhere: constant),
// interval_mean_s (10(1+v₀) + 3v₁ + noise), stale_rate (0.01(1+v₀)/(1+v_last)
// + noise), catchup_mean_s (no value anywhere) and mined_accuracy_mean (a
// value in the first replication only, so no t interval).
func Synthetic(pt Point) (map[string][]byte, error) {
	v0, vl := float64(pt.ValueIndex[0]), float64(pt.ValueIndex[len(pt.ValueIndex)-1])
	v1 := 0.0
	if len(pt.ValueIndex) > 1 {
		v1 = float64(pt.ValueIndex[1])
	}
	n := len(pt.Seeds)
	gen := map[string]func(rep int, rng *rand.Rand) (float64, bool){
		"nodes":               func(int, *rand.Rand) (float64, bool) { return 50, true },
		"interval_mean_s":     func(_ int, r *rand.Rand) (float64, bool) { return 10*(1+v0) + 3*v1 + r.NormFloat64(), true },
		"stale_rate":          func(_ int, r *rand.Rand) (float64, bool) { return 0.01*(1+v0)/(1+vl) + 0.001*r.Float64(), true },
		"catchup_mean_s":      func(int, *rand.Rand) (float64, bool) { return 0, false },
		"mined_accuracy_mean": func(rep int, _ *rand.Rand) (float64, bool) { return 0.5 + 0.01*float64(pt.Index), rep == 0 },
	}
	order := []string{"nodes", "interval_mean_s", "stale_rate", "catchup_mean_s", "mined_accuracy_mean"}
	type metric struct {
		Metric string     `json:"metric"`
		N      int        `json:"n"`
		Mean   *float64   `json:"mean"`
		SD     *float64   `json:"sd"`
		TLo    *float64   `json:"t_lo"`
		THi    *float64   `json:"t_hi"`
		BootLo *float64   `json:"boot_lo"`
		BootHi *float64   `json:"boot_hi"`
		Values []*float64 `json:"values"`
	}
	type rep struct {
		Seed        int64  `json:"seed"`
		Dir         string `json:"dir"`
		TraceDigest string `json:"trace_digest"`
		ChecksOK    bool   `json:"checks_ok"`
	}
	const level, resamples = 0.95, 2000
	e := struct {
		Version            int      `json:"coinai_ensemble"`
		Scenario           string   `json:"scenario"`
		Protocol           string   `json:"protocol"`
		Reps               int      `json:"reps"`
		SeedRule           string   `json:"seed_rule"`
		Seeds              []int64  `json:"seeds"`
		Level              float64  `json:"level"`
		BootstrapResamples int      `json:"bootstrap_resamples"`
		BootstrapSeed      uint64   `json:"bootstrap_seed"`
		ChecksOK           bool     `json:"checks_ok"`
		FailedSeeds        []int64  `json:"failed_seeds"`
		Replications       []rep    `json:"replications"`
		Metrics            []metric `json:"metrics"`
	}{Version: 1, Scenario: "synthetic", Protocol: "pow", Reps: n, SeedRule: "replication i (0-based) uses seed S+i",
		Seeds: pt.Seeds, Level: level, BootstrapResamples: resamples, BootstrapSeed: stats.BootstrapSeed, ChecksOK: true, FailedSeeds: []int64{}}
	for i, s := range pt.Seeds {
		d := sha256.Sum256(fmt.Appendf(nil, "%s/%d", pt.ID, s))
		e.Replications = append(e.Replications, rep{s, fmt.Sprintf("rep-%03d-seed%d", i, s), hex.EncodeToString(d[:]), true})
	}
	opt := func(v float64) *float64 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		return &v
	}
	for _, name := range order {
		mt := metric{Metric: name, Values: make([]*float64, n)}
		var x []float64
		for i, s := range pt.Seeds {
			rng := rand.New(rand.NewPCG(uint64(s), uint64(pt.Index)))
			if v, ok := gen[name](i, rng); ok {
				mt.Values[i] = &v
				x = append(x, v)
			}
		}
		t := stats.MeanCI(x, level)
		bs := stats.Bootstrap(x, stats.Mean, resamples, level, stats.NewRand(stats.BootstrapSeed))
		mt.N = len(x)
		mt.Mean, mt.SD = opt(stats.Mean(x)), opt(stats.StdDev(x))
		mt.TLo, mt.THi, mt.BootLo, mt.BootHi = opt(t.Lo), opt(t.Hi), opt(bs.Lo), opt(bs.Hi)
		e.Metrics = append(e.Metrics, mt)
	}
	j, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return nil, err
	}
	var c strings.Builder
	c.WriteString("metric,n,mean,sd,t_lo,t_hi,boot_lo,boot_hi\n")
	for _, m := range e.Metrics {
		fmt.Fprintf(&c, "%s,%d", m.Metric, m.N)
		for _, v := range []*float64{m.Mean, m.SD, m.TLo, m.THi, m.BootLo, m.BootHi} {
			c.WriteByte(',')
			if v != nil {
				c.WriteString(strconv.FormatFloat(*v, 'g', -1, 64))
			}
		}
		c.WriteByte('\n')
	}
	return map[string][]byte{"ensemble.json": append(j, '\n'), "ensemble.csv": []byte(c.String())}, nil
}

// writeManifest writes dir's .coinai-output of kind "sweep" listing every
// file below dir, as coinai does last.
func writeManifest(dir string) error {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel != ".coinai-output" {
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return err
	}
	slices.Sort(files)
	b, err := json.MarshalIndent(struct {
		Version int      `json:"coinai_output"`
		Kind    string   `json:"kind"`
		Files   []string `json:"files"`
	}{1, "sweep", files}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, ".coinai-output"), append(b, '\n'), 0o644)
}
