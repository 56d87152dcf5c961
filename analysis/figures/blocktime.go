package figures

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/coinai/coinai/analysis/rundata"
	"github.com/coinai/coinai/analysis/stats"
)

// shapeOf is the filled marker of series i; hollowOf its outline twin.
func shapeOf(i int) draw.GlyphDrawer {
	switch i % 4 {
	case 1:
		return draw.PyramidGlyph{}
	case 2:
		return draw.BoxGlyph{}
	case 3:
		return draw.CrossGlyph{}
	}
	return draw.CircleGlyph{}
}

// BlockIntervals draws the distribution of main-chain block intervals with
// the fitted exponential law. For one run it is a density histogram with
// the exponential density overlaid; for several, empirical CDFs with each
// run's fitted exponential CDF dashed, since overlaid histograms hide each
// other.
func BlockIntervals(runs []*rundata.Run) (*Figure, *Note) {
	const name = "block_intervals"
	ivs := make([][]float64, len(runs))
	var maxI float64
	n := 0
	for i, r := range runs {
		ivs[i] = r.MainIntervals()
		for _, v := range ivs[i] {
			maxI = math.Max(maxI, v)
		}
		n += len(ivs[i])
	}
	if n < 2 {
		return nil, &Note{name, "fewer than two main-chain intervals in blocks.csv"}
	}
	tu := timeUnit(maxI)
	var fits []string
	if len(runs) == 1 {
		x := ivs[0]
		fit := stats.FitExponential(x)
		p := newPlot("Block intervals (main chain)", runs, "interval ("+tu.Name+")", "density (1/"+tu.Name+")")
		bins := int(math.Ceil(math.Sqrt(float64(len(x)))))
		bins = min(max(bins, 6), 40)
		w := maxI / float64(bins)
		h := &plotter.Histogram{Width: w / tu.Scale, FillColor: lighten(colorOf(0)), LineStyle: draw.LineStyle{Color: colorOf(0), Width: vg.Points(0.8)}}
		h.Bins = make([]plotter.HistogramBin, bins)
		for b := range h.Bins {
			h.Bins[b].Min, h.Bins[b].Max = float64(b)*w/tu.Scale, float64(b+1)*w/tu.Scale
		}
		for _, v := range x {
			b := min(int(v/w), bins-1)
			h.Bins[b].Weight++
		}
		h.Normalize(1)
		p.Add(h)
		p.Legend.Add(fmt.Sprintf("observed (n = %d)", len(x)), h)
		if isFinite(fit.Rate) {
			f := plotter.NewFunction(func(t float64) float64 { return fit.PDF(t*tu.Scale) * tu.Scale })
			f.XMin, f.XMax, f.Samples = 0, maxI/tu.Scale, 200
			f.LineStyle = draw.LineStyle{Color: colorOf(3), Width: vg.Points(2)}
			p.Add(f)
			p.Legend.Add(fmt.Sprintf("exponential fit, mean %s %s", fmtG(1/fit.Rate/tu.Scale), tu.Name), f)
			p.Y.Max = math.Max(p.Y.Max, fit.Rate*tu.Scale)
			fits = append(fits, fitText(runs[0], fit, tu))
		}
		p.X.Min, p.Y.Min = 0, 0
		legendAt(p, true, false, 0.12)
		caption := "Histogram (as a density) of the gaps between consecutive main-chain blocks (blocks.csv interval_s), with the maximum-likelihood exponential density. Memoryless mining gives an exponential; a deficit near zero means a minimum block time (e.g. training time). " + strings.Join(fits, " ")
		return figure(name, "Block intervals", caption, p), nil
	}
	p := newPlot("Block intervals (main chain): empirical CDF", runs, "interval ("+tu.Name+")", "fraction of intervals ≤ x")
	for i, x := range ivs {
		if len(x) == 0 {
			continue
		}
		pts := stats.ECDF(x)
		xy := make(plotter.XYs, 0, len(pts)+1)
		xy = append(xy, plotter.XY{X: 0, Y: 0})
		for _, q := range pts {
			xy = append(xy, plotter.XY{X: q.X / tu.Scale, Y: q.Y})
		}
		l := line(xy, lineStyle(i))
		l.StepStyle = plotter.PostStep
		p.Add(l)
		p.Legend.Add(labelFor(runs, i, fmt.Sprintf("(n = %d)", len(x))), l)
		fit := stats.FitExponential(x)
		if isFinite(fit.Rate) {
			f := plotter.NewFunction(func(t float64) float64 { return fit.CDF(t * tu.Scale) })
			f.XMin, f.XMax, f.Samples = 0, maxI/tu.Scale, 200
			f.LineStyle = lineStyle(i)
			f.LineStyle.Width = vg.Points(1)
			f.LineStyle.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			p.Add(f)
			fits = append(fits, fitText(runs[i], fit, tu))
		}
	}
	p.X.Min, p.Y.Min, p.Y.Max = 0, 0, 1
	legendAt(p, false, false, 0)
	caption := "Empirical distribution of main-chain block intervals per run (steps) with each run's fitted exponential CDF (dashed, same colour). " + strings.Join(fits, " ")
	return figure(name, "Block intervals", caption, p), nil
}

