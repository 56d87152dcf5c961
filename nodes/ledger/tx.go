package ledger

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// Kind is the type byte of a transaction's encoding. New kinds are added at
// the end; a decoder rejects kinds it does not know.
type Kind uint8

const (
	// KindTransfer moves coins between accounts (Transfer).
	KindTransfer Kind = 1
	// KindProblem asks miners to train a model on a dataset (Problem).
	KindProblem Kind = 2
	// KindStorageProof carries a proof-of-storage answer (StorageProof).
	KindStorageProof Kind = 3
)

// String names the kind for logs.
func (k Kind) String() string {
	switch k {
	case KindTransfer:
		return "transfer"
	case KindProblem:
		return "problem"
	case KindStorageProof:
		return "storage-proof"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Version is the encoding version, the first byte of every encoded
// transaction. A node rejects versions it does not know rather than guess.
const Version = 1

// Limits of the encoding. They bound what a decoder may allocate and what a
// block may carry.
const (
	// MaxDataset is the longest Problem.Dataset name, in bytes.
	MaxDataset = 64
	// MaxProofPayload is the longest StorageProof.Payload, in bytes.
	MaxProofPayload = 4096
	// MaxTxSize is the longest valid encoding of any transaction.
	MaxTxSize = storageFixed + MaxProofPayload
	// PerMille is the denominator of Problem's split fractions.
	PerMille = 1000
)

// Sizes of the fixed parts of each encoding (header, fields, signature).
const (
	hdrSize      = 2 // version, kind
	sigSize      = ed25519.SignatureSize
	transferSize = hdrSize + 32 + 32 + 8 + 8 + 8 + sigSize
	problemFixed = hdrSize + 32 + 1 + 2*4 + 2*3 + 8 + 8 + 8 + 8 + sigSize
	storageFixed = hdrSize + 32 + 8 + 8 + 2 + sigSize
	minTxSize    = storageFixed // the smallest valid encoding of any kind
)

// signDomain prefixes every signed message so that a transaction signature
// can never be replayed as a signature over anything else (a block header, a
// storage challenge) made with the same key.
const signDomain = "coinai/ledger/tx/v1\x00"

// Errors of decoding and verification; each is wrapped with context.
var (
	// ErrMalformed: the bytes or fields do not form a valid transaction.
	ErrMalformed = errors.New("malformed transaction")
	// ErrBadSignature: the signature does not verify for the sender's key.
	ErrBadSignature = errors.New("bad signature")
)

// Header is what every transaction has in common: who pays, with which
// account nonce, and the fee.
type Header struct {
	Sender Address
	Nonce  uint64
	Fee    Amount
}

// Tx is a signed transaction: *Transfer, *Problem or *StorageProof. The set
// is closed (the interface has an unexported method) so that Apply can
// switch on it exhaustively.
//
// A Tx must not be modified once it has been signed, added to a Pool or
// applied: its ID would change under the holders' feet.
type Tx interface {
	// Kind is the transaction's type byte.
	Kind() Kind
	// Header returns the sender, nonce and fee.
	Header() Header
	// AppendEncode appends the canonical encoding, signature included.
	AppendEncode(dst []byte) []byte
	// ID is the SHA-256 of the full encoding. Blocks name problems and pools
	// deduplicate by it.
	ID() [32]byte
	// Sign signs the transaction with the sender's key. It fails if priv is
	// not the key of the sender.
	Sign(priv ed25519.PrivateKey) error
	// VerifySig checks the signature against the sender's address.
	VerifySig() error
	// Check applies the stateless validity rules (field ranges, lengths).
	Check() error

	appendBody(dst []byte) []byte
	sig() *[sigSize]byte
}

// Transfer moves Amount from From to To and pays Fee to the miner of the
// block that includes it. Nonce must equal From's next nonce.
type Transfer struct {
	From   Address
	To     Address
	Amount Amount
	Fee    Amount
	Nonce  uint64
	Sig    [sigSize]byte
}

// Problem is a user's request to have a model trained on a dataset. Its Fee
// is escrowed when a block includes it and paid to the miner of the later
// block that solves it (see the package documentation).
//
// The dataset's examples are split into training, validation and test sets
// by Split, from SplitSeed and the per-mille fractions. Miners train on the
// training split and may use the validation split; a block is valid when the
// model's accuracy on the test split passes the threshold. In a deployment
// the submitter would reveal the test labels only to validators; in the
// testbed every node can compute the split and the trainer is trusted to use
// only the first two parts (a declared fidelity trade).
type Problem struct {
	Submitter Address
	// Dataset names the data, e.g. "digits": 1..MaxDataset printable ASCII
	// bytes without spaces.
	Dataset string
	// Classes is the number of output classes (at least 2).
	Classes uint16
	// InC, InH, InW is the input shape the dataset must have (channels,
	// height, width). All zero means unspecified: the dataset's own shape
	// is used. Either all three are zero or none is.
	InC, InH, InW uint16
	// TrainFrac, ValFrac and TestFrac are the split in per mille; they sum
	// to PerMille, and TrainFrac and TestFrac are positive.
	TrainFrac, ValFrac, TestFrac uint16
	// SplitSeed seeds the permutation that assigns examples to the splits.
	SplitSeed uint64
	// Deadline is the block time, in ns since genesis, by which the problem
	// must be picked: the first block whose parent is stamped at or after
	// it refunds the escrowed Fee to the Submitter instead (see
	// BlockEffects.ParentTime). Zero means no deadline: the fee waits in
	// escrow until a block solves the problem.
	Deadline uint64
	Fee      Amount
	Nonce    uint64
	Sig      [sigSize]byte
}

// StorageProof is a proof-of-storage answer. The ledger treats Payload as
// opaque (at most MaxProofPayload bytes); the storage protocol defines and
// checks its contents. Fee goes to the including miner.
type StorageProof struct {
	Prover  Address
	Payload []byte
	Fee     Amount
	Nonce   uint64
	Sig     [sigSize]byte
}

// Kind implements Tx.
func (*Transfer) Kind() Kind { return KindTransfer }

// Kind implements Tx.
func (*Problem) Kind() Kind { return KindProblem }

// Kind implements Tx.
func (*StorageProof) Kind() Kind { return KindStorageProof }

// Header implements Tx.
func (t *Transfer) Header() Header { return Header{t.From, t.Nonce, t.Fee} }

// Header implements Tx.
func (p *Problem) Header() Header { return Header{p.Submitter, p.Nonce, p.Fee} }

// Header implements Tx.
func (s *StorageProof) Header() Header { return Header{s.Prover, s.Nonce, s.Fee} }

func (t *Transfer) sig() *[sigSize]byte     { return &t.Sig }
func (p *Problem) sig() *[sigSize]byte      { return &p.Sig }
func (s *StorageProof) sig() *[sigSize]byte { return &s.Sig }

// Encoding (all integers little-endian), after the 2-byte header
// [Version, Kind]:
//
//	Transfer:     From[32] To[32] Amount u64 Fee u64 Nonce u64 Sig[64]
//	Problem:      Submitter[32] len u8 Dataset[len] Classes u16 InC u16 InH u16
//	              InW u16 TrainFrac u16 ValFrac u16 TestFrac u16 SplitSeed u64
//	              Deadline u64 Fee u64 Nonce u64 Sig[64]
//	StorageProof: Prover[32] Fee u64 Nonce u64 len u16 Payload[len] Sig[64]
//
// The signed message is signDomain followed by the encoding without Sig.

func (t *Transfer) appendBody(b []byte) []byte {
	b = append(b, Version, byte(KindTransfer))
	b = append(b, t.From[:]...)
	b = append(b, t.To[:]...)
	b = binary.LittleEndian.AppendUint64(b, uint64(t.Amount))
	b = binary.LittleEndian.AppendUint64(b, uint64(t.Fee))
	return binary.LittleEndian.AppendUint64(b, t.Nonce)
}

func (p *Problem) appendBody(b []byte) []byte {
	b = append(b, Version, byte(KindProblem))
	b = append(b, p.Submitter[:]...)
	b = append(b, byte(len(p.Dataset))) // Check bounds it by MaxDataset
	b = append(b, p.Dataset...)
	for _, v := range [...]uint16{p.Classes, p.InC, p.InH, p.InW, p.TrainFrac, p.ValFrac, p.TestFrac} {
		b = binary.LittleEndian.AppendUint16(b, v)
	}
	b = binary.LittleEndian.AppendUint64(b, p.SplitSeed)
	b = binary.LittleEndian.AppendUint64(b, p.Deadline)
	b = binary.LittleEndian.AppendUint64(b, uint64(p.Fee))
	return binary.LittleEndian.AppendUint64(b, p.Nonce)
}

func (s *StorageProof) appendBody(b []byte) []byte {
	b = append(b, Version, byte(KindStorageProof))
	b = append(b, s.Prover[:]...)
	b = binary.LittleEndian.AppendUint64(b, uint64(s.Fee))
	b = binary.LittleEndian.AppendUint64(b, s.Nonce)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(s.Payload))) // Check bounds it
	return append(b, s.Payload...)
}

