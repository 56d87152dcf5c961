package nn

import "fmt"

// Step-level training for spot-check verification (Proof-of-Learning, Jia
// et al., S&P 2021): a prover records the training state every few SGD
// steps, and a verifier re-runs one segment of steps from its start state
// and compares the end. The state at a step boundary is the parameters,
// the momentum buffer and the position in the data order; the data order
// is a function of TrainConfig.Seed (epoch e's order is the (e+1)-th
// shuffle of the generator Train uses), so a verifier recomputes it
// without training. Both functions below take exactly the steps Train
// takes, in the same arithmetic, so their results are bit-identical to it
// on one kernel (TestSegmentsReproduceTrain).

// StepsPerEpoch is the number of SGD steps of one epoch over n samples in
// batches of batch (the last step may be smaller).
func StepsPerEpoch(n, batch int) int {
	if n < 1 || batch < 1 {
		return 0
	}
	return (n + batch - 1) / batch
}

// SegmentSamples is the number of samples the steps [from, to) of training
// on n samples in batches of batch go through: what a re-run of the
// segment costs, TrainFLOPs(SegmentSamples(...), 1).
func SegmentSamples(n, batch, from, to int) int {
	spe := StepsPerEpoch(n, batch)
	if spe == 0 || to <= from {
		return 0
	}
	total := 0
	for s := from; s < to; s++ {
		off := (s % spe) * batch
		total += min(batch, n-off)
	}
	return total
}

// TrainCheckpointed trains m in place exactly as Train does, and calls fn
// with the state at step 0, at every multiple of every steps, and after the
// last step: fn gets the step number, the parameters and the momentum
// buffer, which it must copy to keep (they change with the next step).
func TrainCheckpointed(m *Model, x []float32, y []uint8, n int, cfg TrainConfig, every int,
	fn func(step int, params, vel []float32)) (TrainStats, error) {
	if cfg.Epochs < 1 || every < 1 {
		return TrainStats{}, fmt.Errorf("nn: train: %d epochs, checkpoint every %d steps", cfg.Epochs, every)
	}
	if err := checkData(m.Arch, x, y, n); err != nil {
		return TrainStats{}, fmt.Errorf("nn: train: %w", err)
	}
	t, err := NewTrainer(m, cfg)
	if err != nil {
		return TrainStats{}, err
	}
	spe := StepsPerEpoch(n, cfg.Batch)
	total := spe * cfg.Epochs
	fn(0, m.Params, t.vel)
	var st TrainStats
	for e := 0; e < cfg.Epochs; e++ {
		t.shuffle(n)
		sum := 0.0
		for i := 0; i < spe; i++ {
			sum += t.step(x, y, n, i)
			if s := e*spe + i + 1; s%every == 0 || s == total {
				fn(s, m.Params, t.vel)
			}
		}
		st.Loss = append(st.Loss, sum/float64(spe))
	}
	st.Steps = t.steps
	return st, nil
}

// TrainSegment runs the SGD steps [from, to) of a training with cfg on the
// n samples of x, y, on m (the parameters at step from) with momentum
// buffer vel (the momentum at step from, len(m.Params) values, updated in
// place). cfg.Epochs bounds the steps: to <= Epochs × StepsPerEpoch.
func TrainSegment(m *Model, vel []float32, x []float32, y []uint8, n int, cfg TrainConfig, from, to int) error {
	if err := checkData(m.Arch, x, y, n); err != nil {
		return fmt.Errorf("nn: train segment: %w", err)
	}
	spe := StepsPerEpoch(n, cfg.Batch)
	if from < 0 || to < from || to > spe*cfg.Epochs {
		return fmt.Errorf("nn: train segment: steps [%d, %d) outside [0, %d]", from, to, spe*cfg.Epochs)
	}
	if len(vel) != len(m.Params) {
		return fmt.Errorf("nn: train segment: %d momentum values for %d parameters", len(vel), len(m.Params))
	}
	t, err := NewTrainer(m, cfg)
	if err != nil {
		return err
	}
	copy(t.vel, vel)
	// Replay the shuffles of the epochs before from's.
	epoch := -1
	for s := from; s < to; s++ {
		e := s / spe
		for epoch < e {
			t.shuffle(n)
			epoch++
		}
		t.step(x, y, n, s%spe)
	}
	copy(vel, t.vel)
	return nil
}

// shuffle draws the next epoch's data order, as Epoch does.
func (t *Trainer) shuffle(n int) {
	if len(t.perm) != n {
		t.perm = make([]int, n)
	}
	for i := range t.perm {
		t.perm[i] = i
	}
	t.rng.Shuffle(n, func(i, j int) { t.perm[i], t.perm[j] = t.perm[j], t.perm[i] })
}

// step runs step i of the current epoch's order, as Epoch does, and
// returns its loss.
func (t *Trainer) step(x []float32, y []uint8, n, i int) float64 {
	off := i * t.cfg.Batch
	nb := min(t.cfg.Batch, n-off)
	idx := t.perm[off : off+nb]
	r := t.r
	r.load(x, idx, 0, nb)
	lbl := make([]uint8, t.cfg.Batch)
	for s, k := range idx {
		lbl[s] = y[k]
	}
	last := len(t.m.plan)
	r.forward(nb)
	loss, _ := lossGrad(r.grads[last], r.acts[last], lbl, nb, t.m.Arch.Classes)
	r.backward(nb)
	t.update()
	t.steps++
	return loss / float64(nb)
}
