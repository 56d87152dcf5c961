package coinai

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/coinai/coinai/nodes/ledger"
)

// Version is the only block version this package produces and accepts.
const Version = 1

// HeaderSize is the size of an encoded header, signature included.
const HeaderSize = 4 + 32 + 8 + 8 + 32 + 32 + 32 + 4 + 4 + 4 + 32 + ed25519.SignatureSize

// Offsets of the header fields in the encoding (all integers little-endian).
const (
	offVersion   = 0
	offPrev      = 4
	offHeight    = 36
	offTime      = 44
	offProblem   = 52
	offModel     = 84
	offTxRoot    = 116
	offAccuracy  = 148
	offThreshold = 152
	offAttempt   = 156
	offMiner     = 160
	offSig       = 192
)

// sigDomain separates block signatures from every other use of a miner's
// key (transactions sign under their own domain in package ledger).
const sigDomain = "coinai/block/v1"

// PPM is one in parts per million: thresholds and accuracies travel as
// integers so that every node compares them identically.
const PPM = 1_000_000

// Header is a Coin.AI block header. Its encoding is fixed-size (HeaderSize
// bytes) and the block id is the SHA-256 of the whole encoding, signature
// included, so a block re-signed by another key is another block.
type Header struct {
	Version uint32
	Prev    [32]byte
	Height  uint64
	// Time is the miner's clock when it built the block, in ns.
	Time int64
	// Problem is the ID of the ledger Problem the model was trained for; the
	// zero ID is the protocol's default problem.
	Problem [32]byte
	// Model is the SHA-256 of the serialised model (nn.Model.Commitment).
	Model [32]byte
	// TxRoot is TxRoot of the body's transactions.
	TxRoot [32]byte
	// Accuracy is the miner's validation accuracy in ppm. It is
	// informational: validity is decided on the test split.
	Accuracy uint32
	// Threshold is the test accuracy the model must reach, in ppm; it must
	// equal the threshold rule's value for this height (see NextThreshold).
	Threshold uint32
	// Attempt numbers the miner's training attempts on this parent; it
	// enters the training seed.
	Attempt uint32
	// Miner is the miner's ed25519 public key, which is also its ledger
	// address (coinbase and fees go there).
	Miner ledger.Address
	// Sig signs every preceding field under a domain tag.
	Sig [ed25519.SignatureSize]byte
}

// Append appends the header's encoding to dst.
func (h *Header) Append(dst []byte) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, h.Version)
	dst = append(dst, h.Prev[:]...)
	dst = binary.LittleEndian.AppendUint64(dst, h.Height)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(h.Time))
	dst = append(dst, h.Problem[:]...)
	dst = append(dst, h.Model[:]...)
	dst = append(dst, h.TxRoot[:]...)
	dst = binary.LittleEndian.AppendUint32(dst, h.Accuracy)
	dst = binary.LittleEndian.AppendUint32(dst, h.Threshold)
	dst = binary.LittleEndian.AppendUint32(dst, h.Attempt)
	dst = append(dst, h.Miner[:]...)
	return append(dst, h.Sig[:]...)
}

// DecodeHeader decodes exactly HeaderSize bytes. Every bit pattern of the
// right length decodes; the fields' meaning is checked by the validator.
func DecodeHeader(b []byte) (Header, error) {
	var h Header
	if len(b) != HeaderSize {
		return h, fmt.Errorf("decoding header: %d bytes, want %d", len(b), HeaderSize)
	}
	le := binary.LittleEndian
	h.Version = le.Uint32(b[offVersion:])
	copy(h.Prev[:], b[offPrev:])
	h.Height = le.Uint64(b[offHeight:])
	h.Time = int64(le.Uint64(b[offTime:]))
	copy(h.Problem[:], b[offProblem:])
	copy(h.Model[:], b[offModel:])
	copy(h.TxRoot[:], b[offTxRoot:])
	h.Accuracy = le.Uint32(b[offAccuracy:])
	h.Threshold = le.Uint32(b[offThreshold:])
	h.Attempt = le.Uint32(b[offAttempt:])
	copy(h.Miner[:], b[offMiner:])
	copy(h.Sig[:], b[offSig:])
	return h, nil
}

// ID is the block id: SHA-256 of the full encoded header.
func (h *Header) ID() [32]byte {
	var buf [HeaderSize]byte
	return sha256.Sum256(h.Append(buf[:0]))
}

// signedBytes is the message the miner signs: the domain tag and every
// field before the signature.
func (h *Header) signedBytes() []byte {
	b := make([]byte, 0, len(sigDomain)+offSig)
	b = append(b, sigDomain...)
	return h.Append(b)[:len(sigDomain)+offSig]
}

// Sign fills Miner with priv's public key and Sig with the signature.
func (h *Header) Sign(priv ed25519.PrivateKey) error {
	if len(priv) != ed25519.PrivateKeySize {
		return fmt.Errorf("signing header: private key of %d bytes", len(priv))
	}
	h.Miner = ledger.AddressOfKey(priv)
	copy(h.Sig[:], ed25519.Sign(priv, h.signedBytes()))
	return nil
}

// errBadSignature is the reason a block with a wrong signature is rejected.
var errBadSignature = errors.New("bad-signature")

// VerifySig checks the signature against the Miner key.
func (h *Header) VerifySig() error {
	if !ed25519.Verify(h.Miner[:], h.signedBytes(), h.Sig[:]) {
		return errBadSignature
	}
	return nil
}

// TxRoot is the Merkle root of transaction ids in the manner of RFC 6962
// (Certificate Transparency): a leaf is SHA-256(0x00 || id), an inner node
// SHA-256(0x01 || left || right), a list of n > 1 leaves splits at the
// largest power of two below n, and the empty list hashes to SHA-256("").
// Unlike Bitcoin's tree it never duplicates the last leaf, so two different
// lists cannot share a root (CVE-2012-2459).
func TxRoot(txs []ledger.Tx) [32]byte {
	ids := make([][32]byte, len(txs))
	for i, tx := range txs {
		ids[i] = tx.ID()
	}
	return merkleRoot(ids)
}

func merkleRoot(ids [][32]byte) [32]byte {
	switch len(ids) {
	case 0:
		return sha256.Sum256(nil)
	case 1:
		var b [33]byte
		copy(b[1:], ids[0][:])
		return sha256.Sum256(b[:])
	}
	k := 1
	for k*2 < len(ids) {
		k *= 2
	}
	l, r := merkleRoot(ids[:k]), merkleRoot(ids[k:])
	var b [65]byte
	b[0] = 1
	copy(b[1:], l[:])
	copy(b[33:], r[:])
	return sha256.Sum256(b[:])
}

// Seed is the training seed of a miner's attempt: the first 8 bytes,
// little-endian, of SHA-256("coinai/seed" || prev || miner || attempt as
// u32 little-endian). It ties the initial weights and the data order to
// the parent and to the miner, so that two miners never train the same
// model. A validator cannot check it from the weights, so it does not stop
// a model trained on another parent from being re-used there: only a
// binding rule does (Config.Bind, bind.go).
func Seed(prev [32]byte, miner ledger.Address, attempt uint32) uint64 {
	h := sha256.New()
	h.Write([]byte("coinai/seed"))
	h.Write(prev[:])
	h.Write(miner[:])
	h.Write(binary.LittleEndian.AppendUint32(nil, attempt))
	var s [32]byte
	h.Sum(s[:0])
	return binary.LittleEndian.Uint64(s[:8])
}
