package coinai

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
	"math"
	"slices"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/dataset"
	"github.com/coinai/coinai/nodes/nn"
)

// Data is a problem's data: the training split miners train on, the
// validation split they check themselves on, and the test split that
// decides validity. The sets are shared read-only by every node of a run;
// nothing in this package writes them.
type Data struct {
	// Name identifies the data in job keys; two Data with the same Name and
	// sizes must hold the same samples.
	Name             string
	Train, Val, Test *dataset.Set
	// StandIn, if not nil, is the larger workload this problem's real
	// training stands for (standin.go): jobs on it are charged its FLOPs,
	// and its models travel with its size. It never changes a result.
	StandIn *StandIn
}

func (d *Data) check() error {
	if d.Name == "" {
		return fmt.Errorf("data set has no name")
	}
	for _, s := range []struct {
		name string
		set  *dataset.Set
	}{{"train", d.Train}, {"validation", d.Val}, {"test", d.Test}} {
		if s.set == nil || s.set.Len() == 0 {
			return fmt.Errorf("data %q: empty %s split", d.Name, s.name)
		}
		if s.set.C != d.Train.C || s.set.H != d.Train.H || s.set.W != d.Train.W || s.set.Classes != d.Train.Classes {
			return fmt.Errorf("data %q: %s split shape differs from the training split", d.Name, s.name)
		}
	}
	return nil
}

// TrainJob is one mining attempt: train a network of architecture Arch from
// seed Seed (or, in "continue" mode, one more epoch on the model From) and
// measure it on the validation split. It implements nodes.Job.
type TrainJob struct {
	Arch    nn.Arch
	Data    *Data
	Problem [32]byte
	Seed    uint64
	// Train holds Epochs, Batch, LR and Momentum; its Seed is ignored (Seed
	// above seeds both the weights and the data order).
	Train nn.TrainConfig
	// From, if not nil, is the serialised model to continue training from
	// (AttemptMode "continue"); the job then runs Train.Epochs epochs on it.
	From []byte
	// Labels, if not nil, maps every training and validation label y to
	// Labels[y]: the binding rule's relabelling for the parent (LabelsFor).
	Labels []uint8
	// CheckpointEvery, if > 0, records the training state every that many
	// SGD steps in TrainResult.Checkpoints (spot-checking, spotcheck.go).
	CheckpointEvery int
}

// TrainResult is what a TrainJob returns.
type TrainResult struct {
	Model      []byte   // serialised model
	Commitment [32]byte // SHA-256 of Model
	ValCorrect int      // validation samples classified correctly
	ValN       int      // validation samples
	Err        error
	// drawn marks an outcome drawn from the sampled cache (sampled.go):
	// Model is then the drawn attempt's, shared with the cache.
	drawn bool
	// Checkpoints is the training log (TrainJob.CheckpointEvery > 0).
	Checkpoints []SpotCheckpoint
}

// ValAccuracy is ValCorrect/ValN.
func (r *TrainResult) ValAccuracy() float64 {
	if r.ValN == 0 {
		return 0
	}
	return float64(r.ValCorrect) / float64(r.ValN)
}

// FLOPs implements nodes.Job: training for the epochs on the training split
// plus evaluating the validation split, as counted. A scenario that lets
// this job stand in for a larger one scales the JobTrain class in the
// simulator, not here.
func (j *TrainJob) FLOPs() float64 {
	return j.Arch.TrainFLOPs(j.Data.Train.Len(), j.Train.Epochs) + j.Arch.EvalFLOPs(j.Data.Val.Len())
}

// Class implements nodes.Classed: a mining attempt is training.
func (j *TrainJob) Class() nodes.JobClass { return nodes.JobTrain }

// Key implements nodes.Job: a hash of everything the result depends on.
func (j *TrainJob) Key() [32]byte {
	h := sha256.New()
	h.Write([]byte("coinai/train\x00"))
	writeData(h, j.Data, j.Problem)
	h.Write([]byte(j.Arch.String()))
	var b []byte
	for _, v := range []int{j.Arch.InC, j.Arch.InH, j.Arch.InW, j.Arch.Classes, j.Train.Epochs, j.Train.Batch} {
		b = binary.LittleEndian.AppendUint64(b, uint64(v))
	}
	b = binary.LittleEndian.AppendUint64(b, j.Seed)
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(j.Train.LR))
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(j.Train.Momentum))
	h.Write(b)
	if j.From != nil {
		f := sha256.Sum256(j.From)
		h.Write(f[:])
	}
	if j.Labels != nil {
		h.Write([]byte("labels"))
		h.Write(j.Labels)
	}
	if j.CheckpointEvery > 0 {
		h.Write(binary.LittleEndian.AppendUint64([]byte("checkpoints"), uint64(j.CheckpointEvery)))
	}
	var k [32]byte
	h.Sum(k[:0])
	return k
}

