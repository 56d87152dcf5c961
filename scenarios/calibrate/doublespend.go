package calibrate

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"github.com/coinai/coinai/nodes/pow"
	"github.com/coinai/coinai/scenarios"
	"github.com/coinai/coinai/scenarios/observe"
	"github.com/coinai/coinai/scenarios/pipeline"
	"github.com/coinai/coinai/sim"
)

// The double-spend cases. Two published formulas, two models of the race:
//
//   - Nakamoto (2008, §11) counts the attacker's progress while the
//     merchant waits as Poisson with mean z·q/p, the blocks an attacker
//     finds in the expected time of z honest blocks, takes the honest
//     chain to be exactly z blocks ahead then, and counts catching up
//     (drawing level) as a success.
//   - Rosenfeld (2014, "Analysis of hashrate-based double spending", eq.
//     1) counts the attacker's progress during the real wait, a negative
//     binomial (the blocks the attacker finds before the honest side finds
//     z), and needs a chain one block longer than the honest one, with one
//     block pre-mined: what the node-level attacker of nodes/pow does.
//
// Each case is measured under the race its formula models; the Note says
// which and gives the other model's figure for the same q and z. The
// attacker's decisions (when to publish, when to give up) are pow.Race's
// in every case, on the real node stack or in the event-level race below.

// dsSource names the formulas' publications.
const (
	dsNakamotoSource  = "Nakamoto, Bitcoin: A Peer-to-Peer Electronic Cash System (2008), §11, attacker success probability (Poisson model)"
	dsRosenfeldSource = "Rosenfeld, Analysis of hashrate-based double spending (arXiv:1402.2009, 2014), eq. 1 (negative binomial model, one pre-mined block)"
)

// dsMaxDeficit is the give-up cutoff of every double-spend case; the bias
// it causes is given in each case's note (pow.Race.CutoffBias).
const dsMaxDeficit = 10

// NakamotoProbability is Nakamoto's attacker success probability for hash
// share q and z confirmations: 1 − Σ_{k=0..z} Poisson(k; λ)(1 − (q/p)^(z−k))
// with λ = z·q/p; 1 when q ≥ p.
func NakamotoProbability(q float64, z int) float64 {
	p := 1 - q
	if q >= p {
		return 1
	}
	lambda := float64(z) * q / p
	sum := 1.0
	poisson := math.Exp(-lambda) // Poisson(0; λ)
	for k := 0; k <= z; k++ {
		if k > 0 {
			poisson *= lambda / float64(k)
		}
		sum -= poisson * (1 - math.Pow(q/p, float64(z-k)))
	}
	return sum
}

// RosenfeldProbability is Rosenfeld's success probability for hash share q
// and n confirmations: 1 − Σ_{m=0..n} C(m+n−1, m)(p^n q^m − p^m q^n); 1 when
// q ≥ p.
func RosenfeldProbability(q float64, n int) float64 {
	p := 1 - q
	if q >= p {
		return 1
	}
	sum := 1.0
	binom := 1.0 // C(m+n-1, m), from m = 0
	for m := 0; m <= n; m++ {
		if m > 0 {
			binom *= float64(m+n-1) / float64(m)
		}
		sum -= binom * (math.Pow(p, float64(n))*math.Pow(q, float64(m)) - math.Pow(p, float64(m))*math.Pow(q, float64(n)))
	}
	return sum
}

// dsModel is which race an event-level case simulates.
type dsModel int

const (
	// dsRosenfeld: the real race: one pre-mined block, then every block
	// is the attacker's with probability q; the merchant accepts after z
	// honest blocks; the attacker publishes one block ahead.
	dsRosenfeld dsModel = iota
	// dsNakamoto: Nakamoto's model: the attacker mines for the expected
	// time of z honest blocks (z/p block intervals) while the honest
	// chain is taken to be z blocks ahead then; from there, block by
	// block, drawing level is a success.
	dsNakamoto
)

