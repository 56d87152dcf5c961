package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Model is an architecture with its trainable parameters.
//
// Params holds every weight and bias, layer after layer (hidden layers in
// order, then the output layer), each layer's weights before its biases.
// A dense layer's weights are stored input-major, W[i*units+j] connecting
// input i to unit j, where the inputs of a dense layer that follows a
// convolution or pooling are flattened in height, width, channel order.
// A convolution's weights are W[((ky*K+kx)*C+c)*F+f] for filter f.
//
// A Model is only read by Evaluate, so one model may be evaluated from many
// goroutines at once; Train and Trainer write Params and must not run
// concurrently with anything else on the same model.
type Model struct {
	Arch   Arch
	Params []float32
	plan   []layerPlan
}

// layerPlan is one layer with its shapes and parameter offsets resolved. The
// output layer is the last plan entry, a Dense layer with ActNone.
type layerPlan struct {
	LayerSpec
	in, out Shape
	w, b    int // offsets of weights and biases in Params
	nw      int // number of weights (biases: out.C)
	fanIn   int
	fanOut  int
}

// newPlan resolves a valid architecture into layer plans and the total
// number of parameters.
func newPlan(a Arch) ([]layerPlan, int, error) {
	shapes, err := a.shapes()
	if err != nil {
		return nil, 0, err
	}
	plan := make([]layerPlan, 0, len(a.Layers)+1)
	off := 0
	add := func(l LayerSpec, in, out Shape) {
		p := layerPlan{LayerSpec: l, in: in, out: out}
		switch l.Kind {
		case Conv:
			p.nw = l.Kernel * l.Kernel * in.C * l.Filters
			p.fanIn = l.Kernel * l.Kernel * in.C
			p.fanOut = l.Kernel * l.Kernel * l.Filters
		case Dense:
			p.nw = in.Size() * l.Units
			p.fanIn = in.Size()
			p.fanOut = l.Units
		}
		if l.Kind != MaxPool {
			p.w = off
			p.b = off + p.nw
			off += p.nw + out.C
		}
		plan = append(plan, p)
	}
	for i, l := range a.Layers {
		add(l, shapes[i], shapes[i+1])
	}
	n := len(a.Layers)
	add(LayerSpec{Kind: Dense, Units: a.Classes, Act: ActNone}, shapes[n], shapes[n+1])
	return plan, off, nil
}

// NewModel returns a model with freshly initialised parameters: He normal
// weights (standard deviation sqrt(2/fan_in)) for ReLU layers, Glorot
// uniform weights (limit sqrt(6/(fan_in+fan_out))) for sigmoid and tanh
// layers and the linear output layer, zero biases. The weights are drawn
// layer by layer in storage order from a PCG generator seeded with seed, so
// a model is a pure function of (a, seed).
func NewModel(a Arch, seed uint64) (*Model, error) {
	plan, n, err := newPlan(a)
	if err != nil {
		return nil, fmt.Errorf("nn: new model: %w", err)
	}
	m := &Model{Arch: cloneArch(a), Params: make([]float32, n), plan: plan}
	r := rand.New(rand.NewPCG(seed, 0x6e6e2d696e6974)) // "nn-init"
	for _, p := range plan {
		if p.Kind == MaxPool {
			continue
		}
		w := m.Params[p.w : p.w+p.nw]
		if p.Act == ActReLU {
			std := math.Sqrt(2 / float64(p.fanIn))
			for i := range w {
				w[i] = float32(r.NormFloat64() * std)
			}
		} else {
			lim := math.Sqrt(6 / float64(p.fanIn+p.fanOut))
			for i := range w {
				w[i] = float32((2*r.Float64() - 1) * lim)
			}
		}
	}
	return m, nil
}

func cloneArch(a Arch) Arch {
	a.Layers = append([]LayerSpec(nil), a.Layers...)
	return a
}

// Clone returns a deep copy of m.
func (m *Model) Clone() *Model {
	c := *m
	c.Arch = cloneArch(m.Arch)
	c.Params = append([]float32(nil), m.Params...)
	return &c
}
