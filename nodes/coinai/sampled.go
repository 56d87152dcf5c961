package coinai

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/nn"
)

// The "sampled" training fidelity.
//
// With real training every completed attempt is a training run, so the
// cost of a simulation grows with the attempts its hardware completes: a
// data-centre GPU completes hundreds of times more than a laptop. Under
// the sampled fidelity a run keeps, for each pair of problem and
// architecture (more precisely: each set of TrainJob fields but the seed,
// see pairKey), the outcomes of the first attempts of that pair to
// complete, in event order, which are trained for real: the first K, and
// more, up to CapFactor·K, while none of those cached passes the
// threshold of the attempt completing on both the validation split (so
// that its miner mines) and the test split (so that validators accept).
// The test split enters only this rule of the simulator's cache: with
// the validation split alone, a pair whose first passing model failed
// the test split drew that model for every block it mined, and at
// 10,000 nodes 1,067 of 1,297 mined blocks were refused. Every other attempt of the pair
// draws its outcome (validation accuracy and model) from the cache with
// the node's own random stream. What an attempt costs in
// virtual time and energy does not change: it is charged the counted
// FLOPs of the training it stands for (SampledJob declares the TrainJob's
// FLOPs and class).
//
// A block mined from a drawn outcome carries the drawn attempt's real
// model with the low-order byte of perturbDrawnBytes weights flipped
// (each weight moves by less than 2^-15 of itself, as the re-use
// attacker's copies: attack.go), so that its commitment is new and the
// duplicate-model rule treats it as the attempt's own model. Validators
// evaluate those real weights on the test split like any other model: the
// verification of a sampled block is not sampled. The miner's claimed
// validation accuracy is the drawn attempt's (not re-measured on the
// perturbed weights).
//
// Determinism: the cache is filled and read only from nodes' callbacks,
// which the simulator delivers one at a time in event order, so the
// attempts trained for real, the draws and so the trace are the same at
// any GOMAXPROCS. A SampledJob computes nothing when the simulator runs
// it (ahead or on a spare core); an attempt that finds its pair's cache
// short trains inside the node's OnComputed, on the simulator's thread.

// DefaultSampledRealAttempts is the K of a Sampler built from a scenario
// that does not set coinai.sampled_real_attempts.
const DefaultSampledRealAttempts = 8

// CapFactor bounds the cache of a pair whose real outcomes all fail the
// threshold: it goes on training for real up to CapFactor·K attempts.
// With the first K alone, a pair that passes with probability p would
// draw only failures with probability (1-p)^K (0.66 for p = 0.05, K = 8),
// and its tip would stall where real attempts would pass after about 1/p
// of them; training on until one cached outcome passes makes the mean
// number of attempts to a pass that of real training (inverse binomial
// sampling: the first pass comes after 1/p attempts on average, and the
// draws then pass with probability 1/that).
const CapFactor = 8

// MaxSampledRealAttempts bounds K: past it the cache holds so many models
// that sampling saves nothing.
const MaxSampledRealAttempts = 1 << 16

// NoteSampled is the note of an EvAttemptDone whose outcome was drawn
// from the sampled cache instead of trained; the attempts trained for real
// have no note.
const NoteSampled = "sampled"

// perturbDrawnBytes is the number of weight bytes flipped in a model
// drawn for a block (see the package comment above).
const perturbDrawnBytes = 2

// Sampler is the cache of real attempt outcomes that every node of one
// run shares under the sampled fidelity (Config.Sampler). It is mutable
// state shared by nodes, which is sound only because a simulator calls the
// nodes one at a time in event order: one Sampler serves one run, never
// two, and never nodes called from several goroutines at once.
type Sampler struct {
	k     int
	pairs map[[32]byte][]cached
	// Real counts the attempts whose outcome was trained for real (and,
	// while the pair's cache was short, cached); Drawn those whose outcome
	// was drawn from the cache.
	Real, Drawn int64
}

// NewSampler returns an empty cache whose pairs keep the first k real
// outcomes.
func NewSampler(k int) (*Sampler, error) {
	if k < 1 || k > MaxSampledRealAttempts {
		return nil, fmt.Errorf("sampled real attempts %d: want [1, %d]", k, MaxSampledRealAttempts)
	}
	return &Sampler{k: k, pairs: map[[32]byte][]cached{}}, nil
}

// cached is a real outcome in a pair's cache, with its model's correct
// answers on the test split (labels mapped as the attempt's), which only
// the cache's growth rule reads: miners never see them.
type cached struct {
	r                  *TrainResult
	testCorrect, testN int
}

// newCached measures a real outcome on the test split.
func newCached(j *TrainJob, r *TrainResult) cached {
	c := cached{r: r, testN: j.Data.Test.Len()}
	if m, err := nn.UnmarshalModel(r.Model); err == nil {
		c.testCorrect = correctAs(m, j.Data.Test, j.Labels)
	}
	return c
}

// K is the number of real attempts each pair keeps.
func (s *Sampler) K() int { return s.k }

// Pairs is the number of pairs (problem, architecture and training
// settings) the cache has seen.
func (s *Sampler) Pairs() int { return len(s.pairs) }

// Cap is the most real outcomes a pair's cache holds: CapFactor·K.
func (s *Sampler) Cap() int { return CapFactor * s.k }

