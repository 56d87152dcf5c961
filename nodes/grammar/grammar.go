// Package grammar derives the network architecture a Coin.AI miner must train
// from the hash of the block it builds on.
//
// Coin.AI (Baldominos and Saez, Entropy 21(8):723, 2019) ties the useful work
// to the chain by making the previous block's hash choose the architecture,
// through a grammar in the style of grammatical evolution:
//
//	<cnn>   ::= <convs><fcs>
//	<convs> ::= <conv> | <conv><convs>
//	<fcs>   ::= <fc> | <fc><fcs>
//	<conv>  ::= <num_filters><filter_size><act_fn>
//	<fc>    ::= <num_units><act_fn>
//	<act_fn> ::= sigmoid | tanh | relu
//
// Because a miner cannot pick its parent's hash, it cannot pick an easy
// architecture. The architecture alone does not make a model trained for
// one parent worthless on another, as the paper's reading suggests: every
// parent whose hash decodes to the same architecture accepts it (with the
// digits ranges, 1,224 architectures, the eight single-dense-layer ones
// drawn about a quarter of the time), so a miner can re-use an earlier
// model with one weight byte changed (package coinai,
// TestReuseAttackTodayAccepted). Only a rule that makes the model fit
// something else derived from the parent's hash (coinai.Config.Bind,
// "label-permutation") makes it worthless elsewhere, and that only against
// a miner that does not permute the model's output units.
//
// # Reading the hash
//
// The paper gives the grammar and an example parse, with numbers as strings
// of decimal digits of unbounded length (<number> ::= <digit> |
// <digit><number>), but as far as we could find it does not fix how the
// hash selects productions. This package fixes a reading that every node
// must share, in the manner of grammatical evolution with bounded choice
// lists (Ranges, a scenario parameter):
//
//  1. The 32-byte hash is a sequence of 64 digits 0..15: its hexadecimal
//     spelling read left to right (byte 0's high nibble, then its low nibble,
//     then byte 1's ...). After the 64th digit the reading wraps to the first.
//  2. Each decision with n alternatives reads the next digit d and takes
//     alternative d mod n. A decision with a single alternative reads no
//     digit (as in grammatical evolution, only real choices consume codons).
//  3. Decisions are taken in this order:
//     the number of convolutions, MinConvs + d mod (MaxConvs-MinConvs+1);
//     then for each convolution: FilterChoices, KernelChoices, Activations,
//     and PoolChoices (a max-pooling layer of that size follows the
//     convolution; 0 means none);
//     then the number of fully connected layers, MinFCs + d mod
//     (MaxFCs-MinFCs+1); then for each: UnitChoices, Activations.
//     The implicit softmax output layer is not decided by the hash.
//
// The digits consumed depend only on the hash and the Ranges, never on the
// input shape. When a list's length does not divide 16 the first entries are
// slightly favoured (16 mod n of them get one extra digit value); lists of
// length 1, 2, 4, 8 or 16 are uniform.
//
// Worked example, with DefaultRanges(1, 8, 8) (the digits problem: 0 or 1
// convolution of 4, 8, 12 or 16 3x3 filters, optional 2x2 pooling, 1 or 2
// dense layers of 16, 32, 48 or 64 units, relu or tanh) and the hash
// sha256("coinai") = 0892eef0e04088d9...:
//
//	digit 0 = 0x0: convolutions  0 + 0 mod 2 = 0
//	digit 1 = 0x8: dense layers  1 + 8 mod 2 = 1
//	digit 2 = 0x9: units         [16 32 48 64][9 mod 4 = 1] = 32
//	digit 3 = 0x2: activation    [relu tanh][2 mod 2 = 0] = relu
//
// so the architecture is "fc32-relu" followed by the softmax output.
//
// # Deviations from the paper
//
// Numbers come from bounded choice lists instead of unbounded digit strings,
// so that every hash yields a network that can be trained within the block
// interval. Both layer counts may be zero (MinConvs = 0 allows plain
// multilayer perceptrons for flat inputs, where the paper's grammar demands
// at least one convolution; MinFCs = 0 allows a convolution followed directly
// by the output layer). Optional max pooling after a convolution is an
// addition. Convolutions are stride 1 with VALID padding, as in package nn.
//
// # Fitting the ranges to the input
//
// A kernel larger than what is left of the image would make an invalid
// network. Rather than silently clamping such a kernel (which would make the
// effective grammar depend on the input in a way that is easy to get wrong),
// Ranges.Validate rejects ranges whose worst case (every convolution with the
// largest kernel followed by the largest pooling) does not fit the input, and
// Decode refuses such ranges. Scenario loaders call Validate up front.
package grammar

import (
	"errors"
	"fmt"
	"slices"

	"github.com/coinai/coinai/nodes/nn"
)

