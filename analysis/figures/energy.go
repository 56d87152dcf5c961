package figures

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/coinai/coinai/analysis/rundata"
)

// EnergyCumulative draws cumulative energy over virtual time from
// energy.csv: one line per hardware class for a single run, the total of
// all classes per run when comparing.
func EnergyCumulative(runs []*rundata.Run) (*Figure, *Note) {
	const name = "energy_cumulative"
	var maxT, maxE float64
	type series struct {
		label string
		xs    []float64
		ys    []float64
	}
	var ss []series
	oneClass := "" // the hardware class of a single-run, single-class run
	for i, r := range runs {
		if len(r.Energy) == 0 {
			continue
		}
		byHW := map[string]*series{}
		total := map[float64]float64{}
		var times []float64
		for _, e := range r.Energy {
			s := byHW[e.Hardware]
			if s == nil {
				s = &series{label: e.Hardware}
				byHW[e.Hardware] = s
			}
			s.xs, s.ys = append(s.xs, e.TimeS), append(s.ys, e.EnergyJ)
			if _, ok := total[e.TimeS]; !ok {
				times = append(times, e.TimeS)
			}
			total[e.TimeS] += e.EnergyJ
			maxT = math.Max(maxT, e.TimeS)
		}
		if len(runs) == 1 && len(byHW) > 1 {
			for _, hw := range sortedKeys(byHW) {
				ss = append(ss, *byHW[hw])
			}
		}
		// Total per time; energy.csv rows come in time order per class. With
		// one class the total is that class, drawn once and named by it.
		t := series{label: labelFor(runs, i, "all hardware")}
		if len(runs) == 1 && len(byHW) == 1 {
			oneClass = sortedKeys(byHW)[0]
			t.label = oneClass + " (all nodes)"
		}
		for _, ts := range times {
			t.xs, t.ys = append(t.xs, ts), append(t.ys, total[ts])
			maxE = math.Max(maxE, total[ts])
		}
		ss = append(ss, t)
	}
	if len(ss) == 0 {
		return nil, &Note{name, "no energy.csv"}
	}
	tu, eu := timeUnit(maxT), energyUnit(maxE)
	p := newPlot("Cumulative energy by hardware class", runs, "virtual time ("+tu.Name+")", "cumulative energy ("+eu.Name+")")
	if len(runs) > 1 || oneClass != "" {
		p.Title.Text = strings.Replace(p.Title.Text, " by hardware class", " (all hardware)", 1)
	}
	for i, s := range ss {
		style := lineStyle(i)
		if len(runs) == 1 && len(ss) > 1 && i == len(ss)-1 {
			style = draw.LineStyle{Color: Palette[6], Width: vg.Points(2.2)} // the total, in black
		}
		xs := make([]float64, len(s.xs))
		ys := make([]float64, len(s.ys))
		for j := range xs {
			xs[j], ys[j] = s.xs[j]/tu.Scale, s.ys[j]/eu.Scale
		}
		l := line(finiteXY(xs, ys), style)
		p.Add(l)
		p.Legend.Add(s.label, l)
	}
	p.Y.Min = 0
	p.X.Min = 0
	legendAt(p, true, true, 0.05)
	caption := "Cumulative energy drawn by all nodes of each hardware class over virtual time (energy.csv); the line labelled \"all hardware\" is their sum. Slopes are power draw."
	switch {
	case len(runs) > 1:
		caption = "Cumulative energy drawn by all nodes of each run over virtual time (energy.csv, summed over hardware classes)."
	case oneClass != "":
		caption = "Cumulative energy drawn by all nodes over virtual time (energy.csv; every node has hardware class " + oneClass + "). The slope is the network's power draw."
	}
	return figure(name, "Cumulative energy", caption, p), nil
}

// EnergyPerBlock draws blocks.csv's energy_j for each main-chain block over
// height, one series per run. The simulator writes energy_j as the energy
// drawn by all nodes between the parent's and the block's discovery, so the
// series follows the block interval times the network's power. When runs
// differ by more than a factor 100 (Coin.AI on laptops against a PoW ASIC
// fleet) the axis is logarithmic, since a linear one flattens the smaller
// run onto zero.
func EnergyPerBlock(runs []*rundata.Run) (*Figure, *Note) {
	const name = "energy_per_block"
	minE, maxE := math.Inf(1), 0.0
	type pts struct{ h, e []float64 }
	all := make([]pts, len(runs))
	any := false
	for i, r := range runs {
		for _, b := range r.Blocks {
			if b.Main && isFinite(b.EnergyJ) {
				all[i].h = append(all[i].h, float64(b.Height))
				all[i].e = append(all[i].e, b.EnergyJ)
				maxE = math.Max(maxE, b.EnergyJ)
				if b.EnergyJ > 0 {
					minE = math.Min(minE, b.EnergyJ)
				}
				any = true
			}
		}
	}
	if !any {
		return nil, &Note{name, "blocks.csv has no energy_j values"}
	}
	logY := len(runs) > 1 && maxE > 100*minE
	eu := energyUnit(maxE)
	ylabel := "energy of the block (" + eu.Name + ")"
	if logY {
		eu = unit{1, "J"}
		ylabel = "energy of the block (J, log scale)"
	}
	p := newPlot("Energy per main-chain block", runs, "block height", ylabel)
	var means []string
	for i, s := range all {
		if len(s.h) == 0 {
			continue
		}
		var xy plotter.XYs
		var sum float64
		for j, v := range s.e {
			sum += v
			xy = append(xy, plotter.XY{X: s.h[j], Y: v})
		}
		if logY {
			xy = mapY(xy, log10Of)
		} else {
			xy = mapY(xy, scaled(eu.Scale))
		}
		l := line(xy, lineStyle(i))
		l.LineStyle.Width = vg.Points(0.8)
		sc := scatter(xy, colorOf(i), vg.Points(2), shapeOf(i))
		p.Add(l, sc)
		mean := sum / float64(len(s.e))
		mu := energyUnit(mean) // each run's mean in its own unit
		m := fmtG(mean/mu.Scale) + " " + mu.Name
		p.Legend.Add(strings.TrimSpace(labelFor(runs, i, "")+" mean "+m), l, sc)
		means = append(means, strings.TrimSpace(labelFor(runs, i, "")+" "+m))
	}
	if logY {
		p.Y.Tick.Marker = log10Ticks{}
		legendAt(p, true, false, 0.25)
	} else {
		p.Y.Min = 0
		legendAt(p, true, false, 0.2)
	}
	caption := "Energy drawn by all nodes between the discovery of each main-chain block's parent and of the block (blocks.csv energy_j), against height: the block interval times the network's power, so it includes lost and cancelled attempts, verification and idle draw. " +
		"Mean per block: " + strings.Join(means, ", ") + "."
	if logY {
		caption += " Logarithmic axis: the runs differ by more than a factor 100."
	}
	return figure(name, "Energy per block", caption, p), nil
}

