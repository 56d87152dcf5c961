package figures

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/coinai/coinai/analysis/rundata"
	"github.com/coinai/coinai/analysis/stats"
)

// marketRuns returns the runs with a problems.csv or transactions.csv
// row and the latest submission time among them (for the time unit).
func marketRuns(runs []*rundata.Run, txs bool) (idx []int, maxT float64) {
	for i, r := range runs {
		n := len(r.Problems)
		if txs {
			n = len(r.Txs)
		}
		if n == 0 {
			continue
		}
		idx = append(idx, i)
		for _, p := range r.Problems {
			maxT = math.Max(maxT, p.SubmittedS)
		}
		for _, t := range r.Txs {
			maxT = math.Max(maxT, t.SubmittedS)
		}
	}
	return idx, maxT
}

var marketShapes = []draw.GlyphDrawer{draw.CircleGlyph{}, draw.TriangleGlyph{}, draw.SquareGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{}, draw.RingGlyph{}}

// ProblemWait draws, from problems.csv, each solved problem's wait (wait_s,
// submission to the main-chain block that solved it) against its
// submission time, one series per data set, and each refunded problem at
// its deadline (refunded_s - submitted_s) as a grey cross: whether waits
// grow as the pool fills and which data sets the pick rule leaves behind.
func ProblemWait(runs []*rundata.Run) (*Figure, *Note) {
	const name = "problem_wait"
	idx, maxT := marketRuns(runs, false)
	if len(idx) == 0 {
		return nil, &Note{name, "no problems.csv rows (run without a problem market)"}
	}
	tu := timeUnit(maxT)
	var maxW float64
	for _, i := range idx {
		for _, p := range runs[i].Problems {
			for _, w := range []float64{p.WaitS, p.RefundedS - p.SubmittedS} {
				if isFinite(w) {
					maxW = math.Max(maxW, w)
				}
			}
		}
	}
	wu := timeUnit(maxW)
	p := newPlot("Problem wait until solved", runs, "submission time ("+tu.Name+")", "wait until solved ("+wu.Name+")")
	var parts []string
	series := 0
	for _, i := range idx {
		by := map[string]plotter.XYs{}
		var refunded plotter.XYs
		var waits []float64
		for _, q := range runs[i].Problems {
			switch {
			case q.Status == "solved" && isFinite(q.WaitS):
				by[q.Dataset] = append(by[q.Dataset], plotter.XY{X: q.SubmittedS / tu.Scale, Y: q.WaitS / wu.Scale})
				waits = append(waits, q.WaitS)
			case q.Status == "refunded" && isFinite(q.RefundedS):
				refunded = append(refunded, plotter.XY{X: q.SubmittedS / tu.Scale, Y: (q.RefundedS - q.SubmittedS) / wu.Scale})
			}
		}
		for k, ds := range sortedKeys(by) {
			s := scatter(by[ds], colorOf(series), vg.Points(2.6), marketShapes[k%len(marketShapes)])
			series++
			p.Add(s)
			p.Legend.Add(labelFor(runs, i, ds), s)
		}
		if len(refunded) > 0 {
			s := scatter(refunded, grey, vg.Points(3), draw.CrossGlyph{})
			p.Add(s)
			p.Legend.Add(labelFor(runs, i, "refunded (at deadline)"), s)
		}
		parts = append(parts, fmt.Sprintf("%s: %d solved, wait mean %s, p90 %s; %d refunded", runs[i].Label(), len(waits),
			fmtDuration(stats.Mean(waits)), fmtDuration(stats.Quantile(waits, 0.9)), len(refunded)))
	}
	p.X.Min, p.Y.Min = 0, 0
	p.X.Max = math.Max(p.X.Max, 1.03*maxT/tu.Scale) // room for the last glyph
	legendAt(p, true, true, 0.3)
	caption := "Each solved problem's wait (problems.csv wait_s: submission to the main-chain block that solved it) against its submission time, by data set; " +
		"refunded problems are drawn at their deadline. " + strings.Join(parts, "; ") + "."
	return figure(name, "Problem wait", caption, p), nil
}

