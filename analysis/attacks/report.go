package attacks

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/coinai/coinai/analysis/rundata"
	"github.com/coinai/coinai/analysis/stats"
)

// Level is the confidence level of every interval of the report.
const Level = 0.95

// Metric is a column of the table.
type Metric struct {
	// Key is the summary.json key, or one computed here
	// (verify_s_per_block, attacker_set_reward_share).
	Key string
	// What says what it measures, for the report's key list.
	What string
}

// Metrics are the table's quantities, in column order (a contract: add,
// never rename).
var Metrics = []Metric{
	{"attacker_blocks", "main-chain blocks won by attacker nodes (summary.json)"},
	{"attacker_reward_share", "attackers' share of all rewards (summary.json)"},
	{"attacker_compute_share", "attackers' share of all compute, busy seconds × FLOP rate (summary.json)"},
	{"attacker_set_reward_share", "reward share of the nodes that are attackers in the attack run; in the honest twin, what the same nodes earn mining honestly"},
	{"reward_compute_slope", "slope of the least-squares fit of nodes' reward share on compute share; 1 = rewards follow compute (summary.json)"},
	{"verify_flops_per_block", "counted verification FLOPs of all nodes per main-chain block (summary.json)"},
	{"verify_s_per_block", "virtual seconds a node spends verifying per main-chain block: mean over nodes of eval FLOPs × verify_scale / FLOP rate, over main-chain blocks (compute.csv)"},
	{"interval_mean_s", "mean main-chain block interval (summary.json)"},
	{"interval_p90_s", "90th percentile of the main-chain block interval (summary.json)"},
	{"stale_rate", "stale blocks over all blocks found (summary.json)"},
	{"blocks_main", "main-chain blocks (summary.json)"},
	{"doublespend_success_rate", "races the double-spend attackers won over those decided (summary.json; null without them)"},
	{"victim_wasted_work_share", "share of the eclipse victims' mining work spent on tips off the final main chain (summary.json; null without victims)"},
	{"honest_verify_time_share", "share of the honest nodes' busy time spent verifying (summary.json; Coin.AI runs with attackers)"},
}

// NodeShare is one node of one run, for the reward-against-compute figure.
type NodeShare struct {
	Node            int64
	Attacker        bool
	Compute, Reward float64 // shares of the run's totals
}

// RunValues is what the report keeps of one run.
type RunValues struct {
	Case int   // index in the manifest
	Seed int64 // run.seed
	Twin bool  // the honest twin of the seed's attack run
	// Values maps each Metrics key to its value; NaN when null.
	Values map[string]float64
	Nodes  []NodeShare
	// Attackers are the attacker node indices (compute.csv), ascending.
	Attackers []int64
	// Digest is the run's trace digest.
	Digest string
}

// FromRun extracts a run's values. verifyScale is the scenario's
// coinai.verify_scale (the factor evaluation jobs are charged at).
func FromRun(run *rundata.Run, verifyScale float64) RunValues {
	rv := RunValues{Values: map[string]float64{}, Digest: run.Summary.TraceDigest}
	for _, m := range Metrics {
		rv.Values[m.Key] = rawFloat(run.Summary.Raw[m.Key])
	}
	rv.Values["verify_s_per_block"] = math.NaN()
	flops, eval := map[int64]float64{}, map[int64]float64{}
	for _, c := range run.Compute {
		flops[c.Node], eval[c.Node] = c.FLOPS, c.EvalFLOPs
	}
	att := run.Attackers()
	var cAll, rAll float64
	for _, n := range run.Nodes {
		cAll += n.BusyS * flops[n.Node]
		rAll += n.Reward
	}
	var vs float64
	for _, n := range run.Nodes {
		_, a := att[n.Node]
		if a {
			rv.Attackers = append(rv.Attackers, n.Node)
		}
		ns := NodeShare{Node: n.Node, Attacker: a, Compute: math.NaN(), Reward: math.NaN()}
		if cAll > 0 {
			ns.Compute = n.BusyS * flops[n.Node] / cAll
		}
		if rAll > 0 {
			ns.Reward = n.Reward / rAll
		}
		rv.Nodes = append(rv.Nodes, ns)
		if f := flops[n.Node]; f > 0 {
			vs += eval[n.Node] * verifyScale / f
		}
	}
	// Coin.AI only: a PoW node verifies by hashing a header, which the
	// simulator does not charge (null, not 0).
	if bm := rv.Values["blocks_main"]; run.Summary.Protocol == "coinai" && run.Compute != nil && len(run.Nodes) > 0 && bm > 0 {
		rv.Values["verify_s_per_block"] = vs / float64(len(run.Nodes)) / bm
	}
	slices.Sort(rv.Attackers)
	rv.Values["attacker_set_reward_share"] = rv.setShare(rv.Attackers)
	return rv
}

