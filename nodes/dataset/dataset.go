// Package dataset provides the labelled image sets that Coin.AI miners train
// on and verifiers evaluate against, together with deterministic splits.
//
// Two sources are supported:
//
//   - Digits: the UCI handwritten digits (8x8, 1797 samples, 10 classes),
//     embedded in the binary so that the default scenario runs anywhere with
//     no download (see data/PROVENANCE.md for its CC BY 4.0 attribution).
//   - IDX files (the MNIST container format), gzipped or not, and on top of
//     them Fashion-MNIST as installed by the Debian package
//     dataset-fashion-mnist.
//
// Every set is a Set: dense float32 pixels scaled to [0,1] and uint8 labels.
// Every function returns a Set that the caller owns: X and Y are never shared
// with another Set or with the package's cache, so callers may mutate them
// (for example to normalise in place) without affecting anyone else.
//
// Splits are a pure function of a seed and the set's length. They use the PCG
// generator of math/rand/v2, whose output is specified, and this package's own
// Fisher-Yates shuffle and bounded sampling (not rand.Perm, whose algorithm
// the standard library does not promise to keep), so the same seed gives the
// same split on every platform and Go release.
package dataset

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
)

// Set is a labelled data set of n samples of shape C x H x W.
//
// X holds n*C*H*W values, sample after sample, each sample row-major in
// C, H, W order, scaled to [0,1]. Y holds the n labels, each < Classes.
type Set struct {
	Name    string
	C, H, W int
	Classes int
	X       []float32
	Y       []uint8
}

// Len is the number of samples.
func (s *Set) Len() int { return len(s.Y) }

// Dim is the number of values per sample, C*H*W.
func (s *Set) Dim() int { return s.C * s.H * s.W }

// Sample returns sample i's values (a sub-slice of X, not a copy) and label.
func (s *Set) Sample(i int) (x []float32, y uint8) {
	d := s.Dim()
	return s.X[i*d : (i+1)*d : (i+1)*d], s.Y[i]
}

// ClassCounts returns how many samples carry each label 0..Classes-1.
func (s *Set) ClassCounts() []int {
	c := make([]int, s.Classes)
	for _, y := range s.Y {
		if int(y) < len(c) {
			c[y]++
		}
	}
	return c
}

// Subset returns a new Set holding copies of the samples idx, in that order.
// Indices may repeat. It panics if an index is out of range, as slice
// indexing does: indices are produced by the program, never read from input.
func (s *Set) Subset(idx []int) *Set {
	d := s.Dim()
	out := &Set{
		Name: s.Name, C: s.C, H: s.H, W: s.W, Classes: s.Classes,
		X: make([]float32, len(idx)*d),
		Y: make([]uint8, len(idx)),
	}
	for k, i := range idx {
		if i < 0 || i >= s.Len() {
			panic(fmt.Sprintf("dataset: Subset index %d out of range [0,%d)", i, s.Len()))
		}
		copy(out.X[k*d:(k+1)*d], s.X[i*d:(i+1)*d])
		out.Y[k] = s.Y[i]
	}
	return out
}

// CheckFractions reports whether valFrac and testFrac are acceptable to
// Split: both finite, in [0,1], and summing to at most 1. Scenario loaders
// call it so that a bad configuration is an error, not a panic in Split.
func CheckFractions(valFrac, testFrac float64) error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"validation", valFrac}, {"test", testFrac}} {
		if math.IsNaN(f.v) || f.v < 0 || f.v > 1 {
			return fmt.Errorf("%s fraction %v not in [0,1]", f.name, f.v)
		}
	}
	if valFrac+testFrac > 1 {
		return fmt.Errorf("validation fraction %v plus test fraction %v exceeds 1", valFrac, testFrac)
	}
	return nil
}

// SplitSizes returns the sizes Split uses for n samples: the test and
// validation parts are the fractions of n rounded to the nearest integer
// (halves away from zero), and training takes the rest.
func SplitSizes(n int, valFrac, testFrac float64) (nTrain, nVal, nTest int) {
	nTest = int(math.Round(float64(n) * testFrac))
	nVal = int(math.Round(float64(n) * valFrac))
	if nTest+nVal > n { // only possible through rounding of two halves
		nVal = n - nTest
	}
	return n - nVal - nTest, nVal, nTest
}

// Split shuffles the sample indices with a permutation drawn from seed and
// cuts them into training, validation and test sets of the sizes SplitSizes
// gives: training is the first nTrain indices of the permutation, validation
// the next nVal and test the last nTest. The split is not stratified; for the
// sizes used here (hundreds of samples per class) the class balance of a
// random split is close to the set's. The parts are new Sets that share
// nothing with s.
//
// Split panics if CheckFractions rejects the fractions.
func (s *Set) Split(seed uint64, valFrac, testFrac float64) (train, val, test *Set) {
	if err := CheckFractions(valFrac, testFrac); err != nil {
		panic("dataset: Split: " + err.Error())
	}
	p := Permutation(seed, s.Len())
	nTrain, nVal, _ := SplitSizes(s.Len(), valFrac, testFrac)
	train = s.Subset(p[:nTrain])
	val = s.Subset(p[nTrain : nTrain+nVal])
	test = s.Subset(p[nTrain+nVal:])
	train.Name, val.Name, test.Name = s.Name+"/train", s.Name+"/val", s.Name+"/test"
	return train, val, test
}

// Permutation returns a permutation of 0..n-1 drawn from seed.
//
// The generator is rand.NewPCG(seed, permStream); the shuffle is the
// Fisher-Yates variant that, for i = n-1 down to 1, swaps element i with
// element j = uniform(i+1), starting from the identity. uniform(b) is
// Lemire's multiply-and-reject method on PCG's Uint64: with (hi, lo) the
// 128-bit product of a draw and b, it redraws while lo < (2^64 - b) mod b and
// returns hi. Every step is integer arithmetic, so the result is the same on
// every platform.
func Permutation(seed uint64, n int) []int {
	r := rand.NewPCG(seed, permStream)
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := int(uniform(r, uint64(i+1)))
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// permStream is the second PCG seed word of Permutation, a fixed constant so
// that a split seed shared with another consumer of PCG (say, weight
// initialisation) still yields an unrelated stream. It is "dataset" in ASCII.
const permStream = 0x64617461736574

// uniform returns a uniformly distributed integer in [0, b), b > 0, by
// Lemire's method ("Fast random integer generation in an interval", 2019).
func uniform(r *rand.PCG, b uint64) uint64 {
	hi, lo := bits.Mul64(r.Uint64(), b)
	if lo < b {
		thresh := -b % b // (2^64 - b) mod b
		for lo < thresh {
			hi, lo = bits.Mul64(r.Uint64(), b)
		}
	}
	return hi
}
