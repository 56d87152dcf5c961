package build

import (
	"math"
	"testing"

	"github.com/coinai/coinai/scenarios"
)

// TestNetwork2019Plan checks what pow-bitcoin.toml's 2019 keys make of a
// plan (at 20,000 nodes, so that the shares are measured to about 0.1%),
// and that a scenario with the defaults gets none of it.
func TestNetwork2019Plan(t *testing.T) {
	s := loadScenario(t, "../pow-bitcoin.toml", "group.0.count=20000")
	p, err := FromScenario(s)
	if err != nil {
		t.Fatal(err)
	}
	n := float64(len(p.Nodes))
	var churn, noCompact, degrees int
	var failSum float64
	for i, nd := range p.Nodes {
		if nd.Churn {
			churn++
			if nd.RebuildFail != 0.27 || len(nd.Refetch) != 21 {
				t.Fatalf("churning node %d: fail %v, refetch %v", i, nd.RebuildFail, nd.Refetch)
			}
		} else if nd.RebuildFail != 0.13 || len(nd.Refetch) != 1 || nd.Refetch[0] != 0.01 {
			t.Fatalf("stable node %d: fail %v, refetch %v", i, nd.RebuildFail, nd.Refetch)
		}
		if nd.NoCompact {
			noCompact++
		}
		failSum += nd.RebuildFail
		degrees += p.Degrees[i]
	}
	within := func(what string, got, want, tol float64) {
		if math.Abs(got-want) > tol {
			t.Errorf("%s %.4f, want %.4f ± %.4f", what, got, want, tol)
		}
	}
	within("churning share", float64(churn)/n, 0.976, 0.004)
	within("non-compact share", float64(noCompact)/n, 0.036, 0.004)
	// About a quarter of receptions fail: 0.976*0.27 + 0.024*0.13.
	within("mean failure rate", failSum/n, 0.26664, 0.001)
	within("mean degree", float64(degrees)/n, 8.645, 0.06)
	if p.Delay == nil {
		t.Fatal("no validation delay")
	}
	if host := p.Host(); host.Degrees == nil || host.Delay == nil || host.Nodes[0].RebuildFail == 0 {
		t.Error("the host configuration lost the 2019 model")
	}

	// The defaults (reference.toml's network) keep the old model.
	s = loadScenario(t, "../pow-bitcoin.toml", "network.compact_fail=node", "network.churn_share=0",
		"network.compact_fail_churn=0", "network.compact_fail_stable=0", "network.refetch=block",
		"network.refetch_share_churn=[]", "network.refetch_share_stable=[]", "network.compact_share=1",
		"network.degree_cdf=[]", "network.validation_base=0s", "network.validation_per_tx=0s")
	p, err = FromScenario(s)
	if err != nil {
		t.Fatal(err)
	}
	if p.Delay != nil || p.Degrees != nil {
		t.Error("default keys set a delay or degrees")
	}
	for i, nd := range p.Nodes {
		if nd.Churn || nd.NoCompact || nd.RebuildFail != 0 || nd.Refetch != nil || nd.MissesTxs {
			t.Fatalf("default keys changed node %d: %+v", i, nd)
		}
	}
}

func loadScenario(t *testing.T, path string, set ...string) *scenarios.Scenario {
	t.Helper()
	s, err := scenarios.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Apply(set...); err != nil {
		t.Fatal(err)
	}
	return s
}
