package build

import (
	"fmt"
	"slices"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/attack"
	"github.com/coinai/coinai/scenarios"
)

// AttackKind is the node's attacker role for observers and checkers: the
// Coin.AI attack (Attack.Kind) or the wrapper adversary (Adversary); ""
// for an honest node.
func (n *Node) AttackKind() string {
	if n.Attack.Kind != "" {
		return n.Attack.Kind
	}
	return n.Adversary
}

// hashes reports whether the node puts mining power to work: an honest
// miner, a selfish pool member or a double-spend attacker.
func (n *Node) hashes() bool {
	return n.Mines() || n.Adversary == "selfish" || n.Role == "doublespend"
}

// adversaryOf is the wrapper adversary of a node of group g.
func adversaryOf(g scenarios.Group) string {
	if g.Role == "selfish" || g.Role == "eclipse" {
		return g.Role
	}
	return ""
}

// adversaries wires the "selfish" and "eclipse" groups: each selfish
// group is one pool (attack.Pool) whose ties are pushed to the nodes of
// its reach; each eclipse group becomes all of its victims' peers. The
// nodes themselves are the protocol's honest nodes wrapped by package
// attack; pools are made afresh for every run (NewNodes).
func adversaries(s *scenarios.Scenario, p *Plan, wire attack.Wire) error {
	type pool struct {
		members, reach []nodes.PeerID
	}
	var pools []pool
	poolOf := make([]int, len(p.Nodes))
	eclipseOf := make([]*attack.EclipseConfig, len(p.Nodes))
	var eclipsers, victims []int
	first := 0
	for gi, g := range s.Groups {
		idx := make([]int, g.Count)
		for k := range idx {
			idx[k] = first + k
		}
		first += g.Count
		key := fmt.Sprintf("group.%d", gi)
		switch g.Role {
		case "selfish":
			reach, err := selectNodes(p, key+".selfish.reach", g.Selfish.Reach)
			if err != nil {
				return err
			}
			var pl pool
			for _, i := range idx {
				pl.members = append(pl.members, nodes.PeerID(i))
				poolOf[i] = len(pools) + 1
			}
			for _, r := range reach {
				pl.reach = append(pl.reach, nodes.PeerID(r))
			}
			pools = append(pools, pl)
			p.Fidelity = append(p.Fidelity, fmt.Sprintf("attack.selfish: nodes %s are one selfish-mining pool (Eyal and Sirer 2014, Algorithm 1, leads in blocks); "+
				"a block that ties the public chain is pushed whole at once to %d node(s) of group.%d.selfish.reach and to no other, an overriding branch to every peer; "+
				"the pool relays no block it did not find", intList(idx), len(reach), gi))
			if g.Count > 1 {
				p.Fidelity = append(p.Fidelity, "attack.selfish.pool=shared-state: the pool's members share its state as a pool server would; "+
					"a member mines on a block another member found from its own next event (message, timer), not at the instant it was found")
			}
		case "eclipse":
			vs, err := selectNodes(p, key+".eclipse.victims", g.Eclipse.Victims)
			if err != nil {
				return err
			}
			cfg := &attack.EclipseConfig{Mode: g.Eclipse.Mode, Delay: int64(g.Eclipse.Delay)}
			for _, v := range vs {
				if slices.Contains(idx, v) {
					return fmt.Errorf("%s.eclipse.victims: node %d is one of the attackers", key, v)
				}
				cfg.Victims = append(cfg.Victims, nodes.PeerID(v))
				p.Nodes[v].Victim = true
			}
			victims = append(victims, vs...)
			eclipsers = append(eclipsers, idx...)
			for _, i := range idx {
				eclipseOf[i] = cfg
			}
			what := fmt.Sprintf("hold every message between them for %gs", g.Eclipse.Delay.Seconds())
			if g.Eclipse.Mode == attack.EclipseWithhold {
				what = "drop every message between them"
			}
			p.Fidelity = append(p.Fidelity, fmt.Sprintf("attack.eclipse: nodes %s are all the peers of victim(s) %s (their other links removed) and %s",
				intList(idx), intList(vs), what))
		}
	}
	if len(pools) == 0 && len(eclipsers) == 0 {
		return nil
	}
	if len(eclipsers) > 0 {
		p.Rewire = func(adj [][]int32) { eclipseTopology(adj, victims, eclipsers, eclipseOf) }
	}
	base, baseAll := p.NewNode, p.NewNodes
	p.NewNode = nil
	p.NewNodes = func() func(i int, n Node) (nodes.Node, error) {
		build := base
		if baseAll != nil {
			build = baseAll()
		}
		run := make([]*attack.Pool, len(pools))
		for k, pl := range pools {
			run[k] = attack.NewPool(pl.members, pl.reach)
		}
		return func(i int, n Node) (nodes.Node, error) {
			nd, err := build(i, n)
			if err != nil {
				return nil, err
			}
			switch {
			case poolOf[i] > 0:
				return attack.NewSelfish(nd, nodes.PeerID(i), run[poolOf[i]-1], wire), nil
			case eclipseOf[i] != nil:
				return attack.NewEclipse(nd, *eclipseOf[i]), nil
			}
			return nd, nil
		}
	}
	return nil
}

// eclipseTopology makes the eclipse attackers all of each victim's peers:
// a victim loses its links, then is linked to every attacker that
// eclipses it. Adjacency lists stay sorted and symmetric.
func eclipseTopology(adj [][]int32, victims, attackers []int, cfgOf []*attack.EclipseConfig) {
	for _, v := range victims {
		for _, q := range adj[v] {
			adj[q] = slices.DeleteFunc(adj[q], func(x int32) bool { return x == int32(v) })
		}
		adj[v] = nil
	}
	for _, a := range attackers {
		for _, v := range cfgOf[a].Victims {
			if !slices.Contains(adj[v], int32(a)) {
				adj[v] = append(adj[v], int32(a))
				adj[a] = append(adj[a], int32(v))
			}
		}
	}
	for i := range adj {
		slices.Sort(adj[i])
	}
}
