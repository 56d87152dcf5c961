package pow

import (
	"math"
	"testing"

	"github.com/coinai/coinai/nodes"
)

// TestPartialRefetchBytes checks the wire cost of a failed compact rebuild
// that fetches only the missing transactions, and of a node that does not
// speak compact relay: one hop between a miner and a peer.
func TestPartialRefetchBytes(t *testing.T) {
	// BlockSize 1,000,000: filler 999,859 bytes in 1,999 transactions.
	const filler, txs = 999_859, 1_999
	tests := []struct {
		name      string
		share     float64 // of the block the receiver lacks (0: rebuilds)
		noCompact bool    // the miner does not speak BIP 152
		want      map[MsgType]int
		extraRTT  bool // acceptance one round trip later
	}{
		{"all missing", 1, false, map[MsgType]int{MsgInv: 33, MsgGetData: 34, MsgCmpctBlock: 141 + 6*txs,
			MsgGetBlockTxn: 33, MsgBlockTxn: 33 + filler}, true},
		// 1% of 1,999 is 20 transactions: 20 one-byte indexes asked, and
		// ceil(999,859*20/1,999) = 10,004 bytes back.
		{"one percent", 0.01, false, map[MsgType]int{MsgInv: 33, MsgGetData: 34, MsgCmpctBlock: 141 + 6*txs,
			MsgGetBlockTxn: 37 + 20, MsgBlockTxn: 33 + 10_004}, true},
		// A share that rounds to no transaction still fetches one.
		{"tiny share", 1e-6, false, map[MsgType]int{MsgInv: 33, MsgGetData: 34, MsgCmpctBlock: 141 + 6*txs,
			MsgGetBlockTxn: 37 + 1, MsgBlockTxn: 33 + 501}, true},
		// A share that rounds to every transaction asks for the block.
		{"rounds to all", 0.99999, false, map[MsgType]int{MsgInv: 33, MsgGetData: 34, MsgCmpctBlock: 141 + 6*txs,
			MsgGetBlockTxn: 33, MsgBlockTxn: 33 + filler}, true},
		// The miner answers a compact request with the whole block, which
		// needs no rebuild whatever the receiver's mempool.
		{"server without compact", 0.5, true, map[MsgType]int{MsgInv: 33, MsgGetData: 34, MsgBlock: 141 + filler}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c0, c1 := testConfig(0), testConfig(1)
			c0.NoCompact = tc.noCompact
			c1.Relay = RelayCompact
			net := newTestNet(t, []Config{c0, c1}, [][2]int{{0, 1}}, 1e9, 1)
			net.Env(1).MissesTxs, net.Env(1).MissingShare = true, tc.share
			net.At(10e9, func() { net.nodes[0].mine() })
			net.Run(math.MaxInt64)
			if !maps(net.bytes, tc.want) {
				t.Errorf("bytes %v, want %v", net.bytes, tc.want)
			}
			a, _ := net.nodes[0].Tip()
			b, _ := net.nodes[1].Tip()
			if a != b {
				t.Error("block not accepted")
			}
			if acc := net.Events(nodes.EvAccepted); len(acc) != 2 || acc[1].At != 10e9+3e9+2e9*b2i(tc.extraRTT) {
				t.Errorf("acceptances %+v", acc)
			}
		})
	}
}

// TestTxnBytes checks the BlockTxn padding for a share of a block.
func TestTxnBytes(t *testing.T) {
	tests := []struct {
		count   uint32
		bytes   uint64
		missing uint32
		want    int
	}{
		{2000, 1_000_000, 0, 1_000_000},    // all
		{2000, 1_000_000, 2000, 1_000_000}, // all, named
		{2000, 1_000_000, 20, 10_000},
		{3, 10, 1, 4}, // rounded up
		{0, 0, 5, 0},
	}
	for _, tc := range tests {
		if got := txnBytes(tc.count, tc.bytes, tc.missing); got != tc.want {
			t.Errorf("txnBytes(%d, %d, %d) = %d, want %d", tc.count, tc.bytes, tc.missing, got, tc.want)
		}
	}
}

// TestValidationDelay checks the delay of each message type: base plus
// per transaction for a block in either form, nothing otherwise.
func TestValidationDelay(t *testing.T) {
	cfg := testConfig(0)
	b, full := child(cfg, mustGenesis(t, cfg), 100e9, 7, 0)
	cmpct := append([]byte{byte(MsgCmpctBlock)}, full[1:]...)
	d := ValidationDelay(2e6, 10e3)
	txs := int64(b.Filler.Count)
	if txs == 0 {
		t.Fatal("test block has no transactions")
	}
	id := b.Header.ID()
	inv := (&Message{Type: MsgInv, ID: id}).Append(nil)
	for _, tc := range []struct {
		name string
		msg  []byte
		want int64
	}{
		{"block", full, 2e6 + 10e3*txs},
		{"cmpctblock", cmpct, 2e6 + 10e3*txs},
		{"inv", inv, 0},
		{"getblocktxn", (&Message{Type: MsgGetBlockTxn, ID: id}).Append(nil), 0},
	} {
		if got := d(tc.msg, 0); got != tc.want {
			t.Errorf("%s: delay %d, want %d", tc.name, got, tc.want)
		}
	}
}
