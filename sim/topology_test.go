package sim

import (
	"math"
	"strings"
	"testing"
)

// simBlockBitcoinCDF is SimBlock's Bitcoin degree distribution (mean 8.645).
var simBlockBitcoinCDF = []float64{0.025, 0.050, 0.075, 0.10, 0.20, 0.30, 0.40, 0.50, 0.60, 0.70,
	0.80, 0.85, 0.90, 0.95, 0.97, 0.97, 0.98, 0.99, 0.995, 1.0}

func TestDrawDegreesFollowsCDF(t *testing.T) {
	const n = 200_000
	d := DrawDegrees(simBlockBitcoinCDF, n, Stream(1, "test/degree"))
	count := make([]int, len(simBlockBitcoinCDF)+2)
	sum := 0
	for _, x := range d {
		if x < 1 || x > len(simBlockBitcoinCDF) {
			t.Fatalf("degree %d outside 1..%d", x, len(simBlockBitcoinCDF))
		}
		count[x]++
		sum += x
	}
	if mean := float64(sum) / n; math.Abs(mean-8.645) > 0.05 {
		t.Errorf("mean degree %.3f, want 8.645", mean)
	}
	// P(degree = 16) is 0 in the table (0.97 twice).
	if count[16] != 0 {
		t.Errorf("%d nodes drew degree 16, whose probability is 0", count[16])
	}
	cum := 0
	for k := 1; k <= len(simBlockBitcoinCDF); k++ {
		cum += count[k]
		if got, want := float64(cum)/n, simBlockBitcoinCDF[k-1]; math.Abs(got-want) > 0.005 {
			t.Errorf("P(degree <= %d) = %.4f, want %.4f", k, got, want)
		}
	}
}

func TestRandomTopologyDegrees(t *testing.T) {
	degrees := DrawDegrees(simBlockBitcoinCDF, 2000, Stream(1, "test/degree"))
	adj := RandomTopologyDegrees(degrees, Stream(1, "test/topology"))
	ends, want := 0, 0
	for i, peers := range adj {
		for j, p := range peers {
			if int(p) == i || (j > 0 && peers[j-1] >= p) {
				t.Fatalf("node %d: peers %v not distinct, sorted and without itself", i, peers)
			}
		}
		// A node's list holds its outbound links and those that chose it.
		if len(peers) < degrees[i] {
			t.Errorf("node %d has %d peers, fewer than its %d outbound", i, len(peers), degrees[i])
		}
		ends += len(peers)
		want += degrees[i]
	}
	// In a sparse graph every outbound choice finds a new peer: each link
	// shows up in both lists.
	if ends != 2*want {
		t.Errorf("%d link ends, want %d (two per outbound link)", ends, 2*want)
	}
	// A degree above n-1 is capped.
	small := RandomTopologyDegrees([]int{5, 5, 5}, Stream(1, "test/topology"))
	for i, peers := range small {
		if len(peers) != 2 {
			t.Errorf("3 nodes: node %d has peers %v, want the other 2", i, peers)
		}
	}
}

func TestValidateDegreeCDF(t *testing.T) {
	tests := []struct {
		cdf  []float64
		want string // "" valid
	}{
		{simBlockBitcoinCDF, ""},
		{[]float64{1}, ""},
		{nil, "empty"},
		{[]float64{0.5, 0.4, 1}, "must not decrease"},
		{[]float64{0.5, 0.9}, "must be 1"},
		{[]float64{-0.1, 1}, "not in [0, 1]"},
		{[]float64{math.NaN(), 1}, "not in [0, 1]"},
	}
	for _, tc := range tests {
		err := ValidateDegreeCDF(tc.cdf)
		if (err == nil) != (tc.want == "") || err != nil && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ValidateDegreeCDF(%v) = %v, want %q", tc.cdf, err, tc.want)
		}
	}
}

func TestQuantile(t *testing.T) {
	knots := []float64{0.01, 0.01, 0.1, 0.5, 0.9}
	tests := []struct{ u, want float64 }{
		{0, 0.01}, {0.2, 0.01}, {0.25, 0.01}, {0.375, 0.055}, {0.5, 0.1}, {0.875, 0.7}, {0.999999, 0.8999984},
	}
	for _, tc := range tests {
		if got := Quantile(knots, tc.u); math.Abs(got-tc.want) > 1e-6 {
			t.Errorf("Quantile(%v) = %v, want %v", tc.u, got, tc.want)
		}
	}
	if got := Quantile([]float64{0.3}, 0.7); got != 0.3 {
		t.Errorf("one knot: %v, want 0.3", got)
	}
	if err := ValidateQuantiles([]float64{0.2, 0.1}, 0, 1); err == nil {
		t.Error("decreasing quantiles accepted")
	}
	if err := ValidateQuantiles([]float64{0.2, 1.5}, 0, 1); err == nil {
		t.Error("quantile above the range accepted")
	}
}
