package ledger

import (
	"errors"
	"fmt"
	"math/bits"
)

// Amount is a quantity of coins in integer base units. Consensus never uses
// floating point: rounding would make nodes disagree.
type Amount uint64

const (
	// Coin is one whole coin: 1e8 base units, as in Bitcoin, so a block
	// reward of 50 coins and fees of a few hundred units are both exact.
	Coin Amount = 100_000_000
	// MaxAmount is the largest representable amount (about 1.8e11 coins).
	MaxAmount Amount = 1<<64 - 1
)

// ErrOverflow reports arithmetic that would leave the range of Amount (or of
// a nonce). It is always wrapped with what was being computed.
var ErrOverflow = errors.New("amount overflow")

// Add returns a+b, or ErrOverflow if the sum does not fit in an Amount.
func (a Amount) Add(b Amount) (Amount, error) {
	s, carry := bits.Add64(uint64(a), uint64(b), 0)
	if carry != 0 {
		return 0, fmt.Errorf("%d + %d: %w", a, b, ErrOverflow)
	}
	return Amount(s), nil
}

// Sub returns a-b, or ErrOverflow if b > a (amounts are never negative).
func (a Amount) Sub(b Amount) (Amount, error) {
	d, borrow := bits.Sub64(uint64(a), uint64(b), 0)
	if borrow != 0 {
		return 0, fmt.Errorf("%d - %d: %w", a, b, ErrOverflow)
	}
	return Amount(d), nil
}

// String formats a as a decimal number of coins with all eight decimals, e.g.
// "1.50000000"; it is exact (no float conversion).
func (a Amount) String() string {
	return fmt.Sprintf("%d.%08d", a/Coin, a%Coin)
}
