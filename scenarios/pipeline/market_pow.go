package pipeline

import (
	"encoding/hex"
	"math"

	"github.com/coinai/coinai/nodes/ledger"
	"github.com/coinai/coinai/nodes/pow"
	"github.com/coinai/coinai/scenarios/build"
	"github.com/coinai/coinai/scenarios/host"
	"github.com/coinai/coinai/scenarios/observe"
)

// powMarketResult is marketResult for the PoW baseline: every submitted
// transfer matched against the final main chain of the reference node
// (the honest PoW node with the highest tip, the lowest index among
// equals); the main chain's fees are what its miners were paid beside the
// coinbase. PoW carries transfers only, so there are no problems.
func powMarketResult(p *build.Plan, h *host.Host, cheats map[int32]string) *observe.MarketResult {
	wl := p.Workload
	var ref *pow.Node
	m := &observe.MarketResult{Reference: -1, Skipped: wl.Skipped}
	best := int64(-1)
	for i := range h.NumNodes() {
		n, ok := h.Node(i).(*pow.Node)
		if !ok || cheats[int32(i)] != "" {
			continue
		}
		if _, height := n.Tip(); height > best {
			ref, best, m.Reference = n, height, int32(i)
		}
	}
	if ref == nil {
		return m
	}
	type inc struct {
		at     float64
		height int64
	}
	included := map[[32]byte]inc{}
	for _, b := range ref.MainBlocks() {
		for _, tx := range b.Txs {
			included[tx.ID()] = inc{float64(b.Header.Time) / 1e9, int64(b.Header.Height)}
			m.RewardFees += coinsOf(tx.Header().Fee)
		}
	}
	accounts := make(map[ledger.Address]int, len(wl.Accounts))
	for i, a := range wl.Accounts {
		accounts[a] = i
	}
	for _, s := range wl.Subs {
		tx, ok := s.Tx.(*ledger.Transfer)
		if !ok {
			continue
		}
		tr := observe.TxRec{ID: hex.EncodeToString(s.ID[:]), Kind: tx.Kind().String(), Workload: s.Workload,
			From: s.Account, To: -1, Amount: coinsOf(tx.Amount), Fee: coinsOf(tx.Fee), SubmittedS: float64(s.At) / 1e9,
			ConfirmedS: math.NaN()}
		if to, ok := accounts[tx.To]; ok {
			tr.To = to
		}
		if c, ok := included[s.ID]; ok {
			tr.ConfirmedS, tr.Height = c.at, c.height
		}
		m.Txs = append(m.Txs, tr)
	}
	return m
}
