package calibrate

import (
	"context"
	"math"
	"strings"
	"testing"
)

// TestPropagationCases runs both propagation cases on the shipped
// pow-bitcoin.toml and checks what they report: the published figures,
// the measured delays in a plausible range for the 2019 model (about 0.6 s
// to half and 1 s to nine tenths of 600 nodes), their order, the trials,
// and that p50 is judged and p90 informational.
func TestPropagationCases(t *testing.T) {
	if testing.Short() {
		t.Skip("runs pow-bitcoin.toml twice")
	}
	got := map[string]Result{}
	for _, c := range All() {
		if c.Group != "propagation" {
			continue
		}
		if !c.Quick || !strings.Contains(c.Source, "SAC 2022") {
			t.Errorf("%s: quick %v, source %q", c.Name, c.Quick, c.Source)
		}
		r, err := c.Run(context.Background(), Options{Seed: 1, Jobs: 1})
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		t.Logf("%s: published %.3f s, measured %.3f ± %.3f s over %d blocks (fair %d): %s", c.Name, r.Published, r.Measured, r.StdErr, r.Trials, r.FairTrials, r.Note)
		got[c.Name] = r
	}
	p50, p90 := got["propagation/p50"], got["propagation/p90"]
	if p50.Published != 0.454 || math.Abs(p90.Published-6.68) > 0.01 {
		t.Errorf("published p50 %v, p90 %v; want 0.454 and about 6.68 (lognormal with median 0.454, mean 4.1)", p50.Published, p90.Published)
	}
	for name, r := range got {
		if r.Trials != 100 || r.StdErr <= 0 || r.Unit != "s" || !r.Relative || r.Tolerance != 0.5 {
			t.Errorf("%s: %+v", name, r)
		}
	}
	if !(p50.Measured > 0.3 && p50.Measured < 0.9) || !(p90.Measured > p50.Measured && p90.Measured < 2) {
		t.Errorf("measured p50 %.3f s, p90 %.3f s: outside the 2019 model's range", p50.Measured, p90.Measured)
	}
	if p50.Informational || !p90.Informational {
		t.Errorf("p50 informational %v, p90 %v; want false, true", p50.Informational, p90.Informational)
	}
}

// TestPropagationCancelled checks that a cancelled context stops the run
// with the context's error.
func TestPropagationCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := runPropagation(ctx, Options{Seed: 1}, 0.5, propagationMedian, false)
	if err == nil || !strings.Contains(err.Error(), context.Canceled.Error()) {
		t.Errorf("cancelled run: %v, want %v", err, context.Canceled)
	}
}

func TestPropagationQuantile(t *testing.T) {
	d := []float64{1, 2, 3, 4, 5}
	for _, tc := range []struct{ q, want float64 }{{0, 1}, {0.5, 3}, {0.9, 4.6}, {1, 5}} {
		if got := propagationQuantile(d, tc.q); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("q=%v: %v, want %v", tc.q, got, tc.want)
		}
	}
}
