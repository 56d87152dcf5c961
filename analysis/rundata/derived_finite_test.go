package rundata

import (
	"math"
	"slices"
	"testing"
)

// PropP50s and Rewards keep the numbers of their column, in file order,
// and leave out the empty (NaN) and infinite cells.
func TestFiniteColumns(t *testing.T) {
	r := &Run{
		Blocks: []Block{{PropP50S: 0.5}, {PropP50S: math.NaN()}, {PropP50S: 1.25}, {PropP50S: math.Inf(1)}},
		Nodes:  []Node{{Reward: 50}, {Reward: math.NaN()}, {Reward: 0}},
	}
	if got := r.PropP50s(); !slices.Equal(got, []float64{0.5, 1.25}) {
		t.Errorf("PropP50s = %v, want [0.5 1.25]", got)
	}
	if got := r.Rewards(); !slices.Equal(got, []float64{50, 0}) {
		t.Errorf("Rewards = %v, want [50 0]", got)
	}
}