// Ranges are the choices the grammar offers, a parameter of the scenario
// that all nodes of a chain share. Lists are indexed by hash digits, so their
// order is part of the consensus rules.
type Ranges struct {
	// MinConvs and MaxConvs bound the number of convolutional layers.
	MinConvs, MaxConvs int
	// FilterChoices lists the possible numbers of filters of a convolution.
	FilterChoices []int
	// KernelChoices lists the possible (square) kernel sizes.
	KernelChoices []int
	// PoolChoices lists the max-pooling window that may follow each
	// convolution; 0 means no pooling. Empty means never pool.
	PoolChoices []int
	// MinFCs and MaxFCs bound the number of hidden fully connected layers.
	MinFCs, MaxFCs int
	// UnitChoices lists the possible widths of a fully connected layer.
	UnitChoices []int
	// Activations lists the possible activations of conv and dense layers
	// (sigmoid, tanh or relu).
	Activations []nn.Activation
}

// DefaultRanges returns ranges sized for an input of shape inC x inH x inW,
// small enough that a few epochs of SGD on a CPU reach a useful accuracy:
//
//   - images at least 16x16 (Fashion-MNIST): 0 to 2 convolutions of 4, 8,
//     12 or 16 filters of 3x3 or 5x5, each optionally followed by 2x2
//     pooling, then 1 or 2 dense layers of 32, 64, 96 or 128 units;
//   - images at least 6x6 (digits, 8x8): 0 or 1 convolution of 4, 8, 12 or
//     16 3x3 filters, optional 2x2 pooling, then 1 or 2 dense layers of 16,
//     32, 48 or 64 units;
//   - smaller or flat inputs: no convolution, 1 or 2 dense layers of 16, 32,
//     48 or 64 units.
//
// Activations are relu and tanh; sigmoid trains slowly with plain SGD and is
// offered only if a scenario lists it. Every list has a power-of-two length,
// so every choice is equally likely.
func DefaultRanges(inC, inH, inW int) Ranges {
	r := Ranges{
		MinConvs:      0,
		FilterChoices: []int{4, 8, 12, 16},
		KernelChoices: []int{3},
		PoolChoices:   []int{0, 2},
		MinFCs:        1,
		MaxFCs:        2,
		UnitChoices:   []int{16, 32, 48, 64},
		Activations:   []nn.Activation{nn.ActReLU, nn.ActTanh},
	}
	switch side := min(inH, inW); {
	case side >= 16:
		r.MaxConvs = 2
		r.KernelChoices = []int{3, 5}
		r.UnitChoices = []int{32, 64, 96, 128}
	case side >= 6:
		r.MaxConvs = 1
	default:
		r.MaxConvs = 0
		r.FilterChoices, r.KernelChoices, r.PoolChoices = nil, nil, nil
	}
	return r
}

// Validate reports whether every hash decodes, under r, to a valid network
// for an input of shape inC x inH x inW: counts are ordered and non-negative,
// the lists that can be used are non-empty and hold sizes within package
// nn's limits, activations are sigmoid, tanh or relu, and MaxConvs
// convolutions with the largest kernel, each followed by the largest
// pooling window, still fit the input (VALID padding: a KxK kernel turns HxW
// into (H-K+1)x(W-K+1); pooling by P turns it into (H/P)x(W/P), rounded
// down).
//
// Validate does not bound the parameter count, which depends on the number
// of classes: Decode checks the decoded network against nn's limits.
func (r Ranges) Validate(inC, inH, inW int) error {
	if err := r.validate(inC, inH, inW); err != nil {
		return fmt.Errorf("grammar: ranges: %w", err)
	}
	return nil
}

