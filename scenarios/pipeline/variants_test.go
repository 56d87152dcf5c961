package pipeline

import (
	"testing"
)

// Issue #13: "honest mining unaffected". The verifier's decay clock holds
// only blocks that take a decay step before it is due, and an honest
// block is stamped with its miner's clock, which in the simulator is
// every node's: the quickstart (no attackers) under coinai.decay_clock =
// "verifier" is the same run, event for event, as under today's rule.
func TestDecayClockLeavesQuickstartAlone(t *testing.T) {
	_, today := runScenario(t, "../quickstart.toml")
	_, held := runScenario(t, "../quickstart.toml", "coinai.decay_clock=verifier")
	if today.Summary.TraceDigest != held.Summary.TraceDigest {
		t.Errorf("trace digest %s under the verifier's decay clock, %s under today's rule", held.Summary.TraceDigest, today.Summary.TraceDigest)
	}
}