// dsChunks is how many independent random streams an event-level case's
// races are split into; chunks run Jobs at a time and merge in order, so
// the result does not depend on Jobs.
const dsChunks = 64

// dsRaces runs n event-level races (model, q, z) from streams derived from
// seed and name, and returns the successes.
func dsRaces(ctx context.Context, model dsModel, q float64, z, n int, seed uint64, name string, jobs int) (int, error) {
	wins := make([]int, dsChunks)
	var wg sync.WaitGroup
	next := make(chan int)
	for range max(1, jobs) {
		wg.Go(func() {
			for c := range next {
				rng := sim.Stream(seed, fmt.Sprintf("calibrate/%s/chunk%d", name, c))
				races := n / dsChunks
				if c < n%dsChunks {
					races++
				}
				for range races {
					if ctx.Err() != nil {
						break
					}
					if dsRace(model, q, z, rng) {
						wins[c]++
					}
				}
			}
		})
	}
	for c := range dsChunks {
		next <- c
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	total := 0
	for _, w := range wins {
		total += w
	}
	return total, nil
}

// dsRace runs one race and reports whether the attacker succeeded. The
// decisions are pow.Race's, as in the node.
func dsRace(model dsModel, q float64, z int, rng *rand.Rand) bool {
	r := pow.Race{Z: z, Lead: 1, MaxDeficit: dsMaxDeficit}
	switch model {
	case dsRosenfeld:
		// The pre-mined block: honest blocks found first only move the
		// fork point (the attacker mines again on the new tip), so the
		// race starts when the attacker finds one.
		for rng.Float64() >= q {
		}
		r.Attacker = 1
	case dsNakamoto:
		r.Lead = 0
		// Attacker blocks in a window of z/p block intervals at rate q
		// (exponential gaps): Poisson with mean z·q/p.
		window, t := float64(z)/(1-q), 0.0
		for {
			t += rng.ExpFloat64() / q
			if t > window {
				break
			}
			r.Attacker++
		}
		r.Honest = z
	}
	for {
		switch r.Decide() {
		case pow.Publish:
			return true
		case pow.GiveUp:
			return false
		}
		if rng.Float64() < q {
			r.Attacker++
		} else {
			r.Honest++
		}
	}
}

// dsFair is the trials a binomial rate p needs for two standard errors to
// fit in an absolute tolerance tol.
func dsFair(p, tol float64) int {
	return int(math.Ceil(4 * p * (1 - p) / (tol * tol)))
}

// dsEventCase is an event-level case: races enough to make its 10%
// relative tolerance fair (rounded up to a multiple of dsChunks).
func dsEventCase(model dsModel, q float64, z int, quick bool) Case {
	var name, source, series string
	published := func() float64 { return RosenfeldProbability(q, z) }
	switch model {
	case dsNakamoto:
		name, source, series = fmt.Sprintf("double-spend/nakamoto/q=%g/z=%d", q, z), dsNakamotoSource, fmt.Sprintf("Nakamoto z=%d (event-level race)", z)
		published = func() float64 { return NakamotoProbability(q, z) }
	default:
		name, source, series = fmt.Sprintf("double-spend/rosenfeld/q=%g/z=%d/race", q, z), dsRosenfeldSource, fmt.Sprintf("Rosenfeld z=%d (event-level race)", z)
	}
	curve, curveName := func(x float64) float64 { return RosenfeldProbability(x, z) }, fmt.Sprintf("Rosenfeld z=%d", z)
	if model == dsNakamoto {
		curve, curveName = func(x float64) float64 { return NakamotoProbability(x, z) }, fmt.Sprintf("Nakamoto z=%d", z)
	}
	return Case{Name: name, Group: "double-spend", Source: source, Quick: quick, Curve: curve, CurveName: curveName,
		Run: func(ctx context.Context, opt Options) (Result, error) {
			pub := published()
			tol := 0.1
			fair := dsFair(pub, tol*pub)
			n := (fair + dsChunks - 1) / dsChunks * dsChunks
			wins, err := dsRaces(ctx, model, q, z, n, opt.Seed, name, opt.Jobs)
			if err != nil {
				return Result{}, err
			}
			m := float64(wins) / float64(n)
			bias := (&pow.Race{Lead: 1, MaxDeficit: dsMaxDeficit}).CutoffBias(q)
			var note string
			if model == dsNakamoto {
				bias = (&pow.Race{Lead: 0, MaxDeficit: dsMaxDeficit}).CutoffBias(q)
				note = fmt.Sprintf("event-level race under Nakamoto's model (attacker blocks over a fixed wait of z/p intervals, Poisson mean %.3g; honest chain z ahead; drawing level wins); pow.Race decides, give-up %d behind (bias <= %.1e). "+
					"The real race (merchant waits z blocks, attacker one block ahead, one pre-mined) is Rosenfeld's: %.4g for these q, z; without the pre-mined block %.4g",
					float64(z)*q/(1-q), dsMaxDeficit, bias, RosenfeldProbability(q, z), dsNoPremine(q, z))
			} else {
				note = fmt.Sprintf("event-level race (one pre-mined block, each block the attacker's with probability q, merchant accepts after z honest blocks, attacker publishes one block ahead); pow.Race decides, give-up %d behind (bias <= %.1e); Nakamoto's Poisson model gives %.4g",
					dsMaxDeficit, bias, NakamotoProbability(q, z))
			}
			return Result{Published: pub, Measured: m, Tolerance: tol, Relative: true,
				Trials: n, FairTrials: fair, StdErr: math.Sqrt(m * (1 - m) / float64(n)),
				Unit: "attacker success probability", X: q, XLabel: "attacker hash share q", Series: series, Note: note}, nil
		}}
}

// dsNoPremine is the success probability of the real race without the
// pre-mined block: Σ_m NB(m; z, q)·min(1, (q/p)^(z−m+1)), the attacker
// needing to be one block ahead from nothing (for the notes).
func dsNoPremine(q float64, z int) float64 {
	p := 1 - q
	sum, nb := 0.0, math.Pow(p, float64(z)) // NB(0)
	for m := 0; m < 2000; m++ {
		if m > 0 {
			nb *= q * float64(m+z-1) / float64(m)
		}
		d := z - m + 1
		if d <= 0 {
			sum += nb
		} else {
			sum += nb * math.Pow(q/p, float64(d))
		}
	}
	return sum
}

// dsNodeCase measures Rosenfeld's race on the real node stack:
// scenarios/attacks/double-spend.toml (one attacker with share q against
// nine honest miners in one region, 10-minute blocks) run at seeds
// Seed, Seed+1, ... until the races make the tolerance fair.
func dsNodeCase(q float64, z int, quick bool) Case {
	name := fmt.Sprintf("double-spend/rosenfeld/q=%g/z=%d", q, z)
	return Case{Name: name, Group: "double-spend", Source: dsRosenfeldSource, Quick: quick,
		Curve: func(x float64) float64 { return RosenfeldProbability(x, z) }, CurveName: fmt.Sprintf("Rosenfeld z=%d", z),
		Run: func(ctx context.Context, opt Options) (Result, error) {
			pub := RosenfeldProbability(q, z)
			tol := 0.1
			fair := dsFair(pub, tol*pub)
			// About 20 blocks a race at q = 0.3; runs of 20,000 blocks
			// keep each run's unfinished last race a small share.
			const height = 20000
			honest := 63e12 / 9 // the scenario's honest hash rate per miner
			attacker := 9 * honest * q / (1 - q)
			// Runs go in batches of a fixed size, whatever Jobs, so that
			// the runs made (and the result) do not depend on it.
			const batch = 4
			var attempts, wins int64
			runs := 0
			for attempts < int64(fair) {
				k := batch
				sums, err := calRunSeeds(ctx, "attacks/double-spend.toml", opt.Seed+uint64(runs), k, opt.Jobs,
					fmt.Sprintf("run.stop_height=%d", height),
					fmt.Sprintf("hardware.honest-asic.hashrate=%gH/s", honest),
					fmt.Sprintf("hardware.attacker-asic.hashrate=%gH/s", attacker),
					fmt.Sprintf("group.attacker.doublespend.confirmations=%d", z),
					fmt.Sprintf("group.attacker.doublespend.max_deficit=%d", dsMaxDeficit),
					"group.attacker.doublespend.premine=true")
				if err != nil {
					return Result{}, err
				}
				for _, s := range sums {
					if s.DoubleSpendAttempts == nil || s.DoubleSpendSuccesses == nil {
						return Result{}, fmt.Errorf("%s: the run reports no double-spend races", name)
					}
					attempts += *s.DoubleSpendAttempts
					wins += *s.DoubleSpendSuccesses
				}
				runs += k
			}
			m := float64(wins) / float64(attempts)
			bias := (&pow.Race{Lead: 1, MaxDeficit: dsMaxDeficit}).CutoffBias(q)
			return Result{Published: pub, Measured: m, Tolerance: tol, Relative: true,
				Trials: int(attempts), FairTrials: fair, StdErr: math.Sqrt(m * (1 - m) / float64(attempts)),
				Unit: "attacker success probability", X: q, XLabel: "attacker hash share q", Series: fmt.Sprintf("Rosenfeld z=%d (node stack)", z),
				Note: fmt.Sprintf("real pow nodes: scenarios/attacks/double-spend.toml (1 attacker with q=%g, 9 honest miners, one region, 600 s blocks), %d runs of %d blocks from seed %d; the attacker pre-mines one block, pays, publishes one block ahead after z confirmations, gives up %d behind (bias <= %.1e); payment declared (fidelity pow.doublespend=declared-payment); Nakamoto's Poisson model gives %.4g",
					q, runs, height, opt.Seed, dsMaxDeficit, bias, NakamotoProbability(q, z))}, nil
		}}
}

// calRunSeeds runs the embedded scenario at seeds first..first+n-1, jobs
// at a time, and returns the summaries in seed order. Every checker must
// pass.
func calRunSeeds(ctx context.Context, file string, first uint64, n, jobs int, overrides ...string) ([]*observe.Summary, error) {
	out := make([]*observe.Summary, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	next := make(chan int)
	for range max(1, min(jobs, n)) {
		wg.Go(func() {
			for i := range next {
				out[i], errs[i] = calRun(ctx, file, append(overrides, fmt.Sprintf("run.seed=%d", first+uint64(i)))...)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// calRun runs the embedded scenario file with the overrides; ctx stops it.
func calRun(ctx context.Context, file string, overrides ...string) (*observe.Summary, error) {
	s, err := scenarios.Embedded(file, overrides...)
	if err != nil {
		return nil, err
	}
	cfg, err := pipeline.FromScenario(s)
	if err != nil {
		return nil, err
	}
	cfg.Interrupt = ctx.Err
	r, err := pipeline.New(cfg)
	if err != nil {
		return nil, err
	}
	res, err := r.Run()
	if err != nil {
		return nil, err
	}
	for _, c := range res.Summary.Checks {
		if !c.OK {
			return nil, fmt.Errorf("%s (seed %d): checker %s failed: %s", file, s.Run.Seed, c.Name, c.Note)
		}
	}
	return res.Summary, nil
}

func init() {
	// Nakamoto's table (q = 0.1, z = 5 and q = 0.3, z = 5) and the issue's
	// Rosenfeld case (q = 0.3, z = 6) are quick; the rest draws the curve.
	Register(dsEventCase(dsNakamoto, 0.1, 5, true))
	Register(dsEventCase(dsNakamoto, 0.3, 5, true))
	Register(dsEventCase(dsNakamoto, 0.2, 5, false))
	for _, q := range []float64{0.1, 0.2, 0.3, 0.4} {
		Register(dsEventCase(dsRosenfeld, q, 6, q == 0.3))
	}
	Register(dsNodeCase(0.3, 6, true))
	Register(dsNodeCase(0.2, 6, false))
}
