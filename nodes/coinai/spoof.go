package coinai

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/chain"
	"github.com/coinai/coinai/nodes/nn"
)

// AttackSpoof is the spoofing of a Proof-of-Learning log that Fang et al.
// ("Proof-of-Learning is currently more broken than you think", EuroS&P
// 2023) describe, against spot-checking (spotcheck.go): the attacker
// re-uses a model as AttackReuse does (a perturbed copy of the best seen
// model of the tip's architecture; [group.reuse] parameters) and fabricates
// the training log that should have produced it. The log starts at the
// attempt's honest initial model (verifiers check it) and ends at the
// copy; in between, a share RealFraction of the segments (never the last,
// which must end at the copy) are trained for real from their fabricated
// start, and the other checkpoints lie on the straight line from the
// initial model to the copy, with zero momentum. A drawn fabricated
// segment fails the exact re-run; a drawn real one passes. With r real
// segments of S and q drawn, a draw passes with probability
// C(r, q)/C(S, q).
//
// Grind is how the attacker uses the draw's predictability (it is a
// function of the block id, known before publishing): 0 publishes the
// first draw blind; g >= 1 re-stamps the block (one ns later, re-signed)
// up to g times and publishes the first block whose draw misses every
// fabricated segment, or nothing.
const AttackSpoof = "spoof"

// NoteSpoof is the note of the EvMined event of a spoofed block.
const NoteSpoof = "spoof"

func (a *AttackConfig) validateSpoof() error {
	switch {
	case a.Forward != 0:
		return fmt.Errorf("attack %q: forward set", a.Kind)
	case a.Spam != (SpamConfig{}) || a.Leak != (LeakConfig{}):
		return fmt.Errorf("attack %q: another role's parameters set", a.Kind)
	case a.Grind < 0 || a.Grind > 1<<24:
		return fmt.Errorf("attack %q: grind %d: want [0, %d]", a.Kind, a.Grind, 1<<24)
	case !(a.RealFraction >= 0 && a.RealFraction < 1):
		return fmt.Errorf("attack %q: real fraction %v: want [0, 1)", a.Kind, a.RealFraction)
	}
	return nil
}

// spoofState is an AttackSpoof attacker's state: whether its fabrication
// job is the job in progress, what it fabricates, and how many draws it
// tried (Grind).
type spoofState struct {
	job     bool
	tag     uint64  // the fabrication job's tag
	acc     float64 // the copied model's verified accuracy
	problem [32]byte
	fake    []bool // per segment: fabricated
	tries   int64
}

// SpoofJob fabricates a training log for Final (spoof.go): the attacker's
// only training is the segments not marked Fake. It implements nodes.Job
// as training (JobTrain), and returns a *TrainResult whose Model is Final.
type SpoofJob struct {
	// Train is the attempt the log claims: attempt 0 on the tip.
	Train TrainJob
	Every int
	Final []byte
	Fake  []bool
}

func (j *SpoofJob) total() int {
	return SpotSteps(j.Train.Data.Train.Len(), j.Train.Train.Batch, j.Train.Train.Epochs)
}

// FLOPs implements nodes.Job: the real segments' steps.
func (j *SpoofJob) FLOPs() float64 {
	total, samples := j.total(), 0
	for s, fake := range j.Fake {
		if !fake {
			samples += nn.SegmentSamples(j.Train.Data.Train.Len(), j.Train.Train.Batch, spotStep(s, j.Every, total), spotStep(s+1, j.Every, total))
		}
	}
	return j.Train.Arch.TrainFLOPs(samples, 1)
}

// Class implements nodes.Classed: the real segments are training.
func (j *SpoofJob) Class() nodes.JobClass { return nodes.JobTrain }

