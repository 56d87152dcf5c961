package calibrate

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/coinai/coinai/scenarios"
	"github.com/coinai/coinai/scenarios/observe"
	"github.com/coinai/coinai/scenarios/pipeline"
)

// Selfish mining: Eyal and Sirer, "Majority is not enough: Bitcoin mining
// is vulnerable", Financial Cryptography 2014. A pool of share α that
// follows their Algorithm 1 earns the relative revenue R(α, γ) of their
// equation (8), γ being the share of honest power that mines on the pool's
// block in a tie; the strategy pays (R > α) above the threshold
// (1 − γ)/(3 − 2γ) of their Observation 1.
const selfishSource = "Eyal and Sirer, \"Majority is not enough: Bitcoin mining is vulnerable\", FC 2014: relative revenue, eq. (8); threshold, Observation 1"

// SelfishRevenue is Eyal and Sirer's closed form of the selfish pool's
// relative revenue (their eq. 8):
//
//	R = [α(1−α)²(4α + γ(1−2α)) − α³] / [1 − α(1 + (2−α)α)]
//
// valid for 0 <= α < 1/2.
func SelfishRevenue(alpha, gamma float64) float64 {
	a, g := alpha, gamma
	return (a*(1-a)*(1-a)*(4*a+g*(1-2*a)) - a*a*a) / (1 - a*(1+(2-a)*a))
}

// SelfishThreshold is the pool size above which selfish mining pays
// (Observation 1): (1 − γ)/(3 − 2γ).
func SelfishThreshold(gamma float64) float64 { return (1 - gamma) / (3 - 2*gamma) }

// Calibration parameters of the selfish-mining cases.
const (
	selfishTolerance = 0.02 // absolute, on R and on the threshold α
	// selfishRuns are the independent runs (seeds Seed, Seed+1, ...) a
	// case splits its blocks over; selfishBatches the batches of the
	// batch-means standard error, per run.
	selfishRuns    = 4
	selfishBatches = 10
	// selfishTrim is the number of top heights of each run left out:
	// near the end of a run the pool may hold a branch it never gets to
	// publish, and honest blocks there may yet be orphaned.
	selfishTrim = 20
)

// selfishAlphas and selfishGammas are the points of the table.
var (
	selfishAlphas = []float64{0.1, 0.2, 0.25, 0.3, 0.35, 0.4}
	selfishGammas = []float64{0, 0.5}
)

func init() {
	for _, g := range selfishGammas {
		for _, a := range selfishAlphas {
			Register(Case{
				Name:   fmt.Sprintf("selfish-mining/alpha=%g/gamma=%g", a, g),
				Group:  "selfish-mining",
				Source: selfishSource,
				Quick:  selfishQuick(a, g),
				Run: func(ctx context.Context, opt Options) (Result, error) {
					return runSelfishRevenue(ctx, opt, a, g, selfishBlocks(opt))
				},
			})
		}
		Register(Case{
			Name:   fmt.Sprintf("selfish-mining/threshold/gamma=%g", g),
			Group:  "selfish-mining",
			Source: selfishSource,
			Quick:  g == 0,
			Run: func(ctx context.Context, opt Options) (Result, error) {
				return runSelfishThreshold(ctx, opt, g, selfishThresholdBlocks(g))
			},
		})
	}
}

// selfishQuick marks the cases of `coinai calibrate --quick`: the
// largest pool at both γ, where the strategy's gain is largest and a
// broken state machine shows first.
func selfishQuick(alpha, gamma float64) bool { return alpha == 0.4 || alpha == 0.25 && gamma == 0.5 }

// selfishBlocks is the main-chain length of each case: 4 runs of 10,000
// blocks (the tolerance needs about 10,000 to 25,000, FairTrials).
func selfishBlocks(Options) int { return 40000 }

// selfishThresholdBlocks is the main-chain length of a threshold case,
// over its two points: at γ = 1/2 the gain R − α grows less than half as
// fast with α as at γ = 0 (slope 0.44 against 0.93), so the crossing's
// standard error is twice as large for the same blocks, and the case runs
// four times as many.
func selfishThresholdBlocks(gamma float64) int {
	if gamma > 0 {
		return 160000
	}
	return 40000
}

