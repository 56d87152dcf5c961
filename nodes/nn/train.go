package nn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// TrainConfig holds the hyper-parameters of minibatch SGD with momentum.
type TrainConfig struct {
	Epochs   int     // passes over the data (Train only)
	Batch    int     // samples per step; the last step of an epoch may be smaller
	LR       float64 // learning rate
	Momentum float64 // momentum coefficient, 0 for plain SGD
	Seed     uint64  // seeds the per-epoch shuffles
	// Serial runs everything on the calling goroutine, for callers that
	// already train several models in parallel (the simulator does); the
	// result is bit-identical either way.
	Serial bool
}

// DefaultTrainConfig is the peer's setting: 3 epochs, batch 64, learning
// rate 0.05, momentum 0.9.
var DefaultTrainConfig = TrainConfig{Epochs: 3, Batch: 64, LR: 0.05, Momentum: 0.9}

// TrainStats reports a training run.
type TrainStats struct {
	Loss  []float64 // mean cross-entropy over each epoch's steps, as trained
	Steps int       // SGD steps taken
}

// Trainer trains one model epoch by epoch. It owns the momentum buffers,
// the shuffling generator and all scratch space, so one step allocates
// nothing. A Trainer is not safe for concurrent use.
type Trainer struct {
	m        *Model
	cfg      TrainConfig
	r        *runner
	vel      []float32
	rng      *rand.Rand
	perm     []int
	lr, mu   float32
	steps    int
	maxBatch int
}

// NewTrainer prepares to train m with cfg (cfg.Epochs is ignored).
func NewTrainer(m *Model, cfg TrainConfig) (*Trainer, error) {
	if m == nil || m.plan == nil {
		return nil, errors.New("nn: trainer: model not built by NewModel or UnmarshalModel")
	}
	if cfg.Batch < 1 || cfg.Batch > 1<<16 {
		return nil, fmt.Errorf("nn: trainer: batch %d outside [1, 65536]", cfg.Batch)
	}
	if !(cfg.LR > 0) || math.IsInf(cfg.LR, 0) || !(cfg.Momentum >= 0 && cfg.Momentum < 1) {
		return nil, fmt.Errorf("nn: trainer: need lr > 0 and momentum in [0, 1), got %v, %v", cfg.LR, cfg.Momentum)
	}
	t := &Trainer{
		m:   m,
		cfg: cfg,
		r:   newRunner(m, cfg.Batch, true),
		vel: make([]float32, len(m.Params)),
		rng: rand.New(rand.NewPCG(cfg.Seed, 0x6e6e2d73687566)), // "nn-shuf"
		lr:  float32(cfg.LR),
		mu:  float32(cfg.Momentum),
	}
	t.r.serial, t.r.ws.serial = cfg.Serial, cfg.Serial
	return t, nil
}

// checkData validates a data set of n samples against the architecture.
func checkData(a Arch, x []float32, y []uint8, n int) error {
	sz := a.InC * a.InH * a.InW
	if n < 1 {
		return fmt.Errorf("nn: %d samples", n)
	}
	if len(x) < n*sz || len(y) < n {
		return fmt.Errorf("nn: %d samples of %d values need len(x) >= %d and len(y) >= %d, have %d and %d", n, sz, n*sz, n, len(x), len(y))
	}
	for i, v := range y[:n] {
		if int(v) >= a.Classes {
			return fmt.Errorf("nn: label %d of sample %d outside [0, %d)", v, i, a.Classes)
		}
	}
	return nil
}

// Epoch runs one pass of SGD over the n samples in x (n*C*H*W values, each
// sample channel by channel, row by row) with labels y, in an order drawn
// from the trainer's generator, and returns the mean training loss of its
// steps.
//
// Each step computes the mean cross-entropy gradient g of its batch and
// updates, as PyTorch's SGD does, v = momentum*v + g; w = w - lr*v, with
// each product rounded to float32.
func (t *Trainer) Epoch(x []float32, y []uint8, n int) (float64, error) {
	if err := checkData(t.m.Arch, x, y, n); err != nil {
		return 0, fmt.Errorf("nn: epoch: %w", err)
	}
	if len(t.perm) != n {
		t.perm = make([]int, n)
	}
	for i := range t.perm {
		t.perm[i] = i
	}
	t.rng.Shuffle(n, func(i, j int) { t.perm[i], t.perm[j] = t.perm[j], t.perm[i] })
	r := t.r
	classes := t.m.Arch.Classes
	last := len(t.m.plan)
	lbl := make([]uint8, t.cfg.Batch)
	total := 0.0
	steps := 0
	for off := 0; off < n; off += t.cfg.Batch {
		nb := min(t.cfg.Batch, n-off)
		idx := t.perm[off : off+nb]
		r.load(x, idx, 0, nb)
		for s, k := range idx {
			lbl[s] = y[k]
		}
		r.forward(nb)
		loss, _ := lossGrad(r.grads[last], r.acts[last], lbl, nb, classes)
		total += loss / float64(nb)
		r.backward(nb)
		t.update()
		steps++
	}
	t.steps += steps
	return total / float64(steps), nil
}