// setShare is the reward share of the nodes ids; NaN without ids.
func (rv *RunValues) setShare(ids []int64) float64 {
	if len(ids) == 0 {
		return math.NaN()
	}
	s := 0.0
	for _, n := range rv.Nodes {
		if slices.Contains(ids, n.Node) {
			s += n.Reward
		}
	}
	return s
}

func rawFloat(b json.RawMessage) float64 {
	var v *float64
	if len(b) == 0 || json.Unmarshal(b, &v) != nil || v == nil {
		return math.NaN()
	}
	return *v
}

// Stat is a sample's mean and 95% Student t interval over the
// replications that have a value (N); NaN bounds with fewer than two.
type Stat struct {
	N            int
	Mean, Lo, Hi float64
}

func statOf(x []float64) Stat {
	var v []float64
	for _, f := range x {
		if !math.IsNaN(f) {
			v = append(v, f)
		}
	}
	if len(v) == 0 {
		return Stat{Mean: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}
	}
	iv := stats.MeanCI(v, Level)
	return Stat{N: len(v), Mean: iv.Estimate, Lo: iv.Lo, Hi: iv.Hi}
}

// Cell is one metric of one case: the attack runs, the honest twins and
// the paired effect (attack − twin of the same seed).
type Cell struct {
	Attack, Twin, Effect Stat
}

// Row is one case of the table.
type Row struct {
	Case
	// Path is the scenario file as the manifest names it, resolved.
	Path string
	// TwinChanges says how the twin differs (scenarios.HonestTwin).
	TwinChanges []string
	Seeds       []int64
	Cells       map[string]Cell
}

// Report is the whole table.
type Report struct {
	Manifest string
	Reps     int
	Rows     []Row
	// Runs are every run's values, in case, seed, attack-then-twin order.
	Runs []RunValues
}

// Build computes the table from the runs (any order; each case's seeds are
// paired by seed). twinChanges[i] is case i's HonestTwin description.
func Build(m *Manifest, reps int, runs []RunValues, twinChanges [][]string) *Report {
	runs = slices.Clone(runs)
	slices.SortStableFunc(runs, func(a, b RunValues) int {
		switch {
		case a.Case != b.Case:
			return a.Case - b.Case
		case a.Seed != b.Seed:
			if a.Seed < b.Seed {
				return -1
			}
			return 1
		case a.Twin != b.Twin:
			if b.Twin {
				return -1
			}
			return 1
		}
		return 0
	})
	r := &Report{Manifest: m.File, Reps: reps, Runs: runs}
	for i, c := range m.Cases {
		row := Row{Case: c, Path: m.Path(&c), Cells: map[string]Cell{}}
		if i < len(twinChanges) {
			row.TwinChanges = twinChanges[i]
		}
		att, twin := map[int64]*RunValues{}, map[int64]*RunValues{}
		for k := range r.Runs {
			rv := &r.Runs[k]
			if rv.Case != i {
				continue
			}
			if rv.Twin {
				twin[rv.Seed] = rv
			} else {
				att[rv.Seed] = rv
				row.Seeds = append(row.Seeds, rv.Seed)
			}
		}
		// The twin's attacker set is the attack run's.
		for s, t := range twin {
			if a, ok := att[s]; ok {
				t.Values["attacker_set_reward_share"] = t.setShare(a.Attackers)
			}
		}
		for _, mt := range Metrics {
			var xa, xt, xd []float64
			for _, s := range row.Seeds {
				a := att[s].Values[mt.Key]
				xa = append(xa, a)
				if t, ok := twin[s]; ok {
					xt = append(xt, t.Values[mt.Key])
					xd = append(xd, a-t.Values[mt.Key])
				}
			}
			row.Cells[mt.Key] = Cell{Attack: statOf(xa), Twin: statOf(xt), Effect: statOf(xd)}
		}
		r.Rows = append(r.Rows, row)
	}
	return r
}

