// Package calibrate pins the simulator to published results. A Case runs
// the simulator (real node code on the sim kernel) on a situation a paper
// has a number for (the Eyal–Sirer selfish-mining revenue, Nakamoto's and
// Rosenfeld's double-spend probabilities, the first-order stale rate, the
// measured propagation of the Bitcoin network) and compares what it
// measured with the published value under a tolerance. The tolerance is
// only fair when the case ran enough trials for sampling noise to sit well
// inside it, so every Result says how many trials it ran and how many the
// tolerance needs.
//
// Cases register themselves from init functions in this package (one file
// per group of cases); All returns them in name order, so that a
// calibration runs and reports in a fixed order whatever the file order.
// `coinai calibrate` runs them and writes calibration.json.
package calibrate

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Case is one published figure the simulator must reproduce.
type Case struct {
	// Name is unique and stable (it keys calibration.json), for example
	// "selfish-mining/alpha=0.25/gamma=0.5".
	Name string
	// Group collects related cases ("selfish-mining", "double-spend",
	// "stale-rate", "propagation").
	Group string
	// Source names the publication of the figure (authors, venue, year,
	// and the equation or table).
	Source string
	// Quick cases are in `coinai calibrate --quick`, which CI runs: they
	// must finish within seconds to a minute together.
	Quick bool
	// Run measures the case. It must be deterministic given Options.Seed
	// and must return ctx.Err() soon after ctx is cancelled.
	Run func(ctx context.Context, opt Options) (Result, error)
}

// Options are what a caller may vary between calibrations.
type Options struct {
	// Seed is the first seed of the case's trials (trials use Seed,
	// Seed+1, ... or one stream derived from Seed).
	Seed uint64
	// Jobs bounds how many simulator runs a case may run at once; results
	// must not depend on it (merge in a fixed order).
	Jobs int
}

// Result is what a case measured against what was published.
type Result struct {
	// Published is the figure from the source, computed in the code from
	// the published formula where there is one (never typed in).
	Published float64
	// Measured is the simulator's estimate of the same quantity.
	Measured float64
	// Tolerance is the accepted distance between the two: absolute when
	// Relative is false, a fraction of Published when true.
	Tolerance float64
	Relative  bool
	// Trials is how many independent trials (runs, races, blocks) the
	// estimate rests on; FairTrials is how many the tolerance needs for
	// sampling noise alone to exceed it with probability below about
	// 5% (two standard errors inside the tolerance).
	Trials     int
	FairTrials int
	// StdErr is the standard error of Measured (0 when not estimated).
	StdErr float64
	// Unit names the quantity ("relative revenue", "probability", "s").
	Unit string
	// X, XLabel and Series place the case in its group's figure (published
	// curve and measured points against X, one line per Series): for
	// selfish mining X is alpha, XLabel "attacker share alpha", Series
	// "gamma=0.5". XLabel empty means the group has no figure.
	X      float64
	XLabel string
	Series string
	// Note says what the case ran (scenario, parameters) and anything a
	// reader needs to judge the comparison.
	Note string
	// Informational cases are printed and written but cannot fail the
	// calibration: a case run where the published law is known not to
	// hold (the first-order stale rate at large delay over interval), to
	// show where it stops holding.
	Informational bool
}

// Within reports whether Measured is within the tolerance of Published.
func (r Result) Within() bool {
	d := r.Measured - r.Published
	if d < 0 {
		d = -d
	}
	tol := r.Tolerance
	if r.Relative {
		tol *= abs(r.Published)
	}
	return d <= tol
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

var registry []Case

// Register adds a case; it panics on a duplicate or empty name, which is a
// programming error found by any test of the package.
func Register(c Case) {
	if c.Name == "" || c.Run == nil {
		panic("calibrate: case without a name or Run")
	}
	for _, o := range registry {
		if o.Name == c.Name {
			panic(fmt.Sprintf("calibrate: case %q registered twice", c.Name))
		}
	}
	registry = append(registry, c)
}

// All returns every registered case in name order.
func All() []Case {
	out := slices.Clone(registry)
	slices.SortFunc(out, func(a, b Case) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Quick returns the cases of `coinai calibrate --quick`, in name order.
func Quick() []Case {
	var out []Case
	for _, c := range All() {
		if c.Quick {
			out = append(out, c)
		}
	}
	return out
}
