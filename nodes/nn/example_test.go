package nn_test

import (
	"fmt"

	"github.com/coinai/coinai/nodes/dataset"
	"github.com/coinai/coinai/nodes/nn"
)

// Train a small convolutional network on the embedded digits and report its
// size, cost and held-out accuracy.
func Example() {
	digits, err := dataset.Digits()
	if err != nil {
		panic(err)
	}
	train, _, test := digits.Split(1, 0, 0.2)
	a, err := nn.ParseArch("conv8x3-relu,pool2", digits.C, digits.H, digits.W, digits.Classes)
	if err != nil {
		panic(err)
	}
	m, err := nn.NewModel(a, 7)
	if err != nil {
		panic(err)
	}
	cfg := nn.TrainConfig{Epochs: 20, Batch: 32, LR: 0.05, Momentum: 0.9, Seed: 3}
	if _, err := nn.Train(m, train.X, train.Y, train.Len(), cfg); err != nil {
		panic(err)
	}
	acc, _ := nn.Evaluate(m, test.X, test.Y, test.Len())
	fwd, bwd := a.FLOPs()
	fmt.Printf("%s: %d parameters, %.0f+%.0f FLOPs per sample, accuracy above 0.95: %v\n",
		a, len(m.Params), fwd, bwd, acc > 0.95)
	// Output:
	// conv8x3-relu,pool2: 810 parameters, 6922+8362 FLOPs per sample, accuracy above 0.95: true
}

// Parse an architecture in the grammar, check it and print its shapes.
func ExampleParseArch() {
	a, err := nn.ParseArch("conv4x3-tanh,pool2,fc32-relu", 1, 8, 8, 10)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := -1; i <= len(a.Layers); i++ {
		s, _ := a.OutShape(i)
		fmt.Printf("%d: %dx%dx%d\n", i, s.C, s.H, s.W)
	}
	_, err = nn.ParseArch("conv4x5-relu,conv4x5-relu", 1, 8, 8, 10)
	fmt.Println(err)
	// Output:
	// -1: 1x8x8
	// 0: 4x6x6
	// 1: 4x3x3
	// 2: 32x1x1
	// 3: 10x1x1
	// nn: layer 1: 5x5 kernel does not fit a 4x4 input (VALID padding)
}

// Encode a model and decode it again; the commitment is the SHA-256 of the
// encoding.
func ExampleUnmarshalModel() {
	a, _ := nn.Preset("mlp", 1, 28, 28, 10)
	m, _ := nn.NewModel(a, 1)
	b, _ := m.MarshalBinary()
	m2, err := nn.UnmarshalModel(b)
	fmt.Println(len(b), err, m2.Commitment() == m.Commitment())
	// Output:
	// 318078 <nil> true
}