// AppendEncode implements Tx. The encoding of a transaction that fails Check
// is not decodable.
func (t *Transfer) AppendEncode(dst []byte) []byte { return append(t.appendBody(dst), t.Sig[:]...) }

// AppendEncode implements Tx. The encoding of a transaction that fails Check
// is not decodable.
func (p *Problem) AppendEncode(dst []byte) []byte { return append(p.appendBody(dst), p.Sig[:]...) }

// AppendEncode implements Tx. The encoding of a transaction that fails Check
// is not decodable.
func (s *StorageProof) AppendEncode(dst []byte) []byte {
	return append(s.appendBody(dst), s.Sig[:]...)
}

// Encode returns the canonical encoding of tx, signature included.
func Encode(tx Tx) []byte {
	return tx.AppendEncode(make([]byte, 0, encodedSizeHint(tx)))
}

func encodedSizeHint(tx Tx) int {
	switch t := tx.(type) {
	case *Problem:
		return problemFixed + len(t.Dataset)
	case *StorageProof:
		return storageFixed + len(t.Payload)
	}
	return transferSize
}

// ID implements Tx. It hashes from a stack buffer and does not allocate.
func (t *Transfer) ID() [32]byte {
	var buf [transferSize]byte
	return sha256.Sum256(t.AppendEncode(buf[:0]))
}

