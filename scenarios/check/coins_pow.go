package check

import (
	"fmt"
	"math/bits"

	"github.com/coinai/coinai/nodes/ledger"
	"github.com/coinai/coinai/nodes/pow"
)

// powCoins is the coins-conserved check of a PoW run with a workload:
// every PoW node's main chain replayed with bookkeeping apart from package
// ledger (genesis funds, the coinbase and fees to the block's miner,
// transfers), asserting that no balance goes negative, that balances
// equal the genesis funds plus the coinbases, and that the node's ledger
// holds exactly these balances.
func (s *Suite) powCoins() (ok, reason string) {
	var best powFlows
	checked := 0
	for i := range s.h.NumNodes() {
		n, is := s.h.Node(i).(*pow.Node)
		if !is || n.State() == nil {
			continue
		}
		f, err := replayPoWCoins(s.cfg.PoWTxs, s.cfg.PoWReward, n)
		if err != nil {
			return "", fmt.Sprintf("node %d: %v", i, err)
		}
		if checked == 0 || f.minted > best.minted {
			best = f
		}
		checked++
	}
	c := func(v uint64) string { return ledger.Amount(v).String() }
	return fmt.Sprintf("%d nodes' main chains replayed; the longest: genesis %s + minted %s = balances; transfers %s, fees %s",
		checked, c(best.genesis), c(best.minted), c(best.transfers), c(best.fees)), ""
}

type powFlows struct{ genesis, minted, transfers, fees uint64 }

func replayPoWCoins(cfg *pow.TxConfig, reward uint64, n *pow.Node) (powFlows, error) {
	var f powFlows
	bal := map[ledger.Address]uint64{}
	add := func(a ledger.Address, v uint64) error {
		s, carry := bits.Add64(bal[a], v, 0)
		if carry != 0 {
			return fmt.Errorf("balance of %v overflows", a)
		}
		bal[a] = s
		return nil
	}
	for _, m := range cfg.Genesis {
		if err := add(m.To, uint64(m.Amount)); err != nil {
			return f, err
		}
		f.genesis += uint64(m.Amount)
	}
	for _, b := range n.MainBlocks() {
		h := &b.Header
		if int(h.Miner) >= len(cfg.Miners) {
			return f, fmt.Errorf("block at height %d: miner %d has no address", h.Height, h.Miner)
		}
		miner := cfg.Miners[h.Miner]
		if err := add(miner, reward); err != nil {
			return f, err
		}
		f.minted += reward
		for _, tx := range b.Txs {
			t, ok := tx.(*ledger.Transfer)
			if !ok {
				return f, fmt.Errorf("block at height %d carries a %v", h.Height, tx.Kind())
			}
			cost := uint64(t.Amount) + uint64(t.Fee)
			if bal[t.From] < cost {
				return f, fmt.Errorf("block at height %d: %v spends %d with %d", h.Height, t.From, cost, bal[t.From])
			}
			bal[t.From] -= cost
			if err := add(t.To, uint64(t.Amount)); err != nil {
				return f, err
			}
			if err := add(miner, uint64(t.Fee)); err != nil {
				return f, err
			}
			f.transfers += uint64(t.Amount)
			f.fees += uint64(t.Fee)
		}
	}
	var total uint64
	nonzero := 0
	for _, v := range bal {
		total += v
		if v != 0 {
			nonzero++
		}
	}
	if total != f.genesis+f.minted {
		return f, fmt.Errorf("balances %d != genesis %d + minted %d", total, f.genesis, f.minted)
	}
	held := 0
	for _, a := range n.State().Accounts(nil) {
		if uint64(a.Balance) != bal[a.Address] {
			return f, fmt.Errorf("the node's ledger holds %d for %v, the replay %d", a.Balance, a.Address, bal[a.Address])
		}
		if a.Balance != 0 {
			held++
		}
	}
	if held != nonzero {
		return f, fmt.Errorf("the node's ledger holds %d non-empty accounts, the replay %d", held, nonzero)
	}
	return f, nil
}