// Key implements nodes.Job.
func (j *SpoofJob) Key() [32]byte {
	h := sha256.New()
	h.Write([]byte("coinai/spoof\x00"))
	k := j.Train.Key()
	h.Write(k[:])
	f := sha256.Sum256(j.Final)
	h.Write(f[:])
	for _, b := range j.Fake {
		if b {
			h.Write([]byte{1})
		} else {
			h.Write([]byte{0})
		}
	}
	h.Write(binary.LittleEndian.AppendUint64(nil, uint64(j.Every)))
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// Run implements nodes.Job.
func (j *SpoofJob) Run() any {
	res := &TrainResult{Model: j.Final, Commitment: sha256.Sum256(j.Final), ValN: j.Train.Data.Val.Len()}
	log, err := FabricateLog(&j.Train, j.Every, j.Final, j.Fake)
	if err != nil {
		res.Err = err
		return res
	}
	res.Checkpoints = log
	return res
}

// FabricateLog is the spoofed log of a training of t claimed to end at
// final: checkpoint 0 is t's initial model, checkpoint i+1 is segment i
// trained for real from checkpoint i where fake[i] is false, else the
// point (i+1)/S of the way from the initial model to final with zero
// momentum; the last is final itself.
func FabricateLog(t *TrainJob, every int, final []byte, fake []bool) ([]SpotCheckpoint, error) {
	fm, err := nn.UnmarshalModel(final)
	if err != nil {
		return nil, fmt.Errorf("spoof: %w", err)
	}
	init, err := nn.NewModel(t.Arch, t.Seed)
	if err != nil {
		return nil, fmt.Errorf("spoof: %w", err)
	}
	if len(init.Params) != len(fm.Params) {
		return nil, fmt.Errorf("spoof: model of %d parameters for an architecture of %d", len(fm.Params), len(init.Params))
	}
	total := SpotSteps(t.Data.Train.Len(), t.Train.Batch, t.Train.Epochs)
	segs := spotCount(total, every) - 1
	if len(fake) != segs {
		return nil, fmt.Errorf("spoof: %d segment marks for %d segments", len(fake), segs)
	}
	zero := make([]float32, len(init.Params))
	log := []SpotCheckpoint{{Step: 0, Params: slices.Clone(init.Params), Vel: slices.Clone(zero)}}
	cfg := t.Train
	cfg.Seed = t.Seed
	tr := t.Data.Train
	y := relabel(tr.Y, t.Labels)
	for s := range segs {
		from, to := spotStep(s, every, total), spotStep(s+1, every, total)
		next := SpotCheckpoint{Step: to}
		switch {
		case s == segs-1:
			next.Params, next.Vel = slices.Clone(fm.Params), slices.Clone(zero)
		case !fake[s]:
			m := init.Clone()
			copy(m.Params, log[s].Params)
			vel := slices.Clone(log[s].Vel)
			if err := nn.TrainSegment(m, vel, tr.X, y, tr.Len(), cfg, from, to); err != nil {
				return nil, fmt.Errorf("spoof: %w", err)
			}
			next.Params, next.Vel = m.Params, vel
		default:
			a := float32(s+1) / float32(segs)
			next.Params = make([]float32, len(init.Params))
			for i := range next.Params {
				next.Params[i] = init.Params[i] + a*(fm.Params[i]-init.Params[i])
			}
			next.Vel = slices.Clone(zero)
		}
		log = append(log, next)
	}
	return log, nil
}

// SpoofMarks draws which of segs segments a spoofer fabricates: the last
// always, and of the others all but round(realFraction × segs) (at most
// segs−1), chosen by the permutation perm of the first segs−1 indices.
func SpoofMarks(segs int, realFraction float64, perm []int) []bool {
	fake := make([]bool, segs)
	for i := range fake {
		fake[i] = true
	}
	real := min(int(math.Round(realFraction*float64(segs))), segs-1)
	for _, i := range perm[:real] {
		fake[i] = false
	}
	return fake
}

// startSpoof starts the fabrication of a log for raw, a perturbed copy of
// a model of verified accuracy acc, as a child of tip.
func (n *Node) startSpoof(tip chain.Entry[*rec], problem [32]byte, raw []byte, acc float64) {
	arch, err := n.archFor(tip.ID, &n.cfg.Default)
	if err != nil {
		return
	}
	t := TrainJob{
		Arch: arch, Data: &n.cfg.Default, Problem: problem,
		Seed:   Seed(tip.ID, n.addr, 0),
		Train:  nn.TrainConfig{Epochs: n.cfg.Epochs, Batch: n.cfg.Batch, LR: n.cfg.LR, Momentum: n.cfg.Momentum, Serial: true},
		Labels: LabelsFor(&n.cfg, tip.ID),
	}
	total := SpotSteps(n.cfg.Default.Train.Len(), n.cfg.Batch, n.cfg.Epochs)
	segs := spotCount(total, n.cfg.SpotCheck.Every) - 1
	perm := n.env.Rand().Perm(max(segs-1, 0))
	fake := SpoofMarks(segs, n.cfg.Attack.RealFraction, perm)
	n.spoof.job, n.spoof.acc, n.spoof.problem, n.spoof.fake = true, acc, problem, fake
	n.jobTag = n.nextTag(tagAttempt)
	n.spoof.tag = n.jobTag
	n.jobTip, n.jobHeight, n.jobProblem = tip.ID, tip.Height+1, problem
	n.job = n.env.Compute(&SpoofJob{Train: t, Every: n.cfg.SpotCheck.Every, Final: raw, Fake: fake}, n.jobTag)
}

// onSpoof publishes the spoofed block if the tip is still the one the log
// was fabricated for and the copy still passes its threshold.
func (n *Node) onSpoof(r *TrainResult) {
	n.job, n.spoof.job = 0, false
	tip := n.tree.Tip()
	if r.Err != nil {
		n.env.Observe(nodes.Event{Kind: nodes.EvNote, Parent: n.jobTip, Note: "spoof failed: " + r.Err.Error()})
	} else if tip.ID == n.jobTip {
		t := n.blockTime(tip)
		thr := n.thresholdAt(tip, t)
		if n.spoof.acc*PPM >= float64(thr) {
			n.spotLog = r.Checkpoints
			n.publish(tip, n.spoof.problem, r.Model, t, uint32(math.Round(n.spoof.acc*PPM)), thr, 0, NoteSpoof)
		}
	}
	n.resume()
}

// SpoofTries is the number of draws an AttackSpoof node tried (0 for
// other nodes): its blocks published over its tries is its success rate.
func (n *Node) SpoofTries() int64 {
	if n.spoof == nil {
		return 0
	}
	return n.spoof.tries
}

var (
	_ nodes.Job     = (*SpoofJob)(nil)
	_ nodes.Job     = (*SpotCheckJob)(nil)
	_ nodes.Classed = (*SpoofJob)(nil)
)