func fitText(r *rundata.Run, fit stats.ExpFit, tu unit) string {
	return fmt.Sprintf("%s: mean %s %s (rate %.3g ± %.2g /s), KS D = %.3f, p = %.3g (conservative: rate fitted to the same data).",
		r.Label(), fmtG(1/fit.Rate/tu.Scale), tu.Name, fit.Rate, fit.StdErr, fit.GOF.D, fit.GOF.PValue)
}

// IntervalQQ plots the sorted main-chain intervals against the quantiles of
// each run's fitted exponential. Points on the diagonal mean exponential
// intervals; points above it in the upper tail mean heavier-than-exponential
// waits.
func IntervalQQ(runs []*rundata.Run) (*Figure, *Note) {
	const name = "block_intervals_qq"
	var maxV float64
	type qq struct {
		pts []stats.Point
		i   int
	}
	var all []qq
	for i, r := range runs {
		x := r.MainIntervals()
		fit := stats.FitExponential(x)
		if len(x) < 2 || !isFinite(fit.Rate) {
			continue
		}
		pts := stats.QQ(x, fit.Quantile)
		for _, q := range pts {
			maxV = math.Max(maxV, math.Max(q.X, q.Y))
		}
		all = append(all, qq{pts, i})
	}
	if len(all) == 0 {
		return nil, &Note{name, "fewer than two main-chain intervals in blocks.csv"}
	}
	tu := timeUnit(maxV)
	p := newPlot("Q–Q plot of block intervals against the fitted exponential", runs,
		"exponential quantile ("+tu.Name+")", "observed interval ("+tu.Name+")")
	diag := line(plotter.XYs{{X: 0, Y: 0}, {X: maxV / tu.Scale, Y: maxV / tu.Scale}}, draw.LineStyle{Color: grey, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}})
	p.Add(diag)
	p.Legend.Add("y = x (exponential)", diag)
	for _, a := range all {
		xy := make(plotter.XYs, len(a.pts))
		for j, q := range a.pts {
			xy[j] = plotter.XY{X: q.X / tu.Scale, Y: q.Y / tu.Scale}
		}
		s := scatter(xy, colorOf(a.i), vg.Points(2.3), shapeOf(a.i))
		p.Add(s)
		p.Legend.Add(labelFor(runs, a.i, "observed"), s)
	}
	p.X.Min, p.Y.Min = 0, 0
	p.X.Max, p.Y.Max = maxV/tu.Scale, maxV/tu.Scale
	legendAt(p, true, true, 0)
	caption := "Ordered main-chain intervals against the quantiles of the exponential fitted by maximum likelihood (Hazen positions (i-½)/n). On the dashed diagonal the intervals are exponential; a flat start means a minimum block time, points above the line at the right a heavy tail."
	return figure(name, "Block interval Q–Q", caption, p), nil
}