// ID implements Tx. It hashes from a stack buffer and does not allocate.
func (p *Problem) ID() [32]byte {
	var buf [problemFixed + MaxDataset]byte
	return sha256.Sum256(p.AppendEncode(buf[:0]))
}

// ID implements Tx.
func (s *StorageProof) ID() [32]byte { return sha256.Sum256(Encode(s)) }

// signMessage is signDomain || body. The buffer keeps small messages off
// the heap.
func signMessage(tx Tx, buf []byte) []byte {
	return tx.appendBody(append(buf[:0], signDomain...))
}

func sign(tx Tx, priv ed25519.PrivateKey) error {
	if len(priv) != ed25519.PrivateKeySize {
		return fmt.Errorf("signing %v: private key has %d bytes, want %d", tx.Kind(), len(priv), ed25519.PrivateKeySize)
	}
	if AddressOfKey(priv) != tx.Header().Sender {
		return fmt.Errorf("signing %v: key of %v does not sign for sender %v", tx.Kind(), AddressOfKey(priv), tx.Header().Sender)
	}
	var buf [len(signDomain) + problemFixed + MaxDataset]byte
	copy(tx.sig()[:], ed25519.Sign(priv, signMessage(tx, buf[:])))
	return nil
}

func verifySig(tx Tx) error {
	var buf [len(signDomain) + problemFixed + MaxDataset]byte
	h := tx.Header()
	if !ed25519.Verify(ed25519.PublicKey(h.Sender[:]), signMessage(tx, buf[:]), tx.sig()[:]) {
		return fmt.Errorf("%v from %v nonce %d: %w", tx.Kind(), h.Sender, h.Nonce, ErrBadSignature)
	}
	return nil
}

// Sign implements Tx.
func (t *Transfer) Sign(priv ed25519.PrivateKey) error { return sign(t, priv) }

// Sign implements Tx.
func (p *Problem) Sign(priv ed25519.PrivateKey) error { return sign(p, priv) }

// Sign implements Tx.
func (s *StorageProof) Sign(priv ed25519.PrivateKey) error { return sign(s, priv) }

// VerifySig implements Tx.
func (t *Transfer) VerifySig() error { return verifySig(t) }

// VerifySig implements Tx.
func (p *Problem) VerifySig() error { return verifySig(p) }

// VerifySig implements Tx.
func (s *StorageProof) VerifySig() error { return verifySig(s) }

