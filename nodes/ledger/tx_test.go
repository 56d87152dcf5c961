package ledger

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// TestTransferEncodingGolden writes the expected bytes out by hand from the
// documented layout.
func TestTransferEncodingGolden(t *testing.T) {
	tx := &Transfer{
		From: Address(bytes.Repeat([]byte{0x11}, 32)), To: Address(bytes.Repeat([]byte{0x22}, 32)),
		Amount: 0x0102, Fee: 3, Nonce: 0x0a0b0c0d0e0f1011,
	}
	tx.Sig[0], tx.Sig[63] = 0xaa, 0xbb
	want := "0101" + strings.Repeat("11", 32) + strings.Repeat("22", 32) +
		"0201000000000000" + "0300000000000000" + "11100f0e0d0c0b0a" +
		"aa" + strings.Repeat("00", 62) + "bb"
	got := Encode(tx)
	if hex.EncodeToString(got) != want {
		t.Fatalf("Encode =\n%x\nwant\n%s", got, want)
	}
	wantRaw, _ := hex.DecodeString(want)
	if tx.ID() != sha256.Sum256(wantRaw) {
		t.Errorf("ID is not SHA-256 of the encoding")
	}
}

func TestProblemEncodingGolden(t *testing.T) {
	p := &Problem{
		Submitter: Address(bytes.Repeat([]byte{0x33}, 32)), Dataset: "digits",
		Classes: 10, InC: 1, InH: 8, InW: 8, TrainFrac: 700, ValFrac: 100, TestFrac: 200,
		SplitSeed: 0x0102030405060708, Fee: 0x100, Nonce: 7,
	}
	want := "0102" + strings.Repeat("33", 32) + "06" + hex.EncodeToString([]byte("digits")) +
		"0a00" + "0100" + "0800" + "0800" + "bc02" + "6400" + "c800" +
		"0807060504030201" + "0000000000000000" + "0001000000000000" + "0700000000000000" + strings.Repeat("00", 64)
	if got := hex.EncodeToString(Encode(p)); got != want {
		t.Fatalf("Encode =\n%s\nwant\n%s", got, want)
	}
}

func TestStorageProofEncodingGolden(t *testing.T) {
	s := &StorageProof{Prover: Address(bytes.Repeat([]byte{0x44}, 32)), Payload: []byte{0xde, 0xad}, Fee: 1, Nonce: 2}
	want := "0103" + strings.Repeat("44", 32) + "0100000000000000" + "0200000000000000" + "0200" + "dead" + strings.Repeat("00", 64)
	if got := hex.EncodeToString(Encode(s)); got != want {
		t.Fatalf("Encode =\n%s\nwant\n%s", got, want)
	}
}

func sampleTxs(t testing.TB) []Tx {
	return []Tx{
		transfer(t, alice, bob, 5*Coin, 1000, 0),
		problem(t, bob, "digits", 2*Coin, 3),
		signed(t, &StorageProof{Prover: carol.addr, Payload: []byte("merkle path"), Fee: 7, Nonce: 9}, carol),
		signed(t, &StorageProof{Prover: carol.addr, Fee: 0, Nonce: 10}, carol),
		signed(t, &Problem{Submitter: alice.addr, Dataset: strings.Repeat("x", MaxDataset), Classes: 2,
			TrainFrac: 1, TestFrac: 999, Nonce: 1}, alice),
	}
}

func TestSignVerifyAndTamper(t *testing.T) {
	for _, tx := range sampleTxs(t) {
		if err := tx.VerifySig(); err != nil {
			t.Fatalf("%v: VerifySig = %v", tx.Kind(), err)
		}
		enc := Encode(tx)
		// Flip each byte in turn: the result either no longer decodes or no
		// longer verifies. No byte of the encoding escapes the signature.
		for i := range enc {
			bad := bytes.Clone(enc)
			bad[i] ^= 0x01
			dtx, err := DecodeTx(bad)
			if err != nil {
				continue
			}
			if err := dtx.VerifySig(); !errors.Is(err, ErrBadSignature) {
				t.Errorf("%v: byte %d flipped: VerifySig = %v, want ErrBadSignature", tx.Kind(), i, err)
			}
		}
	}
}

