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

func shapeOf(i int) draw.GlyphDrawer {
	switch i % 4 {
	case 1:
		return draw.TriangleGlyph{}
	case 2:
		return draw.SquareGlyph{}
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

// ChainOverHeight stacks, over block height, the mining parameter (Coin.AI
// accuracy threshold from threshold.csv or blocks.csv; PoW difficulty from
// blocks.csv, log scale) above the block interval, so that the effect of
// the adjustment rule on block time is visible.
func ChainOverHeight(runs []*rundata.Run) (*Figure, *Note) {
	const name = "chain_over_height"
	thr := make([]plotter.XYs, len(runs))
	diff := make([]plotter.XYs, len(runs))
	ivl := make([]plotter.XYs, len(runs))
	var maxI float64
	var nThr, nDiff, nIvl int
	for i, r := range runs {
		if len(r.Threshold) > 0 {
			for _, t := range r.Threshold {
				if isFinite(t.Threshold) {
					thr[i] = append(thr[i], plotter.XY{X: float64(t.Height), Y: t.Threshold})
				}
			}
		}
		for _, b := range r.Blocks {
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
		nThr += len(thr[i])
		nDiff += len(diff[i])
		nIvl += len(ivl[i])
	}
	if nThr+nDiff+nIvl == 0 {
		return nil, &Note{name, "blocks.csv has no main-chain intervals, difficulty or threshold"}
	}
	var panels []*plot.Plot
	var parts []string
	addPanel := func(data []plotter.XYs, ylabel, series string, log bool, scale float64) {
		p := newPlot("Mining parameter and block interval over height", runs, "block height", ylabel)
		if len(panels) > 0 {
			p.Title.Text = ""
			panels[len(panels)-1].X.Label.Text = "" // the lowest panel names the shared axis
		}
		for i, xy := range data {
			if len(xy) == 0 {
				continue
			}
			if scale != 1 {
				xy = slices.Clone(xy)
				for j := range xy {
					xy[j].Y /= scale
				}
			}
			l := line(xy, lineStyle(i))
			l.LineStyle.Width = vg.Points(1.2)
			p.Add(l)
			if len(runs) > 1 {
				p.Legend.Add(runs[i].Label(), l)
			}
		}
		if log {
			p.Y.Scale = plot.LogScale{}
			p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
		}
		if len(runs) > 1 {
			legendAt(p, true, false, 0.3)
		}
		panels = append(panels, p)
		parts = append(parts, series)
	}
	if nThr > 0 {
		addPanel(thr, "accuracy threshold", "the Coin.AI accuracy threshold a model must reach", false, 1)
	}
	if nDiff > 0 {
		lo, hi := math.Inf(1), 0.0
		for _, xy := range diff {
			for _, q := range xy {
				lo, hi = math.Min(lo, q.Y), math.Max(hi, q.Y)
			}
		}
		if hi/lo > 100 {
			addPanel(diff, "difficulty (log scale)", "the PoW difficulty (log scale)", true, 1)
		} else {
			// A narrow range reads better linearly, scaled to a power of ten.
			e := math.Floor(math.Log10(hi))
			label := fmt.Sprintf("difficulty (×1e%.0f)", e)
			if e == 0 {
				label = "difficulty"
			}
			addPanel(diff, label, "the PoW difficulty", false, math.Pow(10, e))
		}
	}
	if nIvl > 0 {
		tu := timeUnit(maxI)
		addPanel(ivl, "block interval ("+tu.Name+")", "the interval to the parent block", false, tu.Scale)
		panels[len(panels)-1].Y.Min = 0
	}
	caption := "Over main-chain height: " + strings.Join(parts, "; ") + "."
	return figure(name, "Mining parameter and interval over height", caption, panels...), nil
}

// lighten returns c blended halfway to white, for histogram fills.
func lighten(c interface{ RGBA() (r, g, b, a uint32) }) plotColor {
	r, g, b, _ := c.RGBA()
	return plotColor{uint8((r>>8 + 255) / 2), uint8((g>>8 + 255) / 2), uint8((b>>8 + 255) / 2)}
}
