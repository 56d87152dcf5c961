package figures

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/coinai/coinai/analysis/rundata"
	"github.com/coinai/coinai/analysis/stats"
)

func storageRuns(runs []*rundata.Run) (idx []int, maxT float64) {
	for i, r := range runs {
		if len(r.Storage) > 0 {
			idx = append(idx, i)
			for _, s := range r.Storage {
				maxT = math.Max(maxT, s.TimeS)
			}
		}
	}
	return idx, maxT
}

// StorageAvailability draws, from storage.csv, the fraction of stored models
// that are retrievable (available / models) over virtual time.
func StorageAvailability(runs []*rundata.Run) (*Figure, *Note) {
	const name = "storage_availability"
	idx, maxT := storageRuns(runs)
	if len(idx) == 0 {
		return nil, &Note{name, "no storage.csv (run without proof-of-storage)"}
	}
	tu := timeUnit(maxT)
	p := newPlot("Availability of stored models", runs, "virtual time ("+tu.Name+")", "available / stored models (%)")
	var means []string
	for _, i := range idx {
		var xy plotter.XYs
		var sum float64
		for _, s := range runs[i].Storage {
			if isFinite(s.Available) && isFinite(s.Models) && s.Models > 0 {
				v := 100 * s.Available / s.Models
				xy = append(xy, plotter.XY{X: s.TimeS / tu.Scale, Y: v})
				sum += v
			}
		}
		if len(xy) == 0 {
			continue
		}
		l := line(xy, lineStyle(i))
		p.Add(l)
		if len(runs) > 1 {
			p.Legend.Add(runs[i].Label(), l)
		}
		means = append(means, fmt.Sprintf("%s mean %.1f%%", runs[i].Label(), sum/float64(len(xy))))
	}
	if len(means) == 0 {
		return nil, &Note{name, "storage.csv has no models/available values"}
	}
	p.Y.Max = 100
	p.Y.Min = math.Min(p.Y.Min, 100) - 5
	legendAt(p, false, false, 0.3)
	p.Y.Min = math.Max(0, p.Y.Min)
	caption := "Share of stored models that could be retrieved at each sample time (storage.csv available / models). " + strings.Join(means, "; ") + "."
	return figure(name, "Storage availability", caption, p), nil
}

// StorageProofs draws cumulative valid and missed storage proofs over time
// (storage.csv proofs_valid, proofs_missed).
func StorageProofs(runs []*rundata.Run) (*Figure, *Note) {
	const name = "storage_proofs"
	idx, maxT := storageRuns(runs)
	if len(idx) == 0 {
		return nil, &Note{name, "no storage.csv (run without proof-of-storage)"}
	}
	tu := timeUnit(maxT)
	p := newPlot("Storage proofs", runs, "virtual time ("+tu.Name+")", "cumulative proofs")
	drawn := false
	var tail []string
	for k, i := range idx {
		var valid, missed plotter.XYs
		for _, s := range runs[i].Storage {
			if isFinite(s.ProofsValid) {
				valid = append(valid, plotter.XY{X: s.TimeS / tu.Scale, Y: s.ProofsValid})
			}
			if isFinite(s.ProofsMissed) {
				missed = append(missed, plotter.XY{X: s.TimeS / tu.Scale, Y: s.ProofsMissed})
			}
		}
		for j, ser := range []struct {
			label string
			xy    plotter.XYs
		}{{"valid", valid}, {"missed or invalid", missed}} {
			if len(ser.xy) == 0 {
				continue
			}
			st := lineStyle(2*k + j)
			if len(runs) > 1 {
				st = lineStyle(i)
				st.Dashes = dashes[j]
			}
			l := line(ser.xy, st)
			p.Add(l)
			p.Legend.Add(labelFor(runs, i, ser.label), l)
			drawn = true
		}
		if len(valid) > 0 && len(missed) > 0 {
			v, m := valid[len(valid)-1].Y, missed[len(missed)-1].Y
			if v+m > 0 {
				tail = append(tail, fmt.Sprintf("%s: %.0f valid, %.0f missed (%.2f%% missed)", runs[i].Label(), v, m, 100*m/(v+m)))
			}
		}
	}
	if !drawn {
		return nil, &Note{name, "storage.csv has no proofs_valid/proofs_missed values"}
	}
	p.X.Min, p.Y.Min = 0, 0
	legendAt(p, true, true, 0.15)
	caption := "Cumulative storage proofs checked as valid and proofs missed or invalid over virtual time (storage.csv)."
	if len(tail) > 0 {
		caption += " At the end: " + strings.Join(tail, "; ") + "."
	}
	return figure(name, "Storage proofs", caption, p), nil
}

// StorageRewards draws the empirical CDF over nodes of the storage reward
// (nodes.csv reward_storage), with its Gini coefficient.
func StorageRewards(runs []*rundata.Run) (*Figure, *Note) {
	const name = "storage_rewards"
	var maxR float64
	vals := make([][]float64, len(runs))
	n := 0
	for i, r := range runs {
		var nonzero bool
		for _, nd := range r.Nodes {
			if isFinite(nd.RewardStorage) {
				vals[i] = append(vals[i], nd.RewardStorage)
				maxR = math.Max(maxR, nd.RewardStorage)
				nonzero = nonzero || nd.RewardStorage != 0
			}
		}
		if !nonzero && len(r.Storage) == 0 {
			vals[i] = nil // a run without proof-of-storage writes zeros
		}
		n += len(vals[i])
	}
	if n == 0 {
		return nil, &Note{name, "nodes.csv has no storage rewards (run without proof-of-storage)"}
	}
	p := newPlot("Storage reward per node", runs, "storage reward per node (coins)", "fraction of nodes with reward ≤ x")
	var ginis []string
	for i, x := range vals {
		if len(x) == 0 {
			continue
		}
		pts := stats.ECDF(x)
		xy := make(plotter.XYs, 0, len(pts)+1)
		xy = append(xy, plotter.XY{X: math.Min(0, pts[0].X), Y: 0})
		for _, q := range pts {
			xy = append(xy, plotter.XY{X: q.X, Y: q.Y})
		}
		l := line(xy, lineStyle(i))
		l.StepStyle = plotter.PostStep
		l.LineStyle.Width = vg.Points(1.6)
		p.Add(l)
		g := stats.Gini(x)
		p.Legend.Add(fmt.Sprintf("%s Gini %s", labelFor(runs, i, "storage reward,"), fmtG(g)), l)
		ginis = append(ginis, fmt.Sprintf("%s: %d nodes, mean %s, Gini %s", runs[i].Label(), len(x), fmtG(stats.Mean(x)), fmtG(g)))
	}
	p.Y.Min, p.Y.Max = 0, 1
	legendAt(p, false, false, 0)
	caption := "Empirical distribution over nodes of the reward earned by storing models and answering proofs (nodes.csv reward_storage). " + strings.Join(ginis, "; ") + "."
	return figure(name, "Storage rewards", caption, p), nil
}
