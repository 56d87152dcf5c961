package compare

import (
	"math"
	"testing"

	"github.com/coinai/coinai/analysis/rundata"
)

func run(label string, intervals ...float64) *rundata.Run {
	r := &rundata.Run{Dir: label}
	r.Summary.StaleRate = math.NaN()
	r.Summary.VirtualSeconds = math.NaN()
	r.Summary.EnergyJoules, r.Summary.EnergyJoulesPerBlock = math.NaN(), math.NaN()
	r.Summary.ThresholdFinal, r.Summary.AvailabilityMean = math.NaN(), math.NaN()
	for i, v := range intervals {
		r.Blocks = append(r.Blocks, rundata.Block{Height: int64(i + 1), Main: true, IntervalS: v,
			PropP50S: math.NaN(), PropP90S: math.NaN(), Prop100S: math.NaN()})
	}
	return r
}

func TestIntervals(t *testing.T) {
	// Same hand example as stats: D = 0.5, p = 0.736069 (Ne = 4/3).
	rows := Intervals([]*rundata.Run{run("ref", 1, 2, 3, 4), run("b", 2.5, 5), run("c", 4, 3, 2, 1)})
	if len(rows) != 2 {
		t.Fatalf("rows = %v", rows)
	}
	if r := rows[0]; r.Reference != "ref" || r.Run != "b" || r.Result.D != 0.5 || math.Abs(r.Result.PValue-0.736069436119535) > 1e-9 {
		t.Errorf("row 0 = %+v", r)
	}
	if r := rows[1]; r.Result.D != 0 || r.Result.PValue != 1 {
		t.Errorf("identical samples: %+v", r)
	}
	if Intervals([]*rundata.Run{run("only", 1)}) != nil {
		t.Error("one run gave KS rows")
	}
}

func TestTable(t *testing.T) {
	tab := Table([]*rundata.Run{run("a", 100, 200, 300), run("b", 10)})
	if got := tab.Header; len(got) != 3 || got[1] != "a" || got[2] != "b" {
		t.Errorf("header = %v", got)
	}
	for _, row := range tab.Rows {
		switch row[0] {
		case "main-chain blocks":
			if row[1] != "3" || row[2] != "1" {
				t.Errorf("blocks row = %v", row)
			}
		case "mean interval (s), 95% t CI":
			// 200 ± 4.302653·100/√3
			if row[1] != "200 [-48.41, 448.4]" || row[2] != "10" {
				t.Errorf("mean row = %v", row)
			}
		case "stale rate":
			if row[1] != "0.00%" {
				t.Errorf("stale row = %v", row)
			}
		}
	}
}
