package ledger

import (
	"math/bits"
	"math/rand/v2"
	"slices"
)

// splitStream is the PCG stream constant of Split ("coinai-s" in ASCII), so
// that a problem's SplitSeed never yields the same numbers as another
// consumer seeded with the same value.
const splitStream = 0x636f696e61692d73

// Split assigns the n examples of the problem's dataset (indices 0..n-1) to
// the training, validation and test sets. It is part of consensus: a miner and
// every validator must compute the same sets, so the procedure is fixed here
// and never delegates to a library shuffle whose algorithm could change:
//
//  1. Sizes: test = floor(n*TestFrac/1000), val = floor(n*ValFrac/1000),
//     train = n - test - val (the training set takes the rounding).
//  2. Permutation: a Fisher-Yates shuffle of 0..n-1 for i = n-1 down to 1,
//     swapping i with j uniform in [0, i], drawn from PCG-DXSM seeded with
//     (SplitSeed, 0x636f696e61692d73) by Lemire's multiply-and-reject method.
//  3. The first test positions of the permutation are the test set, the next
//     val the validation set, the rest the training set; each set is
//     returned in ascending index order.
//
// The fractions are those of a problem that passed Check; for others the
// sizes are clamped so that Split never fails. A negative n counts as 0.
func (p *Problem) Split(n int) (train, val, test []int) {
	n = max(n, 0)
	nTest := min(n, int(uint64(n)*uint64(p.TestFrac)/PerMille))
	nVal := min(n-nTest, int(uint64(n)*uint64(p.ValFrac)/PerMille))
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	src := rand.NewPCG(p.SplitSeed, splitStream)
	for i := n - 1; i > 0; i-- {
		j := boundedUint64(src, uint64(i)+1)
		perm[i], perm[j] = perm[j], perm[i]
	}
	test = sortedCopy(perm[:nTest])
	val = sortedCopy(perm[nTest : nTest+nVal])
	train = sortedCopy(perm[nTest+nVal:])
	return train, val, test
}

// boundedUint64 returns a uniform value in [0, bound) (bound > 0) by Lemire's
// method ("Fast random integer generation in an interval", 2019): the high
// word of x*bound, rejecting the few x whose low word falls below
// 2^64 mod bound.
func boundedUint64(src *rand.PCG, bound uint64) uint64 {
	hi, lo := bits.Mul64(src.Uint64(), bound)
	if lo < bound {
		thresh := -bound % bound
		for lo < thresh {
			hi, lo = bits.Mul64(src.Uint64(), bound)
		}
	}
	return hi
}

// sortedCopy returns the indices of s in ascending order. Sorting distinct
// ints has one possible result, so the sort algorithm cannot matter.
func sortedCopy(s []int) []int {
	out := slices.Clone(s)
	if out == nil {
		out = []int{}
	}
	slices.Sort(out)
	return out
}
