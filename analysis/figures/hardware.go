package figures

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/coinai/coinai/analysis/rundata"
)

// RewardComputeByHardware compares, per hardware class, the share of the
// compute (nodes.csv busy_s × compute.csv flops, the definition of
// summary.json's reward_compute_slope) with the share of the main-chain
// blocks and of the rewards: the question of a mixed fleet is whether a
// class earns in proportion to the work it does. Coin.AI runs with more
// than one hardware class; the first run only (per-class bars do not
// overlay).
func RewardComputeByHardware(runs []*rundata.Run) (*Figure, *Note) {
	const name = "rewards_vs_compute_by_hardware"
	r := runs[0]
	compute, _ := computePerNode(r)
	if compute == nil {
		return nil, &Note{name, "compute.csv missing (PoW, or a run that predates it)"}
	}
	type agg struct{ compute, main, reward, nodes float64 }
	by := map[string]*agg{}
	var tot agg
	for i, n := range r.Nodes {
		hw := n.Hardware
		if hw == "" {
			hw = "(unknown)"
		}
		a := by[hw]
		if a == nil {
			a = &agg{}
			by[hw] = a
		}
		a.nodes++
		for _, pr := range []struct {
			dst, total *float64
			v          float64
		}{{&a.compute, &tot.compute, compute[i]}, {&a.main, &tot.main, n.BlocksMain}, {&a.reward, &tot.reward, n.Reward}} {
			if isFinite(pr.v) {
				*pr.dst += pr.v
				*pr.total += pr.v
			}
		}
	}
	classes := sortedKeys(by)
	if len(classes) < 2 {
		return nil, &Note{name, "fewer than two hardware classes"}
	}
	if tot.compute <= 0 || tot.reward <= 0 {
		return nil, &Note{name, "no compute or no rewards"}
	}
	type series struct {
		label string
		get   func(*agg) float64
		total float64
	}
	ss := []series{{"share of compute (busy_s × flops)", func(a *agg) float64 { return a.compute }, tot.compute}}
	if tot.main > 0 {
		ss = append(ss, series{"share of main-chain blocks", func(a *agg) float64 { return a.main }, tot.main})
	}
	ss = append(ss, series{"share of rewards", func(a *agg) float64 { return a.reward }, tot.reward})
	p := newPlot("Reward share against compute share by hardware class", runs[:1], "hardware class", "share (%)")
	w := vg.Points(math.Min(28, 360/float64(len(classes)*len(ss))))
	for k, s := range ss {
		vals := make(plotter.Values, len(classes))
		for c, hw := range classes {
			vals[c] = 100 * s.get(by[hw]) / s.total
		}
		bc, err := plotter.NewBarChart(vals, w)
		if err != nil {
			return nil, &Note{name, err.Error()}
		}
		bc.Color = colorOf(k)
		bc.LineStyle.Width = 0
		bc.Offset = (vg.Length(k) - vg.Length(len(ss)-1)/2) * w
		p.Add(bc)
		p.Legend.Add(s.label, bc)
	}
	var lines []string
	for _, hw := range classes {
		a := by[hw]
		lines = append(lines, fmt.Sprintf("%s (%.0f nodes): %.2f%% of compute, %.1f%% of rewards", hw, a.nodes, 100*a.compute/tot.compute, 100*a.reward/tot.reward))
	}
	p.NominalX(classes...)
	p.X.Min, p.X.Max = -0.6, float64(len(classes))-0.4
	p.Y.Min = 0
	legendAt(p, true, true, 0.35)
	caption := "Per hardware class (nodes.csv hardware): share of the compute (busy time × FLOP/s, training and verification), " +
		"of the main-chain blocks won and of the rewards (blocks, fees, problem rewards). " + strings.Join(lines, "; ") + "."
	if len(runs) > 1 {
		caption += " First run only: " + r.Label() + "."
	}
	return figure(name, "Rewards against compute by hardware class", caption, p), nil
}

