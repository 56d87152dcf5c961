package figures

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/coinai/coinai/analysis/rundata"
	"github.com/coinai/coinai/analysis/stats"
)

// RewardLorenz draws the Lorenz curve of per-node total reward (nodes.csv
// reward) with the Gini coefficient (stats.Gini, population definition) in
// the legend, one curve per run.
func RewardLorenz(runs []*rundata.Run) (*Figure, *Note) {
	const name = "rewards_lorenz"
	p := newPlot("Distribution of rewards across nodes (Lorenz curve)", runs,
		"cumulative share of nodes, poorest first", "cumulative share of rewards")
	eq := line(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}}, draw.LineStyle{Color: grey, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}})
	p.Add(eq)
	p.Legend.Add("perfect equality (Gini 0)", eq)
	var ginis []string
	drawn := 0
	for i, r := range runs {
		x := r.Rewards()
		pts := stats.Lorenz(x)
		if pts == nil {
			continue
		}
		xy := make(plotter.XYs, len(pts))
		for j, q := range pts {
			xy[j] = plotter.XY{X: q.X, Y: q.Y}
		}
		l := line(xy, lineStyle(i))
		p.Add(l)
		g := stats.Gini(x)
		p.Legend.Add(fmt.Sprintf("%s Gini %.3f", labelFor(runs, i, "rewards,"), g), l)
		ginis = append(ginis, fmt.Sprintf("%s %.3f", r.Label(), g))
		drawn++
	}
	if drawn == 0 {
		return nil, &Note{name, "nodes.csv missing or without positive rewards"}
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	legendAt(p, true, true, 0)
	caption := "Lorenz curve of the total reward per node (nodes.csv reward): the share of all rewards held by the poorest x of nodes. " +
		"Gini = 1 − 2 × area under the curve (population definition, 0 = equal, 1 − 1/n = one node holds all): " + strings.Join(ginis, ", ") + "."
	return figure(name, "Reward Lorenz curve", caption, p), nil
}

// RewardByHardware compares, per hardware class, the share of nodes, of
// busy processor time (nodes.csv busy_s, when present), of blocks won and
// of rewards. A class whose reward share exceeds its node share earns more
// than its head count: in PoW that follows hash rate, in Coin.AI training
// speed. Drawn for the first run only (per-class bars do not overlay).
func RewardByHardware(runs []*rundata.Run) (*Figure, *Note) {
	const name = "rewards_by_hardware"
	r := runs[0]
	type agg struct{ nodes, busy, won, reward float64 }
	by := map[string]*agg{}
	var tot agg
	for _, n := range r.Nodes {
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
		tot.nodes++
		for _, pr := range []struct {
			dst, total *float64
			v          float64
		}{{&a.busy, &tot.busy, n.BusyS}, {&a.won, &tot.won, n.BlocksWon}, {&a.reward, &tot.reward, n.Reward}} {
			if isFinite(pr.v) {
				*pr.dst += pr.v
				*pr.total += pr.v
			}
		}
	}
	if len(by) == 0 || tot.reward <= 0 {
		return nil, &Note{name, "nodes.csv missing or without positive rewards"}
	}
	classes := sortedKeys(by)
	if len(classes) == 1 {
		return nil, &Note{name, "all nodes have one hardware class (" + classes[0] + "): every share is 100%"}
	}
	type series struct {
		label string
		get   func(*agg) float64
		total float64
	}
	ss := []series{{"share of nodes", func(a *agg) float64 { return a.nodes }, tot.nodes}}
	if tot.busy > 0 {
		ss = append(ss, series{"share of busy time (busy_s)", func(a *agg) float64 { return a.busy }, tot.busy})
	}
	if tot.won > 0 {
		ss = append(ss, series{"share of blocks won", func(a *agg) float64 { return a.won }, tot.won})
	}
	ss = append(ss, series{"share of rewards", func(a *agg) float64 { return a.reward }, tot.reward})
	p := newPlot("Reward share against hardware share", runs[:1], "hardware class", "share (%)")
	w := vg.Points(math.Min(28, 360/float64(len(classes)*len(ss))))
	var lines []string
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
	for _, hw := range classes {
		a := by[hw]
		lines = append(lines, fmt.Sprintf("%s: %.0f%% of nodes, %.1f%% of rewards", hw, 100*a.nodes/tot.nodes, 100*a.reward/tot.reward))
	}
	p.NominalX(classes...)
	p.X.Min, p.X.Max = -0.6, float64(len(classes))-0.4
	p.Y.Min = 0
	legendAt(p, true, true, 0.35)
	caption := "Per hardware class (nodes.csv hardware): share of nodes, of busy processor time, of blocks won and of total reward. " + strings.Join(lines, "; ") + "."
	if len(runs) > 1 {
		caption += " First run only: " + r.Label() + "."
	}
	return figure(name, "Rewards by hardware class", caption, p), nil
}

