package build

import (
	"slices"

	"github.com/coinai/coinai/nodes/pow"
	"github.com/coinai/coinai/scenarios"
	"github.com/coinai/coinai/sim"
)

// network2019 applies the PoW keys of the 2019 network model (issue #12;
// DESIGN.md "Network model (2019 Bitcoin)") to the plan: which nodes
// churn and which do not use compact relay (fixed draws per node, from
// their own streams, so that the other draws of the plan do not move),
// each node's per-reception rebuild failure probability and refetch
// distribution, and the validation delay. With the keys at their defaults
// it changes nothing.
func network2019(s *scenarios.Scenario, p *Plan, base *pow.Config) {
	n := &s.Network
	if n.CompactFail == "reception" {
		rng := sim.Stream(p.Seed, "setup/churn")
		for i := range p.Nodes {
			nd := &p.Nodes[i]
			nd.Churn = rng.Float64() < n.ChurnShare
			nd.RebuildFail = n.CompactFailStable
			if nd.Churn {
				nd.RebuildFail = n.CompactFailChurn
			}
		}
	}
	if n.Refetch == "missing" {
		churn, stable := slices.Clone(n.RefetchShareChurn), slices.Clone(n.RefetchShareStable)
		for i := range p.Nodes {
			nd := &p.Nodes[i]
			nd.Refetch = stable
			if nd.Churn {
				nd.Refetch = churn
			}
		}
	}
	if base.Relay == pow.RelayCompact && n.CompactShare < 1 {
		rng := sim.Stream(p.Seed, "setup/compact-relay")
		for i := range p.Nodes {
			p.Nodes[i].NoCompact = rng.Float64() >= n.CompactShare
		}
	}
	if n.ValidationBase > 0 || n.ValidationPerTx > 0 {
		p.Delay = pow.ValidationDelay(int64(n.ValidationBase), int64(n.ValidationPerTx))
	}
	p.Fidelity = append(p.Fidelity, n.Network2019Fidelity()...)
}