func (r Ranges) validate(inC, inH, inW int) error {
	if inC < 1 || inH < 1 || inW < 1 || inC > nn.MaxDim || inH > nn.MaxDim || inW > nn.MaxDim {
		return fmt.Errorf("input shape %dx%dx%d outside [1, %d]", inC, inH, inW, nn.MaxDim)
	}
	if r.MinConvs < 0 || r.MaxConvs < r.MinConvs {
		return fmt.Errorf("convolutions %d..%d: want 0 <= min <= max", r.MinConvs, r.MaxConvs)
	}
	if r.MinFCs < 0 || r.MaxFCs < r.MinFCs {
		return fmt.Errorf("dense layers %d..%d: want 0 <= min <= max", r.MinFCs, r.MaxFCs)
	}
	if n := 2*r.MaxConvs + r.MaxFCs; n > nn.MaxLayers || r.MaxConvs > nn.MaxLayers {
		return fmt.Errorf("up to %d convolutions and %d dense layers exceed %d hidden layers", r.MaxConvs, r.MaxFCs, nn.MaxLayers)
	}
	if r.MaxConvs > 0 {
		if err := checkList("filter", r.FilterChoices, 1, nn.MaxDim, false); err != nil {
			return err
		}
		if err := checkList("kernel", r.KernelChoices, 1, nn.MaxKernel, false); err != nil {
			return err
		}
		if err := checkList("pool", r.PoolChoices, 2, nn.MaxKernel, true); err != nil {
			return err
		}
	}
	if r.MaxFCs > 0 {
		if err := checkList("unit", r.UnitChoices, 1, nn.MaxDim, false); err != nil {
			return err
		}
	}
	if r.MaxConvs+r.MaxFCs > 0 {
		if len(r.Activations) == 0 {
			return errors.New("no activation choices")
		}
		for _, a := range r.Activations {
			if a != nn.ActSigmoid && a != nn.ActTanh && a != nn.ActReLU {
				return fmt.Errorf("activation %v: want sigmoid, tanh or relu", a)
			}
		}
	}
	// Worst case: every convolution takes the largest kernel and the largest
	// pooling. Both shrink the image monotonically, so if this fits, every
	// choice does.
	h, w := inH, inW
	k, p := 0, 0
	if r.MaxConvs > 0 {
		k, p = slices.Max(r.KernelChoices), 0
		if len(r.PoolChoices) > 0 {
			p = slices.Max(r.PoolChoices)
		}
	}
	for i := range r.MaxConvs {
		if k > h || k > w {
			return fmt.Errorf("convolution %d of up to %d: a %dx%d kernel does not fit the %dx%d left of a %dx%d input", i+1, r.MaxConvs, k, k, h, w, inH, inW)
		}
		h, w = h-k+1, w-k+1
		if p == 0 {
			continue
		}
		if p > h || p > w {
			return fmt.Errorf("pooling after convolution %d of up to %d: a %dx%d window does not fit the %dx%d left of a %dx%d input", i+1, r.MaxConvs, p, p, h, w, inH, inW)
		}
		h, w = h/p, w/p
	}
	return nil
}

// checkList checks that list is non-empty and each value is in [lo, hi], or
// 0 when zeroOK.
func checkList(name string, list []int, lo, hi int, zeroOK bool) error {
	if len(list) == 0 && !zeroOK {
		return fmt.Errorf("no %s choices", name)
	}
	for _, v := range list {
		if (v < lo || v > hi) && !(zeroOK && v == 0) {
			return fmt.Errorf("%s choice %d outside [%d, %d]", name, v, lo, hi)
		}
	}
	return nil
}

// digits reads a hash as the 64 hexadecimal digits of its spelling, left to
// right, wrapping around after the last.
type digits struct {
	h   [32]byte
	pos int
}

// next returns the next digit, 0..15.
func (d *digits) next() int {
	b := d.h[(d.pos/2)%len(d.h)]
	hi := d.pos%2 == 0
	d.pos++
	if hi {
		return int(b >> 4)
	}
	return int(b & 0x0f)
}

// choose picks one of n alternatives, consuming a digit only if n > 1.
func (d *digits) choose(n int) int {
	if n <= 1 {
		return 0
	}
	return d.next() % n
}

// Decode derives, from the hash of the parent block, the architecture a
// miner must train for an input of shape inC x inH x inW and the given
// number of classes, reading the hash as the package documentation
// describes. It fails if r does not pass Validate or if the decoded network
// breaks package nn's limits (for example its parameter budget). The same
// arguments always give the same architecture.
func Decode(prevHash [32]byte, r Ranges, inC, inH, inW, classes int) (nn.Arch, error) {
	if err := r.Validate(inC, inH, inW); err != nil {
		return nn.Arch{}, err
	}
	d := digits{h: prevHash}
	a := nn.Arch{InC: inC, InH: inH, InW: inW, Classes: classes}
	nConv := r.MinConvs + d.choose(r.MaxConvs-r.MinConvs+1)
	for range nConv {
		c := nn.LayerSpec{Kind: nn.Conv}
		c.Filters = r.FilterChoices[d.choose(len(r.FilterChoices))]
		c.Kernel = r.KernelChoices[d.choose(len(r.KernelChoices))]
		c.Act = r.Activations[d.choose(len(r.Activations))]
		a.Layers = append(a.Layers, c)
		if len(r.PoolChoices) > 0 {
			if p := r.PoolChoices[d.choose(len(r.PoolChoices))]; p > 0 {
				a.Layers = append(a.Layers, nn.LayerSpec{Kind: nn.MaxPool, Size: p})
			}
		}
	}
	nFC := r.MinFCs + d.choose(r.MaxFCs-r.MinFCs+1)
	for range nFC {
		f := nn.LayerSpec{Kind: nn.Dense}
		f.Units = r.UnitChoices[d.choose(len(r.UnitChoices))]
		f.Act = r.Activations[d.choose(len(r.Activations))]
		a.Layers = append(a.Layers, f)
	}
	if err := a.Validate(); err != nil {
		return nn.Arch{}, fmt.Errorf("grammar: decoded %q: %w", a.String(), err)
	}
	return a, nil
}