// selfishScenario is the calibration network: a pool of share α and two
// honest miners of equal hash rate, all linked to each other. The pool's
// links take 1 ms one way, the honest miners' link 10 ms, and a block
// crosses a link in three messages (Inv, GetData, block) or, pushed by
// the pool, in one. A block the pool publishes to tie reaches the honest
// miners of reach (both, for γ = 0.5; neither for γ = 0) in about 4 ms
// after the competing block was found, while the competing block takes
// 30 ms to reach the other honest miner: the miner that did not find the
// competing block (half the honest power) mines on the pool's, and γ =
// Σ_reach p(1 − p) = 2 × ½ × ½ = 0.5, p being a reached miner's share of
// the honest power. The stale rate of honest blocks (30 ms against 600 s)
// is negligible.
func selfishScenario(alpha, gamma float64, blocks int, seed uint64) (*scenarios.Scenario, error) {
	reach := "[]"
	switch gamma {
	case 0:
	case 0.5:
		reach = `["honest"]`
	default:
		return nil, fmt.Errorf("selfish-mining: gamma %g: the calibration network realises 0 and 0.5", gamma)
	}
	// Honest miners 1 TH/s each; the pool α/(1−α) × 2 TH/s, in H/s.
	pool := math.Round(alpha / (1 - alpha) * 2e12)
	text := fmt.Sprintf(`
[run]
name = "calibrate selfish-mining alpha=%g gamma=%g"
protocol = "pow"
seed = %d
stop_height = %d

[network]
regions = ["pool", "net"]
latency_ms = [[1.0, 1.0], [1.0, 10.0]]
download = ["1Gbps", "1Gbps"]
upload = ["1Gbps", "1Gbps"]
region_share = [0.0, 100.0]
jitter = "none"
degree = 2

[[hardware]]
name = "honest-asic"
hashrate = "1TH/s"

[[hardware]]
name = "pool-asic"
hashrate = "%.0fH/s"

[[group]]
name = "honest"
count = 2
hardware = "honest-asic"
regions = "net"

[[group]]
name = "pool"
count = 1
hardware = "pool-asic"
role = "selfish"
regions = "pool"

[group.selfish]
reach = %s

[pow]
interval = "600s"
block_size = "250B"
tx_size = "100B"
retarget_window = 0

[output]
propagation = false
report = false
`, alpha, gamma, int64(seed), blocks, pool, reach)
	return scenarios.Parse("calibrate/selfish-mining", []byte(text))
}

// selfishRun is what one run measured: per batch of main-chain heights,
// the pool's blocks and all blocks; and the ties the pool ran.
type selfishRun struct {
	att, all []int
	// races: ties in which an honest block followed; onPool: those in
	// which it was mined on the pool's block (γ realised).
	races, onPool int
}

