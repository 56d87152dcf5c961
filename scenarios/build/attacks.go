package build

import (
	"fmt"

	"github.com/coinai/coinai/nodes/coinai"
	"github.com/coinai/coinai/scenarios"
)

// attackFidelity names the simplifications of the attacker roles spam,
// leak and steal and of the options ban_after and reveal (issue #13).
func attackFidelity(c scenarios.CoinAI, nodes []Node) []string {
	var out []string
	roles := map[string][]int{}
	for i, n := range nodes {
		roles[n.Attack.Kind] = append(roles[n.Attack.Kind], i)
	}
	if v := roles[coinai.AttackSpam]; len(v) > 0 {
		out = append(out, fmt.Sprintf("attack.spam: nodes %s push blocks whose models are untrained networks "+
			"(or garbage) claiming the threshold, straight to their peers; building one is charged nothing "+
			"(a random initialisation and a signature)", intList(v)))
	}
	if v := roles[coinai.AttackLeak]; len(v) > 0 {
		out = append(out, fmt.Sprintf("attack.leak: nodes %s train on the training split plus the test samples they can know "+
			"(the test split is visible to every node; under reveal = \"delayed-test\" only the samples their chain has revealed)", intList(v)))
	}
	if v := roles[coinai.AttackSteal]; len(v) > 0 {
		out = append(out, fmt.Sprintf("attack.steal: nodes %s never train; they re-sign every competitor's block on their tip "+
			"under their own key and push it to their peers unverified", intList(v)))
	}
	if c.Duplicate == coinai.DuplicateChain {
		out = append(out, "coinai.duplicate=chain: a block is refused as a duplicate only if one of its ancestors carries its model "+
			"(siblings with one model are both valid and the fork choice picks one)")
	}
	if c.BanAfter > 0 {
		out = append(out, fmt.Sprintf("coinai.ban_after=%d: a node ignores a peer after that many blocks with models that fail "+
			"evaluation or do not decode; peers are fixed in the simulator, so a banned node cannot reconnect under a new identity", c.BanAfter))
	}
	if c.Reveal == coinai.RevealDelayedTest {
		out = append(out, fmt.Sprintf("coinai.reveal=delayed-test: miners flood a commitment and reveal the block %s later; "+
			"%d test samples drawn from the commitment decide validity; which of two commitments came first is each node's arrival order "+
			"(a relay rule, agreed while the delay exceeds a commitment's flooding time); the subset is a function of the commitment, "+
			"so a miner could grind it offline (not modelled)", c.RevealDelay, c.RevealSubset))
	}
	return out
}