// num formats a value for tables: 4 significant digits, "–" for NaN.
func num(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	if v != 0 && (math.Abs(v) >= 1e5 || math.Abs(v) < 1e-3) {
		return strconv.FormatFloat(v, 'e', 3, 64)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

func (s Stat) text() string {
	if s.N == 0 {
		return "–"
	}
	if math.IsNaN(s.Lo) {
		return num(s.Mean)
	}
	return fmt.Sprintf("%s [%s, %s]", num(s.Mean), num(s.Lo), num(s.Hi))
}

// mdColumns are the markdown table's columns: metric and which statistic.
var mdColumns = []struct {
	head, key string
	part      string // attack, twin, effect
}{
	{"attacker blocks", "attacker_blocks", "attack"},
	{"attacker reward share", "attacker_reward_share", "attack"},
	{"attacker compute share", "attacker_compute_share", "attack"},
	{"same nodes, honest twin", "attacker_set_reward_share", "twin"},
	{"Δ share vs twin", "attacker_set_reward_share", "effect"},
	{"reward–compute slope", "reward_compute_slope", "attack"},
	{"verify FLOPs / block", "verify_flops_per_block", "attack"},
	{"verify s / block / node", "verify_s_per_block", "attack"},
	{"interval mean (s)", "interval_mean_s", "attack"},
	{"Δ interval vs twin", "interval_mean_s", "effect"},
	{"stale rate", "stale_rate", "attack"},
	{"Δ stale vs twin", "stale_rate", "effect"},
	{"double-spend success", "doublespend_success_rate", "attack"},
	{"victim wasted work", "victim_wasted_work_share", "attack"},
	{"honest verify time share", "honest_verify_time_share", "attack"},
	{"Δ honest verify share vs twin", "honest_verify_time_share", "effect"},
}

func (c Cell) part(p string) Stat {
	switch p {
	case "twin":
		return c.Twin
	case "effect":
		return c.Effect
	}
	return c.Attack
}

// Markdown is attacks.md: the table, then per case the twin's changes,
// then the keys.
func (r *Report) Markdown(figures []string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Attacks × protocol variants\n\n")
	fmt.Fprintf(&b, "Manifest %s, %d replications per case (seeds 1..%d), each against its honest twin (the same scenario and seed with every attacker role mining honestly and no faults). "+
		"Cells: mean [95%% Student t interval] over the replications; Δ columns are the paired difference attack − twin of the same seed. "+
		"Regenerate with `coinai attacks --manifest %s --reps %d`.\n\n", r.Manifest, r.Reps, r.Reps, r.Manifest, r.Reps)
	b.WriteString("| attack | variant |")
	for _, c := range mdColumns {
		fmt.Fprintf(&b, " %s |", c.head)
	}
	b.WriteString("\n|---|---|")
	for range mdColumns {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, row := range r.Rows {
		fmt.Fprintf(&b, "| %s | %s |", row.Attack, row.Variant)
		for _, c := range mdColumns {
			fmt.Fprintf(&b, " %s |", row.Cells[c.key].part(c.part).text())
		}
		b.WriteString("\n")
	}
	b.WriteString("\n## Cases\n\n")
	for _, row := range r.Rows {
		fmt.Fprintf(&b, "- **%s / %s** (issue %s): `%s`", row.Attack, row.Variant, orDash(row.Issue), row.Path)
		if len(row.Set) > 0 {
			fmt.Fprintf(&b, " with `%s`", strings.Join(row.Set, "`, `"))
		}
		if !row.WantTwin() {
			b.WriteString("; no twin")
		} else if len(row.TwinChanges) == 0 {
			b.WriteString("; the scenario is its own twin (no attacker role, no fault)")
		} else {
			fmt.Fprintf(&b, "; twin: %s", strings.Join(row.TwinChanges, "; "))
		}
		if row.Note != "" {
			fmt.Fprintf(&b, ". %s", row.Note)
		}
		b.WriteString("\n")
	}
	b.WriteString("\n## Keys (attacks.csv, attacks.json)\n\n")
	for _, m := range Metrics {
		fmt.Fprintf(&b, "- `%s`: %s\n", m.Key, m.What)
	}
	if len(figures) > 0 {
		b.WriteString("\n## Figures\n\n")
		for _, f := range figures {
			fmt.Fprintf(&b, "![%s](figures/%s.png)\n\n", f, f)
		}
	}
	return b.Bytes()
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// CSV is attacks.csv, long form: one line per case, metric and part
// (attack, twin, effect).
func (r *Report) CSV() []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"attack", "variant", "scenario", "metric", "part", "n", "mean", "ci_lo", "ci_hi"})
	f := func(v float64) string {
		if math.IsNaN(v) {
			return ""
		}
		return strconv.FormatFloat(v, 'g', 10, 64)
	}
	for _, row := range r.Rows {
		for _, m := range Metrics {
			c := row.Cells[m.Key]
			for _, p := range []string{"attack", "twin", "effect"} {
				s := c.part(p)
				w.Write([]string{row.Attack, row.Variant, row.Scenario, m.Key, p, strconv.Itoa(s.N), f(s.Mean), f(s.Lo), f(s.Hi)})
			}
		}
	}
	w.Flush()
	return b.Bytes()
}

// jnum is a JSON number that is null when NaN.
type jnum float64

func (v jnum) MarshalJSON() ([]byte, error) {
	if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
		return []byte("null"), nil
	}
	return []byte(strconv.FormatFloat(float64(v), 'g', -1, 64)), nil
}