// AttemptOutcomes shows, for each Coin.AI run, what became of the training
// attempts the nodes started (summary.json attempts_completed,
// attempts_cancelled, blocks_main, blocks_stale): a model on the main chain
// (kept, the useful work), a stale block, a completed attempt that made no
// block (below the accuracy threshold, or the tip moved), or an attempt
// cancelled by a new tip. It replaces an energy split that blocks.csv cannot
// support: energy_j is network energy per interval, not the energy of the
// winning attempt. PoW runs are left out: a hash has no use beyond the block.
func AttemptOutcomes(runs []*rundata.Run) (*Figure, *Note) {
	const name = "attempts_outcome"
	var labels []string
	var cols [4][]float64
	var parts []string
	for _, r := range runs {
		s := r.Summary
		if s.Protocol != "coinai" || s.AttemptsCompleted <= 0 {
			continue
		}
		started := float64(s.AttemptsCompleted + s.AttemptsCancelled)
		noBlock := max(0, s.AttemptsCompleted-s.BlocksMain-s.BlocksStale)
		v := [4]int64{s.BlocksMain, s.BlocksStale, noBlock, s.AttemptsCancelled}
		for k := range cols {
			cols[k] = append(cols[k], 100*float64(v[k])/started)
		}
		labels = append(labels, r.Label())
		parts = append(parts, fmt.Sprintf("%s: %d started, %d kept on the main chain (%.1f%%), %d stale, %d completed without a block, %d cancelled",
			r.Label(), int64(started), v[0], 100*float64(v[0])/started, v[1], v[2], v[3]))
	}
	if len(labels) == 0 {
		return nil, &Note{name, "needs a Coin.AI run with summary.json attempts_completed (PoW work is not useful by construction)"}
	}
	p := newPlot("What became of the training attempts", runs, "", "share of attempts started (%)")
	w := vg.Points(math.Min(50, 300/float64(len(labels))/4))
	series := []string{"model kept on the main chain", "stale block", "completed, no block (below threshold)", "cancelled by a new tip"}
	for k, label := range series {
		bc, err := plotter.NewBarChart(plotter.Values(cols[k]), w)
		if err != nil {
			return nil, &Note{name, err.Error()}
		}
		bc.Color = colorOf(k)
		bc.LineStyle.Width = 0
		bc.Offset = (vg.Length(k) - 1.5) * w
		p.Add(bc)
		p.Legend.Add(label, bc)
		xys := make(plotter.XYs, len(cols[k]))
		txt := make([]string, len(cols[k]))
		for j, v := range cols[k] {
			xys[j] = plotter.XY{X: float64(j), Y: v}
			txt[j] = fmt.Sprintf("%.1f%%", v)
		}
		lb, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: txt})
		if err != nil {
			return nil, &Note{name, err.Error()}
		}
		for j := range lb.TextStyle {
			lb.TextStyle[j].XAlign = draw.XCenter
			lb.TextStyle[j].Font.Size = vg.Points(10)
		}
		lb.Offset = vg.Point{X: (vg.Length(k) - 1.5) * w, Y: vg.Points(3)}
		p.Add(lb)
	}
	p.NominalX(labels...)
	p.X.Tick.Label.Font.Size = vg.Points(10.5)
	p.X.Min, p.X.Max = -0.6, float64(len(labels))-0.4
	p.Y.Min, p.Y.Max = 0, 100
	legendAt(p, true, false, 0.3)
	p.Y.Tick.Marker = percentTicks{}
	caption := "Share of the training attempts started (completed + cancelled, summary.json) that produced a model kept on the main chain — Coin.AI's useful work — a stale block, a completed model that made no block (below the accuracy threshold or superseded), or were cancelled when a new block arrived. " +
		strings.Join(parts, "; ") + "."
	return figure(name, "Outcome of training attempts", caption, p), nil
}

type percentTicks struct{}

func (percentTicks) Ticks(min, max float64) []plot.Tick {
	var ts []plot.Tick
	for v := 0.0; v <= 100; v += 20 {
		ts = append(ts, plot.Tick{Value: v, Label: fmt.Sprintf("%.0f", v)})
	}
	return ts
}
