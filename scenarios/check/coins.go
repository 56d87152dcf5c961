package check

import (
	"fmt"
	"math/bits"

	"github.com/coinai/coinai/nodes/coinai"
	"github.com/coinai/coinai/nodes/ledger"
)

const nameCoins = "coins-conserved"

// coinFlows are the coins a main chain moved, by kind, in base units.
type coinFlows struct {
	genesis, minted, transfers, fees, escrowed, paid, refunded uint64
}

// coins replays every Coin.AI node's main chain with its own bookkeeping,
// written apart from package ledger (genesis funds, block rewards, storage
// mints, transfers and their fees, problem escrows, the rewards of solved
// problems and the refunds of expired ones), and asserts that
//   - no balance goes negative and no problem is solved or refunded twice;
//   - balances plus escrow equal the genesis funds plus everything minted;
//   - the node's ledger holds exactly these balances and this escrow.
func (s *Suite) coins() (ok, reason string) {
	var flows coinFlows
	checked := 0
	for i := range s.h.NumNodes() {
		n, is := s.h.Node(i).(*coinai.Node)
		if !is {
			continue
		}
		f, err := replayCoins(s.cfg.CoinAI, n)
		if err != nil {
			return "", fmt.Sprintf("node %d: %v", i, err)
		}
		if checked == 0 || f.minted > flows.minted {
			flows = f // report the longest chain's flows
		}
		checked++
	}
	c := func(v uint64) string { return ledger.Amount(v).String() }
	return fmt.Sprintf("%d nodes' main chains replayed; the longest: genesis %s + minted %s = balances + escrow; "+
		"transfers %s, fees %s, escrowed %s, paid to solvers %s, refunded %s",
		checked, c(flows.genesis), c(flows.minted), c(flows.transfers), c(flows.fees), c(flows.escrowed), c(flows.paid), c(flows.refunded)), ""
}

// replayCoins is the independent bookkeeping of one node's main chain.
func replayCoins(cfg *coinai.Config, n *coinai.Node) (coinFlows, error) {
	var f coinFlows
	bal := map[ledger.Address]uint64{}
	add := func(a ledger.Address, v uint64) error {
		s, carry := bits.Add64(bal[a], v, 0)
		if carry != 0 {
			return fmt.Errorf("balance of %v overflows", a)
		}
		bal[a] = s
		return nil
	}
	sub := func(a ledger.Address, v uint64, what string) error {
		if bal[a] < v {
			return fmt.Errorf("%s: %v spends %d with %d", what, a, v, bal[a])
		}
		bal[a] -= v
		return nil
	}
	type open struct {
		p  *ledger.Problem
		id [32]byte
	}
	var escrow []open // in inclusion order; few enough to scan
	var escrowed uint64
	if cfg.Market != nil {
		for _, m := range cfg.Market.Genesis {
			if err := add(m.To, uint64(m.Amount)); err != nil {
				return f, err
			}
			f.genesis += uint64(m.Amount)
		}
	}
	var parentTime int64
	for _, b := range n.MainBlocks() {
		h := &b.Header
		where := fmt.Sprintf("block at height %d", h.Height)
		if h.Problem != ([32]byte{}) {
			k := -1
			for j, o := range escrow {
				if o.id == h.Problem {
					k = j
				}
			}
			if k < 0 {
				return f, fmt.Errorf("%s solves a problem with no escrow", where)
			}
			if p := escrow[k].p; p.Deadline != 0 && p.Deadline <= uint64(parentTime) {
				return f, fmt.Errorf("%s solves a problem past its deadline", where)
			}
			if err := add(h.Miner, uint64(escrow[k].p.Fee)); err != nil {
				return f, err
			}
			f.paid += uint64(escrow[k].p.Fee)
			escrowed -= uint64(escrow[k].p.Fee)
			escrow = append(escrow[:k], escrow[k+1:]...)
		}
		kept := escrow[:0]
		for _, o := range escrow {
			if o.p.Deadline != 0 && o.p.Deadline <= uint64(parentTime) {
				if err := add(o.p.Submitter, uint64(o.p.Fee)); err != nil {
					return f, err
				}
				f.refunded += uint64(o.p.Fee)
				escrowed -= uint64(o.p.Fee)
				continue
			}
			kept = append(kept, o)
		}
		escrow = kept
		if err := add(h.Miner, uint64(cfg.BlockReward)); err != nil {
			return f, err
		}
		f.minted += uint64(cfg.BlockReward)
		for _, m := range b.Mints {
			if err := add(m.To, uint64(m.Amount)); err != nil {
				return f, err
			}
			f.minted += uint64(m.Amount)
		}
		for _, tx := range b.Txs {
			hd := tx.Header()
			switch t := tx.(type) {
			case *ledger.Transfer:
				if err := sub(t.From, uint64(t.Amount)+uint64(t.Fee), where); err != nil {
					return f, err
				}
				if err := add(t.To, uint64(t.Amount)); err != nil {
					return f, err
				}
				f.transfers += uint64(t.Amount)
			case *ledger.Problem:
				if err := sub(t.Submitter, uint64(t.Fee), where); err != nil {
					return f, err
				}
				escrow = append(escrow, open{t, t.ID()})
				escrowed += uint64(t.Fee)
				f.escrowed += uint64(t.Fee)
				continue // escrowed, not paid to this block's miner
			default:
				if err := sub(hd.Sender, uint64(hd.Fee), where); err != nil {
					return f, err
				}
			}
			if err := add(h.Miner, uint64(hd.Fee)); err != nil {
				return f, err
			}
			f.fees += uint64(hd.Fee)
		}
		parentTime = h.Time
	}
	var total uint64
	for _, v := range bal {
		total += v
	}
	if total+escrowed != f.genesis+f.minted {
		return f, fmt.Errorf("balances %d + escrow %d != genesis %d + minted %d", total, escrowed, f.genesis, f.minted)
	}
	st := n.State()
	if got := uint64(st.Escrowed()); got != escrowed {
		return f, fmt.Errorf("the node's ledger escrows %d, the replay %d", got, escrowed)
	}
	accts := st.Accounts(nil)
	nonzero := 0
	for _, v := range bal {
		if v != 0 {
			nonzero++
		}
	}
	held := 0
	for _, a := range accts {
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
