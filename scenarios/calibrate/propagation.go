package calibrate

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/coinai/coinai/scenarios"
	"github.com/coinai/coinai/scenarios/observe"
	"github.com/coinai/coinai/scenarios/pipeline"
)

// Propagation: how long a block takes to reach half and nine tenths of the
// Bitcoin network, measured on the main network by Fechner, Chandrasekaran
// and Makkes (ACM SAC 2022), who repeated Decker and Wattenhofer's method
// (a monitor connected to the reachable nodes records when each announces
// a block, from the first announcement it sees) after compact blocks: a
// median delay of 454 ms and a mean of 4.1 s. Their paper gives the median
// and the mean; the 90th percentile is computed here from the two under
// the lognormal law that Mödinger et al. (PLoS ONE 2020) fit to Bitcoin's
// dissemination latencies: median e^mu, mean e^(mu + sigma^2/2).
const propagationSource = "Fechner, Chandrasekaran and Makkes, \"Calibrating the Performance and Security of Blockchains via Information Propagation Delays\", ACM SAC 2022, pp. 282-289: Bitcoin main-network block propagation, median 454 ms and mean 4.1 s (measured 2021, after compact blocks); the 90th percentile from those two under the lognormal law of Moedinger et al., PLoS ONE 15(12) e0243475, 2020"

// The published figures (seconds).
const (
	propagationMedian = 0.454
	propagationMean   = 4.1
)

// propagationP90 is the 90th percentile of the lognormal law with the
// published median and mean.
func propagationP90() float64 {
	mu := math.Log(propagationMedian)
	sigma := math.Sqrt(2 * math.Log(propagationMean/propagationMedian))
	const z90 = 1.2815515655446004 // standard normal 90th percentile
	return math.Exp(mu + z90*sigma)
}

// propagationTolerance is relative: the measurement is of the 2021 network
// of about 10,000 reachable nodes, the scenario has the 2019 parameters
// and 600 nodes, and the paper gives one figure with no spread, so the
// case asks for the published scale (within a factor 1.5 either way), not
// the published digits.
const propagationTolerance = 0.5

func init() {
	for _, c := range []struct {
		name string
		q    float64
		pub  func() float64
		info bool
	}{
		{"propagation/p50", 0.5, func() float64 { return propagationMedian }, false},
		// The p90 is printed beside the published figure but does not
		// judge the model: the measured tail (a mean nine times the
		// median) comes from slow and catching-up nodes that the scenario
		// does not have (DESIGN.md, "Network model (2019 Bitcoin)").
		{"propagation/p90", 0.9, propagationP90, true},
	} {
		Register(Case{
			Name:   c.name,
			Group:  "propagation",
			Source: propagationSource,
			Quick:  true,
			Run: func(ctx context.Context, opt Options) (Result, error) {
				return runPropagation(ctx, opt, c.q, c.pub(), c.info)
			},
		})
	}
}

// propagationRun is what one run of pow-bitcoin.toml measured: per main
// block, the q-quantile of the nodes' delays counted from the first
// announcement by a node other than the miner (the monitor's zero), and
// the same counted from the block's finding (the summary's
// propagation_pNN_s).
type propagationRun struct {
	aligned, found []float64
	nodes          int
}

// measurePropagation runs the shipped pow-bitcoin.toml with seed and
// collects, for each main-chain block, the q-quantile of its arrival
// delays.
func measurePropagation(ctx context.Context, seed uint64, q float64) (propagationRun, error) {
	s, err := scenarios.Parse(scenarios.PowBitcoinFile, scenarios.PowBitcoinTOML)
	if err != nil {
		return propagationRun{}, err
	}
	if err := s.Apply(fmt.Sprintf("run.seed=%d", seed), "output.propagation=false"); err != nil {
		return propagationRun{}, err
	}
	cfg, err := pipeline.FromScenario(s)
	if err != nil {
		return propagationRun{}, err
	}
	cfg.Interrupt = ctx.Err
	run, err := pipeline.New(cfg)
	if err != nil {
		return propagationRun{}, err
	}
	res, err := run.Run()
	if err != nil {
		return propagationRun{}, err
	}
	if !res.Summary.ChecksOK {
		for _, c := range res.Summary.Checks {
			if !c.OK {
				return propagationRun{}, fmt.Errorf("%s seed %d: checker %s failed: %s", scenarios.PowBitcoinFile, seed, c.Name, c.Note)
			}
		}
	}
	out := propagationRun{nodes: len(res.Config.Nodes)}
	for _, b := range res.Blocks {
		if !b.Main || b.Height < 1 {
			continue
		}
		al, fo, ok := propagationBlockQuantile(b, q)
		if ok {
			out.aligned = append(out.aligned, al)
			out.found = append(out.found, fo)
		}
	}
	if len(out.aligned) == 0 {
		return out, fmt.Errorf("%s seed %d: no main-chain block reached the nodes", scenarios.PowBitcoinFile, seed)
	}
	return out, nil
}

// propagationBlockQuantile is the q-quantile (seconds) of the delays with which the
// nodes other than the miner accepted b: counted from the first of those
// acceptances (as a monitor measures) and from the block's finding.
func propagationBlockQuantile(b *observe.BlockRec, q float64) (aligned, found float64, ok bool) {
	var d []float64
	for _, a := range b.Arrivals {
		if a.Node != b.Miner {
			d = append(d, float64(a.Delay)/1e9)
		}
	}
	if len(d) < 2 {
		return 0, 0, false
	}
	slices.Sort(d)
	fo := propagationQuantile(d, q)
	return fo - d[0], fo, true
}

// propagationQuantile is the q-quantile of sorted values, linear between order
// statistics.
func propagationQuantile(d []float64, q float64) float64 {
	x := q * float64(len(d)-1)
	i := int(x)
	if i >= len(d)-1 {
		return d[len(d)-1]
	}
	return d[i] + (x-float64(i))*(d[i+1]-d[i])
}

// runPropagation measures the q-quantile on the shipped scenario (one
// run, its 100 main-chain blocks the trials) and compares it with pub.
func runPropagation(ctx context.Context, opt Options, q, pub float64, info bool) (Result, error) {
	r, err := measurePropagation(ctx, opt.Seed, q)
	if err != nil {
		return Result{}, err
	}
	mean, sd := propagationMeanSD(r.aligned)
	n := len(r.aligned)
	se := sd / math.Sqrt(float64(n))
	foundMean, _ := propagationMeanSD(r.found)
	tol := propagationTolerance * pub
	res := Result{
		Published: pub, Measured: mean, Tolerance: propagationTolerance, Relative: true,
		Trials: n, FairTrials: int(math.Ceil(math.Pow(2*sd/tol, 2))), StdErr: se, Unit: "s",
		X: q, XLabel: "share of nodes reached", Series: "Bitcoin main network (Fechner et al. 2022)",
		Note: fmt.Sprintf("%s (%d nodes, seed %d, the 2019 network model): mean over %d main-chain blocks of the time by which %g%% of the nodes had the block, counted from the first node other than the miner to accept it, as a monitor counts; counted from the block's finding it is %.3f s",
			scenarios.PowBitcoinFile, r.nodes, opt.Seed, n, 100*q, foundMean),
	}
	if info {
		res.Informational = true
		res.Note += "; informational: the published tail comes from slow and catching-up nodes the scenario does not model"
	}
	return res, nil
}

// propagationMeanSD is the mean and sample standard deviation of x.
func propagationMeanSD(x []float64) (mean, sd float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	if len(x) < 2 {
		return mean, 0
	}
	for _, v := range x {
		sd += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(sd / float64(len(x)-1))
}
