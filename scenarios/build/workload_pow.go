package build

import (
	"fmt"

	"github.com/coinai/coinai/nodes/ledger"
	"github.com/coinai/coinai/nodes/pow"
	"github.com/coinai/coinai/scenarios"
)

// powWorkload resolves the scenario's workloads for the PoW baseline: the
// same users, keys, home nodes and signed transfers as under Coin.AI (one
// buildWorkload for both, so a seed gives both protocols the identical
// transfer sequence), carried by PoW blocks (pow.TxConfig). It returns
// each node's users' submissions (nil without workloads). Problems are
// refused by the scenario check.
func powWorkload(s *scenarios.Scenario, p *Plan, base *pow.Config) ([][]pow.Submission, error) {
	if len(s.Workload) == 0 {
		return nil, nil
	}
	wl, err := buildWorkload(s, p.Seed, len(p.Nodes), nil)
	if err != nil {
		return nil, fmt.Errorf("%s: workload: %w", s.File, err)
	}
	for _, sub := range wl.Subs {
		if sub.Tx.Kind() != ledger.KindTransfer {
			return nil, fmt.Errorf("%s: workload %q: a %v under protocol \"pow\" (transfers only)", s.File, sub.Workload, sub.Tx.Kind())
		}
	}
	p.Workload = wl
	miners := make([]ledger.Address, len(p.Nodes))
	for i := range miners {
		miners[i] = ledger.AddressOfKey(ledger.KeyFromSeed(NodeKey(p.Seed, i)))
	}
	base.Txs = &pow.TxConfig{Genesis: wl.Genesis, Miners: miners}
	p.PoWTxs = base.Txs
	subs := make([][]pow.Submission, len(p.Nodes))
	for _, sub := range wl.Subs {
		subs[sub.Home] = append(subs[sub.Home], pow.Submission{At: int64(sub.At), Tx: sub.Tx})
	}
	p.Fidelity = append(p.Fidelity,
		fmt.Sprintf("workload: %d users submit %d signed transfers (ed25519), %d draws their remaining genesis funds could not pay left out; "+
			"a user's client runs beside its home node (drawn uniformly): its transactions enter that node's pool and are flooded from there, "+
			"with no access link modelled", len(wl.Accounts), len(wl.Subs), wl.Skipped),
		"pow.txs=real-transfers: blocks carry the users' signed transfers in a body committed by the Merkle root, the declared filler shrunk by "+
			"their bytes; compact blocks name them by the first 6 bytes of their id (BIP 152 salts a SipHash), rebuilt from the transactions "+
			"the node has seen, the missing ones fetched")
	return subs, nil
}