// Check implements Tx: the amount is positive. A transfer to oneself is
// allowed (it only pays the fee and uses a nonce).
func (t *Transfer) Check() error {
	if t.Amount == 0 {
		return fmt.Errorf("transfer from %v nonce %d: zero amount: %w", t.From, t.Nonce, ErrMalformed)
	}
	return nil
}

// Check implements Tx: the dataset name, classes, shape and split rules
// documented on Problem's fields.
func (p *Problem) Check() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("problem from %v nonce %d: %s: %w", p.Submitter, p.Nonce, fmt.Sprintf(format, args...), ErrMalformed)
	}
	if len(p.Dataset) == 0 || len(p.Dataset) > MaxDataset {
		return bad("dataset name has %d bytes, want 1..%d", len(p.Dataset), MaxDataset)
	}
	for i := 0; i < len(p.Dataset); i++ {
		if c := p.Dataset[i]; c <= ' ' || c > '~' {
			return bad("dataset name byte %d is %#x, want printable ASCII", i, c)
		}
	}
	if p.Classes < 2 {
		return bad("%d classes, want at least 2", p.Classes)
	}
	if zero := p.InC == 0; (p.InH == 0) != zero || (p.InW == 0) != zero {
		return bad("shape %dx%dx%d is partly zero", p.InC, p.InH, p.InW)
	}
	if int(p.TrainFrac)+int(p.ValFrac)+int(p.TestFrac) != PerMille || p.TrainFrac == 0 || p.TestFrac == 0 {
		return bad("split %d/%d/%d per mille, want positive train and test summing to %d", p.TrainFrac, p.ValFrac, p.TestFrac, PerMille)
	}
	return nil
}

// Check implements Tx: the payload fits MaxProofPayload.
func (s *StorageProof) Check() error {
	if len(s.Payload) > MaxProofPayload {
		return fmt.Errorf("storage proof from %v nonce %d: payload of %d bytes exceeds %d: %w", s.Prover, s.Nonce, len(s.Payload), MaxProofPayload, ErrMalformed)
	}
	return nil
}

// reader consumes a byte slice; after a short read, ok is false and every
// later read returns zero values, so a decoder checks once at the end.
type reader struct {
	b  []byte
	ok bool
}

