package nn

// FLOPs returns the floating-point operations of one sample's forward pass
// and of its backward pass (gradients of all parameters), counted from the
// architecture alone.
//
// The count is exact for what it covers: each multiply-add of a convolution
// or dense layer (including the output layer) is 2 FLOPs, each bias addition
// 1 FLOP. The backward pass of a parametrised layer costs 2 FLOPs per
// multiply-add for the weight gradient, 1 per output for the bias gradient,
// and 2 per multiply-add for the gradient with respect to its input unless no
// parametrised layer precedes it (the gradient of the data is never needed).
// Element-wise work is not counted: activations, pooling, softmax and loss,
// and the optimiser's update, which is per batch rather than per sample;
// together they are O(activations + parameters), a few percent of the total
// for the networks the grammar produces. An invalid architecture returns 0, 0.
func (a Arch) FLOPs() (forward, backward float64) {
	s, err := a.shapes()
	if err != nil {
		return 0, 0
	}
	seenParams := false
	layer := func(macs, outs float64) {
		forward += 2*macs + outs
		backward += 2*macs + outs
		if seenParams {
			backward += 2 * macs
		}
		seenParams = true
	}
	for i, l := range a.Layers {
		in, out := s[i], s[i+1]
		switch l.Kind {
		case Conv:
			outs := float64(out.Size())
			layer(outs*float64(l.Kernel*l.Kernel*in.C), outs)
		case Dense:
			layer(float64(in.Size())*float64(l.Units), float64(l.Units))
		}
	}
	last := s[len(a.Layers)]
	layer(float64(last.Size())*float64(a.Classes), float64(a.Classes))
	return forward, backward
}

// TrainFLOPs is the work of training on samples examples for epochs epochs:
// samples*epochs*(forward+backward), see FLOPs. It is what a miner's compute
// job declares to the simulator.
func (a Arch) TrainFLOPs(samples, epochs int) float64 {
	f, b := a.FLOPs()
	return float64(samples) * float64(epochs) * (f + b)
}

// EvalFLOPs is the work of evaluating samples examples (forward passes
// only), what a verifier's compute job declares.
func (a Arch) EvalFLOPs(samples int) float64 {
	f, _ := a.FLOPs()
	return float64(samples) * f
}
