//go:build amd64 && !purego

package nn

import "math"

// tanhK holds tanhBias16's constants, computed by the same Go constant
// expressions as in tanh32 and expReduced so that the compiler rounds them
// to the same float32 values.
var tanhK = [20]float32{
	math.Float32frombits(0x80000000),
	math.Float32frombits(0x7fffffff),
	0.25,
	9.1,
	1,
	2,
	log2e,
	0.5,
	ln2Hi,
	ln2Lo,
	math.Float32frombits(127),
	1.0 / 720,
	1.0 / 120,
	1.0 / 24,
	1.0 / 6,
	-1382.0 / 155925,
	62.0 / 2835,
	-17.0 / 315,
	2.0 / 15,
	-1.0 / 3,
}

// tanhBias16 sets row[j] = tanh32(row[j] + b[j]) for j < n with AVX-512,
// bit for bit (see the assembly). n >= 1.
//
//go:noescape
func tanhBias16(n int, row, b *float32, k *float32)

// tanhBiasRow sets row[j] = tanh32(row[j] + b[j]) for j < len(b), on the
// AVX-512 path in 16 lanes at a time, and reports whether it did.
func tanhBiasRow(row, b []float32) bool {
	if !useAVX512 || len(b) == 0 {
		return false
	}
	_ = row[len(b)-1]
	tanhBias16(len(b), &row[0], &b[0], &tanhK[0])
	return true
}
