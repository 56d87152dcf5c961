package scenarios

import (
	"fmt"

	"github.com/coinai/coinai/sim"
)

// network2019 validates the [network] keys of the 2019 model (issue #12):
// per-reception compact-block failures, partial refetch, non-compact
// nodes, a degree distribution and validation time.
func (v *validator) network2019() {
	n := &v.s.Network
	v.oneOf("network.compact_fail", n.CompactFail, compactFail)
	v.inRange("network.churn_share", n.ChurnShare, 0, 1, false)
	v.inRange("network.compact_fail_churn", n.CompactFailChurn, 0, 1, false)
	v.inRange("network.compact_fail_stable", n.CompactFailStable, 0, 1, false)
	switch n.CompactFail {
	case "node":
		for _, t := range []struct {
			key string
			x   float64
		}{{"network.compact_fail_churn", n.CompactFailChurn}, {"network.compact_fail_stable", n.CompactFailStable}} {
			if t.x != 0 {
				v.add(t.key, "%v applies only with network.compact_fail = \"reception\"; with \"node\" set network.compact_fail_rate", t.x)
			}
		}
	case "reception":
		if n.CompactFailRate != 0 {
			v.add("network.compact_fail_rate", "%v applies only with network.compact_fail = \"node\"; with \"reception\" set network.compact_fail_churn and network.compact_fail_stable", n.CompactFailRate)
		}
	}
	v.oneOf("network.refetch", n.Refetch, refetches)
	for _, t := range []struct {
		key    string
		shares []float64
	}{{"network.refetch_share_churn", n.RefetchShareChurn}, {"network.refetch_share_stable", n.RefetchShareStable}} {
		switch {
		case n.Refetch == "missing" && len(t.shares) == 0:
			v.add(t.key, "is empty; network.refetch = \"missing\" needs the distribution of the share fetched")
		case n.Refetch == "missing":
			if err := sim.ValidateQuantiles(t.shares, 0, 1); err != nil {
				v.add(t.key, "%v", err)
			}
		case len(t.shares) > 0:
			v.add(t.key, "applies only with network.refetch = \"missing\"")
		}
	}
	v.inRange("network.compact_share", n.CompactShare, 0, 1, false)
	if len(n.DegreeCDF) > 0 {
		if err := sim.ValidateDegreeCDF(n.DegreeCDF); err != nil {
			v.add("network.degree_cdf", "%v", err)
		}
	}
	for _, t := range []struct {
		key string
		d   Duration
	}{{"network.validation_base", n.ValidationBase}, {"network.validation_per_tx", n.ValidationPerTx}} {
		if t.d < 0 {
			v.add(t.key, "%s must be >= 0", t.d)
		}
	}
}

// Network2019Fidelity names the simplifications of the 2019 network model
// that a run with its keys set makes, for the run's fidelity list.
func (n *Network) Network2019Fidelity() []string {
	var out []string
	if n.CompactFail == "reception" && n.ChurnShare > 0 {
		out = append(out, fmt.Sprintf("network.churn=mempool-only: %.3g of the nodes are labelled churning and fail compact rebuilds at their measured rate; they never go offline", n.ChurnShare))
	}
	if n.ValidationBase > 0 || n.ValidationPerTx > 0 {
		out = append(out, "network.validation=delay: a block's validation delays its delivery at the receiver by validation_base + validation_per_tx per transaction; it occupies no processor and other messages are not queued behind it")
	}
	return out
}
