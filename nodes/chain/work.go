package chain

import (
	"math/big"
	"math/bits"
)

// Work is an unsigned 128-bit amount of proof-of-work (expected hashes, or
// whatever unit a protocol measures effort in). Bitcoin's cumulative chain
// work passed 2^64 long ago (it is near 2^95), so a uint64 would overflow in
// any scenario that uses real-world hash rates; 128 bits suffice for far more
// than the age of the universe at any plausible rate. Arithmetic saturates
// at the maximum instead of wrapping, so a hostile block cannot make a chain
// look lighter by overflowing it.
type Work struct {
	Hi, Lo uint64
}

// MaxWork is the largest representable Work; Add saturates to it.
var MaxWork = Work{Hi: ^uint64(0), Lo: ^uint64(0)}

// WorkOf returns x as a Work.
func WorkOf(x uint64) Work { return Work{Lo: x} }

// Add returns w+v, saturated at MaxWork.
func (w Work) Add(v Work) Work {
	lo, c := bits.Add64(w.Lo, v.Lo, 0)
	hi, c := bits.Add64(w.Hi, v.Hi, c)
	if c != 0 {
		return MaxWork
	}
	return Work{Hi: hi, Lo: lo}
}

// Sub returns w-v, or the zero Work if v > w.
func (w Work) Sub(v Work) Work {
	lo, b := bits.Sub64(w.Lo, v.Lo, 0)
	hi, b := bits.Sub64(w.Hi, v.Hi, b)
	if b != 0 {
		return Work{}
	}
	return Work{Hi: hi, Lo: lo}
}

// Cmp returns -1, 0 or +1 as w is less than, equal to or greater than v.
func (w Work) Cmp(v Work) int {
	switch {
	case w.Hi < v.Hi:
		return -1
	case w.Hi > v.Hi:
		return 1
	case w.Lo < v.Lo:
		return -1
	case w.Lo > v.Lo:
		return 1
	}
	return 0
}

// IsZero reports whether w is zero.
func (w Work) IsZero() bool { return w.Hi == 0 && w.Lo == 0 }

// Float64 returns w rounded to the nearest float64, for reporting and for
// sampling times; consensus decisions use Cmp.
func (w Work) Float64() float64 {
	return float64(w.Hi)*0x1p64 + float64(w.Lo)
}

// Big returns w as a new big.Int.
func (w Work) Big() *big.Int {
	b := new(big.Int).SetUint64(w.Hi)
	b.Lsh(b, 64)
	return b.Or(b, new(big.Int).SetUint64(w.Lo))
}

// WorkFromBig converts a non-negative x to Work, saturating at MaxWork; a
// negative x gives zero.
func WorkFromBig(x *big.Int) Work {
	if x.Sign() <= 0 {
		return Work{}
	}
	if x.BitLen() > 128 {
		return MaxWork
	}
	lo := new(big.Int).And(x, new(big.Int).SetUint64(^uint64(0))).Uint64()
	hi := new(big.Int).Rsh(x, 64).Uint64()
	return Work{Hi: hi, Lo: lo}
}

// String formats w in decimal.
func (w Work) String() string { return w.Big().String() }
