package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/coinai/coinai/analysis/figures"
	"github.com/coinai/coinai/analysis/recompute"
	"github.com/coinai/coinai/analysis/rundata"
	"github.com/coinai/coinai/analysis/stats"
)

// Level is the confidence level of every interval in reports.
const Level = 0.95

// Resamples is the number of bootstrap resamples; 2000 puts the Monte Carlo
// error of a 95% percentile bound well below the interval's width.
const Resamples = 2000

// ForRun builds the report of one run from its figures (see
// figures.ForRun) and notes about figures that could not be drawn.
func ForRun(run *rundata.Run, figs []*figures.Figure, notes []figures.Note) *Document {
	s := run.Summary
	d := &Document{Title: "Run report: " + run.Label()}

	d.Sections = append(d.Sections, Section{Heading: "Key results",
		Paras: []string{"Run directory " + run.Dir + ". Replaying the resolved scenario (at the end) with this seed must reproduce the trace digest; a different digest means a different run."},
		Table: KeyTable(run)})

	if len(run.Faults) > 0 {
		d.Sections = append(d.Sections, Section{Heading: "Faults",
			Paras: []string{"The windows of the scenario's [[fault]] tables (faults.csv); crashes are grouped by fault. Messages lost: sent across a cut or lost on a lossy link, in flight when a cut began, or arriving at a crashed node. Converged: seconds from a cut's heal until every honest online node held the same tip."},
			Table: FaultTable(run.Faults)})
	}

	var fid Section
	fid.Heading = "Fidelity notes"
	if len(s.Fidelity) == 0 {
		fid.Paras = []string{"The run records no fidelity notes."}
	} else {
		fid.Paras = []string{"What the simulator simplified or left out in this run, as it reported:"}
		fid.List = s.Fidelity
	}
	d.Sections = append(d.Sections, fid)

	d.Sections = append(d.Sections, Section{Heading: "Statistics from the run files",
		Paras: []string{fmt.Sprintf("Computed here from blocks.csv, nodes.csv and propagation.csv; intervals are %g%% confidence intervals (t: Student t on the mean; bootstrap: percentile bootstrap, %d resamples, seed %#x). With few blocks and skewed data the t interval can reach below zero; the bootstrap interval stays within the data.", 100*Level, Resamples, stats.BootstrapSeed),
			consistency(run)},
		Table: RunStats(run)})

	if len(figs) > 0 {
		d.Sections = append(d.Sections, Section{Heading: "Figures", Figures: figs})
	}
	d.Sections = append(d.Sections, Section{Heading: "All of summary.json", Table: SummaryTable(s)})
	var skipped []string
	for _, n := range notes {
		skipped = append(skipped, n.String())
	}
	for _, m := range run.Missing {
		skipped = append(skipped, "file absent: "+m)
	}
	if len(skipped) > 0 {
		d.Sections = append(d.Sections, Section{Heading: "Not drawn", List: skipped})
	}
	if run.Scenario != nil {
		d.Sections = append(d.Sections, Section{Heading: "Resolved scenario (scenario.toml)", Code: string(run.Scenario), CodeLang: "toml"})
	}
	return d
}

