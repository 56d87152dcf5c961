package runner

import (
	"fmt"

	"github.com/coinai/coinai/nodes"
)

// Checkers assert the testbed's invariants, in the manner of TigerBeetle's
// and FoundationDB's simulators: a run that breaks one fails, and its seed
// is a bug report.
//
//   - agreement: honest nodes' main chains agree below the fork depth;
//   - threshold: every model a node accepted passed the threshold of its
//     block (Coin.AI);
//   - node invariants: whatever a node checks of its own state (such as
//     coins conserved in its ledger), through an Invariants() error method.

// ForkDepth is the depth below the lowest tip under which all nodes must
// hold the same block.
const ForkDepth = 6

// CheckResult is one checker's verdict.
type CheckResult struct {
	Name string `json:"name"`
	OK   bool   `json:"ok"`
	Note string `json:"note,omitempty"`
}

func (r *Runner) runChecks() []CheckResult {
	var out []CheckResult
	out = append(out, r.checkAgreement())
	if r.cfg.Protocol == "coinai" {
		res := CheckResult{Name: "accepted-models-pass-threshold", OK: r.obs.thresholdViolations == 0}
		res.Note = fmt.Sprintf("%d acceptances checked", r.obs.acceptChecked)
		if !res.OK {
			res.Note = fmt.Sprintf("%d of %d acceptances below their block's threshold; first: %s",
				r.obs.thresholdViolations, r.obs.acceptChecked, r.obs.firstViolation)
		}
		out = append(out, res)
	}
	inv := CheckResult{Name: "node-invariants", OK: true}
	checked := 0
	for i, n := range r.nodes {
		c, ok := n.(nodes.InvariantChecker)
		if !ok {
			continue
		}
		checked++
		if err := c.Invariants(); err != nil {
			inv.OK = false
			inv.Note = fmt.Sprintf("node %d: %v", i, err)
			break
		}
	}
	if checked > 0 {
		if inv.OK {
			inv.Note = fmt.Sprintf("%d nodes checked", checked)
		}
		out = append(out, inv)
	}
	return out
}

// checkAgreement walks every node's tip back to a common height ForkDepth
// below the lowest tip and asks that all land on the same block.
func (r *Runner) checkAgreement() CheckResult {
	res := CheckResult{Name: "chains-agree-below-fork-depth", OK: true}
	low := int64(-1)
	for _, n := range r.nodes {
		t, ok := n.(nodes.Tipper)
		if !ok {
			res.Note = "nodes do not report tips"
			return res
		}
		_, h := t.Tip()
		if low < 0 || h < low {
			low = h
		}
	}
	at := low - ForkDepth
	if at <= 0 {
		res.Note = fmt.Sprintf("lowest tip %d is within the fork depth", low)
		return res
	}
	var first [32]byte
	for i, n := range r.nodes {
		id, h := n.(nodes.Tipper).Tip()
		for h > at {
			b, ok := r.obs.blocks[id]
			if !ok {
				break
			}
			id, h = b.Parent, b.Height-1
		}
		if i == 0 {
			first = id
		} else if id != first {
			res.OK = false
			res.Note = fmt.Sprintf("nodes 0 and %d hold different blocks at height %d: %s and %s", i, at, ShortID(first), ShortID(id))
			return res
		}
	}
	res.Note = fmt.Sprintf("%d nodes agree at height %d", len(r.nodes), at)
	return res
}
