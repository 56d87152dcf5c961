package rundata

import (
	"encoding/json"
	"math"
	"slices"
	"testing"
)

func TestTargetIntervalS(t *testing.T) {
	for _, tc := range []struct {
		protocol, scenario string
		want               float64 // NaN: none
	}{
		{"pow", "[pow]\ninterval = \"600s\"\n[coinai]\ninterval = \"60s\"\n", 600},
		{"coinai", "[pow]\ninterval = \"600s\"\n[coinai]\ninterval = \"60s\"\n", 60},
		{"coinai", "[coinai]\ninterval = \"1.5h\"\n", 5400},
		{"coinai", "[coinai]\ninterval = \"250ms\"\n", 0.25},
		{"coinai", "[pow]\ninterval = \"600s\"\n", math.NaN()},   // no section for the protocol
		{"coinai", "[coinai]\ninterval = 60\n", math.NaN()},      // not a duration string
		{"coinai", "[coinai]\ninterval = \"-5s\"\n", math.NaN()}, // not positive
		{"coinai", "[coinai\ninterval = \"60s\"\n", math.NaN()},  // malformed TOML
		{"", "[coinai]\ninterval = \"60s\"\n", math.NaN()},       // protocol unknown
		{"coinai", "", math.NaN()},                               // no scenario.toml
	} {
		r := &Run{Scenario: []byte(tc.scenario), Summary: Summary{Protocol: tc.protocol}}
		got := r.TargetIntervalS()
		if !(got == tc.want || math.IsNaN(got) && math.IsNaN(tc.want)) {
			t.Errorf("TargetIntervalS(%q, %q) = %v, want %v", tc.protocol, tc.scenario, got, tc.want)
		}
	}
}

func TestMainAttempts(t *testing.T) {
	nan := math.NaN()
	blocks := func(v ...float64) []Block {
		var bs []Block
		for i, a := range v {
			bs = append(bs, Block{Height: int64(i + 1), Main: true, Attempts: a})
		}
		// A stale block and the genesis never count.
		return append(bs, Block{Height: 2, Main: false, Attempts: 99}, Block{Height: 0, Main: true, Attempts: 0})
	}
	for _, tc := range []struct {
		name      string
		blocks    []Block
		completed int64
		want      []float64
	}{
		// Per-block counts sum to at most attempts_completed: kept as is.
		{"per block", blocks(1, 4, 6), 20, []float64{1, 4, 6}},
		// Running totals 1, 5, 11 sum to 17 > 11 completed: differenced.
		{"running totals", blocks(1, 5, 11), 11, []float64{1, 4, 6}},
		// Non-decreasing per-block counts within the total stay.
		{"increasing per block", blocks(2, 3, 4), 9, []float64{2, 3, 4}},
		{"empty cells", blocks(nan, 3, nan), 9, []float64{3}},
	} {
		r := &Run{Blocks: tc.blocks}
		r.Summary.AttemptsCompleted = tc.completed
		_, got := r.MainAttempts()
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: MainAttempts = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestReachOfMainChain(t *testing.T) {
	r := &Run{Blocks: []Block{
		{Height: 1, Main: true, PropP50S: 1, PropP90S: 2, Prop100S: 3},
		{Height: 1, Main: false, PropP50S: 10, PropP90S: 20, Prop100S: math.NaN()},
		{Height: 2, Main: true, PropP50S: 3, PropP90S: 4, Prop100S: 5},
	}, Summary: Summary{Raw: map[string]json.RawMessage{}}}
	all := r.Reach()
	if !slices.Equal(all.P50, []float64{1, 10, 3}) || all.Never100 != 1 {
		t.Errorf("Reach = %+v", all)
	}
	main := r.ReachOf(func(b Block) bool { return b.Main })
	if !slices.Equal(main.P50, []float64{1, 3}) || !slices.Equal(main.P100, []float64{3, 5}) || main.Never100 != 0 {
		t.Errorf("ReachOf(main) = %+v", main)
	}
}
