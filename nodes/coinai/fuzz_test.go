package coinai

import (
	"bytes"
	"testing"

	"github.com/coinai/coinai/nodes/ledger"
)

func seedMessages(t testing.TB) [][]byte {
	cfg := testConfig(t, 0, false)
	g := Genesis(cfg)
	k1 := testKey(1)
	tx := &ledger.Transfer{From: ledger.AddressOfKey(k1), To: ledger.AddressOfKey(testKey(2)), Amount: 5, Fee: 1}
	if err := tx.Sign(k1); err != nil {
		t.Fatal(err)
	}
	_, withTx := makeBlock(t, g, []byte("CAIM not a model"), k1, 10e9, g.Threshold, []ledger.Tx{tx})
	_, valid := validChild(t, cfg, g, k1, 10e9, nil)
	return [][]byte{
		valid,
		withTx,
		AppendID(nil, MsgInv, g.ID()),
		AppendID(nil, MsgGetData, g.ID()),
		AppendTx(nil, tx),
		{},
		{0},
		{byte(MsgBlock)},
		append([]byte{byte(MsgBlock)}, make([]byte, HeaderSize+4)...),
		append(append([]byte{byte(MsgBlock)}, make([]byte, HeaderSize)...), 0xff, 0xff, 0xff, 0xff),
	}
}

// FuzzDecodeMessage: decoding never panics, whatever decodes re-encodes
// to the same bytes, and a validating node survives every input.
func FuzzDecodeMessage(f *testing.F) {
	for _, s := range seedMessages(f) {
		f.Add(s)
	}
	n := validator(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeMessage(b)
		n.nodes[0].Receive(9, b)
		n.Run(n.Now() + 1e9)
		if err != nil {
			return
		}
		var again []byte
		switch m.Type {
		case MsgInv, MsgGetData:
			again = AppendID(nil, m.Type, m.ID)
		case MsgTx:
			again = AppendTx(nil, m.Tx)
		case MsgBlock:
			again = AppendBlock(nil, &m.Block)
			if m.ID != m.Block.Header.ID() {
				t.Fatal("block id is not the header hash")
			}
		default:
			t.Fatalf("decoded unknown type %v", m.Type)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("re-encoding differs:\n got %x\nwant %x", again, b)
		}
	})
}