// EnergyPerBlockByRun sets the runs of a comparison side by side: the
// energy per main-chain block (summary.json energy_joules_per_block) and,
// for a run with a problem market, the energy per delivered model
// (energy_per_model_delivered_j), on a log scale, so that a Coin.AI run
// and its proof-of-work twin on the same network read in one glance.
// Comparisons only (two runs or more).
func EnergyPerBlockByRun(runs []*rundata.Run) (*Figure, *Note) {
	const name = "energy_per_block_by_run"
	if len(runs) < 2 {
		return nil, &Note{name, "a comparison figure (two runs or more)"}
	}
	perBlock := make([]float64, len(runs))
	perModel := make([]float64, len(runs))
	labels := make([]string, len(runs))
	hasModel := false
	lo, hi := math.Inf(1), 0.0
	for i, r := range runs {
		labels[i] = r.Label()
		perBlock[i] = r.Summary.EnergyJoulesPerBlock
		perModel[i] = math.NaN()
		if raw, ok := r.Summary.Raw["energy_per_model_delivered_j"]; ok {
			var v *float64
			if json.Unmarshal(raw, &v) == nil && v != nil && *v > 0 {
				perModel[i], hasModel = *v, true
			}
		}
		for _, v := range []float64{perBlock[i], perModel[i]} {
			if isFinite(v) && v > 0 {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if hi <= 0 {
		return nil, &Note{name, "no run has a positive energy_joules_per_block"}
	}
	type series struct {
		label string
		vals  []float64
	}
	ss := []series{{"energy per main-chain block", perBlock}}
	if hasModel {
		ss = append(ss, series{"energy per delivered model", perModel})
	}
	p := newPlot("Energy per block and per delivered model", runs, "run", "energy (J, log scale)")
	w := vg.Points(math.Min(40, 360/float64(len(runs)*len(ss))))
	floor := math.Pow(10, math.Floor(math.Log10(lo)))
	var lines []string
	for k, s := range ss {
		vals := make(plotter.Values, len(runs))
		for i, v := range s.vals {
			vals[i] = 0
			if isFinite(v) && v > 0 {
				vals[i] = math.Log10(v) - math.Log10(floor)
			}
		}
		bc, err := plotter.NewBarChart(vals, w)
		if err != nil {
			return nil, &Note{name, err.Error()}
		}
		bc.Color = colorOf(k)
		bc.LineStyle.Width = 0
		bc.Offset = (vg.Length(k) - vg.Length(len(ss)-1)/2) * w
		p.Add(bc)
		p.Legend.Add(s.label, bc)
	}
	for i := range runs {
		l := fmt.Sprintf("%s: %s J per block", labels[i], fmtG(perBlock[i]))
		if isFinite(perModel[i]) {
			l += fmt.Sprintf(", %s J per delivered model", fmtG(perModel[i]))
		}
		lines = append(lines, l)
	}
	p.NominalX(labels...)
	p.X.Min, p.X.Max = -0.6, float64(len(runs))-0.4
	p.Y.Min, p.Y.Max = 0, math.Log10(hi)-math.Log10(floor)+0.5
	p.Y.Tick.Marker = offsetLog10Ticks{floor}
	legendAt(p, true, true, 0.3)
	caption := "Per run: summary.json energy_joules_per_block (all nodes' energy, mining, verification and idle, over the main-chain blocks) " +
		"and, with a problem market, energy_per_model_delivered_j (the same energy over the models users received). " + strings.Join(lines, "; ") + "."
	return figure(name, "Energy per block and per delivered model", caption, p), nil
}

// offsetLog10Ticks labels an axis that plots log10(v) - log10(floor), so
// that bars on a log scale start at floor: log10Ticks shifted by floor.
type offsetLog10Ticks struct{ floor float64 }

func (o offsetLog10Ticks) Ticks(lo, hi float64) []plot.Tick {
	off := math.Log10(o.floor)
	ts := log10Ticks{}.Ticks(lo+off, hi+off)
	for i := range ts {
		ts[i].Value -= off
	}
	return ts
}
