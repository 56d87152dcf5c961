package coinai

import "math"

// MaxThreshold is the highest threshold in ppm (99.9999%): the rule never
// demands perfection, which a small network on a noisy data set may never
// reach.
const MaxThreshold = PPM - 1

// Retarget is the threshold rule, Coin.AI's analogue of difficulty
// retargeting. Given the old threshold, the time actual (ns) that the last
// window of blocks took and the time target (ns) it should have taken, it
// moves the threshold by
//
//	round(maxStep * clamp(log2(target/actual), -1, 1))
//
// ppm and clamps the result to [floor, MaxThreshold]: blocks that came too
// fast raise the threshold, too slow lower it, by at most maxStep per
// window, and a window twice as fast or slow as planned already takes the
// full step. The logarithm makes the rule symmetric in the speed ratio.
// A non-positive actual counts as infinitely fast.
//
// Floats enter only as explicit float64 conversions and math.Log2 (pure Go
// on every platform the simulator runs on), and the result is rounded once,
// so every node computes the same integer.
func Retarget(old uint32, actual, target int64, maxStep, floor uint32) uint32 {
	x := 1.0
	if actual > 0 && target > 0 {
		x = math.Log2(float64(target) / float64(actual))
	} else if target <= 0 {
		x = 0
	}
	x = math.Max(-1, math.Min(1, x))
	v := int64(old) + int64(math.Round(float64(maxStep)*x))
	v = min(max(v, int64(floor)), MaxThreshold)
	return uint32(v)
}

// toPPM converts a fraction to ppm, rounding to nearest and clamping to
// [0, MaxThreshold]. It is used only on configuration values.
func toPPM(f float64) uint32 {
	if !(f > 0) {
		return 0
	}
	v := math.Round(f * PPM)
	if v > MaxThreshold {
		return MaxThreshold
	}
	return uint32(v)
}

// passes reports whether correct out of n samples reach threshold ppm,
// in integer arithmetic: correct/n >= threshold/1e6.
func passes(correct, n int, threshold uint32) bool {
	return n > 0 && uint64(correct)*PPM >= uint64(threshold)*uint64(n)
}