// RewardVsCompute scatters each node's reward against its compute: busy
// processor time (busy_s) when nodes.csv has it, else blocks won. Points are
// coloured by hardware class, so classes with faster hardware separate
// vertically at equal busy time. Drawn for the first run only.
func RewardVsCompute(runs []*rundata.Run) (*Figure, *Note) {
	const name = "rewards_vs_compute"
	r := runs[0]
	useBusy := false
	for _, n := range r.Nodes {
		if isFinite(n.BusyS) {
			useBusy = true
			break
		}
	}
	xOf := func(n rundata.Node) float64 { return n.BlocksWon }
	xlabel, what := "blocks won (nodes.csv blocks_won)", "blocks won"
	var maxX float64
	if useBusy {
		for _, n := range r.Nodes {
			if isFinite(n.BusyS) {
				maxX = math.Max(maxX, n.BusyS)
			}
		}
		tu := timeUnit(maxX)
		xOf = func(n rundata.Node) float64 { return n.BusyS / tu.Scale }
		xlabel, what = "busy processor time ("+tu.Name+", nodes.csv busy_s)", "busy processor time"
	}
	by := map[string]plotter.XYs{}
	for _, n := range r.Nodes {
		x := xOf(n)
		if isFinite(x) && isFinite(n.Reward) {
			by[n.Hardware] = append(by[n.Hardware], plotter.XY{X: x, Y: n.Reward})
		}
	}
	if len(by) == 0 {
		return nil, &Note{name, "nodes.csv missing or without reward and busy_s/blocks_won"}
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, xy := range by {
		for _, q := range xy {
			lo, hi = math.Min(lo, q.X), math.Max(hi, q.X)
		}
	}
	if useBusy && hi-lo <= 1e-6*math.Abs(hi) {
		// Every node computed all the time (Coin.AI miners train
		// continuously): the x axis would be one point.
		return nil, &Note{name, "every node has the same busy_s: compute does not separate the nodes"}
	}
	p := newPlot("Reward per node against compute", runs[:1], xlabel, "reward per node (coins)")
	for i, hw := range sortedKeys(by) {
		s := scatter(by[hw], colorOf(i), vg.Points(2.6), shapeOf(i))
		p.Add(s)
		label := hw
		if label == "" {
			label = "(unknown)"
		}
		p.Legend.Add(fmt.Sprintf("%s (%d nodes)", label, len(by[hw])), s)
	}
	p.Y.Min = math.Min(p.Y.Min, 0)
	legendAt(p, true, true, 0.3)
	caption := fmt.Sprintf("Each point is a node: total reward (nodes.csv reward) against %s, coloured by hardware class. Nodes that spend the same time computing earn in proportion to their hardware's speed; nodes.csv carries no speed column, so compute is shown as %s.", what, what)
	if len(runs) > 1 {
		caption += " First run only: " + r.Label() + "."
	}
	return figure(name, "Reward against compute", caption, p), nil
}

// computePerNode is each node's compute in run r, its busy time (nodes.csv
// busy_s) times its FLOP rate (compute.csv flops), with its reward, in the
// order of nodes.csv; nil without compute.csv (PoW, or runs that predate
// it).
func computePerNode(r *rundata.Run) (compute, reward []float64) {
	if !r.Has(rundata.ComputeFile) || len(r.Compute) == 0 {
		return nil, nil
	}
	flops := map[int64]float64{}
	for _, c := range r.Compute {
		flops[c.Node] = c.FLOPS
	}
	for _, n := range r.Nodes {
		compute = append(compute, n.BusyS*flops[n.Node])
		reward = append(reward, n.Reward)
	}
	return compute, reward
}

// RewardShareVsComputeShare scatters each node's share of the rewards
// against its share of the compute (busy_s × flops, the definitions of
// summary.json's reward_compute_slope), with the least-squares line of
// each run and the diagonal along which rewards follow compute. It is
// drawn for runs whose nodes differ in compute (unequal hardware or a
// FLOP spread); the runs are overlaid, so that a comparison puts a
// protocol variant (the lottery) beside the baseline.
func RewardShareVsComputeShare(runs []*rundata.Run) (*Figure, *Note) {
	const name = "rewards_share_vs_compute_share"
	p := newPlot("Reward share against compute share", runs, "share of compute (%, busy_s × flops)", "share of rewards (%)")
	var fits []string
	var hiX float64
	drawn := 0
	for i, r := range runs {
		compute, reward := computePerNode(r)
		slope := stats.ShareSlope(compute, reward)
		if math.IsNaN(slope) {
			continue
		}
		cs, rs := stats.Shares(compute), stats.Shares(reward)
		xy := make(plotter.XYs, len(cs))
		lo, top := math.Inf(1), math.Inf(-1)
		for j := range cs {
			xy[j] = plotter.XY{X: 100 * cs[j], Y: 100 * rs[j]}
			lo, top = math.Min(lo, 100*cs[j]), math.Max(top, 100*cs[j])
		}
		hiX = math.Max(hiX, top)
		s := scatter(xy, colorOf(i), vg.Points(2.6), shapeOf(i))
		p.Add(s)
		f := stats.FitLine(cs, rs)
		l := line(plotter.XYs{{X: lo, Y: 100 * (f.Intercept + f.Slope*lo/100)}, {X: top, Y: 100 * (f.Intercept + f.Slope*top/100)}}, lineStyle(i))
		p.Add(l)
		who := labelFor(runs, i, "")
		if who == "" {
			who = "nodes"
		}
		p.Legend.Add(fmt.Sprintf("%s (%d nodes)", who, len(cs)), s)
		p.Legend.Add(fmt.Sprintf("%s slope %.2f", labelFor(runs, i, "least squares,"), slope), l)
		fits = append(fits, fmt.Sprintf("%s slope %.3f (R² %.2f), reward Gini %.3f against compute Gini %.3f",
			r.Label(), slope, f.R2, stats.Gini(reward), stats.Gini(compute)))
		drawn++
	}
	if drawn == 0 {
		return nil, &Note{name, "compute.csv missing, no rewards paid, or every node has the same compute (equal hardware): nothing to fit"}
	}
	eq := line(plotter.XYs{{X: 0, Y: 0}, {X: 1.05 * hiX, Y: 1.05 * hiX}}, draw.LineStyle{Color: grey, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}})
	p.Add(eq)
	p.Legend.Add("rewards in proportion to compute (slope 1)", eq)
	p.X.Min, p.Y.Min = 0, 0
	legendAt(p, true, true, 0.3)
	caption := "Each point is a node: its share of all rewards (nodes.csv reward) against its share of the compute " +
		"(nodes.csv busy_s × compute.csv flops), with the least-squares line (summary.json reward_compute_slope). " +
		"Along the dashed diagonal rewards follow compute; a slope above 1 means the nodes with the most compute " +
		"win out of proportion (the fastest hardware wins the race of memory-ful attempts): " + strings.Join(fits, "; ") + "."
	return figure(name, "Reward share against compute share", caption, p), nil
}