func TestSignWrongKey(t *testing.T) {
	tx := &Transfer{From: alice.addr, To: bob.addr, Amount: 1}
	if err := tx.Sign(bob.priv); err == nil {
		t.Error("Sign with another account's key succeeded")
	}
	if err := tx.Sign(ed25519.PrivateKey{1, 2, 3}); err == nil {
		t.Error("Sign with a 3-byte key succeeded")
	}
	// A signature made for one field set does not carry over to another.
	tx = transfer(t, alice, bob, 10, 1, 0)
	tx.Amount = 11
	if err := tx.VerifySig(); !errors.Is(err, ErrBadSignature) {
		t.Errorf("changed amount: VerifySig = %v, want ErrBadSignature", err)
	}
}

func TestDecodeRoundTrip(t *testing.T) {
	for _, tx := range sampleTxs(t) {
		enc := Encode(tx)
		got, err := DecodeTx(enc)
		if err != nil {
			t.Fatalf("%v: DecodeTx = %v", tx.Kind(), err)
		}
		if got.ID() != tx.ID() || !bytes.Equal(Encode(got), enc) {
			t.Errorf("%v: round trip changed the transaction", tx.Kind())
		}
		if err := got.VerifySig(); err != nil {
			t.Errorf("%v: decoded VerifySig = %v", tx.Kind(), err)
		}
		if got.Header() != tx.Header() {
			t.Errorf("%v: header %+v, want %+v", tx.Kind(), got.Header(), tx.Header())
		}
	}
	// Decoding copies: mutating the input leaves the decoded payload intact.
	s := &StorageProof{Prover: carol.addr, Payload: []byte{1, 2, 3}}
	enc := Encode(s)
	got, _ := DecodeTx(enc)
	enc[hdrSize+32+8+8+2] = 9
	if got.(*StorageProof).Payload[0] != 1 {
		t.Error("decoded payload aliases the input")
	}
}

func TestDecodeErrors(t *testing.T) {
	valid := Encode(transfer(t, alice, bob, 1, 0, 0))
	prob := Encode(problem(t, bob, "digits", 1, 0))
	withByte := func(b []byte, i int, v byte) []byte { b = bytes.Clone(b); b[i] = v; return b }
	bigPayload := (&StorageProof{Payload: make([]byte, MaxProofPayload+1)}).AppendEncode(nil)
	tests := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"one byte", []byte{Version}},
		{"version 0", withByte(valid, 0, 0)},
		{"version 2", withByte(valid, 0, 2)},
		{"kind 0", withByte(valid, 1, 0)},
		{"kind 4", withByte(valid, 1, 4)},
		{"truncated", valid[:len(valid)-1]},
		{"trailing byte", append(bytes.Clone(valid), 0)},
		{"zero amount", (&Transfer{}).AppendEncode(nil)},
		{"dataset length 65", withByte(prob, hdrSize+32, MaxDataset+1)},
		{"dataset length 0", (&Problem{Classes: 2, TrainFrac: 500, TestFrac: 500}).AppendEncode(nil)},
		{"dataset with space", Encode(&Problem{Dataset: "a b", Classes: 2, TrainFrac: 500, TestFrac: 500})},
		{"one class", Encode(&Problem{Dataset: "d", Classes: 1, TrainFrac: 500, TestFrac: 500})},
		{"split sums to 999", Encode(&Problem{Dataset: "d", Classes: 2, TrainFrac: 500, TestFrac: 499})},
		{"no test split", Encode(&Problem{Dataset: "d", Classes: 2, TrainFrac: 1000})},
		{"partial shape", Encode(&Problem{Dataset: "d", Classes: 2, InC: 1, TrainFrac: 500, TestFrac: 500})},
		{"payload too long", bigPayload},
		{"payload length beyond input", Encode(&StorageProof{})[:hdrSize+32+16]},
	}
	// The last case needs a length field that claims more than remains.
	tests[len(tests)-1].in = append(tests[len(tests)-1].in, 0x10, 0x00, 1, 2, 3)
	for _, tt := range tests {
		if tx, err := DecodeTx(tt.in); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: DecodeTx = %v, %v; want ErrMalformed", tt.name, tx, err)
		}
	}
}

