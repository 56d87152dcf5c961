package coinai

import (
	"crypto/sha256"
	"testing"

	"github.com/coinai/coinai/nodes/dataset"
	"github.com/coinai/coinai/nodes/grammar"
	"github.com/coinai/coinai/nodes/ledger"
	"github.com/coinai/coinai/nodes/nn"
)

// irisMarket is a market serving iris (dense-only ranges) with user key
// 7 funded with 100 coins.
func irisMarket(t *testing.T) (*Market, []byte) {
	t.Helper()
	s, err := dataset.Iris()
	if err != nil {
		t.Fatal(err)
	}
	tr, va, te := s.Split(1, 0.15, 0.2)
	user := testKey(7)
	return &Market{Pick: ledger.PickFee,
		Data:    []MarketData{{Dataset: "iris", Data: Data{Name: "iris/split1", Train: tr, Val: va, Test: te}, Ranges: tinyRanges()}},
		Genesis: []ledger.Mint{{To: ledger.AddressOfKey(user), Amount: 100 * ledger.Coin}}}, user
}

// problemBlock builds a signed block on parent claiming problem, with a
// model trained on d for parent (epochs epochs) by key's owner.
func problemBlock(t *testing.T, cfg Config, d *Data, rg grammar.Ranges, parent Header, key []byte, at int64, problem [32]byte, txs []ledger.Tx) []byte {
	t.Helper()
	tr := d.Train
	a, err := grammar.Decode(parent.ID(), rg, tr.C, tr.H, tr.W, tr.Classes)
	if err != nil {
		t.Fatal(err)
	}
	r := (&TrainJob{Arch: a, Data: d, Seed: 1, Train: nn.TrainConfig{Epochs: 30, Batch: 8, LR: 0.1, Momentum: 0.9}}).Run().(*TrainResult)
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	h := Header{Version: Version, Prev: parent.ID(), Height: parent.Height + 1, Time: at, Problem: problem,
		Model: sha256.Sum256(r.Model), TxRoot: TxRoot(txs), Accuracy: 900000, Threshold: Genesis(cfg).Threshold}
	if err := h.Sign(key); err != nil {
		t.Fatal(err)
	}
	return AppendBlock(nil, &Block{Header: h, Model: r.Model, Txs: txs})
}

// TestMarketBlockRules: under a market, the block after the one that
// includes an iris problem must solve it (with an iris model: the default
// problem or a digits model is refused), which pays the escrow to its
// miner; once the problem's deadline is behind the parent, the next block
// must train on the default problem, refunds the escrow, and a block
// claiming the problem is refused.
func TestMarketBlockRules(t *testing.T) {
	k1, k3 := testKey(1), testKey(3)
	for _, tt := range []struct {
		name     string
		deadline uint64 // ns
		claim    bool   // block 2 claims the problem (else the default)
		reject   string
		user, k3 ledger.Amount // balances after block 2
	}{
		{"solves the open problem", 100e9, true, "", 95 * ledger.Coin, 55 * ledger.Coin},
		{"ignores the open problem", 100e9, false, "wrong-problem", 95 * ledger.Coin, 0},
		{"claims an expired problem", 5e9, true, "wrong-problem", 95 * ledger.Coin, 0},
		{"refunds an expired problem", 5e9, false, "", 100 * ledger.Coin, 50 * ledger.Coin},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t, 0, false)
			m, user := irisMarket(t)
			cfg.Market = m
			n := newTestNet(t, []Config{cfg}, nil, 1e6).start()
			cfg = n.nodes[0].cfg
			p := &ledger.Problem{Submitter: ledger.AddressOfKey(user), Dataset: "iris", Classes: 3, TrainFrac: 650, ValFrac: 150,
				TestFrac: 200, SplitSeed: 1, Deadline: tt.deadline, Fee: 5 * ledger.Coin}
			if err := p.Sign(user); err != nil {
				t.Fatal(err)
			}
			b1, m1 := validChild(t, cfg, Genesis(cfg), k1, 10e9, []ledger.Tx{p})
			n.deliver(m1)
			if _, h := n.nodes[0].Tip(); h != 1 {
				t.Fatalf("block 1 with the problem: height %d, rejection %q", h, n.lastRejection())
			}
			if got := n.nodes[0].Balance(ledger.AddressOfKey(user)); got != 95*ledger.Coin {
				t.Fatalf("after inclusion the user holds %d, want 95 coins", got)
			}
			var m2 []byte
			if tt.claim {
				m2 = problemBlock(t, cfg, &cfg.Market.Data[0].Data, tinyRanges(), b1.Header, k3, 20e9, p.ID(), nil)
			} else {
				_, m2 = validChild(t, cfg, b1.Header, k3, 20e9, nil)
			}
			n.deliver(m2)
			_, h := n.nodes[0].Tip()
			if tt.reject != "" {
				if got := n.lastRejection(); got != tt.reject || h != 1 {
					t.Errorf("rejection %q at height %d, want %q at 1", got, h, tt.reject)
				}
			} else if h != 2 {
				t.Fatalf("height %d, rejection %q: want block 2 accepted", h, n.lastRejection())
			}
			if got := n.nodes[0].Balance(ledger.AddressOfKey(user)); got != tt.user {
				t.Errorf("user holds %d, want %d", got, tt.user)
			}
			if got := n.nodes[0].Balance(ledger.AddressOfKey(k3)); got != tt.k3 {
				t.Errorf("miner of block 2 holds %d, want %d", got, tt.k3)
			}
			if err := n.nodes[0].Invariants(); err != nil {
				t.Error(err)
			}
		})
	}
}

// A market with an unknown pick rule, or together with the lottery, is
// refused at construction.
func TestMarketConfigRefused(t *testing.T) {
	for _, tt := range []struct {
		name string
		edit func(*Config)
	}{
		{"unknown rule", func(c *Config) { c.Market.Pick = "cheapest" }},
		{"lottery", func(c *Config) { c.Lottery = LotteryConfig{Enabled: true, Difficulty: 1} }},
		{"data twice", func(c *Config) { c.Market.Data = append(c.Market.Data, c.Market.Data[0]) }},
	} {
		cfg := testConfig(t, 0, false)
		cfg.Market, _ = irisMarket(t)
		tt.edit(&cfg)
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: New accepted the config", tt.name)
		}
	}
}