// outcome is the result of attempt j, under threshold thr (ppm), when it
// completes: trained for real, and cached, while j's pair holds fewer
// than K outcomes, or fewer than Cap none of which passes thr on both
// the validation and the test split (anyPasses); else drawn
// from the cache with rng. A failed training is returned as is and not
// cached.
func (s *Sampler) outcome(j *TrainJob, thr uint32, rng *rand.Rand) *TrainResult {
	key := pairKey(j)
	cache := s.pairs[key]
	if len(cache) < s.k || len(cache) < s.Cap() && !anyPasses(cache, thr) {
		r, _ := j.Run().(*TrainResult)
		if r == nil {
			r = &TrainResult{ValN: j.Data.Val.Len(), Err: fmt.Errorf("training attempt: no result")}
		}
		s.Real++
		if r.Err == nil {
			s.pairs[key] = append(cache, newCached(j, r))
		}
		return r
	}
	d := cache[rng.IntN(len(cache))].r
	s.Drawn++
	return &TrainResult{Model: d.Model, Commitment: d.Commitment, ValCorrect: d.ValCorrect, ValN: d.ValN, drawn: true}
}

// anyPasses reports whether an outcome of cache would make a valid
// block under thr: its validation accuracy passes (the miner mines) and
// so does its test accuracy (validators accept).
func anyPasses(cache []cached, thr uint32) bool {
	for _, c := range cache {
		if passes(c.r.ValCorrect, c.r.ValN, thr) && passes(c.testCorrect, c.testN, thr) {
			return true
		}
	}
	return false
}

// onSampled decides a SampledJob's attempt when it completes, under the
// threshold a block on the tip would have now, and goes on as for a
// trained attempt.
func (n *Node) onSampled(d *sampledDone) {
	if n.cfg.Sampler == nil {
		return
	}
	tip := n.tree.Tip()
	thr := n.thresholdAt(tip, n.blockTime(tip))
	n.onAttempt(n.cfg.Sampler.outcome(d.job, thr, n.env.Rand()))
}

// pairKey identifies the attempts whose outcomes are draws from one law:
// TrainJob.Key without the seed (and without From: the sampled fidelity
// runs fresh-seed attempts only).
func pairKey(j *TrainJob) [32]byte {
	h := sha256.New()
	h.Write([]byte("coinai/sampled-pair\x00"))
	writeData(h, j.Data, j.Problem)
	h.Write([]byte(j.Arch.String()))
	var b []byte
	for _, v := range []int{j.Arch.InC, j.Arch.InH, j.Arch.InW, j.Arch.Classes, j.Train.Epochs, j.Train.Batch} {
		b = binary.LittleEndian.AppendUint64(b, uint64(v))
	}
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(j.Train.LR))
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(j.Train.Momentum))
	h.Write(b)
	if j.Labels != nil {
		h.Write([]byte("labels"))
		h.Write(j.Labels)
	}
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// SampledJob is a mining attempt under the sampled fidelity: it occupies
// the processor for the FLOPs of the TrainJob it stands for (same class,
// so the same cost scale), and its outcome is decided when it completes,
// by the node, from the run's Sampler. Its Run computes nothing, so a
// simulator may run it ahead or in parallel like any job.
type SampledJob struct {
	Train *TrainJob
}

// sampledDone is what a SampledJob returns: the attempt, to be decided.
type sampledDone struct{ job *TrainJob }

// FLOPs implements nodes.Job: the training's, as if trained.
func (j *SampledJob) FLOPs() float64 { return j.Train.FLOPs() }

// Class implements nodes.Classed: a mining attempt is training.
func (j *SampledJob) Class() nodes.JobClass { return nodes.JobTrain }

// Key implements nodes.Job: the TrainJob's key under its own domain.
func (j *SampledJob) Key() [32]byte {
	k := j.Train.Key()
	return sha256.Sum256(append([]byte("coinai/sampled\x00"), k[:]...))
}

// Run implements nodes.Job.
func (j *SampledJob) Run() any { return &sampledDone{job: j.Train} }

var (
	_ nodes.Job     = (*SampledJob)(nil)
	_ nodes.Classed = (*SampledJob)(nil)
)

// drawnModel is the model a block mined from a drawn outcome carries: the
// drawn model with perturbDrawnBytes weight bytes flipped, drawn again (at
// most 8 times) if the result is a model this node knows. nil if the model
// does not decode or every draw is known.
func (n *Node) drawnModel(model []byte) []byte {
	m, err := nn.UnmarshalModel(model)
	if err != nil {
		return nil
	}
	for range 8 {
		perturb(m.Params, perturbDrawnBytes, n.env.Rand())
		raw, err := m.MarshalBinary()
		if err != nil {
			return nil
		}
		if _, dup := n.models[ModelCommitment(raw, n.chunkSize())]; !dup {
			return raw
		}
	}
	return nil
}

// validSampler checks that the attempts of cfg can be sampled: fresh-seed
// attempts (a continued attempt depends on the previous model, not only
// on its pair) and no lottery (validators re-train the declared attempt,
// which a drawn model is not).
func (c *Config) validSampler() error {
	if c.Sampler == nil {
		return nil
	}
	if c.AttemptMode == ModeContinue {
		return fmt.Errorf("sampled fidelity: attempt mode %q: want %q (a continued attempt is not a draw of its pair)", c.AttemptMode, ModeFreshSeed)
	}
	if c.Lottery.Enabled {
		return fmt.Errorf("sampled fidelity: the lottery re-trains the declared attempt, which a drawn model is not")
	}
	return nil
}