// runSelfish runs the calibration network and counts the main chain by
// batches of heights, leaving out the top selfishTrim heights.
func runSelfish(ctx context.Context, alpha, gamma float64, blocks int, seed uint64) (selfishRun, error) {
	s, err := selfishScenario(alpha, gamma, blocks, seed)
	if err != nil {
		return selfishRun{}, err
	}
	cfg, err := pipeline.FromScenario(s)
	if err != nil {
		return selfishRun{}, err
	}
	cfg.Interrupt = ctx.Err // a cancelled calibration stops the run at once
	run, err := pipeline.New(cfg)
	if err != nil {
		return selfishRun{}, err
	}
	res, err := run.Run()
	if err != nil {
		return selfishRun{}, err
	}
	if !res.Summary.ChecksOK {
		for _, c := range res.Summary.Checks {
			if !c.OK {
				return selfishRun{}, fmt.Errorf("seed %d: checker %s failed: %s", seed, c.Name, c.Note)
			}
		}
	}
	attacker := func(b *observe.BlockRec) bool {
		return int(b.Miner) < len(res.Config.Nodes) && res.Config.Nodes[b.Miner].Attack != ""
	}
	top := int64(blocks - selfishTrim)
	out := selfishRun{att: make([]int, selfishBatches), all: make([]int, selfishBatches)}
	byParent := map[[32]byte][]*observe.BlockRec{}
	for _, b := range res.Blocks {
		byParent[b.Parent] = append(byParent[b.Parent], b)
		if !b.Main || b.Height < 1 || b.Height > top {
			continue
		}
		k := int((b.Height - 1) * selfishBatches / top)
		out.all[k]++
		if attacker(b) {
			out.att[k]++
		}
	}
	// γ realised: a tie is a published pool block and an honest block on
	// the same parent; the first honest block mined on either tells
	// where the honest miner that found it was mining.
	for _, b := range res.Blocks {
		if !attacker(b) || len(b.Arrivals) == 0 {
			continue
		}
		sib := slices.IndexFunc(byParent[b.Parent], func(o *observe.BlockRec) bool { return !attacker(o) })
		if sib < 0 {
			continue
		}
		rival := byParent[b.Parent][sib]
		var first *observe.BlockRec
		for _, c := range append(slices.Clone(byParent[b.ID]), byParent[rival.ID]...) {
			if !attacker(c) && c.Found >= rival.Found && (first == nil || c.Found < first.Found) {
				first = c
			}
		}
		if first != nil {
			out.races++
			if first.Parent == b.ID {
				out.onPool++
			}
		}
	}
	return out, nil
}

// selfishMeasure runs a point (α, γ) over selfishRuns seeds, jobs at a
// time, and returns R, its batch-means standard error, the main-chain
// blocks counted and the tie statistics.
func selfishMeasure(ctx context.Context, opt Options, alpha, gamma float64, blocks int) (r, se float64, n int, races, onPool int, err error) {
	per := blocks / selfishRuns
	runs := make([]selfishRun, selfishRuns)
	errs := make([]error, selfishRuns)
	jobs := max(opt.Jobs, 1)
	sem := make(chan struct{}, jobs)
	done := make(chan int, selfishRuns)
	for k := range selfishRuns {
		go func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if ctx.Err() == nil {
				runs[k], errs[k] = runSelfish(ctx, alpha, gamma, per, opt.Seed+uint64(k))
			}
			done <- k
		}()
	}
	for range selfishRuns {
		<-done
	}
	if err := ctx.Err(); err != nil {
		return 0, 0, 0, 0, 0, err
	}
	var batches []float64
	att := 0
	for k, rn := range runs { // merged in seed order
		if errs[k] != nil {
			return 0, 0, 0, 0, 0, fmt.Errorf("selfish-mining alpha=%g gamma=%g: %w", alpha, gamma, errs[k])
		}
		for b := range rn.all {
			if rn.all[b] > 0 {
				batches = append(batches, float64(rn.att[b])/float64(rn.all[b]))
			}
			att += rn.att[b]
			n += rn.all[b]
		}
		races += rn.races
		onPool += rn.onPool
	}
	if n == 0 {
		return 0, 0, 0, 0, 0, fmt.Errorf("selfish-mining alpha=%g gamma=%g: no main-chain block", alpha, gamma)
	}
	return float64(att) / float64(n), batchSE(batches), n, races, onPool, nil
}

// batchSE is the standard error of the mean of equal-sized batch means:
// their sample standard deviation over √(batches).
func batchSE(m []float64) float64 {
	k := float64(len(m))
	if k < 2 {
		return math.NaN()
	}
	var mean, ss float64
	for _, v := range m {
		mean += v
	}
	mean /= k
	for _, v := range m {
		ss += (v - mean) * (v - mean)
	}
	return math.Sqrt(ss / (k - 1) / k)
}

// fairTrials is the number of trials for which two standard errors fit
// in the tolerance, from the standard error se measured with n trials
// (the error falls as 1/√n).
func fairTrials(n int, se, tol float64) int {
	if math.IsNaN(se) || n == 0 {
		return 0
	}
	return int(math.Ceil(float64(n) * (2 * se / tol) * (2 * se / tol)))
}

