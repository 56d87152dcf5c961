package ledger

import (
	"bytes"
	"container/heap"
	"fmt"
	"slices"
)

// Pool holds pending transactions (the mempool) from which a miner fills its
// block body. It is deterministic: what it holds and what Select returns
// depend only on the sequence of calls, never on map order.
//
// Priority: a higher Fee ranks first; equal fees rank by ascending ID. The
// fee is absolute, not per byte, because transactions are of similar size.
//
// Rules of admission, in order:
//   - a transaction already held (same ID) is ignored;
//   - one transaction per (sender, nonce): a newcomer replaces the held one
//     only if its fee is strictly higher (replace-by-fee);
//   - when the pool is full, the lowest-priority transaction is evicted to
//     make room, unless the newcomer ranks lower still, in which case it is
//     refused. Eviction may leave a sender's later nonces unselectable until
//     the gap is refilled; Select simply stops at a gap.
//
// Signatures are not verified here; the caller verifies (and charges) them
// before Add, as with VerifyTxs for blocks.
type Pool struct {
	max      int
	byID     map[[32]byte]*poolEntry
	bySender map[Address]map[uint64]*poolEntry
}

type poolEntry struct {
	tx Tx
	id [32]byte
	h  Header
}

// better reports whether a ranks before b: higher fee, then lower ID.
func (a *poolEntry) better(b *poolEntry) bool {
	if a.h.Fee != b.h.Fee {
		return a.h.Fee > b.h.Fee
	}
	return bytes.Compare(a.id[:], b.id[:]) < 0
}

// NewPool returns an empty pool holding at most capacity transactions (at
// least 1).
func NewPool(capacity int) *Pool {
	return &Pool{
		max:      max(capacity, 1),
		byID:     make(map[[32]byte]*poolEntry),
		bySender: make(map[Address]map[uint64]*poolEntry),
	}
}

// Len returns the number of transactions held.
func (p *Pool) Len() int { return len(p.byID) }

// Has reports whether the pool holds the transaction with the given ID.
func (p *Pool) Has(id [32]byte) bool { _, ok := p.byID[id]; return ok }

// Add offers tx to the pool under the admission rules above. It reports
// whether tx is now held, and fails only if tx fails Check.
func (p *Pool) Add(tx Tx) (bool, error) {
	if tx == nil {
		return false, fmt.Errorf("pool: nil tx: %w", ErrMalformed)
	}
	if err := tx.Check(); err != nil {
		return false, fmt.Errorf("pool: %w", err)
	}
	e := &poolEntry{tx: tx, id: tx.ID(), h: tx.Header()}
	if _, ok := p.byID[e.id]; ok {
		return false, nil
	}
	if old := p.bySender[e.h.Sender][e.h.Nonce]; old != nil {
		if e.h.Fee <= old.h.Fee {
			return false, nil
		}
		p.remove(old)
	}
	if len(p.byID) >= p.max {
		worst := p.worst()
		if !e.better(worst) {
			return false, nil
		}
		p.remove(worst)
	}
	p.byID[e.id] = e
	bs := p.bySender[e.h.Sender]
	if bs == nil {
		bs = make(map[uint64]*poolEntry)
		p.bySender[e.h.Sender] = bs
	}
	bs[e.h.Nonce] = e
	return true, nil
}

// worst scans for the lowest-priority entry; it runs only when the pool is
// full. The priority order is total (IDs differ), so the scan's result does
// not depend on map order.
func (p *Pool) worst() *poolEntry {
	var w *poolEntry
	for _, e := range p.byID {
		if w == nil || w.better(e) {
			w = e
		}
	}
	return w
}

func (p *Pool) remove(e *poolEntry) {
	delete(p.byID, e.id)
	bs := p.bySender[e.h.Sender]
	delete(bs, e.h.Nonce)
	if len(bs) == 0 {
		delete(p.bySender, e.h.Sender)
	}
}

// Remove drops the transactions with the given IDs, e.g. those a new main
// chain block included. Unknown IDs are ignored.
func (p *Pool) Remove(ids [][32]byte) {
	for _, id := range ids {
		if e := p.byID[id]; e != nil {
			p.remove(e)
		}
	}
}

// Readd puts back the transactions of blocks a reorg took off the main chain,
// in the order given (the undone blocks' order, oldest first, is the natural
// one). Transactions that the new chain also includes should be removed
// afterwards with Remove, or dropped with Prune. It returns how many were
// admitted.
func (p *Pool) Readd(txs []Tx) int {
	n := 0
	for _, tx := range txs {
		if ok, _ := p.Add(tx); ok {
			n++
		}
	}
	return n
}

// Prune drops every transaction whose nonce is below its sender's next nonce
// in st: it can never apply again on this chain.
func (p *Pool) Prune(st *State) {
	var stale []*poolEntry
	for sender, bs := range p.bySender {
		next := st.Nonce(sender)
		for n, e := range bs {
			if n < next {
				stale = append(stale, e)
			}
		}
	}
	for _, e := range stale { // removing a set: order does not matter
		p.remove(e)
	}
}

// Select returns up to maxTxs transactions that apply, in the returned order,
// on top of st (the state at the tip the block extends). It is a greedy
// fee-priority merge of the senders' nonce chains: each sender contributes
// its transactions with consecutive nonces starting at st.Nonce(sender); the
// next transaction taken is the best-ranked (fee, then ID) among the
// senders' heads. A transaction that does not apply (insufficient funds,
// overflow) ends its sender's chain for this block.
//
// Select trial-applies the transactions to st and rolls them back before
// returning, so st is unchanged. The trial credits no fees, so a miner's own
// transaction that would only be funded by this block's fees is left out.
func (p *Pool) Select(st *State, maxTxs int) []Tx {
	if maxTxs <= 0 || len(p.byID) == 0 {
		return nil
	}
	senders := make([]Address, 0, len(p.bySender))
	for a := range p.bySender {
		senders = append(senders, a)
	}
	slices.SortFunc(senders, func(x, y Address) int { return bytes.Compare(x[:], y[:]) })
	var h entryHeap
	for _, a := range senders {
		if e := p.bySender[a][st.Nonce(a)]; e != nil {
			h = append(h, e)
		}
	}
	heap.Init(&h)
	j := Undo{escrowed: st.escrowed, minted: st.minted}
	var out []Tx
	for len(h) > 0 && len(out) < maxTxs {
		e := heap.Pop(&h).(*poolEntry)
		mark := j.mark(st)
		if err := st.applyTx(&j, e.tx, nil, 0); err != nil {
			st.rollbackTo(&j, mark) // ends this sender's chain
			continue
		}
		out = append(out, e.tx)
		if e.h.Nonce+1 != 0 {
			if next := p.bySender[e.h.Sender][e.h.Nonce+1]; next != nil {
				heap.Push(&h, next)
			}
		}
	}
	st.rollback(&j)
	return out
}

// entryHeap is a max-heap by priority. The order is total, so the pop order
// is unique whatever the heap's internal layout.
type entryHeap []*poolEntry

func (h entryHeap) Len() int           { return len(h) }
func (h entryHeap) Less(i, k int) bool { return h[i].better(h[k]) }
func (h entryHeap) Swap(i, k int)      { h[i], h[k] = h[k], h[i] }
func (h *entryHeap) Push(x any)        { *h = append(*h, x.(*poolEntry)) }
func (h *entryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
