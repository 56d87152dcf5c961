package figures

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/coinai/coinai/analysis/internal/runtest"
	"github.com/coinai/coinai/analysis/rundata"
)

// TestMarketFigures draws the problem-market figures of a synthetic run
// with problems.csv and transactions.csv: each is drawn, its caption
// carries the counts of the CSVs, and encoding twice gives the same bytes.
func TestMarketFigures(t *testing.T) {
	run := synthetic(t, runtest.Config{Protocol: "coinai", Scenario: "market", Seed: 7, Nodes: 20, Blocks: 60, Market: true})
	var solved, refunded, confirmed int
	for _, p := range run.Problems {
		switch p.Status {
		case "solved":
			solved++
		case "refunded":
			refunded++
		}
	}
	for _, x := range run.Txs {
		if x.Height > 0 {
			confirmed++
		}
	}
	if solved == 0 || refunded == 0 || confirmed == 0 {
		t.Fatalf("synthetic market too thin: %d solved, %d refunded, %d confirmed", solved, refunded, confirmed)
	}
	for _, tc := range []struct {
		draw func([]*rundata.Run) (*Figure, *Note)
		name string
		want []string // in the caption
	}{
		{ProblemWait, "problem_wait", []string{itoa(solved) + " solved", itoa(refunded) + " refunded"}},
		{ProblemFees, "problem_fees", []string{itoa(solved) + " solved (mean reward", itoa(refunded) + " refunded (mean reward"}},
		{TxConfirm, "tx_confirm", []string{itoa(confirmed) + " confirmed"}},
	} {
		f, note := tc.draw([]*rundata.Run{run})
		if f == nil {
			t.Fatalf("%s not drawn: %v", tc.name, note)
		}
		if f.Name != tc.name {
			t.Errorf("name %q, want %q", f.Name, tc.name)
		}
		for _, w := range tc.want {
			if !strings.Contains(f.Caption, w) {
				t.Errorf("%s caption lacks %q: %s", tc.name, w, f.Caption)
			}
		}
		var a, b bytes.Buffer
		if err := f.Encode(&a, "png"); err != nil {
			t.Fatal(err)
		}
		f2, _ := tc.draw([]*rundata.Run{run})
		if err := f2.Encode(&b, "png"); err != nil {
			t.Fatal(err)
		}
		if a.Len() < 1000 || !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s: PNG of %d bytes, second drawing equal: %v", tc.name, a.Len(), bytes.Equal(a.Bytes(), b.Bytes()))
		}
	}
	// A comparison overlays both runs' series.
	other := synthetic(t, runtest.Config{Protocol: "coinai", Scenario: "market2", Seed: 8, Nodes: 20, Blocks: 60, Market: true})
	f, _ := ProblemFees([]*rundata.Run{run, other})
	if f == nil || !strings.Contains(f.Caption, run.Label()+": ") || !strings.Contains(f.Caption, other.Label()+": ") {
		t.Errorf("comparison caption lacks a run: %v", f)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