func (r *reader) take(n int) []byte {
	if !r.ok || n > len(r.b) {
		r.ok = false
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) addr() (a Address) { copy(a[:], r.take(32)); return a }
func (r *reader) u8() uint8 {
	if v := r.take(1); v != nil {
		return v[0]
	}
	return 0
}
func (r *reader) u16() uint16 {
	if v := r.take(2); v != nil {
		return binary.LittleEndian.Uint16(v)
	}
	return 0
}
func (r *reader) u64() uint64 {
	if v := r.take(8); v != nil {
		return binary.LittleEndian.Uint64(v)
	}
	return 0
}
func (r *reader) sig(s *[sigSize]byte) { copy(s[:], r.take(sigSize)) }

// DecodeTx decodes one transaction from exactly b. It accepts only canonical
// encodings of transactions that pass Check (so Encode(DecodeTx(b)) == b),
// never allocates more than len(b) bytes for variable fields, and never
// panics. The result does not alias b. The signature is not verified.
func DecodeTx(b []byte) (Tx, error) {
	if len(b) < hdrSize {
		return nil, fmt.Errorf("decoding tx: %d bytes: %w", len(b), ErrMalformed)
	}
	if b[0] != Version {
		return nil, fmt.Errorf("decoding tx: version %d, want %d: %w", b[0], Version, ErrMalformed)
	}
	r := reader{b: b[hdrSize:], ok: true}
	var tx Tx
	switch k := Kind(b[1]); k {
	case KindTransfer:
		t := &Transfer{From: r.addr(), To: r.addr()}
		t.Amount, t.Fee, t.Nonce = Amount(r.u64()), Amount(r.u64()), r.u64()
		r.sig(&t.Sig)
		tx = t
	case KindProblem:
		p := &Problem{Submitter: r.addr()}
		n := int(r.u8())
		if n > MaxDataset {
			return nil, fmt.Errorf("decoding problem: dataset name of %d bytes exceeds %d: %w", n, MaxDataset, ErrMalformed)
		}
		p.Dataset = string(r.take(n))
		p.Classes, p.InC, p.InH, p.InW = r.u16(), r.u16(), r.u16(), r.u16()
		p.TrainFrac, p.ValFrac, p.TestFrac = r.u16(), r.u16(), r.u16()
		p.SplitSeed, p.Deadline, p.Fee, p.Nonce = r.u64(), r.u64(), Amount(r.u64()), r.u64()
		r.sig(&p.Sig)
		tx = p
	case KindStorageProof:
		s := &StorageProof{Prover: r.addr()}
		s.Fee, s.Nonce = Amount(r.u64()), r.u64()
		n := int(r.u16())
		if n > MaxProofPayload {
			return nil, fmt.Errorf("decoding storage proof: payload of %d bytes exceeds %d: %w", n, MaxProofPayload, ErrMalformed)
		}
		if v := r.take(n); v != nil && n > 0 { // take checks n against the input first
			s.Payload = append([]byte(nil), v...)
		}
		r.sig(&s.Sig)
		tx = s
	default:
		return nil, fmt.Errorf("decoding tx: unknown kind %d: %w", uint8(k), ErrMalformed)
	}
	if !r.ok {
		return nil, fmt.Errorf("decoding %v: truncated at %d bytes: %w", tx.Kind(), len(b), ErrMalformed)
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("decoding %v: %d trailing bytes: %w", tx.Kind(), len(r.b), ErrMalformed)
	}
	if err := tx.Check(); err != nil {
		return nil, fmt.Errorf("decoding tx: %w", err)
	}
	return tx, nil
}

// VerifyTxs checks every transaction's stateless rules and signature and
// returns the first failure, with its index. It is the expensive half of
// block validation (one ed25519 verification, about 50 µs, per transaction)
// and is kept out of State.Apply so that the caller can run it once per block
// and cache the verdict, and charge its cost as compute.
func VerifyTxs(txs []Tx) error {
	for i, tx := range txs {
		if tx == nil {
			return fmt.Errorf("tx %d: nil: %w", i, ErrMalformed)
		}
		if err := tx.Check(); err != nil {
			return fmt.Errorf("tx %d: %w", i, err)
		}
		if err := tx.VerifySig(); err != nil {
			return fmt.Errorf("tx %d: %w", i, err)
		}
	}
	return nil
}

// AppendTxList appends a block body's transaction list: a u32 count, then
// each transaction as a u32 length and its encoding.
func AppendTxList(dst []byte, txs []Tx) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(txs)))
	for _, tx := range txs {
		at := len(dst)
		dst = binary.LittleEndian.AppendUint32(dst, 0)
		dst = tx.AppendEncode(dst)
		binary.LittleEndian.PutUint32(dst[at:], uint32(len(dst)-at-4))
	}
	return dst
}

// DecodeTxList decodes exactly b as written by AppendTxList. It rejects a
// list of more than maxTxs transactions, and a count that the input is too
// short to hold, before allocating anything for it.
func DecodeTxList(b []byte, maxTxs int) ([]Tx, error) {
	if len(b) < 4 {
		return nil, fmt.Errorf("decoding tx list: %d bytes: %w", len(b), ErrMalformed)
	}
	n := binary.LittleEndian.Uint32(b)
	b = b[4:]
	if maxTxs < 0 || uint64(n) > uint64(maxTxs) {
		return nil, fmt.Errorf("decoding tx list: %d txs exceed %d: %w", n, maxTxs, ErrMalformed)
	}
	if uint64(n)*(4+minTxSize) > uint64(len(b)) {
		return nil, fmt.Errorf("decoding tx list: %d txs cannot fit in %d bytes: %w", n, len(b), ErrMalformed)
	}
	txs := make([]Tx, 0, n)
	for i := range n {
		if len(b) < 4 {
			return nil, fmt.Errorf("decoding tx list: tx %d: truncated length: %w", i, ErrMalformed)
		}
		l := binary.LittleEndian.Uint32(b)
		b = b[4:]
		if uint64(l) > uint64(len(b)) || l > MaxTxSize {
			return nil, fmt.Errorf("decoding tx list: tx %d: length %d with %d bytes left: %w", i, l, len(b), ErrMalformed)
		}
		tx, err := DecodeTx(b[:l])
		if err != nil {
			return nil, fmt.Errorf("decoding tx list: tx %d: %w", i, err)
		}
		txs = append(txs, tx)
		b = b[l:]
	}
	if len(b) != 0 {
		return nil, fmt.Errorf("decoding tx list: %d trailing bytes: %w", len(b), ErrMalformed)
	}
	return txs, nil
}