// ChainOverHeight stacks, over block height, what a protocol's adjustment
// rule sets and what it achieves, so that cause and effect line up:
//   - Coin.AI: the accuracy threshold (threshold.csv, else blocks.csv) as a
//     step per height, with the test accuracy of each mined model (blocks.csv
//     accuracy; stale blocks hollow) — the margin by which winners pass;
//   - PoW: the difficulty (log scale when it spans more than a factor 100);
//   - the block interval, with the target interval of scenario.toml dashed;
//   - Coin.AI: the training attempts completed network-wide while each block
//     was mined (blocks.csv attempts), the work behind one block.
func ChainOverHeight(runs []*rundata.Run) (*Figure, *Note) {
	const name = "chain_over_height"
	n := len(runs)
	thr, accMain, accStale := make([]plotter.XYs, n), make([]plotter.XYs, n), make([]plotter.XYs, n)
	diff, ivl, att := make([]plotter.XYs, n), make([]plotter.XYs, n), make([]plotter.XYs, n)
	target := make([]float64, n)
	var maxI float64
	var nThr, nDiff, nIvl, nAtt, nBelow int
	for i, r := range runs {
		coin := r.Summary.Protocol != "pow"
		target[i] = r.TargetIntervalS()
		thrAt := map[int64]float64{}
		for _, t := range r.Threshold {
			if isFinite(t.Threshold) {
				thr[i] = append(thr[i], plotter.XY{X: float64(t.Height), Y: t.Threshold})
				thrAt[t.Height] = t.Threshold
			}
		}
		for _, b := range r.Blocks {
			if coin && isFinite(b.Accuracy) && b.Accuracy >= 0 && b.Accuracy <= 1 {
				xy := plotter.XY{X: float64(b.Height), Y: b.Accuracy}
				t, ok := thrAt[b.Height]
				if !ok {
					t = b.Threshold
				}
				switch {
				case b.Main:
					accMain[i] = append(accMain[i], xy)
				case isFinite(t) && b.Accuracy < t:
					// A block below its threshold (peers rejected it, or its
					// accuracy was not recorded): drawing it at its accuracy
					// would stretch the axis far below the threshold.
					nBelow++
				default:
					accStale[i] = append(accStale[i], xy)
				}
			}
			if !b.Main {
				continue
			}
			if len(r.Threshold) == 0 && isFinite(b.Threshold) {
				thr[i] = append(thr[i], plotter.XY{X: float64(b.Height), Y: b.Threshold})
			}
			if isFinite(b.Difficulty) && b.Difficulty > 0 {
				diff[i] = append(diff[i], plotter.XY{X: float64(b.Height), Y: b.Difficulty})
			}
			if isFinite(b.IntervalS) {
				ivl[i] = append(ivl[i], plotter.XY{X: float64(b.Height), Y: b.IntervalS})
				maxI = math.Max(maxI, b.IntervalS)
			}
		}
		if coin {
			hs, as := r.MainAttempts()
			att[i] = finiteXY(hs, as)
		}
		nThr += len(thr[i]) + len(accMain[i]) + len(accStale[i])
		nDiff += len(diff[i])
		nIvl += len(ivl[i])
		if slices.ContainsFunc(att[i], func(q plotter.XY) bool { return q.Y > 0 }) {
			nAtt += len(att[i])
		} else {
			att[i] = nil // PoW-like zeros or no data: nothing to show
		}
	}
	if nThr+nDiff+nIvl == 0 {
		return nil, &Note{name, "blocks.csv has no main-chain intervals, difficulty or threshold"}
	}
	var panels []*plot.Plot
	var parts []string
	newPanel := func(ylabel string) *plot.Plot {
		p := newPlot("Mining parameter and block interval over height", runs, "block height", ylabel)
		if len(panels) > 0 {
			p.Title.Text = ""
			panels[len(panels)-1].X.Label.Text = "" // the lowest panel names the shared axis
		}
		panels = append(panels, p)
		return p
	}
	addLines := func(p *plot.Plot, data []plotter.XYs, ymap func(float64) (float64, bool), step bool, legend func(i int) string) {
		for i, xy := range data {
			xy = mapY(xy, ymap)
			if len(xy) == 0 {
				continue
			}
			if step { // each height's value spans [h-½, h+½]
				st := make(plotter.XYs, 0, 2*len(xy))
				for _, q := range xy {
					st = append(st, plotter.XY{X: q.X - 0.5, Y: q.Y}, plotter.XY{X: q.X + 0.5, Y: q.Y})
				}
				xy = st
			}
			l := line(xy, lineStyle(i))
			l.LineStyle.Width = vg.Points(1.2)
			p.Add(l)
			if s := legend(i); s != "" {
				p.Legend.Add(s, l)
			}
		}
	}
	runLegend := func(i int) string {
		if len(runs) > 1 {
			return runs[i].Label()
		}
		return ""
	}
	if nThr > 0 {
		p := newPanel("test accuracy")
		addLines(p, thr, scaled(1), true, func(i int) string { return labelFor(runs, i, "threshold") })
		for i := range runs {
			if len(accMain[i]) > 0 {
				sc := scatter(accMain[i], colorOf(i), vg.Points(2.4), shapeOf(i))
				p.Add(sc)
				p.Legend.Add(labelFor(runs, i, "mined model, main chain"), sc)
			}
			if len(accStale[i]) > 0 {
				sc := scatter(accStale[i], colorOf(i), vg.Points(2.4), hollowOf(i))
				p.Add(sc)
				p.Legend.Add(labelFor(runs, i, "mined model, stale"), sc)
			}
		}
		legendAt(p, false, false, 0.35)
		p.Y.Max += 0.06 * (p.Y.Max - p.Y.Min) // keep the highest marker whole
		part := "the Coin.AI accuracy threshold a model must reach at each height (step) and the test accuracy of each mined model (filled: main chain, hollow: stale)"
		if nBelow > 0 {
			part += fmt.Sprintf(", leaving out %d stale blocks whose recorded accuracy is below their threshold", nBelow)
		}
		parts = append(parts, part)
	}
	if nDiff > 0 {
		lo, hi := math.Inf(1), 0.0
		for _, xy := range diff {
			for _, q := range xy {
				lo, hi = math.Min(lo, q.Y), math.Max(hi, q.Y)
			}
		}
		if hi/lo > 100 {
			p := newPanel("difficulty (log scale)")
			addLines(p, diff, log10Of, true, runLegend)
			p.Y.Tick.Marker = log10Ticks{}
			parts = append(parts, "the PoW difficulty (log scale)")
		} else {
			// A narrow range reads better linearly, scaled to a power of ten.
			e := math.Floor(math.Log10(hi))
			label := fmt.Sprintf("difficulty (×1e%.0f)", e)
			if e == 0 {
				label = "difficulty"
			}
			p := newPanel(label)
			addLines(p, diff, scaled(math.Pow(10, e)), true, runLegend)
			p.Y.Min = 0
			p.Y.Max *= 1.15 // a constant difficulty would sit on the frame
			if lo == hi {
				parts = append(parts, fmt.Sprintf("the PoW difficulty (constant at %.4g: no retarget within the run)", hi))
			} else {
				parts = append(parts, "the PoW difficulty")
			}
		}
		if len(runs) > 1 {
			legendAt(panels[len(panels)-1], true, false, 0.3)
		}
	}
	if nIvl > 0 {
		// A few long waits (a threshold set too high) would flatten all other
		// intervals onto zero on a linear axis: go logarithmic when the
		// longest interval exceeds 30 times the median.
		var all []float64
		minI := math.Inf(1)
		for _, xy := range ivl {
			for _, q := range xy {
				all = append(all, q.Y)
				if q.Y > 0 {
					minI = math.Min(minI, q.Y)
				}
			}
		}
		slices.Sort(all)
		logY := maxI > 30*all[len(all)/2] && isFinite(minI)
		tu := timeUnit(maxI)
		ylabel := "block interval (" + tu.Name + ")"
		if logY {
			tu = unit{1, "s"}
			ylabel = "block interval (s, log scale)"
		}
		p := newPanel(ylabel)
		ymap := scaled(tu.Scale)
		if logY {
			ymap = log10Of // zero intervals (same timestamp) are left out
		}
		addLines(p, ivl, ymap, false, runLegend)
		var targets []string
		// Runs with one common target share one grey line.
		common := math.NaN()
		for i, t := range target {
			if !isFinite(t) || len(ivl[i]) == 0 {
				continue
			}
			if math.IsNaN(common) {
				common = t
			} else if t != common {
				common = math.Inf(1) // targets differ
			}
		}
		for i, t := range target {
			if !isFinite(t) || len(ivl[i]) == 0 {
				continue
			}
			shared := len(runs) > 1 && isFinite(common)
			if shared && i > 0 && len(targets) > 0 {
				continue // drawn once
			}
			y, _ := ymap(t)
			l := plotter.NewFunction(func(float64) float64 { return y }) // spans the whole axis
			l.Samples = 2
			l.LineStyle = lineStyle(i)
			l.LineStyle.Width = vg.Points(1)
			l.LineStyle.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
			p.Add(l)
			p.Y.Max = math.Max(p.Y.Max, y) // a Function does not extend the range
			label := labelFor(runs, i, "target") + " " + fmtDuration(t)
			if shared {
				l.LineStyle.Color = grey
				label = "target " + fmtDuration(t) + " (all runs)"
			}
			p.Legend.Add(label, l)
			targets = append(targets, fmtDuration(t))
			if logY {
				p.Y.Min = math.Min(p.Y.Min, y)
			}
		}
		if logY {
			p.Y.Tick.Marker = log10Ticks{}
			p.Y.Min = math.Min(p.Y.Min, math.Log10(minI))
			legendAt(p, true, false, 0.2)
		} else {
			p.Y.Min = 0
			legendAt(p, true, false, 0.25)
		}
		part := "the interval to the parent block"
		if len(targets) > 0 {
			part += " (dashed: the target interval of scenario.toml, " + strings.Join(targets, ", ") + ")"
		}
		parts = append(parts, part)
	}
	if nAtt > 0 {
		lo, hi := math.Inf(1), 0.0
		for _, xy := range att {
			for _, q := range xy {
				if q.Y > 0 {
					lo = math.Min(lo, q.Y)
				}
				hi = math.Max(hi, q.Y)
			}
		}
		logY := hi > 100*lo
		ylabel := "attempts per block"
		if logY {
			ylabel = "attempts per block (log)"
		}
		p := newPanel(ylabel)
		for i, xy := range att {
			if logY {
				xy = mapY(xy, log10Of)
			}
			if len(xy) == 0 {
				continue
			}
			l := line(xy, lineStyle(i))
			l.LineStyle.Width = vg.Points(0.8)
			sc := scatter(xy, colorOf(i), vg.Points(2), shapeOf(i))
			p.Add(l, sc)
			if len(runs) > 1 {
				p.Legend.Add(runs[i].Label(), l, sc)
			}
		}
		if logY {
			p.Y.Tick.Marker = log10Ticks{}
		} else {
			p.Y.Min = 0
		}
		p.Y.Max += 0.05 * (p.Y.Max - p.Y.Min) // keep the highest marker whole
		if len(runs) > 1 {
			legendAt(p, true, false, 0.3)
		}
		parts = append(parts, "the training attempts completed by all nodes while the block was mined (blocks.csv attempts)")
	}
	// Stacked panels share the height axis: the same range on each, padded
	// by half a block so that end markers are not cut.
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range panels {
		lo, hi = math.Min(lo, p.X.Min), math.Max(hi, p.X.Max)
	}
	lo, hi = math.Floor(lo+0.5), math.Ceil(hi-0.5) // back to heights: step lines already reach ±½
	for _, p := range panels {
		p.X.Min, p.X.Max = lo-0.5, hi+0.5
	}
	caption := "Over main-chain height: " + strings.Join(parts, "; ") + "."
	return figure(name, "Mining parameter and interval over height", caption, panels...), nil
}

// hollowOf is the outline counterpart of shapeOf, for secondary points.
func hollowOf(i int) draw.GlyphDrawer {
	switch i % 4 {
	case 1:
		return draw.TriangleGlyph{}
	case 2:
		return draw.SquareGlyph{}
	case 3:
		return draw.PlusGlyph{}
	}
	return draw.RingGlyph{}
}

// lighten returns c blended halfway to white, for histogram fills.
func lighten(c interface{ RGBA() (r, g, b, a uint32) }) plotColor {
	r, g, b, _ := c.RGBA()
	return plotColor{uint8((r>>8 + 255) / 2), uint8((g>>8 + 255) / 2), uint8((b>>8 + 255) / 2)}
}
