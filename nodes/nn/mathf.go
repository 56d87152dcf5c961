package nn

import "math"

// Activations are computed in float32 by the functions below rather than by
// math.Tanh and math.Exp in float64: they are several times faster, which
// matters because small Coin.AI networks spend much of their training time
// in activations, and they are deterministic on every platform — pure Go,
// with every product rounded to float32 before it is added (float32(x*y)),
// so that no compiler may fuse a multiply-add. Their relative error is below
// 2e-7 (exp) and 1e-6 (tanh, sigmoid), under float32 training noise.

const (
	ln2Hi  = float32(0.693359375)      // high bits of ln 2, exact in float32
	ln2Lo  = float32(-2.12194440e-4)   // ln 2 - ln2Hi
	log2e  = float32(1.44269504088896) // 1 / ln 2
	expMax = float32(88.3762626647949) // above: +Inf
	expMin = float32(-103.278929903431851103)
)

// exp32 is e^x in float32: x = k ln2 + r with |r| <= ln2/2, e^r by a
// degree-6 Taylor polynomial (Horner form), scaled by 2^k.
func exp32(x float32) float32 {
	switch {
	case x != x:
		return x
	case x > expMax:
		return float32(math.Inf(1))
	case x < expMin:
		return 0
	}
	kf := float32(math.Floor(float64(float32(x*log2e) + 0.5)))
	p := expReduced(x, kf)
	k := int32(kf)
	// Scale by 2^k in two steps so that subnormal results stay exact.
	if k < -125 {
		p = float32(p * math.Float32frombits(uint32(k+125+127)<<23))
		return float32(p * math.Float32frombits(uint32(-125+127)<<23))
	}
	if k > 127 {
		p = float32(p * 2)
		k--
	}
	return float32(p * math.Float32frombits(uint32(k+127)<<23))
}

// tanh32 is tanh(x) in float32.
func tanh32(x float32) float32 {
	a := x
	if a < 0 {
		a = -a
	}
	switch {
	case a != a:
		return x
	case a < 0.25:
		// Odd Taylor series: no cancellation near 0.
		x2 := float32(x * x)
		p := float32(-1382.0 / 155925)
		p = float32(p*x2) + 62.0/2835
		p = float32(p*x2) - 17.0/315
		p = float32(p*x2) + 2.0/15
		p = float32(p*x2) - 1.0/3
		return x + float32(float32(x*x2)*p)
	case a > 9.1:
		if x < 0 {
			return -1
		}
		return 1
	}
	t := 1 - 2/(expSmall(2*a)+1)
	if x < 0 {
		return -t
	}
	return t
}

// expReduced is e^r for r = x - kf*ln2 (|r| <= ln2/2): a degree-6 Taylor
// polynomial in Horner form, every product rounded to float32.
func expReduced(x, kf float32) float32 {
	r := x - float32(kf*ln2Hi)
	r = r - float32(kf*ln2Lo)
	p := float32(1.0 / 720)
	p = float32(p*r) + 1.0/120
	p = float32(p*r) + 1.0/24
	p = float32(p*r) + 1.0/6
	p = float32(p*r) + 0.5
	p = float32(p*r) + 1
	return float32(p*r) + 1
}

// expSmall is exp32 for 0 <= x <= 20, where no range check is needed and
// truncation rounds to nearest: the hot path of tanh32.
func expSmall(x float32) float32 {
	k := int32(float32(x*log2e) + 0.5)
	kf := float32(k)
	p := expReduced(x, kf)
	return float32(p * math.Float32frombits(uint32(k+127)<<23))
}

// sigmoid32 is 1 / (1 + e^-x) in float32.
func sigmoid32(x float32) float32 {
	return 1 / (1 + exp32(-x))
}