// FaultTable lists the link faults of faults.csv one per row and the
// crashes grouped by fault and state.
func FaultTable(fs []rundata.FaultRow) *Table {
	t := &Table{Header: []string{"fault", "kind", "window", "nodes", "messages lost", "converged (s)"}}
	span := func(a, b float64) string {
		if math.IsNaN(b) {
			return fmt.Sprintf("%s s – end", num(a))
		}
		return fmt.Sprintf("%s – %s s", num(a), num(b))
	}
	type group struct {
		rows              int
		first, last, lost float64
		nodes             map[int64]bool
	}
	var order []string
	crashes := map[string]*group{}
	for _, f := range fs {
		if f.Kind != "crash" {
			nodes := num(f.Nodes)
			if f.Sides != "" {
				nodes += " (sides " + f.Sides + ")"
			}
			conv := ""
			if !math.IsNaN(f.ConvergeS) {
				conv = num(f.ConvergeS)
			}
			t.Rows = append(t.Rows, []string{f.Fault, f.Kind, span(f.StartS, f.EndS), nodes, num(f.MessagesLost), conv})
			continue
		}
		key := f.Fault + " (" + f.State + ")"
		g := crashes[key]
		if g == nil {
			g = &group{first: f.StartS, nodes: map[int64]bool{}}
			crashes[key] = g
			order = append(order, key)
		}
		g.rows++
		g.first, g.last = math.Min(g.first, f.StartS), math.Max(g.last, f.StartS)
		g.lost += f.MessagesLost
		g.nodes[f.Node] = true
	}
	for _, key := range order {
		g := crashes[key]
		t.Rows = append(t.Rows, []string{key, fmt.Sprintf("crash × %d", g.rows),
			fmt.Sprintf("crashes from %s to %s s", num(g.first), num(g.last)),
			fmt.Sprintf("%d distinct", len(g.nodes)), num(g.lost), ""})
	}
	return t
}

// consistency says whether summary.json's figures are what the run's files
// give (analysis/recompute, DESIGN.md's definitions).
func consistency(run *rundata.Run) string {
	d := recompute.Check(run)
	var skip []string
	for k := range recompute.NotRecomputable {
		skip = append(skip, k)
	}
	slices.Sort(skip)
	if len(d) == 0 {
		return "Every numeric figure of summary.json was recomputed from the run's files and agrees (not recomputable from files: " + strings.Join(skip, ", ") + ")."
	}
	const show = 5
	more := ""
	if len(d) > show {
		d, more = d[:show], fmt.Sprintf("; and %d more", len(d)-show)
	}
	return fmt.Sprintf("summary.json and the run's files disagree (a run of another version, or edited files?): %s%s.", strings.Join(d, "; "), more)
}

// RunStats computes the statistics table of one run.
func RunStats(run *rundata.Run) *Table {
	t := &Table{Header: []string{"quantity", "n", "estimate", "95% CI (t)", "95% CI (bootstrap)", "notes"}}
	add := func(name string, n int, est string, tci, bci, note string) {
		t.Rows = append(t.Rows, []string{name, fmt.Sprint(n), est, tci, bci, note})
	}
	meanRow := func(name, unit string, x []float64, note string) {
		if len(x) == 0 {
			add(name, 0, "n/a", "", "", "no data")
			return
		}
		tci := stats.MeanCI(x, Level)
		b := stats.Bootstrap(x, stats.Mean, Resamples, Level, stats.NewRand(stats.BootstrapSeed))
		add(name, len(x), num(tci.Estimate)+unit, ci(tci, unit), ci(b, unit), note)
	}
	iv := run.MainIntervals()
	meanRow("mean block interval", " s", iv, "main chain, blocks.csv interval_s")
	if len(iv) > 0 {
		add("median / p90 block interval", len(iv), num(stats.Quantile(iv, 0.5))+" s / "+num(stats.Quantile(iv, 0.9))+" s", "", "", "type-7 quantiles")
	}
	if f := stats.FitExponential(iv); !math.IsNaN(f.Rate) {
		add("exponential fit of intervals", f.N, fmt.Sprintf("rate %.4g /s (mean %s s)", f.Rate, num(1/f.Rate)),
			fmt.Sprintf("± %.2g /s (1 s.e.)", f.StdErr), "",
			fmt.Sprintf("KS D = %.3f, p = %.3g (conservative: rate fitted to the same data)", f.GOF.D, f.GOF.PValue))
	}
	var e []float64
	for _, b := range run.Blocks {
		if b.Main && !math.IsNaN(b.EnergyJ) {
			e = append(e, b.EnergyJ)
		}
	}
	if len(e) > 0 {
		// Show energy in the unit of its mean (kJ, MJ...) rather than as
		// 2.467e+04 J.
		u, scale := "J", 1.0
		for _, n := range []string{"kJ", "MJ", "GJ", "TJ", "PJ"} {
			if math.Abs(stats.Mean(e)) < 1000*scale {
				break
			}
			u, scale = n, scale*1000
		}
		es := make([]float64, len(e))
		for i, v := range e {
			es[i] = v / scale
		}
		meanRow("energy per main-chain block", " "+u, es, "blocks.csv energy_j: network energy since the parent was found")
	}
	var rw []float64
	for _, n := range run.Nodes {
		if !math.IsNaN(n.Reward) {
			rw = append(rw, n.Reward)
		}
	}
	if len(rw) > 0 {
		g := stats.Gini(rw)
		b := stats.Bootstrap(rw, stats.Gini, Resamples, Level, stats.NewRand(stats.BootstrapSeed))
		note := "population Gini of nodes.csv reward"
		if run.Summary.Has("reward_gini") {
			note += "; summary.json reward_gini = " + num(run.Summary.RewardGini)
		}
		add("reward Gini", len(rw), fmt.Sprintf("%.4f", g), "", ci(b, ""), note)
	}
	// Main-chain blocks, as summary.json's propagation_* keys; the figure
	// shows all blocks.
	rc := run.ReachOf(func(b rundata.Block) bool { return b.Main })
	for _, q := range []struct {
		name  string
		x     []float64
		never int
	}{{"time to reach 50% of nodes", rc.P50, rc.Never50}, {"time to reach 90% of nodes", rc.P90, rc.Never90}, {"time to reach 100% of nodes", rc.P100, rc.Never100}} {
		if len(q.x) == 0 && q.never == 0 {
			continue
		}
		note := fmt.Sprintf("mean over main-chain blocks (median %s s), from %s", num(stats.Quantile(q.x, 0.5)), rc.Source)
		if q.never > 0 {
			note += fmt.Sprintf("; %d blocks never reached it", q.never)
		}
		meanRow(q.name, " s", q.x, note)
	}
	if sr := run.StaleRate(); !math.IsNaN(sr) {
		n, note := len(run.Blocks), "stale / all blocks"
		if run.Summary.Has("blocks_main") {
			n, note = int(run.Summary.BlocksMain+run.Summary.BlocksStale), "stale / (main-chain + stale) blocks; blocks no other node accepted are neither"
		}
		add("stale rate", n, fmt.Sprintf("%.2f%%", 100*sr), "", "", note)
	}
	return t
}

