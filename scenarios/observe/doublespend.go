package observe

import "github.com/coinai/coinai/nodes/pow"

// dsObs counts the double-spend attackers' races from their EvNote
// events (nodes/pow/doublespend.go): races started, given up, and won,
// with the conflict block of each win, which counts only if it ends on the
// main chain.
type dsObs struct {
	any       bool
	started   int64
	gaveUp    int64
	conflicts [][32]byte
}

func (d *dsObs) note(node int32, cfg *Config, note string, block [32]byte) bool {
	if node < 0 || int(node) >= len(cfg.Nodes) || cfg.Nodes[node].Attack != "doublespend" {
		return false
	}
	switch note {
	case pow.NoteDoubleSpendStart:
		d.started++
	case pow.NoteDoubleSpendGiveUp:
		d.gaveUp++
	case pow.NoteDoubleSpendSuccess:
		d.conflicts = append(d.conflicts, block)
	default:
		return false
	}
	return true
}

// DoubleSpendResult is what the double-spend attackers achieved: races
// decided (won or given up; a race still running at the end is left out)
// and races won, a win being a published private chain whose first block,
// the conflicting spend, is on the final main chain.
type DoubleSpendResult struct {
	Attempts, Successes int64
}

// doubleSpendResult closes the count once the main chain is known (nil
// without double-spend attackers).
func (o *Observer) doubleSpendResult() *DoubleSpendResult {
	any := false
	for _, n := range o.cfg.Nodes {
		any = any || n.Attack == "doublespend"
	}
	if !any {
		return nil
	}
	d := &o.ds
	r := &DoubleSpendResult{Attempts: d.gaveUp + int64(len(d.conflicts))}
	for _, id := range d.conflicts {
		if b, ok := o.blocks[id]; ok && b.Main {
			r.Successes++
		}
	}
	return r
}

// doubleSpendSummary sets the doublespend_* keys (null without
// double-spend attackers; the rate is null before the first decided race).
func doubleSpendSummary(s *Summary, r *DoubleSpendResult) {
	if r == nil {
		return
	}
	s.DoubleSpendAttempts = &r.Attempts
	s.DoubleSpendSuccesses = &r.Successes
	if r.Attempts > 0 {
		s.DoubleSpendSuccessRate = ptr(float64(r.Successes) / float64(r.Attempts))
	}
}
