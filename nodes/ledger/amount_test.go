package ledger

import (
	"errors"
	"testing"
)

func TestAmountArithmetic(t *testing.T) {
	tests := []struct {
		a, b     Amount
		sum, dif Amount
		sumOver  bool
		difUnder bool
	}{
		{a: 5, b: 3, sum: 8, dif: 2},
		{a: 3, b: 5, sum: 8, difUnder: true},
		{a: MaxAmount, b: 0, sum: MaxAmount, dif: MaxAmount},
		{a: MaxAmount, b: 1, sumOver: true, dif: MaxAmount - 1},
		{a: 1 << 63, b: 1 << 63, sumOver: true, dif: 0},
	}
	for _, tt := range tests {
		s, err := tt.a.Add(tt.b)
		if tt.sumOver != errors.Is(err, ErrOverflow) || (!tt.sumOver && s != tt.sum) {
			t.Errorf("%d.Add(%d) = %d, %v; want %d, overflow %v", tt.a, tt.b, s, err, tt.sum, tt.sumOver)
		}
		d, err := tt.a.Sub(tt.b)
		if tt.difUnder != errors.Is(err, ErrOverflow) || (!tt.difUnder && d != tt.dif) {
			t.Errorf("%d.Sub(%d) = %d, %v; want %d, underflow %v", tt.a, tt.b, d, err, tt.dif, tt.difUnder)
		}
	}
}

func TestAmountString(t *testing.T) {
	tests := []struct {
		a    Amount
		want string
	}{
		{0, "0.00000000"},
		{1, "0.00000001"},
		{Coin, "1.00000000"},
		{50*Coin + 1234, "50.00001234"},
		{MaxAmount, "184467440737.09551615"},
	}
	for _, tt := range tests {
		if got := tt.a.String(); got != tt.want {
			t.Errorf("Amount(%d).String() = %q, want %q", uint64(tt.a), got, tt.want)
		}
	}
}
