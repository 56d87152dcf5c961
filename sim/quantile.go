package sim

import (
	"fmt"
	"math"
)

// Quantile evaluates a piecewise-linear quantile function at u in [0, 1):
// knots[i] is the value at probability i/(len(knots)-1), and values in
// between are interpolated. Drawing u uniformly draws from the
// distribution the knots describe; one knot is a constant. It is how a
// scenario gives a measured distribution as a short table (for example the
// share of a block a failed compact-block rebuild fetches).
func Quantile(knots []float64, u float64) float64 {
	k := len(knots)
	if k == 1 {
		return knots[0]
	}
	x := u * float64(k-1)
	i := int(x)
	if i >= k-1 {
		return knots[k-1]
	}
	return knots[i] + (x-float64(i))*(knots[i+1]-knots[i])
}

// ValidateQuantiles checks a table for Quantile: at least one knot, each
// within [lo, hi], non-decreasing.
func ValidateQuantiles(knots []float64, lo, hi float64) error {
	if len(knots) == 0 {
		return fmt.Errorf("no quantiles")
	}
	for i, v := range knots {
		if !(v >= lo && v <= hi) || math.IsNaN(v) {
			return fmt.Errorf("quantile %d = %v is not in [%v, %v]", i, v, lo, hi)
		}
		if i > 0 && v < knots[i-1] {
			return fmt.Errorf("quantile %d = %v is below quantile %d = %v (they must not decrease)", i, v, i-1, knots[i-1])
		}
	}
	return nil
}