// ProblemFees draws, from problems.csv, each problem's reward (the fee
// the ledger escrowed) against its submission time, marked by what became
// of it (solved, refunded, still open or never included), so that a pick
// rule that serves only the rich shows as refunds along the bottom.
func ProblemFees(runs []*rundata.Run) (*Figure, *Note) {
	const name = "problem_fees"
	idx, maxT := marketRuns(runs, false)
	if len(idx) == 0 {
		return nil, &Note{name, "no problems.csv rows (run without a problem market)"}
	}
	tu := timeUnit(maxT)
	p := newPlot("Problem reward by outcome", runs, "submission time ("+tu.Name+")", "reward escrowed (coins)")
	statuses := []string{"solved", "refunded", "open", "pending"}
	var parts []string
	for _, i := range idx {
		by := map[string]plotter.XYs{}
		var other []string
		for _, q := range runs[i].Problems {
			if !isFinite(q.Reward) {
				continue
			}
			if !slices.Contains(statuses, q.Status) && !slices.Contains(other, q.Status) {
				other = append(other, q.Status)
			}
			by[q.Status] = append(by[q.Status], plotter.XY{X: q.SubmittedS / tu.Scale, Y: q.Reward})
		}
		slices.Sort(other)
		var counts []string
		for k, st := range append(slices.Clone(statuses), other...) {
			xy := by[st]
			if len(xy) == 0 {
				continue
			}
			c := colorOf(k)
			if len(idx) > 1 {
				c = colorOf(i)
			}
			s := scatter(xy, c, vg.Points(2.8), marketShapes[k%len(marketShapes)])
			p.Add(s)
			p.Legend.Add(labelFor(runs, i, st), s)
			var sum float64
			for _, q := range xy {
				sum += q.Y
			}
			counts = append(counts, fmt.Sprintf("%d %s (mean reward %s)", len(xy), st, fmtG(sum/float64(len(xy)))))
		}
		parts = append(parts, runs[i].Label()+": "+strings.Join(counts, ", "))
	}
	p.X.Min, p.Y.Min = 0, 0
	p.X.Max = math.Max(p.X.Max, 1.03*maxT/tu.Scale) // room for the last glyph
	legendAt(p, true, true, 0.3)
	caption := "Each problem's reward (problems.csv reward, the fee escrowed until a block solves it) against its submission time, by status at the end of the run. " +
		strings.Join(parts, "; ") + "."
	return figure(name, "Problem rewards", caption, p), nil
}

// TxConfirm draws, from transactions.csv, each included transaction's
// confirmation time (confirm_s, submission to the main-chain block that
// included it) against its submission time, transfers and problem
// submissions apart.
func TxConfirm(runs []*rundata.Run) (*Figure, *Note) {
	const name = "tx_confirm"
	idx, maxT := marketRuns(runs, true)
	if len(idx) == 0 {
		return nil, &Note{name, "no transactions.csv rows (run without a workload)"}
	}
	tu := timeUnit(maxT)
	var maxC float64
	for _, i := range idx {
		for _, t := range runs[i].Txs {
			if isFinite(t.ConfirmS) {
				maxC = math.Max(maxC, t.ConfirmS)
			}
		}
	}
	cu := timeUnit(maxC)
	p := newPlot("Transaction confirmation time", runs, "submission time ("+tu.Name+")", "confirmation time ("+cu.Name+")")
	var parts []string
	series := 0
	for _, i := range idx {
		by := map[string]plotter.XYs{}
		var confirms []float64
		unconfirmed := 0
		for _, t := range runs[i].Txs {
			if t.Height == 0 || !isFinite(t.ConfirmS) {
				unconfirmed++
				continue
			}
			by[t.Kind] = append(by[t.Kind], plotter.XY{X: t.SubmittedS / tu.Scale, Y: t.ConfirmS / cu.Scale})
			confirms = append(confirms, t.ConfirmS)
		}
		for k, kind := range sortedKeys(by) {
			s := scatter(by[kind], colorOf(series), vg.Points(2.2), marketShapes[k%len(marketShapes)])
			series++
			p.Add(s)
			p.Legend.Add(labelFor(runs, i, kind), s)
		}
		parts = append(parts, fmt.Sprintf("%s: %d confirmed, median %s, p90 %s; %d never included", runs[i].Label(), len(confirms),
			fmtDuration(stats.Quantile(confirms, 0.5)), fmtDuration(stats.Quantile(confirms, 0.9)), unconfirmed))
	}
	p.X.Min, p.Y.Min = 0, 0
	p.X.Max = math.Max(p.X.Max, 1.03*maxT/tu.Scale) // room for the last glyph
	legendAt(p, true, true, 0.3)
	caption := "Each included transaction's confirmation time (transactions.csv confirm_s: submission to the main-chain block that included it) against its submission time, by kind. " +
		strings.Join(parts, "; ") + "."
	return figure(name, "Transaction confirmation", caption, p), nil
}
