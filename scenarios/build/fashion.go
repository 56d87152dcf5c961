package build

import (
	"github.com/coinai/coinai/nodes/dataset"
	"github.com/coinai/coinai/nodes/grammar"
	"github.com/coinai/coinai/nodes/nn"
)

// fashionMarketImages is how many images of Fashion-MNIST a market problem
// on "fashion-mnist" uses: the first 1000 of the test partition
// (dataset.FashionMNISTHead), split like every market set (seed 1,
// 65/15/20%: 650 train, 150 validation, 200 test). Consensus: every node
// trains and verifies on the same images.
const fashionMarketImages = 1000

// fashionRanges is the grammar section of Fashion-MNIST problems, sized for
// its 1×28×28 input: at most one convolution of 4 or 8 filters with a 5×5
// kernel, optionally followed by 2×2 pooling (28 → 24 → 12), then one
// dense layer of 32 or 64 units. grammar.DefaultRanges for 28×28 allows two
// convolutions of up to 16 filters and 128 units, about ten times the
// FLOPs an attempt on 650 images needs to pass a market threshold; a
// larger workload is declared with a [[coinai.standin]], not trained.
func fashionRanges() grammar.Ranges {
	return grammar.Ranges{
		MinConvs: 0, MaxConvs: 1,
		FilterChoices: []int{4, 8},
		KernelChoices: []int{5},
		PoolChoices:   []int{0, 2},
		MinFCs:        1, MaxFCs: 1,
		UnitChoices: []int{32, 64},
		Activations: []nn.Activation{nn.ActReLU, nn.ActTanh},
	}
}

// fashionDir is where loadMarketSet reads Fashion-MNIST ("":
// dataset.FashionMNISTDir); tests point it at an empty directory to see the
// message of a machine without the package.
var fashionDir = ""

// loadMarketSet loads the samples a market data set trains, validates and
// tests on before the consensus split: the embedded sets whole, and the
// fixed head of Fashion-MNIST (from the Debian package
// dataset-fashion-mnist; an error wrapping dataset.ErrNotInstalled, with
// the install hint, where it is absent).
func loadMarketSet(name string) (*dataset.Set, grammar.Ranges, error) {
	if name == "fashion-mnist" {
		s, err := dataset.FashionMNISTHead(fashionDir, fashionMarketImages)
		return s, fashionRanges(), err
	}
	s, _, err := dataset.ByName(name, "")
	if err != nil {
		return nil, grammar.Ranges{}, err
	}
	return s, grammar.DefaultRanges(s.C, s.H, s.W), nil
}
