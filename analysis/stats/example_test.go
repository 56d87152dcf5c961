package stats_test

import (
	"fmt"

	"github.com/coinai/coinai/analysis/stats"
)

// Rewards of four nodes where one node won everything.
func ExampleGini() {
	fmt.Printf("%.2f\n", stats.Gini([]float64{0, 0, 0, 1}))
	fmt.Printf("%.2f\n", stats.Gini([]float64{5, 5, 5, 5}))
	// Output:
	// 0.75
	// 0.00
}

// Block intervals in seconds: fit the exponential law of memoryless mining.
func ExampleFitExponential() {
	f := stats.FitExponential([]float64{300, 900, 600, 1200, 0.5, 599.5})
	fmt.Printf("mean interval %.0f s, rate %.5f ± %.5f /s\n", 1/f.Rate, f.Rate, f.StdErr)
	// Output:
	// mean interval 600 s, rate 0.00167 ± 0.00068 /s
}

func ExampleKSTwoSample() {
	r := stats.KSTwoSample([]float64{1, 2, 3, 4}, []float64{2.5, 5})
	fmt.Printf("D=%.2f p=%.3f\n", r.D, r.PValue)
	// Output:
	// D=0.50 p=0.736
}
