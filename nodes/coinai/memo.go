package coinai

import (
	"sync"

	"github.com/coinai/coinai/nodes/nn"
)

// The checks every node makes of a block it receives (the signature, the
// model commitment, the decoding of the model) are pure functions of the
// block's bytes, and in a simulation every node receives the same bytes:
// a block message is one slice shared by reference by all the nodes that
// relay it (nodes.Env.Send). At 10,000 nodes they were most of a run's
// time (an ed25519 verification alone is about 70 µs) and the decoded
// models most of its memory (each node under verification held its own
// copy). blockMemo computes each once per block and hands the result to
// every node that asks, which changes no outcome: a node gets exactly
// what it would have computed. The decoded model is shared read-only
// (evaluation only reads it; the re-use attacker decodes its own copy).
//
// An entry is keyed by the header's id (SHA-256 of the whole header,
// signature included) and, for what depends on the model, by the identity
// of the model bytes (same backing array and length: sent messages are
// never modified), so a block whose header is known but whose model
// bytes are another slice is checked afresh. The memo is a fixed table of
// memoSize entries (a newer block evicts an older one from its slot, and
// is then computed again by whoever asks next), shared by every run of
// the process under a mutex: runs of --reps in parallel share it too,
// which is sound because the values are pure.
const memoSize = 1 << 10

type memoEntry struct {
	id      [32]byte
	hdr     *Header // the shared copy (internHeader)
	sigDone bool
	sigErr  error

	model      []byte // the bytes the rest was computed from (kept alive)
	chunk      int
	commitDone bool
	commit     [32]byte
	decDone    bool
	dec        *nn.Model
	decErr     error
}

var blockMemo struct {
	sync.Mutex
	e [memoSize]memoEntry
}

func memoSlot(id *[32]byte) int { return (int(id[0]) | int(id[1])<<8) & (memoSize - 1) }

// sameBytes reports whether a and b are the same slice (backing array and
// length), which for immutable messages means the same bytes.
func sameBytes(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// verifySigMemo is h.VerifySig, computed once per header.
func verifySigMemo(h *Header) error {
	id := h.ID()
	i := memoSlot(&id)
	blockMemo.Lock()
	if e := &blockMemo.e[i]; e.id == id && e.sigDone {
		err := e.sigErr
		blockMemo.Unlock()
		return err
	}
	blockMemo.Unlock()
	err := h.VerifySig()
	blockMemo.Lock()
	e := &blockMemo.e[i]
	if e.id != id {
		*e = memoEntry{id: id}
	}
	e.sigDone, e.sigErr = true, err
	blockMemo.Unlock()
	return err
}

// modelEntry returns the slot of id for model bytes model, reset if it
// held another block or other bytes. The caller holds the lock.
func modelEntry(id [32]byte, model []byte) *memoEntry {
	e := &blockMemo.e[memoSlot(&id)]
	if e.id != id {
		*e = memoEntry{id: id}
	}
	if !sameBytes(e.model, model) {
		e.model, e.commitDone, e.decDone, e.dec, e.decErr = model, false, false, nil, nil
	}
	return e
}

// commitmentMemo is ModelCommitment(model, chunk) of the model of the
// block whose header is h, computed once per block and model bytes.
func commitmentMemo(h *Header, model []byte, chunk int) [32]byte {
	id := h.ID()
	blockMemo.Lock()
	if e := modelEntry(id, model); e.commitDone && e.chunk == chunk {
		c := e.commit
		blockMemo.Unlock()
		return c
	}
	blockMemo.Unlock()
	c := ModelCommitment(model, chunk)
	blockMemo.Lock()
	e := modelEntry(id, model)
	e.commitDone, e.chunk, e.commit = true, chunk, c
	blockMemo.Unlock()
	return c
}

// decodeMemo is nn.UnmarshalModel(model) for block id, decoded once per
// block and model bytes. The model returned is shared: read it only.
func decodeMemo(id [32]byte, model []byte) (*nn.Model, error) {
	blockMemo.Lock()
	if e := modelEntry(id, model); e.decDone {
		m, err := e.dec, e.decErr
		blockMemo.Unlock()
		return m, err
	}
	blockMemo.Unlock()
	m, err := nn.UnmarshalModel(model)
	blockMemo.Lock()
	e := modelEntry(id, model)
	e.decDone, e.dec, e.decErr = true, m, err
	blockMemo.Unlock()
	return m, err
}

// internHeader returns a header equal to *h, the block id's: the one
// another node of the process already keeps if the memo still has it, so
// that the nodes of a run keep one copy of a block's header between them
// (at 10,000 nodes the copies were half of what a node keeps per block).
// Headers kept in the block tree are never modified.
func internHeader(id [32]byte, h *Header) *Header {
	i := memoSlot(&id)
	blockMemo.Lock()
	defer blockMemo.Unlock()
	e := &blockMemo.e[i]
	if e.id != id {
		*e = memoEntry{id: id}
	}
	if e.hdr == nil {
		c := *h
		e.hdr = &c
	}
	return e.hdr
}