func runSelfishRevenue(ctx context.Context, opt Options, alpha, gamma float64, blocks int) (Result, error) {
	r, se, n, races, onPool, err := selfishMeasure(ctx, opt, alpha, gamma, blocks)
	if err != nil {
		return Result{}, err
	}
	return Result{
		Published: SelfishRevenue(alpha, gamma), Measured: r, Tolerance: selfishTolerance,
		Trials: n, FairTrials: fairTrials(n, se, selfishTolerance), StdErr: se,
		Unit: "relative revenue", X: alpha, XLabel: "attacker share alpha", Series: fmt.Sprintf("gamma=%g", gamma),
		Note: fmt.Sprintf("PoW baseline (pow node code, sampled-exponential mining), pool of share %g and 2 honest miners, full mesh, "+
			"pool links 1 ms, honest link 10 ms; %d runs (seeds %d..%d) of %d main-chain blocks, the top %d heights of each left out; "+
			"R = pool blocks / main-chain blocks; standard error from %d batch means; gamma realised %s over %d ties",
			alpha, selfishRuns, opt.Seed, opt.Seed+selfishRuns-1, blocks/selfishRuns, selfishTrim, selfishRuns*selfishBatches,
			ratio(onPool, races), races),
	}, nil
}

// selfishThresholdSpan is the distance either side of the published
// threshold at which the threshold case measures R: the crossing of
// R(α) = α is interpolated between the two points.
const selfishThresholdSpan = 0.02

// interpolateCrossing is where the line through (a1, d1) and (a2, d2)
// crosses zero, and its standard error given those of d1 and d2 (delta
// method).
func interpolateCrossing(a1, d1, se1, a2, d2, se2 float64) (x, se float64) {
	den := d1 - d2
	x = a1 + (a2-a1)*d1/den
	g1 := (a2 - a1) * -d2 / (den * den)
	g2 := (a2 - a1) * d1 / (den * den)
	return x, math.Hypot(g1*se1, g2*se2)
}

func runSelfishThreshold(ctx context.Context, opt Options, gamma float64, blocks int) (Result, error) {
	thr := SelfishThreshold(gamma)
	a1, a2 := thr-selfishThresholdSpan, thr+selfishThresholdSpan
	r1, se1, n1, _, _, err := selfishMeasure(ctx, opt, a1, gamma, blocks/2)
	if err != nil {
		return Result{}, err
	}
	r2, se2, n2, _, _, err := selfishMeasure(ctx, opt, a2, gamma, blocks/2)
	if err != nil {
		return Result{}, err
	}
	x, se := interpolateCrossing(a1, r1-a1, se1, a2, r2-a2, se2)
	n := n1 + n2
	return Result{
		Published: thr, Measured: x, Tolerance: selfishTolerance,
		Trials: n, FairTrials: fairTrials(n, se, selfishTolerance), StdErr: se,
		Unit: "attacker share alpha", X: thr, XLabel: "attacker share alpha", Series: fmt.Sprintf("gamma=%g threshold", gamma),
		Note: fmt.Sprintf("alpha where R(alpha) = alpha, interpolated between R(%.4f) = %.4f and R(%.4f) = %.4f "+
			"(closed form: %.4f and %.4f; the closed form's own interpolation crosses at %.4f); network as the revenue cases, %d main-chain blocks at each point",
			a1, r1, a2, r2, SelfishRevenue(a1, gamma), SelfishRevenue(a2, gamma),
			closedFormCrossing(a1, a2, gamma), blocks/2),
	}, nil
}

// closedFormCrossing is the crossing that the threshold case's
// interpolation finds from exact closed-form values: the interpolation's
// own bias, printed beside the measurement.
func closedFormCrossing(a1, a2, gamma float64) float64 {
	x, _ := interpolateCrossing(a1, SelfishRevenue(a1, gamma)-a1, 0, a2, SelfishRevenue(a2, gamma)-a2, 0)
	return x
}

func ratio(k, n int) string {
	if n == 0 {
		return "n/a"
	}
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.3f", float64(k)/float64(n)), "0"), ".")
}
