package pow

import (
	"bytes"
	"testing"

	"github.com/coinai/coinai/nodes"
)

func seedMessages(t testing.TB) [][]byte {
	cfg := testConfig(0)
	g := mustGenesis(t, cfg)
	b1, m1 := child(cfg, g, 100e9, 7, 0)
	id := b1.Header.ID()
	return [][]byte{
		m1,
		encodeBlockMsg(&b1, MsgCmpctBlock),
		(&Message{Type: MsgInv, ID: id}).Append(nil),
		(&Message{Type: MsgGetData, ID: id, Want: RelayCompact}).Append(nil),
		(&Message{Type: MsgGetData, ID: g.Header.ID()}).Append(nil),
		(&Message{Type: MsgGetBlockTxn, ID: id}).Append(nil),
		(&Message{Type: MsgBlockTxn, ID: id}).Append(nil),
		{},
		{0},
		{byte(MsgGetData)},
		append([]byte{byte(MsgBlock)}, make([]byte, BlockSize)...),
		append(bytes.Repeat([]byte{0xff}, blockMsgSize), 0),
	}
}

// FuzzDecodeMessage: decoding never panics, and whatever decodes
// re-encodes to the same bytes (so no two encodings share a meaning).
func FuzzDecodeMessage(f *testing.F) {
	for _, s := range seedMessages(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeMessage(b)
		if err != nil {
			return
		}
		if got := m.Append(nil); !bytes.Equal(got, b) {
			t.Fatalf("round trip: %x -> %x", b, got)
		}
		if (m.Type == MsgBlock || m.Type == MsgCmpctBlock) && m.ID != m.Block.Header.ID() {
			t.Fatal("block message id is not the header hash")
		}
	})
}

// FuzzReceive: a node with a short chain survives any message from any
// peer, and never stores an invalid block.
func FuzzReceive(f *testing.F) {
	for _, s := range seedMessages(f) {
		f.Add(s, uint8(7))
	}
	cfg := testConfig(1)
	g := mustGenesis(f, cfg)
	b1, m1 := child(cfg, g, 100e9, 7, 0)
	f.Fuzz(func(t *testing.T, b []byte, from uint8) {
		env := newRecEnv(7, 8)
		env.now = 1000e9
		n := mustNode(t, cfg, env)
		n.Receive(7, m1)
		n.Receive(nodes.PeerID(from), b)
		n.Receive(nodes.PeerID(from), b)
		for _, tm := range env.timers {
			n.OnTimer(tm.tag)
		}
		if !n.Has(b1.Header.ID()) {
			t.Fatal("lost a valid block")
		}
		for _, e := range env.events {
			if e.Kind == nodes.EvAccepted {
				blk, ok := n.Block(e.Block)
				if !ok || blk.ComputeMerkle() != blk.Header.Merkle || blk.Header.ID() != e.Block {
					t.Fatalf("stored an invalid block %x", e.Block)
				}
			}
		}
	})
}
