package pow

import (
	"fmt"
	"math"
	"math/big"

	"github.com/coinai/coinai/nodes/chain"
)

// Difficulty follows Bitcoin. A header carries its target in compact form
// ("bits": 8-bit base-256 exponent and 23-bit mantissa). A block's work is
// the expected number of hashes to find it, floor(2^256 / (target+1)), and
// fork choice sums work. Difficulty, reported to observers, is
// diff1/target with diff1 = 0xffff * 2^208 (bits 0x1d00ffff), so
// difficulty 1 is 2^32+2^16+1 ≈ 2^32 expected hashes. Unlike Bitcoin there
// is no minimum difficulty: any target up to 2^256-1 is allowed, so small
// simulated networks work too.

var (
	two256  = new(big.Int).Lsh(big.NewInt(1), 256)
	maxTarg = new(big.Int).Sub(two256, big.NewInt(1))
	diff1   = new(big.Int).Lsh(big.NewInt(0xffff), 208)
)

// Diff1Bits is the compact target of difficulty 1 (Bitcoin's genesis).
const Diff1Bits = 0x1d00ffff

// Target decodes compact bits as Bitcoin's SetCompact does, but rejects the
// forms Bitcoin flags as negative or overflowing, and zero.
func Target(bits uint32) (*big.Int, error) {
	size := bits >> 24
	word := bits & 0x007fffff
	if word != 0 && bits&0x00800000 != 0 {
		return nil, fmt.Errorf("compact bits %#08x: negative", bits)
	}
	if word != 0 && (size > 34 || word > 0xff && size > 33 || word > 0xffff && size > 32) {
		return nil, fmt.Errorf("compact bits %#08x: overflow", bits)
	}
	var t *big.Int
	if size <= 3 {
		t = big.NewInt(int64(word >> (8 * (3 - size))))
	} else {
		t = new(big.Int).Lsh(big.NewInt(int64(word)), uint(8*(size-3)))
	}
	if t.Sign() == 0 {
		return nil, fmt.Errorf("compact bits %#08x: zero target", bits)
	}
	if t.Cmp(maxTarg) > 0 {
		return nil, fmt.Errorf("compact bits %#08x: target above 2^256-1", bits)
	}
	return t, nil
}

// Compact encodes a positive target as compact bits, truncating the
// mantissa to 23 bits as Bitcoin's GetCompact does.
func Compact(target *big.Int) uint32 {
	size := uint32((target.BitLen() + 7) / 8)
	var c uint32
	if size <= 3 {
		c = uint32(target.Uint64() << (8 * (3 - size)))
	} else {
		c = uint32(new(big.Int).Rsh(target, uint(8*(size-3))).Uint64())
	}
	if c&0x00800000 != 0 {
		c >>= 8
		size++
	}
	return c | size<<24
}

// Work returns the expected number of hashes of a block with these bits,
// floor(2^256/(target+1)), or zero for invalid bits.
func Work(bits uint32) chain.Work {
	t, err := Target(bits)
	if err != nil {
		return chain.Work{}
	}
	t.Add(t, big.NewInt(1))
	return chain.WorkFromBig(t.Quo(two256, t))
}

// Difficulty returns diff1/target as a float64 (1.0 for Diff1Bits), or 0
// for invalid bits. It is for reporting; consensus uses targets.
func Difficulty(bits uint32) float64 {
	t, err := Target(bits)
	if err != nil {
		return 0
	}
	f, _ := new(big.Rat).SetFrac(diff1, t).Float64()
	return f
}

// BitsForDifficulty returns the compact target for difficulty d (> 0):
// diff1/d, clamped to [1, 2^256-1]. The conversion is exact arithmetic on
// d's binary value, so every node derives the same genesis bits.
func BitsForDifficulty(d float64) (uint32, error) {
	if !(d > 0) || math.IsInf(d, 0) {
		return 0, fmt.Errorf("difficulty %v: must be positive and finite", d)
	}
	q := new(big.Rat).SetFrac(diff1, big.NewInt(1))
	q.Quo(q, new(big.Rat).SetFloat64(d))
	t := new(big.Int).Quo(q.Num(), q.Denom())
	if t.Sign() == 0 {
		t.SetInt64(1)
	}
	if t.Cmp(maxTarg) > 0 {
		t.Set(maxTarg)
	}
	return Compact(t), nil
}

// DifficultyFor returns the difficulty at which a network hashing at
// hashRate (H/s) finds a block every interval nanoseconds on average:
// hashRate*interval / (2^256/diff1), the divisor being the expected hashes
// of difficulty 1. Runners use it for Config.GenesisDifficulty.
func DifficultyFor(hashRate float64, interval int64) float64 {
	perDiff1, _ := new(big.Rat).SetFrac(two256, diff1).Float64()
	return hashRate * float64(interval) / 1e9 / perDiff1
}

// Retarget returns the bits after a window whose blocks took actual
// nanoseconds where expected were planned: the target is scaled by
// actual/expected, with actual clamped to [expected/4, 4*expected] as in
// Bitcoin, and capped at 2^256-1. Integer arithmetic on the 256-bit target
// makes the rule identical on every node. Invalid bits or a non-positive
// expected span return bits unchanged.
func Retarget(bits uint32, actual, expected int64) uint32 {
	t, err := Target(bits)
	if err != nil || expected <= 0 {
		return bits
	}
	lo, hi := expected/4, expected*4
	if expected > math.MaxInt64/4 {
		hi = math.MaxInt64
	}
	actual = min(max(actual, lo), hi)
	t.Mul(t, big.NewInt(actual))
	t.Quo(t, big.NewInt(expected))
	if t.Sign() == 0 {
		t.SetInt64(1)
	}
	if t.Cmp(maxTarg) > 0 {
		t.Set(maxTarg)
	}
	return Compact(t)
}