// SummaryTable lists summary.json: the stable keys in DESIGN.md order, then
// any other key in sorted order, each with its JSON value.
func SummaryTable(s rundata.Summary) *Table {
	t := &Table{Header: []string{"key", "value"}}
	keys := append([]string{}, rundata.KnownKeys...)
	keys = append(keys, s.ExtraKeys()...)
	for _, k := range keys {
		raw, ok := s.Raw[k]
		if !ok {
			continue
		}
		t.Rows = append(t.Rows, []string{k, rawValue(raw)})
	}
	return t
}

// rawValue shows a JSON value compactly: strings unquoted, lists of strings
// joined, anything else as compact JSON.
func rawValue(raw json.RawMessage) string {
	if string(bytes.TrimSpace(raw)) == "null" {
		return "null"
	}
	var str string
	if json.Unmarshal(raw, &str) == nil {
		return str
	}
	var strs []string
	if json.Unmarshal(raw, &strs) == nil {
		return strings.Join(strs, "; ")
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	return b.String()
}

func rawOrNA(s rundata.Summary, key string) string {
	if !s.Has(key) {
		return "n/a"
	}
	return rawValue(s.Raw[key])
}

func orNA(s string) string {
	if s == "" {
		return "n/a"
	}
	return s
}

// Num formats a number as every table of a report does: four significant
// digits, or n/a when it does not exist. Documents built outside this
// package (a sweep's merge) use it to read the same.
func Num(v float64) string { return num(v) }

// num formats a number with four significant digits, or n/a.
func num(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	return fmt.Sprintf("%.4g", v)
}

func ci(iv stats.Interval, unit string) string {
	if math.IsNaN(iv.Lo) {
		return "n/a"
	}
	return "[" + num(iv.Lo) + ", " + num(iv.Hi) + "]" + unit
}
