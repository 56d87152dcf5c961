package coinai

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"testing"

	"github.com/coinai/coinai/nodes/ledger"
)

func TestHeaderRoundTrip(t *testing.T) {
	if HeaderSize != 256 {
		t.Fatalf("HeaderSize %d, want 256", HeaderSize)
	}
	h := Header{Version: 1, Height: 7, Time: -5, Accuracy: 912345, Threshold: 900000, Attempt: 3}
	h.Prev[0], h.Problem[1], h.Model[2], h.TxRoot[3] = 1, 2, 3, 4
	if err := h.Sign(testKey(1)); err != nil {
		t.Fatal(err)
	}
	b := h.Append(nil)
	if len(b) != HeaderSize {
		t.Fatalf("encoded %d bytes", len(b))
	}
	if got := binary.LittleEndian.Uint64(b[offHeight:]); got != 7 {
		t.Errorf("height at its offset: %d", got)
	}
	d, err := DecodeHeader(b)
	if err != nil || d != h {
		t.Fatalf("round trip: %+v, %v", d, err)
	}
	if err := d.VerifySig(); err != nil {
		t.Fatal(err)
	}
	if d.ID() != sha256.Sum256(b) {
		t.Error("id is not the hash of the encoding")
	}
	// The signature covers every field before it.
	for off := 0; off < offSig; off++ {
		c := bytes.Clone(b)
		c[off] ^= 0x80
		e, _ := DecodeHeader(c)
		if e.VerifySig() == nil {
			t.Fatalf("flipping byte %d keeps the signature valid", off)
		}
	}
}

// TestTxRoot pins the RFC 6962 shape against hashes built by hand.
func TestTxRoot(t *testing.T) {
	var txs []ledger.Tx
	for i := range 3 {
		tx := &ledger.Transfer{From: ledger.AddressOfKey(testKey(i)), Amount: 1, Nonce: uint64(i)}
		if err := tx.Sign(testKey(i)); err != nil {
			t.Fatal(err)
		}
		txs = append(txs, tx)
	}
	leaf := func(tx ledger.Tx) [32]byte {
		id := tx.ID()
		return sha256.Sum256(append([]byte{0}, id[:]...))
	}
	node := func(l, r [32]byte) [32]byte {
		return sha256.Sum256(append(append([]byte{1}, l[:]...), r[:]...))
	}
	empty := [32]byte{0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
		0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55}
	tests := []struct {
		n    int
		want [32]byte
	}{
		{0, empty},
		{1, leaf(txs[0])},
		{2, node(leaf(txs[0]), leaf(txs[1]))},
		{3, node(node(leaf(txs[0]), leaf(txs[1])), leaf(txs[2]))},
	}
	for _, tt := range tests {
		if got := TxRoot(txs[:tt.n]); got != tt.want {
			t.Errorf("TxRoot of %d: %x, want %x", tt.n, got[:8], tt.want[:8])
		}
	}
}

func TestSeed(t *testing.T) {
	var prev [32]byte
	prev[0] = 9
	miner := ledger.AddressOfKey(testKey(1))
	buf := append([]byte("coinai/seed"), prev[:]...)
	buf = append(buf, miner[:]...)
	buf = append(buf, 5, 0, 0, 0)
	h := sha256.Sum256(buf)
	if got, want := Seed(prev, miner, 5), binary.LittleEndian.Uint64(h[:8]); got != want {
		t.Errorf("Seed = %#x, want %#x", got, want)
	}
	if Seed(prev, miner, 5) == Seed(prev, miner, 6) {
		t.Error("attempts share a seed")
	}
}

func TestRetarget(t *testing.T) {
	const T = 600e9
	tests := []struct {
		name        string
		old         uint32
		actual      int64
		step, floor uint32
		want        uint32
	}{
		{"on target", 500000, T, 10000, 100000, 500000},
		{"twice as fast", 500000, T / 2, 10000, 100000, 510000},
		{"four times as fast: clamped", 500000, T / 4, 10000, 100000, 510000},
		{"twice as slow", 500000, 2 * T, 10000, 100000, 490000},
		{"4/3 as fast: log2(4/3) = 0.415", 500000, T * 3 / 4, 10000, 100000, 504150},
		{"zero time counts as fast", 500000, 0, 10000, 100000, 510000},
		{"floor", 105000, 2 * T, 10000, 100000, 100000},
		{"ceiling", 995000, 1, 10000, 100000, MaxThreshold},
		{"no step", 500000, 1, 0, 100000, 500000},
	}
	for _, tt := range tests {
		if got := Retarget(tt.old, tt.actual, T, tt.step, tt.floor); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
	}
}

// TestThresholdRule: with a window of 2 blocks and a 10 s target, a first
// block after 1 s makes the block at height 2 need one step more.
func TestThresholdRule(t *testing.T) {
	cfg := testConfig(t, 0, false)
	cfg.ThresholdWindow, cfg.TargetInterval = 2, 10e9
	n := newTestNet(t, []Config{cfg}, nil, 1e6).start()
	g := Genesis(cfg)
	b1, m1 := validChild(t, cfg, g, testKey(1), 1e9, nil)
	n.deliver(m1)
	if got := n.nodes[0].Threshold(); got != 0.51 {
		t.Fatalf("threshold at height 2: %v, want 0.51", got)
	}
	r := trainFor(t, cfg, b1.Header.ID(), ledger.AddressOfKey(testKey(1)), 0, 2)
	_, stale := makeBlock(t, b1.Header, r.Model, testKey(1), 2e9, 500000, nil)
	n.deliver(stale)
	if got := n.lastRejection(); got != "bad-threshold" {
		t.Fatalf("old threshold: rejection %q, want bad-threshold", got)
	}
	_, ok := makeBlock(t, b1.Header, r.Model, testKey(1), 2e9, 510000, nil)
	n.deliver(ok)
	if _, h := n.nodes[0].Tip(); h != 2 {
		t.Fatalf("height %d after the retargeted block (%q)", h, n.lastRejection())
	}
	if got := n.nodes[0].Threshold(); got != 0.51 {
		t.Errorf("threshold at height 3 (no retarget): %v, want 0.51", got)
	}
}
