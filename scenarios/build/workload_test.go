package build

import (
	"path/filepath"
	"testing"

	"github.com/coinai/coinai/nodes/ledger"
	"github.com/coinai/coinai/scenarios"
)

const workloadScenario = `[run]
protocol = "coinai"
stop_time = "2h"

[[group]]
name = "miners"
count = 12
hardware = "laptop-cpu"

[[workload]]
name = "replay"
kind = "trace"
accounts = 2
fund = 10
until = "1h"
file = "trace.csv"

[[workload]]
name = "users"
kind = "poisson"
accounts = 30
fund = 100
rate = "60/m"
until = "30m"
problem_share = 0.3
amount = 1
fee = 0.001
reward = 2
deadline = "10m"
datasets = ["wine", "digits"]
`

// The trace becomes exactly its rows, signed with consecutive nonces, a
// row the account's remaining funds cannot pay left out; the poisson
// users submit about rate × duration transactions of both kinds, every
// one signed by its account with consecutive nonces, within the window,
// from funded accounts whose home is a node; the draw is a function of the
// seed.
func TestBuildWorkload(t *testing.T) {
	s, err := scenarios.Parse(filepath.Join("testdata", "w.toml"), []byte(workloadScenario))
	if err != nil {
		t.Fatal(err)
	}
	p, err := FromScenario(s)
	if err != nil {
		t.Fatal(err)
	}
	w := p.Workload
	if w == nil || len(w.Accounts) != 32 || len(w.Genesis) != 32 || w.Genesis[0].Amount != 10*ledger.Coin ||
		w.Genesis[2].Amount != 100*ledger.Coin || w.Pick != ledger.PickFee {
		t.Fatalf("workload %d accounts, genesis %v, pick %q", len(w.Accounts), w.Genesis[:3], w.Pick)
	}
	// Trace: 10 coins pay 2.5+0.001, then the 8-coin row would need 8 of
	// the 7.499 left (skipped), then 1+0.002.
	var trace []Sub
	nonces := map[int]uint64{}
	kinds := map[string]int{}
	for _, sub := range w.Subs {
		if err := ledger.VerifyTxs([]ledger.Tx{sub.Tx}); err != nil {
			t.Fatalf("submission at %v: %v", sub.At, err)
		}
		h := sub.Tx.Header()
		if h.Sender != w.Accounts[sub.Account] || h.Nonce != nonces[sub.Account] {
			t.Fatalf("submission at %v: sender %v nonce %d, want account %d nonce %d", sub.At, h.Sender, h.Nonce, sub.Account, nonces[sub.Account])
		}
		nonces[sub.Account]++
		if sub.Home < 0 || int(sub.Home) >= len(p.Nodes) {
			t.Fatalf("home %d", sub.Home)
		}
		if sub.Workload == "replay" {
			trace = append(trace, sub)
			continue
		}
		kinds[sub.Tx.Kind().String()]++
		if sub.At < 0 || sub.At >= 30*60e9 {
			t.Errorf("poisson submission at %v outside [0, 30m)", sub.At)
		}
		if pr, ok := sub.Tx.(*ledger.Problem); ok {
			if (pr.Dataset != "wine" || pr.Classes != 3) && (pr.Dataset != "digits" || pr.Classes != 10) {
				t.Errorf("problem on %q with %d classes", pr.Dataset, pr.Classes)
			}
			if pr.Deadline != uint64(sub.At)+600e9 || pr.Fee < ledger.Coin || pr.Fee > 3*ledger.Coin {
				t.Errorf("problem deadline %d at %d, reward %v", pr.Deadline, sub.At, pr.Fee)
			}
		}
	}
	if w.Skipped != 1 || len(trace) != 3 {
		t.Fatalf("trace: %d submissions, %d skipped; want 3 and 1", len(trace), w.Skipped)
	}
	t0, ok := trace[0].Tx.(*ledger.Transfer)
	if !ok || t0.Amount != 250_000_000 || t0.Fee != 100_000 || t0.To != w.Accounts[1] || trace[0].At != 1e9 {
		t.Errorf("trace row 1 became %+v at %v", trace[0].Tx, trace[0].At)
	}
	if p1, ok := trace[1].Tx.(*ledger.Problem); !ok || p1.Fee != 3*ledger.Coin || p1.Deadline != 602.5e9 || p1.Dataset != "iris" {
		t.Errorf("trace row 2 became %+v", trace[1].Tx)
	}
	if t2, ok := trace[2].Tx.(*ledger.Transfer); !ok || t2.Amount != ledger.Coin || t2.Nonce != 1 {
		t.Errorf("trace row 4 became %+v", trace[2].Tx)
	}
	// 60/m for 30 minutes: 1800 expected, a Poisson count within 5 sigma.
	n := kinds["transfer"] + kinds["problem"]
	if n < 1800-5*43 || n > 1800+5*43 || kinds["problem"] < n/5 || kinds["problem"] > 2*n/5 {
		t.Errorf("poisson: %v submissions", kinds)
	}
	// The same seed gives the same submissions.
	again, err := FromScenario(s)
	if err != nil {
		t.Fatal(err)
	}
	for i := range w.Subs {
		if again.Workload.Subs[i].ID != w.Subs[i].ID {
			t.Fatalf("submission %d differs between two builds", i)
		}
	}
	// Each node gets its own users' submissions, and the market its data.
	if m := p.CoinAI.Market; m == nil || len(m.Data) != 3 || m.Data[0].Dataset != "digits" || m.Data[1].Dataset != "iris" ||
		m.Data[2].Dataset != "wine" || m.Data[2].Ranges.MaxConvs != 0 {
		t.Errorf("market data %+v", p.CoinAI.Market)
	}
}
