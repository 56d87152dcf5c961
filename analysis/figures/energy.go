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
		if len(runs) == 1 {
			for _, hw := range sortedKeys(byHW) {
				ss = append(ss, *byHW[hw])
			}
		}
		// Total per time; energy.csv rows come in time order per class.
		t := series{label: labelFor(runs, i, "all hardware")}
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
	if len(runs) > 1 {
		p.Title.Text = strings.Replace(p.Title.Text, " by hardware class", " (all hardware)", 1)
	}
	for i, s := range ss {
		style := lineStyle(i)
		if len(runs) == 1 && i == len(ss)-1 {
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
	if len(runs) > 1 {
		caption = "Cumulative energy drawn by all nodes of each run over virtual time (energy.csv, summed over hardware classes)."
	}
	return figure(name, "Cumulative energy", caption, p), nil
}

// EnergyPerBlock draws blocks.csv's energy_j for each main-chain block over
// height, one series per run.
func EnergyPerBlock(runs []*rundata.Run) (*Figure, *Note) {
	const name = "energy_per_block"
	var maxE float64
	type pts struct{ h, e []float64 }
	all := make([]pts, len(runs))
	any := false
	for i, r := range runs {
		for _, b := range r.Blocks {
			if b.Main && isFinite(b.EnergyJ) {
				all[i].h = append(all[i].h, float64(b.Height))
				all[i].e = append(all[i].e, b.EnergyJ)
				maxE = math.Max(maxE, b.EnergyJ)
				any = true
			}
		}
	}
	if !any {
		return nil, &Note{name, "blocks.csv has no energy_j values"}
	}
	eu := energyUnit(maxE)
	p := newPlot("Energy per main-chain block", runs, "block height", "energy of the block ("+eu.Name+")")
	var means []string
	for i, s := range all {
		if len(s.h) == 0 {
			continue
		}
		ys := make([]float64, len(s.e))
		var sum float64
		for j, v := range s.e {
			ys[j] = v / eu.Scale
			sum += v
		}
		xy := finiteXY(s.h, ys)
		l := line(xy, lineStyle(i))
		l.LineStyle.Width = vg.Points(0.8)
		sc := scatter(xy, colorOf(i), vg.Points(2), shapeOf(i))
		p.Add(l, sc)
		mean := sum / float64(len(s.e))
		p.Legend.Add(fmt.Sprintf("%s mean %s %s", labelFor(runs, i, ""), fmtG(mean/eu.Scale), eu.Name), l, sc)
		means = append(means, fmtG(mean/eu.Scale)+" "+eu.Name)
	}
	p.Y.Min = 0
	legendAt(p, true, false, 0.2)
	caption := "Energy attributed to each main-chain block (blocks.csv energy_j) against its height. " +
		"Mean per block: " + strings.Join(means, ", ") + "."
	return figure(name, "Energy per block", caption, p), nil
}

// UsefulEnergy splits each Coin.AI run's total energy (summary.json
// energy_joules) into the energy of main-chain blocks, whose trained models
// are kept (useful work), the energy of stale blocks, and the rest (attempts
// that lost the race, verification, idle power). It assumes blocks.csv's
// energy_j is the energy of the attempts that produced the block; PoW runs
// are left out because a hash has no use beyond the block.
func UsefulEnergy(runs []*rundata.Run) (*Figure, *Note) {
	const name = "energy_useful_share"
	var labels []string
	var main, stale, other []float64
	for _, r := range runs {
		if r.Summary.Protocol != "coinai" || !isFinite(r.Summary.EnergyJoules) || r.Summary.EnergyJoules <= 0 {
			continue
		}
		var m, s float64
		n := 0
		for _, b := range r.Blocks {
			if !isFinite(b.EnergyJ) {
				continue
			}
			n++
			if b.Main {
				m += b.EnergyJ
			} else {
				s += b.EnergyJ
			}
		}
		if n == 0 {
			continue
		}
		tot := r.Summary.EnergyJoules
		labels = append(labels, r.Label())
		main = append(main, 100*m/tot)
		stale = append(stale, 100*s/tot)
		other = append(other, 100*math.Max(0, tot-m-s)/tot)
	}
	if len(labels) == 0 {
		return nil, &Note{name, "needs a Coin.AI run with summary.json energy_joules and blocks.csv energy_j (PoW work is not useful by construction)"}
	}
	p := newPlot("Share of energy spent on kept models", runs, "", "share of total energy (%)")
	w := vg.Points(math.Min(60, 300/float64(len(labels))/3))
	for k, s := range []struct {
		name string
		v    []float64
	}{{"main-chain blocks (model kept)", main}, {"stale blocks", stale}, {"other: lost attempts, verification, idle", other}} {
		bc, err := plotter.NewBarChart(plotter.Values(s.v), w)
		if err != nil {
			return nil, &Note{name, err.Error()}
		}
		bc.Color = colorOf(k)
		bc.LineStyle.Width = 0
		bc.Offset = vg.Length(k-1) * w
		p.Add(bc)
		p.Legend.Add(s.name, bc)
		xys := make(plotter.XYs, len(s.v))
		txt := make([]string, len(s.v))
		for j, v := range s.v {
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
		lb.Offset = vg.Point{X: vg.Length(k-1) * w, Y: vg.Points(3)}
		p.Add(lb)
	}
	p.NominalX(labels...)
	p.X.Tick.Label.Font.Size = vg.Points(9.5)
	p.X.Min, p.X.Max = -0.6, float64(len(labels))-0.4
	p.Y.Min, p.Y.Max = 0, 100
	legendAt(p, true, false, 0.3)
	p.Y.Tick.Marker = percentTicks{}
	caption := fmt.Sprintf("Total energy (summary.json energy_joules) split into the energy_j of main-chain blocks, whose models Coin.AI keeps, that of stale blocks, and the rest. Main-chain share: %s%%. Assumes energy_j is the energy of the attempts that produced each block.", joinF(main))
	return figure(name, "Useful energy share", caption, p), nil
}

type percentTicks struct{}

func (percentTicks) Ticks(min, max float64) []plot.Tick {
	var ts []plot.Tick
	for v := 0.0; v <= 100; v += 20 {
		ts = append(ts, plot.Tick{Value: v, Label: fmt.Sprintf("%.0f", v)})
	}
	return ts
}

func joinF(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprintf("%.1f", x)
	}
	return strings.Join(s, ", ")
}
