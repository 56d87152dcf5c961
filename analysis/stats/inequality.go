package stats

import (
	"math"
	"slices"
)

// Gini is the Gini coefficient of the non-negative values x, defined as the
// mean absolute difference over all ordered pairs divided by twice the mean:
//
//	G = Σ_i Σ_j |x_i - x_j| / (2 n² μ)
//
// This is the population definition without the n/(n-1) small-sample
// correction, so G = 0 for equal shares and G = 1 - 1/n when one of n nodes
// holds everything ([0,0,0,1] gives 0.75). It equals one minus twice the area
// under the Lorenz curve, which is what the rewards figure draws.
//
// It is computed in O(n log n) from the sorted values as
// G = 2 Σ_i i·x_(i) / (n Σ x) - (n+1)/n with i = 1..n.
// It returns NaN when x is empty, contains a negative or non-finite value, or
// sums to zero, since inequality is then undefined: with nothing to share
// there is no distribution, and 0 would claim perfect equality. summary.json's
// reward_gini is this function, written null when it is NaN (a run with no
// reward paid), so that the summary and the report never disagree.
func Gini(x []float64) float64 {
	s, ok := sortedNonNegative(x)
	if !ok {
		return math.NaN()
	}
	n := float64(len(s))
	var sum, weighted float64
	for i, v := range s {
		sum += v
		weighted += float64(i+1) * v
	}
	if sum == 0 {
		return math.NaN()
	}
	g := 2*weighted/(n*sum) - (n+1)/n
	return math.Max(0, g) // clamp rounding noise for equal shares
}

// Point is an (X, Y) pair for curves.
type Point struct{ X, Y float64 }

// Lorenz returns the Lorenz curve of the non-negative values x: the points
// (k/n, share of the total held by the k smallest values) for k = 0..n, so it
// starts at (0, 0) and ends at (1, 1). It returns nil under the same
// conditions in which Gini is NaN.
func Lorenz(x []float64) []Point {
	s, ok := sortedNonNegative(x)
	if !ok {
		return nil
	}
	var total float64
	for _, v := range s {
		total += v
	}
	if total == 0 {
		return nil
	}
	pts := make([]Point, 0, len(s)+1)
	pts = append(pts, Point{0, 0})
	var cum float64
	for i, v := range s {
		cum += v
		pts = append(pts, Point{float64(i+1) / float64(len(s)), cum / total})
	}
	pts[len(pts)-1].Y = 1 // exact end point despite rounding
	return pts
}

func sortedNonNegative(x []float64) ([]float64, bool) {
	if len(x) == 0 {
		return nil, false
	}
	for _, v := range x {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, false
		}
	}
	s := slices.Clone(x)
	slices.Sort(s)
	return s, true
}
