package pipeline

import (
	"encoding/hex"
	"math"

	"github.com/coinai/coinai/nodes/coinai"
	"github.com/coinai/coinai/nodes/ledger"
	"github.com/coinai/coinai/scenarios/build"
	"github.com/coinai/coinai/scenarios/host"
	"github.com/coinai/coinai/scenarios/observe"
)

// marketResult matches the plan's workload against the final main chain
// of the reference node (the honest Coin.AI node with the highest tip,
// the lowest index among equals), replayed through a fresh ledger from the
// genesis funds so that inclusions, solutions and refunds are read from
// the ledger's own rules, and against the deliveries the submitters'
// home nodes recorded.
func marketResult(p *build.Plan, h *host.Host, cheats map[int32]string) *observe.MarketResult {
	if p.Protocol == "pow" {
		return powMarketResult(p, h, cheats)
	}
	wl := p.Workload
	ref, best := int32(-1), int64(-1)
	for i := range h.NumNodes() {
		n, ok := h.Node(i).(*coinai.Node)
		if !ok || cheats[int32(i)] != "" {
			continue
		}
		if _, height := n.Tip(); height > best {
			ref, best = int32(i), height
		}
	}
	m := &observe.MarketResult{Reference: ref, Skipped: wl.Skipped}
	if ref < 0 {
		return m
	}
	miners := map[ledger.Address]int32{}
	for i := range p.Nodes {
		miners[ledger.AddressOfKey(ledger.KeyFromSeed(build.NodeKey(p.Seed, i)))] = int32(i)
	}
	type event struct {
		at     float64
		height int64
		miner  int32
	}
	included := map[[32]byte]event{}
	solved := map[[32]byte]event{}
	refunded := map[[32]byte]event{}
	st := ledger.NewState()
	st.Apply(ledger.BlockEffects{Mints: wl.Genesis})
	cfg := p.CoinAI
	var parentTime int64
	for _, b := range h.Node(int(ref)).(*coinai.Node).MainBlocks() {
		hd := &b.Header
		at := float64(hd.Time) / 1e9
		miner, ok := miners[hd.Miner]
		if !ok {
			miner = -1
		}
		ev := event{at, int64(hd.Height), miner}
		for _, id := range st.Expired(parentTime) {
			if id != hd.Problem {
				refunded[id] = ev
				if pr, ok := st.Problem(id); ok {
					m.RefundedCoins += coinsOf(pr.Fee)
				}
			}
		}
		if hd.Problem != ([32]byte{}) {
			solved[hd.Problem] = ev
			if pr, ok := st.Problem(hd.Problem); ok {
				m.RewardFees += coinsOf(pr.Fee)
			}
		}
		for _, tx := range b.Txs {
			included[tx.ID()] = ev
			if tx.Kind() != ledger.KindProblem {
				m.RewardFees += coinsOf(tx.Header().Fee)
			}
		}
		e := ledger.BlockEffects{Miner: hd.Miner, Reward: cfg.BlockReward, Solves: hd.Problem, Mints: b.Mints, Txs: b.Txs,
			Height: hd.Height, ParentTime: parentTime}
		if _, err := st.Apply(e); err != nil {
			// The node applied this chain; the checkers report a ledger
			// that disagrees (coins-conserved). Stop matching here.
			break
		}
		parentTime = hd.Time
	}
	type got struct {
		d   coinai.Delivery
		set bool
	}
	chain := h.Node(int(ref)).(*coinai.Node).MainChain()
	models := finalModels(p, h, ref, m)
	deliveries := map[[32]byte]got{}
	for _, s := range wl.Subs {
		if s.Tx.Kind() != ledger.KindProblem {
			continue
		}
		if _, done := deliveries[s.ID]; done {
			continue
		}
		sv, ok := solved[s.ID]
		if !ok || sv.height >= int64(len(chain)) {
			continue
		}
		for _, d := range h.Node(int(s.Home)).(*coinai.Node).Deliveries() {
			if d.Problem == s.ID && d.Block == chain[sv.height] {
				deliveries[s.ID] = got{d, true}
			}
		}
	}
	nan := math.NaN()
	accounts := make(map[ledger.Address]int, len(wl.Accounts))
	for i, a := range wl.Accounts {
		accounts[a] = i
	}
	for _, s := range wl.Subs {
		hdr := s.Tx.Header()
		tr := observe.TxRec{ID: hex.EncodeToString(s.ID[:]), Kind: s.Tx.Kind().String(), Workload: s.Workload,
			From: s.Account, To: -1, Fee: coinsOf(hdr.Fee), SubmittedS: float64(s.At) / 1e9, ConfirmedS: nan}
		if inc, ok := included[s.ID]; ok {
			tr.ConfirmedS, tr.Height = inc.at, inc.height
		}
		switch tx := s.Tx.(type) {
		case *ledger.Transfer:
			tr.Amount = coinsOf(tx.Amount)
			if to, ok := accounts[tx.To]; ok {
				tr.To = to
			}
		case *ledger.Problem:
			pr := observe.ProblemRec{ID: tr.ID, Workload: s.Workload, Account: s.Account, Home: s.Home, Dataset: tx.Dataset,
				Reward: coinsOf(tx.Fee), SubmittedS: tr.SubmittedS, DeadlineS: float64(tx.Deadline) / 1e9,
				IncludedS: tr.ConfirmedS, SolvedS: nan, RefundedS: nan, Miner: -1, DeliveredS: nan, RetrievalS: nan, Accuracy: nan}
			if sv, ok := solved[s.ID]; ok {
				pr.SolvedS, pr.Miner = sv.at, sv.miner
				if d := deliveries[s.ID]; d.set {
					pr.Delivered = true
					pr.DeliveredS = float64(d.d.At) / 1e9
					pr.RetrievalS = float64(d.d.At-d.d.Requested) / 1e9
					pr.Bytes = d.d.Bytes
					pr.Via = d.d.Via
					if d.d.N > 0 {
						pr.Accuracy = float64(d.d.Correct) / float64(d.d.N)
					}
				}
			}
			if sv, ok := solved[s.ID]; ok && m.Storage && sv.height < int64(len(chain)) {
				pr.Checked = true
				pr.RetrievableAtEnd = retrievableAtEnd(p, h, models, chain[sv.height])
			}
			if rf, ok := refunded[s.ID]; ok {
				pr.RefundedS = rf.at
			}
			m.Problems = append(m.Problems, pr)
		}
		m.Txs = append(m.Txs, tr)
	}
	return m
}

func coinsOf(a ledger.Amount) float64 { return float64(a) / float64(ledger.Coin) }
