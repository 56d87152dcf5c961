package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// ValidateDegreeCDF checks a cumulative distribution of outbound degree in
// the form SimBlock uses for its DEGREE_DISTRIBUTION tables: cdf[i] is the
// probability that a node opens at most i+1 outbound links. It must be
// non-decreasing, within [0, 1], and end at 1.
func ValidateDegreeCDF(cdf []float64) error {
	if len(cdf) == 0 {
		return fmt.Errorf("degree distribution: empty")
	}
	prev := 0.0
	for i, p := range cdf {
		if !(p >= 0 && p <= 1) {
			return fmt.Errorf("degree distribution: entry %d = %v is not in [0, 1]", i, p)
		}
		if p < prev {
			return fmt.Errorf("degree distribution: entry %d = %v is below entry %d = %v (it must not decrease)", i, p, i-1, prev)
		}
		prev = p
	}
	if math.Abs(cdf[len(cdf)-1]-1) > 1e-9 {
		return fmt.Errorf("degree distribution: last entry %v must be 1", cdf[len(cdf)-1])
	}
	return nil
}

// DrawDegrees draws the outbound degree of each of n nodes from cdf (see
// ValidateDegreeCDF), in node order, one uniform draw a node, as SimBlock
// draws each node's number of connections.
func DrawDegrees(cdf []float64, n int, rng *rand.Rand) []int {
	out := make([]int, n)
	for i := range out {
		u := rng.Float64()
		d, _ := slices.BinarySearch(cdf, u)
		// BinarySearch finds the first entry >= u; an entry equal to u
		// still holds it (P(degree <= d+1) >= u), and u < 1 always finds
		// one before the end.
		if d >= len(cdf) {
			d = len(cdf) - 1
		}
		out[i] = d + 1
	}
	return out
}

// RandomTopologyDegrees is RandomTopology with a degree per node: node i
// opens degrees[i] distinct random outbound links (at most n-1). Links are
// bidirectional, and lists are sorted by node id.
func RandomTopologyDegrees(degrees []int, rng *rand.Rand) [][]int32 {
	n := len(degrees)
	adj := make([][]int32, n)
	linked := func(a, b int32) bool { return slices.Contains(adj[a], b) }
	for i := 0; i < n; i++ {
		degree := min(degrees[i], n-1)
		out := 0
		for tries := 0; out < degree && tries < 100*degree; tries++ {
			j := int32(rng.IntN(n))
			if j == int32(i) || linked(int32(i), j) {
				continue
			}
			adj[i] = append(adj[i], j)
			adj[j] = append(adj[j], int32(i))
			out++
		}
	}
	for i := range adj {
		slices.Sort(adj[i])
	}
	return adj
}
