package sweep

import (
	"math"
	"slices"
	"testing"
)

// Values with units are placed at their value in the base unit, on a log
// axis when they span a factor of 20; anything else is a category.
func TestAxisOf(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values []string
		kind   string // "" for categories
		log    bool
		pos    []float64 // before log10
	}{
		{"durations", []string{"10s", "30s", "1m", "600s"}, "duration", true, []float64{10, 30, 60, 600}},
		{"sizes", []string{"100KB", "1MB", "8MB"}, "size", true, []float64{1e5, 1e6, 8e6}},
		{"sizes close", []string{"1MB", "2MB", "4MiB"}, "size", false, []float64{1e6, 2e6, 4 << 20}},
		{"integers", []string{"10", "33", "57", "80"}, "number", false, []float64{10, 33, 57, 80}},
		{"zero and up", []string{"0", "100"}, "number", false, []float64{0, 100}},
		{"bit rates", []string{"1Mbps", "100Mbps"}, "bit rate", true, []float64{1e6, 1e8}},
		{"mixed units", []string{"10s", "8MB"}, "", false, []float64{0, 1}},
		{"booleans", []string{"true", "false"}, "", false, []float64{0, 1}},
		{"names", []string{"gpu-a100", "cpu-epyc", "asic"}, "", false, []float64{0, 1, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := axisOf(tc.values)
			if a.kind != tc.kind || a.log != tc.log || a.categorical != (tc.kind == "") {
				t.Errorf("axis %+v, want kind %q log %v", a, tc.kind, tc.log)
			}
			want := slices.Clone(tc.pos)
			if tc.log {
				for i := range want {
					want[i] = math.Log10(want[i])
				}
			}
			if !slices.Equal(a.pos, want) {
				t.Errorf("positions %v, want %v", a.pos, want)
			}
			ticks := a.ticks(tc.values)
			for i, tk := range ticks {
				if tk.Label != tc.values[i] || tk.Value != want[i] {
					t.Errorf("tick %d = %+v, want %q at %g", i, tk, tc.values[i], want[i])
				}
			}
		})
	}
}