func writeData(h hash.Hash, d *Data, problem [32]byte) {
	h.Write(problem[:])
	h.Write([]byte(d.Name))
	h.Write(binary.LittleEndian.AppendUint64(nil, uint64(d.Train.Len())<<42|uint64(d.Val.Len())<<21|uint64(d.Test.Len())))
}

// Run implements nodes.Job. It is a pure function of the job's fields and
// only reads the shared data sets.
func (j *TrainJob) Run() any {
	res := &TrainResult{ValN: j.Data.Val.Len()}
	var m *nn.Model
	var err error
	if j.From != nil {
		m, err = nn.UnmarshalModel(j.From)
	} else {
		m, err = nn.NewModel(j.Arch, j.Seed)
	}
	if err != nil {
		res.Err = fmt.Errorf("training attempt: %w", err)
		return res
	}
	cfg := j.Train
	cfg.Seed = j.Seed
	tr := j.Data.Train
	if j.CheckpointEvery > 0 && j.From == nil {
		_, err = nn.TrainCheckpointed(m, tr.X, relabel(tr.Y, j.Labels), tr.Len(), cfg, j.CheckpointEvery, func(step int, p, v []float32) {
			res.Checkpoints = append(res.Checkpoints, SpotCheckpoint{Step: step, Params: slices.Clone(p), Vel: slices.Clone(v)})
		})
	} else {
		_, err = nn.Train(m, tr.X, relabel(tr.Y, j.Labels), tr.Len(), cfg)
	}
	if err != nil {
		res.Err = fmt.Errorf("training attempt: %w", err)
		return res
	}
	b, err := m.MarshalBinary()
	if err != nil {
		res.Err = fmt.Errorf("training attempt: %w", err)
		return res
	}
	res.Model = b
	res.Commitment = sha256.Sum256(b)
	res.ValCorrect = correctAs(m, j.Data.Val, j.Labels)
	return res
}

// correct counts the samples of s that m classifies correctly.
func correct(m *nn.Model, s *dataset.Set) int { return correctAs(m, s, nil) }

// correctAs counts the samples of s that m classifies as their label
// mapped through labels (as they are when labels is nil).
func correctAs(m *nn.Model, s *dataset.Set, labels []uint8) int {
	acc, _ := nn.EvaluateSerial(m, s.X, relabel(s.Y, labels), s.Len())
	return int(math.Round(acc * float64(s.Len())))
}

// EvalJob is a validator's check of a block's model on the test split. It
// implements nodes.Job and is Shareable: every node evaluates the same
// model on the same data, so the simulator computes it once and charges
// each node its own time.
type EvalJob struct {
	Model      *nn.Model // only read
	Commitment [32]byte
	Problem    [32]byte
	Test       *dataset.Set
	// Labels, if not nil, maps every test label y to Labels[y] (the
	// binding rule's relabelling for the block's parent, LabelsFor).
	Labels []uint8
	// StandIn, if not nil, is the problem's stand-in: the job is charged
	// its EvalFLOPs (standin.go). It is not part of the key.
	StandIn *StandIn
}

// EvalResult is what an EvalJob returns.
type EvalResult struct {
	Correct, N int
	// Mismatch is set by a RetrainJob whose re-trained model is not the
	// block's (Correct is then 0).
	Mismatch bool
}

// Accuracy is Correct/N.
func (r *EvalResult) Accuracy() float64 {
	if r.N == 0 {
		return 0
	}
	return float64(r.Correct) / float64(r.N)
}

// FLOPs implements nodes.Job: one forward pass per test sample.
func (j *EvalJob) FLOPs() float64 { return j.Model.Arch.EvalFLOPs(j.Test.Len()) }

// Class implements nodes.Classed: verification is evaluation.
func (j *EvalJob) Class() nodes.JobClass { return nodes.JobEval }

// Key implements nodes.Job: SHA-256("eval" || commitment || problem),
// followed by "labels" || Labels when the job relabels.
func (j *EvalJob) Key() [32]byte {
	h := sha256.New()
	h.Write([]byte("eval"))
	h.Write(j.Commitment[:])
	h.Write(j.Problem[:])
	if j.Labels != nil {
		h.Write([]byte("labels"))
		h.Write(j.Labels)
	}
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// Shareable reports that nodes may share the result (see EvalJob).
func (j *EvalJob) Shareable() bool { return true }

// Run implements nodes.Job.
func (j *EvalJob) Run() any {
	return &EvalResult{Correct: correctAs(j.Model, j.Test, j.Labels), N: j.Test.Len()}
}

var (
	_ nodes.Job       = (*TrainJob)(nil)
	_ nodes.Job       = (*EvalJob)(nil)
	_ nodes.Classed   = (*TrainJob)(nil)
	_ nodes.Classed   = (*EvalJob)(nil)
	_ nodes.Shareable = (*EvalJob)(nil)
)