// update applies one SGD step; parameters are independent, so the two
// halves run in parallel.
func (t *Trainer) update() {
	n := len(t.m.Params)
	par2(n, !t.r.serial && n >= 1<<15, func(lo, hi int) {
		p, v, g := t.m.Params[lo:hi], t.vel[lo:hi], t.r.grad[lo:hi]
		lr, mu := t.lr, t.mu
		if sgdStepVec(p, v, g, lr, mu) {
			return
		}
		for i := range p {
			vi := float32(mu*v[i]) + g[i]
			v[i] = vi
			p[i] -= float32(lr * vi)
		}
	})
}

// Steps is the number of SGD steps taken so far.
func (t *Trainer) Steps() int { return t.steps }

// Train trains m in place for cfg.Epochs epochs on the n samples of x, y
// (see Trainer.Epoch). The result is a pure function of the model's initial
// parameters, the data, cfg and the platform's kernel (see the package
// documentation), whatever GOMAXPROCS.
func Train(m *Model, x []float32, y []uint8, n int, cfg TrainConfig) (TrainStats, error) {
	if cfg.Epochs < 1 {
		return TrainStats{}, fmt.Errorf("nn: train: %d epochs", cfg.Epochs)
	}
	t, err := NewTrainer(m, cfg)
	if err != nil {
		return TrainStats{}, err
	}
	var st TrainStats
	for e := 0; e < cfg.Epochs; e++ {
		l, err := t.Epoch(x, y, n)
		if err != nil {
			return st, fmt.Errorf("nn: train epoch %d: %w", e+1, err)
		}
		st.Loss = append(st.Loss, l)
	}
	st.Steps = t.steps
	return st, nil
}

// evalBatch is the batch size of Evaluate; it does not affect results.
const evalBatch = 256

// Evaluate returns the accuracy (fraction of samples whose highest logit,
// first on ties, is the label) and the mean cross-entropy of m on the n
// samples of x, y. It only reads m and allocates its own scratch space, so
// any number of goroutines may evaluate models, even the same one, at once.
// Invalid data gives accuracy 0 and loss +Inf.
func Evaluate(m *Model, x []float32, y []uint8, n int) (accuracy, loss float64) {
	return evaluate(m, x, y, n, false)
}

// EvaluateSerial is Evaluate on the calling goroutine only, for callers
// that already run several evaluations in parallel. It gives the same result.
func EvaluateSerial(m *Model, x []float32, y []uint8, n int) (accuracy, loss float64) {
	return evaluate(m, x, y, n, true)
}

func evaluate(m *Model, x []float32, y []uint8, n int, serial bool) (accuracy, loss float64) {
	if m == nil || m.plan == nil || checkData(m.Arch, x, y, n) != nil {
		return 0, math.Inf(1)
	}
	r := newRunner(m, min(evalBatch, n), false)
	r.serial, r.ws.serial = serial, serial
	last := len(m.plan)
	correct := 0
	for off := 0; off < n; off += evalBatch {
		nb := min(evalBatch, n-off)
		r.load(x, nil, off, nb)
		r.forward(nb)
		l, c := lossGrad(nil, r.acts[last], y[off:off+nb], nb, m.Arch.Classes)
		loss += l
		correct += c
	}
	return float64(correct) / float64(n), loss / float64(n)
}

// Kernel names the matrix-multiply micro-kernel this process uses:
// "amd64-avx2-fma" or "generic". Trained weights are bit-identical between
// runs that report the same kernel (see the package documentation).
func Kernel() string { return kernelName }

// KernelImpl names the code path that computes Kernel's arithmetic in this
// process: "amd64-avx512f", "amd64-avx2-fma" or "generic". The first two
// give bit-identical results (both report Kernel "amd64-avx2-fma"), so it
// explains speed, never a digest. COINAI_NN_KERNEL=avx2 (or generic) caps
// the path on amd64.
func KernelImpl() string { return kernelImplName() }
