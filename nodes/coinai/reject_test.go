package coinai

import (
	"crypto/sha256"
	"testing"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/grammar"
	"github.com/coinai/coinai/nodes/ledger"
	"github.com/coinai/coinai/nodes/nn"
)

// TestRejections offers a validator, holding only genesis (and for the
// duplicate case one valid block), a block broken in one way each, and
// checks the reason it reports.
func TestRejections(t *testing.T) {
	cfg := testConfig(t, 0, false)
	g := Genesis(cfg)
	k1, k2 := testKey(1), testKey(2)
	good := trainFor(t, cfg, g.ID(), ledger.AddressOfKey(k1), 0, 1)
	arch, _ := grammar.Decode(g.ID(), cfg.Ranges, 1, 8, 8, 10)
	untrained, _ := nn.NewModel(arch, 3)
	weak, _ := untrained.MarshalBinary()
	other := "fc64-relu"
	if arch.String() == other {
		other = "fc48-relu"
	}
	oa, _ := nn.ParseArch(other, 1, 8, 8, 10)
	om, _ := nn.NewModel(oa, 1)
	otherRaw, _ := om.MarshalBinary()

	// sign re-signs h with key after edit.
	build := func(edit func(h *Header, b *Block), key []byte) []byte {
		b, _ := makeBlock(t, g, good.Model, k1, 10e9, g.Threshold, nil)
		edit(&b.Header, &b)
		if key != nil {
			if err := b.Header.Sign(key); err != nil {
				t.Fatal(err)
			}
		}
		return AppendBlock(nil, &b)
	}
	tests := []struct {
		name  string
		first []byte // delivered before msg and accepted
		msg   []byte
		want  string
	}{
		{"below threshold", nil, build(func(h *Header, b *Block) { b.Model = weak; h.Model = sha256.Sum256(weak) }, k1), "below-threshold"},
		{"wrong commitment", nil, build(func(h *Header, b *Block) { h.Model[0] ^= 1 }, k1), "bad-commitment"},
		{"bad signature", nil, build(func(h *Header, b *Block) { h.Sig[5] ^= 1 }, nil), "bad-signature"},
		{"signed by another key", nil, build(func(h *Header, b *Block) { h.Miner = ledger.AddressOfKey(k2) }, nil), "bad-signature"},
		{"copied model re-signed", build(func(*Header, *Block) {}, nil),
			build(func(h *Header, b *Block) { h.Time = 11e9 }, k2), "duplicate-model"},
		{"wrong architecture", nil, build(func(h *Header, b *Block) { b.Model = otherRaw; h.Model = sha256.Sum256(otherRaw) }, k1), "wrong-architecture"},
		{"garbage model", nil, build(func(h *Header, b *Block) { b.Model = []byte("CAIM"); h.Model = sha256.Sum256(b.Model) }, k1), "bad-model"},
		{"wrong threshold", nil, build(func(h *Header, b *Block) { h.Threshold-- }, k1), "bad-threshold"},
		{"wrong problem", nil, build(func(h *Header, b *Block) { h.Problem[0] = 1 }, k1), "wrong-problem"},
		{"time not after parent", nil, build(func(h *Header, b *Block) { h.Time = 0 }, k1), "bad-time"},
		{"time in the future", nil, build(func(h *Header, b *Block) { h.Time = 3 * 3600e9 }, k1), "future-time"},
		{"wrong tx root", nil, build(func(h *Header, b *Block) { h.TxRoot[0] ^= 1 }, k1), "bad-txroot"},
		{"wrong version", nil, build(func(h *Header, b *Block) { h.Version = 2 }, k1), "bad-version"},
		{"accuracy above 1", nil, build(func(h *Header, b *Block) { h.Accuracy = PPM + 1 }, k1), "bad-accuracy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := validator(t)
			if tt.first != nil {
				n.deliver(tt.first)
				if len(n.Events(nodes.EvAccepted)) != 1 {
					t.Fatalf("first block not accepted: %q", n.lastRejection())
				}
			}
			n.deliver(tt.msg)
			if got := n.lastRejection(); got != tt.want {
				t.Errorf("rejection %q, want %q", got, tt.want)
			}
			if h := n.nodes[0].tree.Len(); h != 1+len(n.Events(nodes.EvAccepted)) || len(n.Events(nodes.EvAccepted)) > 1 {
				t.Errorf("tree holds %d blocks after a rejection", h)
			}
		})
	}
}

// TestRejectsBadTransactions: a block whose transfer is not funded at its
// parent is rejected, and so is its child.
func TestRejectsBadTransactions(t *testing.T) {
	n := validator(t)
	cfg := n.nodes[0].cfg
	g := Genesis(cfg)
	k1 := testKey(1)
	tx := &ledger.Transfer{From: ledger.AddressOfKey(k1), To: ledger.AddressOfKey(testKey(2)), Amount: ledger.Coin, Fee: 10}
	if err := tx.Sign(k1); err != nil {
		t.Fatal(err)
	}
	// k1 has nothing yet (had k1 mined the block, its reward would fund it).
	b, msg := validChild(t, cfg, g, testKey(3), 10e9, []ledger.Tx{tx})
	_, child := validChild(t, cfg, b.Header, k1, 20e9, nil)
	n.deliver(child) // orphan first
	n.deliver(msg)
	rej := n.Events(nodes.EvRejected)
	if len(rej) != 2 || rej[0].Ev.Note != "bad-ledger" || rej[1].Ev.Note != "bad-parent" {
		t.Fatalf("rejections %+v, want bad-ledger then bad-parent", rej)
	}
}