func TestVerifyTxs(t *testing.T) {
	txs := sampleTxs(t)
	if err := VerifyTxs(txs); err != nil {
		t.Fatalf("VerifyTxs(valid) = %v", err)
	}
	bad := *txs[2].(*StorageProof)
	bad.Fee++
	txs[2] = &bad
	err := VerifyTxs(txs)
	if !errors.Is(err, ErrBadSignature) || !strings.HasPrefix(err.Error(), "tx 2:") {
		t.Errorf("VerifyTxs(tampered tx 2) = %v", err)
	}
	txs[1] = &Problem{Dataset: "d", Classes: 2}
	if err := VerifyTxs(txs); !errors.Is(err, ErrMalformed) || !strings.HasPrefix(err.Error(), "tx 1:") {
		t.Errorf("VerifyTxs(bad split in tx 1) = %v", err)
	}
}

func TestTxListRoundTrip(t *testing.T) {
	txs := sampleTxs(t)
	enc := AppendTxList(nil, txs)
	got, err := DecodeTxList(enc, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(txs) {
		t.Fatalf("decoded %d txs, want %d", len(got), len(txs))
	}
	for i := range txs {
		if got[i].ID() != txs[i].ID() {
			t.Errorf("tx %d: ID changed", i)
		}
	}
	if _, err := DecodeTxList(enc, -1); !errors.Is(err, ErrMalformed) {
		t.Errorf("maxTxs -1: %v, want ErrMalformed", err)
	}
	empty := AppendTxList(nil, nil)
	if got, err := DecodeTxList(empty, 0); err != nil || len(got) != 0 {
		t.Errorf("empty list: %v, %v", got, err)
	}
	for name, in := range map[string][]byte{
		"over max":       enc, // maxTxs 4 below
		"huge count":     {0xff, 0xff, 0xff, 0x0f},
		"trailing":       append(bytes.Clone(enc), 0),
		"truncated":      enc[:len(enc)-1],
		"short":          {1, 0},
		"bad tx inside":  append([]byte{1, 0, 0, 0, byte(minTxSize), 0, 0, 0}, make([]byte, minTxSize)...),
		"length too big": append([]byte{1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}, make([]byte, minTxSize)...),
	} {
		max := 1000
		if name == "over max" {
			max = 4
		}
		if _, err := DecodeTxList(in, max); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: DecodeTxList = %v, want ErrMalformed", name, err)
		}
	}
}

func TestIDAllocations(t *testing.T) {
	p := problem(t, bob, "digits", 1, 0)
	if n := testing.AllocsPerRun(100, func() { _ = p.ID() }); n != 0 {
		t.Errorf("Problem.ID allocates %v times, want 0", n)
	}
	tx := transfer(t, alice, bob, 1, 0, 0)
	if n := testing.AllocsPerRun(100, func() { _ = tx.ID() }); n != 0 {
		t.Errorf("Transfer.ID allocates %v times, want 0", n)
	}
}

func FuzzDecodeTx(f *testing.F) {
	for _, tx := range sampleTxs(f) {
		f.Add(Encode(tx))
	}
	f.Add([]byte{})
	f.Add([]byte{Version, byte(KindProblem), 0xff})
	f.Add(Encode(&StorageProof{})[:hdrSize+32+16])
	f.Fuzz(func(t *testing.T, b []byte) {
		tx, err := DecodeTx(b)
		if err != nil {
			if tx != nil {
				t.Fatal("non-nil tx with error")
			}
			return
		}
		if enc := Encode(tx); !bytes.Equal(enc, b) {
			t.Fatalf("non-canonical: decoded and re-encoded\n%x\nfrom\n%x", enc, b)
		}
		if err := tx.Check(); err != nil {
			t.Fatalf("decoded tx fails Check: %v", err)
		}
		_ = tx.VerifySig() // must not panic
		if tx.ID() != sha256.Sum256(b) {
			t.Fatal("ID is not SHA-256 of the encoding")
		}
		list, err := DecodeTxList(AppendTxList(nil, []Tx{tx, tx}), 2)
		if err != nil || len(list) != 2 {
			t.Fatalf("list of a decoded tx: %v", err)
		}
	})
}
