// Package compare sets runs side by side: the same summary quantities in one
// table, and a two-sample Kolmogorov–Smirnov test of the block-interval
// distribution of the first run (the reference) against each other run. It is
// how a change to the protocol or to a scenario is judged: by whether the
// distributions differ, not only the means.
package compare

import (
	"fmt"
	"math"

	"github.com/coinai/coinai/analysis/figures"
	"github.com/coinai/coinai/analysis/report"
	"github.com/coinai/coinai/analysis/rundata"
	"github.com/coinai/coinai/analysis/stats"
)

// KSRow is the interval KS test of one run against the reference run.
type KSRow struct {
	Reference, Run string // labels
	Result         stats.KSResult
}

// Intervals tests the main-chain block intervals of runs[0] against those of
// each later run.
func Intervals(runs []*rundata.Run) []KSRow {
	if len(runs) < 2 {
		return nil
	}
	ref := runs[0].MainIntervals()
	var out []KSRow
	for _, r := range runs[1:] {
		out = append(out, KSRow{runs[0].Label(), r.Label(), stats.KSTwoSample(ref, r.MainIntervals())})
	}
	return out
}

// Table lists, per run (one column each), the quantities a comparison
// computes from the run files (blocks.csv, nodes.csv, propagation.csv),
// with confidence intervals where they apply; summary.json's figures are in
// report.KeyTableOf, shown above it.
func Table(runs []*rundata.Run) *report.Table {
	t := &report.Table{Header: []string{"quantity"}}
	for _, r := range runs {
		t.Header = append(t.Header, r.Label())
	}
	row := func(name string, f func(*rundata.Run) string) {
		cells := []string{name}
		for _, r := range runs {
			cells = append(cells, f(r))
		}
		t.Rows = append(t.Rows, cells)
	}
	row("main-chain blocks", func(r *rundata.Run) string { return fmt.Sprint(len(r.MainIntervals())) })
	row("stale rate", func(r *rundata.Run) string { return pct(r.StaleRate()) })
	row("mean interval (s), 95% t CI", func(r *rundata.Run) string {
		iv := stats.MeanCI(r.MainIntervals(), report.Level)
		if math.IsNaN(iv.Estimate) {
			return "n/a"
		}
		if math.IsNaN(iv.Lo) {
			return fmt.Sprintf("%.4g", iv.Estimate)
		}
		return fmt.Sprintf("%.4g [%.4g, %.4g]", iv.Estimate, iv.Lo, iv.Hi)
	})
	row("p50 / p90 interval (s)", func(r *rundata.Run) string {
		x := r.MainIntervals()
		return fmt.Sprintf("%.4g / %.4g", stats.Quantile(x, 0.5), stats.Quantile(x, 0.9))
	})
	row("exponential fit KS p", func(r *rundata.Run) string {
		f := stats.FitExponential(r.MainIntervals())
		return fmt.Sprintf("%.3g", f.GOF.PValue)
	})
	row("median time to 90% of nodes (s)", func(r *rundata.Run) string {
		return fmt.Sprintf("%.4g", stats.Quantile(r.Reach().P90, 0.5))
	})
	row("reward Gini (nodes.csv)", func(r *rundata.Run) string {
		var x []float64
		for _, n := range r.Nodes {
			if !math.IsNaN(n.Reward) {
				x = append(x, n.Reward)
			}
		}
		return fmt.Sprintf("%.4f", stats.Gini(x))
	})
	return t
}

// ForRuns builds the comparison document from the overlaid figures (see
// figures.ForRuns).
func ForRuns(runs []*rundata.Run, figs []*figures.Figure, notes []figures.Note) *report.Document {
	d := &report.Document{Title: fmt.Sprintf("Comparison of %d runs", len(runs))}
	var ids []string
	for i, r := range runs {
		role := ""
		if i == 0 {
			role = " (reference)"
		}
		ids = append(ids, fmt.Sprintf("%s%s: %s, directory %s", r.Label(), role, orNA(r.Summary.TraceDigest), r.Dir))
	}
	d.Sections = append(d.Sections, report.Section{Heading: "Runs", Paras: []string{"Label, trace digest and directory of each run; the first is the reference for the tests below."}, List: ids})
	d.Sections = append(d.Sections, report.Section{Heading: "Key results (summary.json)", Table: report.KeyTableOf(runs)})
	d.Sections = append(d.Sections, report.Section{Heading: "Side by side (computed from the run files)", Table: Table(runs)})
	ks := &report.Table{Header: []string{"reference", "run", "n", "m", "D", "p-value", "verdict at 5%"}}
	for _, k := range Intervals(runs) {
		verdict := "n/a"
		switch {
		case math.IsNaN(k.Result.PValue):
		case k.Result.PValue < 0.05:
			verdict = "distributions differ"
		default:
			verdict = "no evidence of a difference"
		}
		ks.Rows = append(ks.Rows, []string{k.Reference, k.Run, fmt.Sprint(k.Result.N), fmt.Sprint(k.Result.M),
			fmt.Sprintf("%.4f", k.Result.D), fmt.Sprintf("%.4g", k.Result.PValue), verdict})
	}
	d.Sections = append(d.Sections, report.Section{Heading: "Block interval distributions: two-sample Kolmogorov–Smirnov test",
		Paras: []string{"D is the largest gap between the empirical CDFs of main-chain block intervals; the p-value is asymptotic (Kolmogorov distribution with Stephens' correction) and assumes independent intervals."},
		Table: ks})
	if len(figs) > 0 {
		d.Sections = append(d.Sections, report.Section{Heading: "Figures", Figures: figs})
	}
	var skipped []string
	for _, n := range notes {
		skipped = append(skipped, n.String())
	}
	if len(skipped) > 0 {
		d.Sections = append(d.Sections, report.Section{Heading: "Not drawn", List: skipped})
	}
	return d
}

func pct(v float64) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	return fmt.Sprintf("%.2f%%", 100*v)
}

func orNA(s string) string {
	if s == "" {
		return "n/a"
	}
	return s
}
