package attacks

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/coinai/coinai/analysis/figures"
)

// Figures draws, per attack (in manifest order):
//   - share_vs_compute-ATTACK: every node's reward share against its
//     compute share, all replications, one series per variant, with the
//     line y = x (rewards that follow compute); attacker nodes drawn
//     filled, honest ones as the variant's marker. For fastest-wins it is
//     the baseline against the lottery.
//   - effect-ATTACK: per variant and seed, the headline value of the
//     attack run against its honest twin (the attacker nodes' reward
//     share when the attack has attacker nodes, else the stale rate),
//     with y = x: a point above the line is a seed the attack gained in.
//
// Attacks whose runs have no compute shares (proof-of-work) get no share
// figure.
func (r *Report) Figures() []*figures.Figure {
	var out []*figures.Figure
	var attacks []string
	for _, row := range r.Rows {
		if len(attacks) == 0 || attacks[len(attacks)-1] != row.Attack {
			attacks = append(attacks, row.Attack)
		}
	}
	for _, a := range attacks {
		if f := r.shareFigure(a); f != nil {
			out = append(out, f)
		}
		if f := r.effectFigure(a); f != nil {
			out = append(out, f)
		}
	}
	return out
}

func (r *Report) rowsOf(attack string) []int {
	var idx []int
	for i, row := range r.Rows {
		if row.Attack == attack {
			idx = append(idx, i)
		}
	}
	return idx
}

func (r *Report) shareFigure(attack string) *figures.Figure {
	p := figures.NewPlot("Reward share against compute share: "+attack,
		fmt.Sprintf("every node of %d replications per variant · y = x: rewards follow compute", r.Reps),
		"compute share (busy s × FLOP rate)", "reward share")
	any := false
	hi := 0.0
	for n, i := range r.rowsOf(attack) {
		var xy plotter.XYs
		for _, rv := range r.Runs {
			if rv.Case != i || rv.Twin {
				continue
			}
			for _, ns := range rv.Nodes {
				if math.IsNaN(ns.Compute) || math.IsNaN(ns.Reward) {
					continue
				}
				xy = append(xy, plotter.XY{X: ns.Compute, Y: ns.Reward})
				hi = math.Max(hi, ns.Compute)
			}
		}
		any = addScatter(p, xy, n, r.Rows[i].Variant) || any
	}
	if !any {
		return nil
	}
	addDiagonal(p, hi*1.1)
	figures.LegendAt(p, true, true, 0.15)
	return figures.New("share_vs_compute-"+attack, "Reward share against compute share: "+attack,
		fmt.Sprintf("Each point is a node of one replication of the attack scenario (seeds 1..%d), one colour per protocol variant; "+
			"the line is y = x, where a node's reward share equals its compute share. reward_compute_slope in the table is the slope of these points per run.", r.Reps), p)
}

func (r *Report) effectFigure(attack string) *figures.Figure {
	idx := r.rowsOf(attack)
	key, label := "stale_rate", "stale rate"
	for _, i := range idx {
		if c := r.Rows[i].Cells["attacker_set_reward_share"]; c.Attack.N > 0 {
			key, label = "attacker_set_reward_share", "reward share of the attacker nodes"
		}
	}
	p := figures.NewPlot("Attack against its honest twin: "+attack,
		"one point per seed and variant · y = x: no effect", label+" in the honest twin (same seed)", label+" under attack")
	any := false
	hi := 0.0
	for n, i := range idx {
		twin := map[int64]float64{}
		for _, rv := range r.Runs {
			if rv.Case == i && rv.Twin {
				twin[rv.Seed] = rv.Values[key]
			}
		}
		var xy plotter.XYs
		for _, rv := range r.Runs {
			if rv.Case != i || rv.Twin {
				continue
			}
			t, ok := twin[rv.Seed]
			if a := rv.Values[key]; ok && !math.IsNaN(a) && !math.IsNaN(t) {
				xy = append(xy, plotter.XY{X: t, Y: a})
				hi = math.Max(hi, math.Max(a, t))
			}
		}
		any = addScatter(p, xy, n, r.Rows[i].Variant) || any
	}
	if !any {
		return nil
	}
	addDiagonal(p, math.Max(hi*1.05, 1e-3))
	figures.LegendAt(p, true, true, 0.15)
	return figures.New("effect-"+attack, "Attack against its honest twin: "+attack,
		fmt.Sprintf("For each seed, the %s of the attack run (y) against the honest twin of the same seed (x): the same scenario with every attacker role "+
			"mining honestly and no faults. Points above the line are seeds where the attack raised it.", label), p)
}

func addDiagonal(p *plot.Plot, hi float64) {
	l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: hi, Y: hi}})
	if err != nil {
		return
	}
	l.LineStyle = draw.LineStyle{Color: color.Gray{Y: 0x80}, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}}
	p.Add(l)
	p.X.Min, p.Y.Min = 0, 0
	p.X.Max, p.Y.Max = math.Max(p.X.Max, hi), math.Max(p.Y.Max, hi)
}

// addScatter draws xy as the n-th series of p, named in the legend, and
// reports whether it drew anything (an empty series is left out).
func addScatter(p *plot.Plot, xy plotter.XYs, n int, name string) bool {
	if len(xy) == 0 {
		return false
	}
	sc, err := plotter.NewScatter(xy)
	if err != nil {
		return false
	}
	sc.GlyphStyle = figures.GlyphStyle(n)
	p.Add(sc)
	p.Legend.Add(name, sc)
	return true
}
