package build

import (
	"slices"
	"testing"

	"github.com/coinai/coinai/nodes/attack"
	"github.com/coinai/coinai/scenarios"
	"github.com/coinai/coinai/sim"
)

// The eclipse attackers become all of the victim's peers; every other
// link stays, and the lists stay symmetric and sorted.
func TestEclipseTopology(t *testing.T) {
	s, err := scenarios.Load("../attacks/eclipse.toml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := FromScenario(s)
	if err != nil {
		t.Fatal(err)
	}
	if p.Rewire == nil || !p.Nodes[0].Victim || p.Nodes[50].Adversary != "eclipse" || p.Nodes[1].AttackKind() != "" {
		t.Fatalf("plan: rewire %v, node 0 victim %v, node 50 adversary %q", p.Rewire != nil, p.Nodes[0].Victim, p.Nodes[50].Adversary)
	}
	adj := sim.RandomTopology(len(p.Nodes), s.Network.Degree, sim.Stream(p.Seed, "network/topology"))
	before := make([][]int32, len(adj))
	for i := range adj {
		before[i] = slices.Clone(adj[i])
	}
	p.Rewire(adj)
	attackers := []int32{50, 51, 52, 53, 54, 55, 56, 57}
	if !slices.Equal(adj[0], attackers) {
		t.Errorf("victim's peers %v, want the attackers %v", adj[0], attackers)
	}
	for i := range adj {
		if !slices.IsSorted(adj[i]) {
			t.Errorf("node %d: peers not sorted: %v", i, adj[i])
		}
		for _, q := range adj[i] {
			if !slices.Contains(adj[q], int32(i)) {
				t.Errorf("link %d-%d is one-way", i, q)
			}
		}
		if i == 0 {
			continue
		}
		// Other nodes keep their links, less the victim, plus the victim
		// for an attacker.
		want := slices.DeleteFunc(slices.Clone(before[i]), func(x int32) bool { return x == 0 })
		if slices.Contains(attackers, int32(i)) {
			want = append(want, 0)
			slices.Sort(want)
		}
		if !slices.Equal(adj[i], want) {
			t.Errorf("node %d: peers %v, want %v", i, adj[i], want)
		}
	}
}

// A selfish group becomes one pool: its nodes are wrapped members of the
// same pool, built afresh for every run; the others are honest nodes.
func TestSelfishPoolPerRun(t *testing.T) {
	s, err := scenarios.Load("../attacks/selfish-coinai.toml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := FromScenario(s)
	if err != nil {
		t.Fatal(err)
	}
	if p.NewNode != nil || p.NewNodes == nil {
		t.Fatal("a plan with a pool must build its nodes per run (NewNodes only)")
	}
	pools := map[*attack.Pool]bool{}
	for run := range 2 {
		build := p.NewNodes()
		var first *attack.Pool
		for i := range p.Nodes {
			n, err := build(i, p.Nodes[i])
			if err != nil {
				t.Fatal(err)
			}
			m, ok := n.(*attack.Selfish)
			if ok != (i >= 10) {
				t.Fatalf("run %d node %d: member %v, want %v", run, i, ok, i >= 10)
			}
			if !ok {
				continue
			}
			if first == nil {
				first = m.Pool()
			}
			if m.Pool() != first {
				t.Errorf("run %d: node %d in another pool", run, i)
			}
		}
		pools[first] = true
	}
	if len(pools) != 2 {
		t.Errorf("%d pools over 2 runs, want one per run", len(pools))
	}
}
