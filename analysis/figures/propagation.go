package figures

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/plot/plotter"

	"github.com/coinai/coinai/analysis/rundata"
	"github.com/coinai/coinai/analysis/stats"
)

// Propagation draws the CDF over blocks of the time a block takes to reach
// 50%, 90% and 100% of the nodes (blocks.csv prop_* columns, or computed
// from propagation.csv). With several runs it shows 90% (solid) and 100%
// (dashed) per run. The stale rate is in the caption because slow
// propagation is what causes stale blocks.
func Propagation(runs []*rundata.Run) (*Figure, *Note) {
	const name = "propagation_cdf"
	reach := make([]rundata.Reach, len(runs))
	var maxT float64
	n := 0
	for i, r := range runs {
		reach[i] = r.Reach()
		for _, s := range [][]float64{reach[i].P50, reach[i].P90, reach[i].P100} {
			for _, v := range s {
				maxT = math.Max(maxT, v)
			}
			n += len(s)
		}
	}
	if n == 0 {
		return nil, &Note{name, "no prop_* columns in blocks.csv and no propagation.csv"}
	}
	tu := timeUnit(maxT)
	p := newPlot("Block propagation: time to reach a fraction of nodes", runs, "time after the block was found ("+tu.Name+")", "fraction of blocks")
	var notes []string
	k := 0
	for i, rc := range reach {
		series := []struct {
			label string
			x     []float64
			never int
		}{{"50% of nodes", rc.P50, rc.Never50}, {"90% of nodes", rc.P90, rc.Never90}, {"100% of nodes", rc.P100, rc.Never100}}
		if len(runs) > 1 {
			series = series[1:]
		}
		total := len(rc.P50) + rc.Never50
		for j, s := range series {
			if len(s.x) == 0 {
				continue
			}
			pts := stats.ECDF(s.x)
			xy := make(plotter.XYs, 0, len(pts)+1)
			xy = append(xy, plotter.XY{X: 0, Y: 0})
			frac := float64(len(s.x)) / float64(len(s.x)+s.never) // CDF tops out below 1 when blocks never got there
			for _, q := range pts {
				xy = append(xy, plotter.XY{X: q.X / tu.Scale, Y: q.Y * frac})
			}
			style := lineStyle(k)
			if len(runs) > 1 {
				style = lineStyle(i)
				style.Dashes = dashes[j%len(dashes)]
			} else {
				k++
			}
			l := line(xy, style)
			l.StepStyle = plotter.PostStep
			p.Add(l)
			p.Legend.Add(labelFor(runs, i, s.label), l)
			if s.never > 0 {
				notes = append(notes, fmt.Sprintf("%s: %d of %d blocks never reached %s", runs[i].Label(), s.never, total, strings.TrimSuffix(s.label, " of nodes")))
			}
		}
	}
	p.X.Min, p.Y.Min, p.Y.Max = 0, 0, 1
	legendAt(p, false, false, 0)
	var stale []string
	for i, r := range runs {
		src := reach[i].Source
		stale = append(stale, fmt.Sprintf("%s: stale rate %s (propagation from %s)", r.Label(), pct(r.StaleRate()), src))
	}
	caption := "For each block, the time after it was found at which 50%, 90% and 100% of the nodes had accepted it (from blocks.csv: of the nodes online when it was found; nodes offline then catch up later, summary.json catchup_*); the curves are the distribution of those times over blocks. " +
		"A curve ending below 1 means some blocks never reached that fraction. " + strings.Join(stale, "; ") + "."
	if len(notes) > 0 {
		caption += " " + strings.Join(notes, "; ") + "."
	}
	return figure(name, "Propagation", caption, p), nil
}
