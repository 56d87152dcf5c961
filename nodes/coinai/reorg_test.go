package coinai

import (
	"testing"

	"github.com/coinai/coinai/nodes/ledger"
)

// TestReorgRestoresBalances: a node that followed chain A (with a
// transfer) and then reorganised to the heavier chain B holds exactly the
// ledger of a node that only ever saw B.
func TestReorgRestoresBalances(t *testing.T) {
	x, y := validator(t), validator(t)
	cfg := x.nodes[0].cfg
	g := Genesis(cfg)
	k1, k2 := testKey(1), testKey(2)
	a1k, a4 := ledger.AddressOfKey(k1), ledger.AddressOfKey(testKey(4))
	tx := &ledger.Transfer{From: a1k, To: a4, Amount: ledger.Coin, Fee: 10}
	if err := tx.Sign(k1); err != nil {
		t.Fatal(err)
	}
	a1, ma1 := validChild(t, cfg, g, k1, 10e9, nil)
	_, ma2 := validChild(t, cfg, a1.Header, k1, 20e9, []ledger.Tx{tx})
	b1, mb1 := validChild(t, cfg, g, k2, 11e9, nil)
	b2, mb2 := validChild(t, cfg, b1.Header, k2, 21e9, nil)
	b3, mb3 := validChild(t, cfg, b2.Header, k2, 31e9, nil)

	for _, m := range [][]byte{ma1, ma2} {
		x.deliver(m)
	}
	nx := x.nodes[0]
	if _, h := nx.Tip(); h != 2 {
		t.Fatalf("chain A: height %d (%q)", h, x.lastRejection())
	}
	if got := nx.Balance(a4); got != ledger.Coin {
		t.Fatalf("on chain A the payee holds %v, want 1 coin", got)
	}
	if got, want := nx.Balance(a1k), 2*cfg.BlockReward-ledger.Coin; got != want {
		t.Fatalf("on chain A the miner holds %v, want %v", got, want)
	}
	for _, m := range [][]byte{mb1, mb2, mb3} {
		x.deliver(m)
		y.deliver(m)
	}
	ny := y.nodes[0]
	tx_, hx := nx.Tip()
	ty, hy := ny.Tip()
	if tx_ != b3.Header.ID() || ty != tx_ || hx != 3 || hy != 3 {
		t.Fatalf("tips %x@%d and %x@%d, want B3", tx_[:4], hx, ty[:4], hy)
	}
	if nx.State().Digest() != ny.State().Digest() {
		t.Fatal("ledger after reorg differs from the ledger of chain B alone")
	}
	for _, c := range []struct {
		addr ledger.Address
		want ledger.Amount
	}{{a1k, 0}, {a4, 0}, {ledger.AddressOfKey(k2), 3 * cfg.BlockReward}} {
		if got := nx.Balance(c.addr); got != c.want {
			t.Errorf("balance of %v: %v, want %v", c.addr, got, c.want)
		}
	}
	if !nx.pool.Has(tx.ID()) {
		t.Error("the undone transfer did not return to the pool")
	}
}
