package pipeline

import (
	"strings"
	"testing"

	"github.com/coinai/coinai/scenarios/build"
)

// Both protocols under the same workload seed submit the identical
// transfer sequence: pow-market.toml and coinai-market.toml with its
// problems turned off resolve to the same signed transfers (same ids,
// hence same keys, amounts, fees and nonces), at the same times, from the
// same home nodes.
// So do pow-mixed-hardware.toml and coinai-mixed-hardware.toml.
func TestPoWTwinSameTransfers(t *testing.T) {
	for _, pair := range [][2]string{{"../pow-market.toml", "../coinai-market.toml"}, {"../pow-mixed-hardware.toml", "../coinai-mixed-hardware.toml"}} {
		t.Run(strings.TrimSuffix(strings.TrimPrefix(pair[0], "../"), ".toml"), func(t *testing.T) { sameTransfers(t, pair[0], pair[1]) })
	}
}

func sameTransfers(t *testing.T, powFile, coinFile string) {
	plans := map[string]*build.Plan{}
	for _, tc := range []struct {
		file string
		set  []string
	}{{powFile, nil}, {coinFile, []string{"workload.0.problem_share=0"}}} {
		p, err := build.FromScenario(loadWith(t, tc.file, tc.set...))
		if err != nil {
			t.Fatal(err)
		}
		plans[p.Protocol] = p
	}
	pw, ca := plans["pow"].Workload, plans["coinai"].Workload
	if pw == nil || ca == nil || len(pw.Subs) < 100 {
		t.Fatalf("workloads %v / %v", pw, ca)
	}
	if len(pw.Subs) != len(ca.Subs) || pw.Skipped != ca.Skipped {
		t.Fatalf("pow submits %d (%d skipped), coinai %d (%d skipped)", len(pw.Subs), pw.Skipped, len(ca.Subs), ca.Skipped)
	}
	for i := range pw.Subs {
		a, b := pw.Subs[i], ca.Subs[i]
		if a.ID != b.ID || a.At != b.At || a.Home != b.Home || a.Account != b.Account {
			t.Fatalf("submission %d differs: pow %x at %d from node %d, coinai %x at %d from node %d",
				i, a.ID[:4], a.At, a.Home, b.ID[:4], b.At, b.Home)
		}
	}
}

// pow-market.toml runs its users' transfers through PoW blocks: every one
// confirmed, the market keys filled, coins conserved on every node's
// chain, and the run byte-identical at GOMAXPROCS 1 and 2.
func TestPoWMarketScenario(t *testing.T) {
	res := runAtProcs12(t, "../pow-market.toml", "run.stop_time=40m", "workload.0.until=30m")
	s := res.Summary
	coins := false
	for _, c := range s.Checks {
		coins = coins || c.Name == "coins-conserved" && strings.Contains(c.Note, "200 nodes")
	}
	if !coins {
		t.Errorf("no coins-conserved check over the 200 nodes: %+v", s.Checks)
	}
	m := res.Market
	if len(m.Txs) < 100 || len(m.Problems) != 0 {
		t.Fatalf("%d transactions, %d problems", len(m.Txs), len(m.Problems))
	}
	confirmed := 0
	for _, tx := range m.Txs {
		if tx.Height > 0 {
			confirmed++
			if !(tx.ConfirmS() > 0) {
				t.Errorf("transfer %s confirmed %.3fs after its submission", tx.ID[:8], tx.ConfirmS())
			}
		}
	}
	// Submissions stop 10 minutes before the end: all are confirmed.
	if s.TransfersConfirmed == nil || int(*s.TransfersConfirmed) != len(m.Txs) || confirmed != len(m.Txs) {
		t.Errorf("transfers_confirmed = %v, %d of %d in the chain", s.TransfersConfirmed, confirmed, len(m.Txs))
	}
	if s.TxConfirmP50S == nil || !(*s.TxConfirmP50S > 0) || s.RewardFees == nil || !(*s.RewardFees > 0) {
		t.Errorf("tx_confirm_p50_s = %v, reward_fees = %v", s.TxConfirmP50S, s.RewardFees)
	}
}