type jstat struct {
	N    int  `json:"n"`
	Mean jnum `json:"mean"`
	Lo   jnum `json:"ci_lo"`
	Hi   jnum `json:"ci_hi"`
}

func js(s Stat) jstat { return jstat{s.N, jnum(s.Mean), jnum(s.Lo), jnum(s.Hi)} }

// JSON is attacks.json: the manifest, the cases with every metric's
// attack, twin and effect statistics, and every run's values.
func (r *Report) JSON() ([]byte, error) {
	type jcell struct {
		Attack jstat `json:"attack"`
		Twin   jstat `json:"twin"`
		Effect jstat `json:"effect"`
	}
	type jrow struct {
		Attack      string           `json:"attack"`
		Variant     string           `json:"variant"`
		Scenario    string           `json:"scenario"`
		Issue       string           `json:"issue"`
		Set         []string         `json:"set"`
		Twin        bool             `json:"twin"`
		TwinChanges []string         `json:"twin_changes"`
		Seeds       []int64          `json:"seeds"`
		Metrics     map[string]jcell `json:"metrics"`
	}
	type jrun struct {
		Attack    string          `json:"attack"`
		Variant   string          `json:"variant"`
		Seed      int64           `json:"seed"`
		Twin      bool            `json:"twin"`
		Digest    string          `json:"trace_digest"`
		Values    map[string]jnum `json:"values"`
		Attackers []int64         `json:"attackers"`
	}
	out := struct {
		Manifest string   `json:"manifest"`
		Reps     int      `json:"reps"`
		Level    float64  `json:"level"`
		Metrics  []string `json:"metrics"`
		Cases    []jrow   `json:"cases"`
		Runs     []jrun   `json:"runs"`
	}{Manifest: r.Manifest, Reps: r.Reps, Level: Level}
	for _, m := range Metrics {
		out.Metrics = append(out.Metrics, m.Key)
	}
	for _, row := range r.Rows {
		jr := jrow{Attack: row.Attack, Variant: row.Variant, Scenario: row.Scenario, Issue: row.Issue, Set: row.Set,
			Twin: row.WantTwin(), TwinChanges: row.TwinChanges, Seeds: row.Seeds, Metrics: map[string]jcell{}}
		for k, c := range row.Cells {
			jr.Metrics[k] = jcell{js(c.Attack), js(c.Twin), js(c.Effect)}
		}
		out.Cases = append(out.Cases, jr)
	}
	for _, rv := range r.Runs {
		c := r.Rows[rv.Case]
		jv := jrun{Attack: c.Attack, Variant: c.Variant, Seed: rv.Seed, Twin: rv.Twin, Digest: rv.Digest,
			Values: map[string]jnum{}, Attackers: rv.Attackers}
		for k, v := range rv.Values {
			jv.Values[k] = jnum(v)
		}
		out.Runs = append(out.Runs, jv)
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
