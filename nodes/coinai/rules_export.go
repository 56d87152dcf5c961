package coinai

// This file exports, for checkers outside the node, the rules a validator
// applies, as pure functions of headers, and read-only access to the
// blocks a node accepted, so that a checker can recompute a block's
// threshold and its model's test accuracy on its own instead of trusting
// what the node reports.

// ThresholdWindowStart is the height of the ancestor that
// RequiredThreshold reads for a child of a parent at parentHeight: the
// start of the retarget window, max(parentHeight − ThresholdWindow, 0).
func ThresholdWindowStart(cfg *Config, parentHeight int64) int64 {
	return max(parentHeight-int64(cfg.ThresholdWindow), 0)
}

// RequiredThreshold is the threshold rule as a pure function of the chain:
// the test accuracy, in ppm, that a block stamped at time t on top of
// parent must pass. windowStart is parent's ancestor at height
// ThresholdWindowStart(cfg, parent.Height); it is read only when the
// child's height is a multiple of cfg.ThresholdWindow. The rule is the
// node's own: every ThresholdWindow blocks the threshold is retargeted
// (Retarget) on the time the window took against its planned time, and it
// decays by ThresholdDecay for every two target intervals t lies after
// the parent, never below ThresholdMin. Under the lottery the threshold
// before the decay is ThresholdInitial for every block.
func RequiredThreshold(cfg *Config, parent, windowStart *Header, t int64) uint32 {
	thr := parent.Threshold
	if cfg.Lottery.Enabled {
		thr = toPPM(cfg.ThresholdInitial)
	}
	w := int64(cfg.ThresholdWindow)
	ph := int64(parent.Height)
	if w > 0 && (ph+1)%w == 0 {
		if from := ThresholdWindowStart(cfg, ph); from != ph {
			actual := parent.Time - windowStart.Time
			target := (ph - from) * cfg.TargetInterval
			thr = Retarget(thr, actual, target, toPPM(cfg.ThresholdMaxStep), toPPM(cfg.ThresholdMin))
		}
	}
	decay := toPPM(cfg.ThresholdDecay)
	period := 2 * cfg.TargetInterval
	elapsed := t - parent.Time
	if decay == 0 || period <= 0 || elapsed < period {
		return thr
	}
	floor := toPPM(cfg.ThresholdMin)
	drop := uint64(elapsed/period) * uint64(decay)
	if uint64(thr) <= uint64(floor)+drop {
		return min(thr, floor)
	}
	return uint32(uint64(thr) - drop)
}

// Passes reports whether correct out of n test samples reach threshold
// ppm, in integer arithmetic (correct/n >= threshold/1e6): the validity
// rule of a block's model.
func Passes(correct, n int, threshold uint32) bool { return passes(correct, n, threshold) }

// BlockMessage returns the wire message (MsgBlock: header, model and
// transactions) of a block the node accepted, as the node keeps it, and
// false for a block it has not accepted. The bytes are shared: callers must
// not modify them. DecodeMessage decodes them.
func (n *Node) BlockMessage(id [32]byte) ([]byte, bool) {
	e, ok := n.tree.Get(id)
	if !ok {
		return nil, false
	}
	return e.Payload.msg, true
}
