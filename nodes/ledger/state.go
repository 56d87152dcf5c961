package ledger

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
)

// Errors of State.Apply; each is wrapped with the transaction's index,
// sender and the values involved.
var (
	// ErrBadNonce: the transaction's nonce is not its sender's next nonce
	// (a replay, a gap, or a reordering).
	ErrBadNonce = errors.New("bad nonce")
	// ErrInsufficientFunds: the sender's balance does not cover amount+fee.
	ErrInsufficientFunds = errors.New("insufficient funds")
	// ErrUnknownProblem: the block claims to solve a problem that is not
	// open (never included, already solved, or included in the same block).
	ErrUnknownProblem = errors.New("unknown problem")
	// ErrConservation: the balances and escrow do not add up to the coins
	// ever minted.
	ErrConservation = errors.New("coins not conserved")
)

// Mint is a payout of newly created coins other than the block reward, e.g.
// a proof-of-storage reward decided by the storage protocol for this block.
type Mint struct {
	To     Address
	Amount Amount
}

// BlockEffects is everything the ledger needs to know about a block.
type BlockEffects struct {
	// Miner receives Reward, the fees of the block's Transfer and
	// StorageProof transactions, and the escrowed fee of the problem the
	// block solves.
	Miner Address
	// Reward is the newly minted block reward (the caller's schedule).
	Reward Amount
	// Solves is the ID of the open problem whose model this block carries;
	// the zero ID means none (no transaction hashes to zero in practice).
	Solves [32]byte
	// Mints are further newly minted payouts, such as storage rewards.
	Mints []Mint
	// Txs are the block's transactions, applied in order. They must have
	// passed VerifyTxs; Apply does not verify signatures. Apply keeps no
	// reference to them.
	Txs []Tx
	// Height is the block's height; the ledger records it as the
	// inclusion height of the problems the block carries (the "age" pick
	// rule reads it). Zero is allowed (tests, replays that do not care).
	Height uint64
	// ParentTime is the timestamp, in ns, of the block's parent: every open
	// problem whose Deadline is non-zero and at most ParentTime is refunded
	// to its submitter by this block (after Solves is settled), and such a
	// problem cannot be solved by it. The parent's time, not the block's
	// own, so that which problems a miner may train for is fixed by the
	// tip it builds on, before it knows when it will finish.
	ParentTime int64
}

type account struct {
	bal   Amount
	nonce uint64
}

// State is the ledger derived from a chain: each address's balance and next
// nonce, the escrow of open problems, and the coins minted so far. The zero
// State is not usable; call NewState. A State is not safe for concurrent use.
type State struct {
	accts    map[Address]account
	open     map[[32]byte]openProblem
	escrowed Amount
	minted   Amount
	top, gen uint64 // undo stack: generation of the last applied block, counter
}

// openProblem is an escrowed problem and the height of the block that
// included it.
type openProblem struct {
	p      Problem
	height uint64
}

// NewState returns the empty ledger of a chain before its first block.
func NewState() *State {
	return &State{accts: make(map[Address]account), open: make(map[[32]byte]openProblem)}
}

// Balance returns a's balance (zero for an unknown address).
func (s *State) Balance(a Address) Amount { return s.accts[a].bal }

// Nonce returns the nonce a's next transaction must carry (zero for an
// unknown address).
func (s *State) Nonce(a Address) uint64 { return s.accts[a].nonce }

// Minted returns the total of all block rewards and mints applied.
func (s *State) Minted() Amount { return s.minted }

// Escrowed returns the total fees held for open problems.
func (s *State) Escrowed() Amount { return s.escrowed }

// Problem returns the open problem with the given ID. Validators read the
// dataset, shape and split of a block's problem from here before evaluating
// its model.
func (s *State) Problem(id [32]byte) (Problem, bool) {
	o, ok := s.open[id]
	return o.p, ok
}

// OpenProblems returns the IDs of the problems included and not yet solved,
// in ascending byte order.
func (s *State) OpenProblems() [][32]byte {
	ids := make([][32]byte, 0, len(s.open))
	for id := range s.open {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b [32]byte) int { return bytes.Compare(a[:], b[:]) })
	return ids
}

// NextProblem returns the open problem that the block on top of prevHash
// should solve: the highest Fee first, ties broken by the smallest
// SHA-256(prevHash || problem ID). The tie-break is deterministic, so all
// miners on the same tip train on the same problem, yet it changes from block
// to block, so equal-fee problems are served in an unpredictable order that
// no submitter can game by grinding its ID for one fixed tip. It returns false
// when no problem is open (miners then train on the protocol's default task).
func (s *State) NextProblem(prevHash [32]byte) (Problem, bool) {
	var (
		best    Problem
		bestKey [32]byte
		found   bool
	)
	for id, o := range s.open {
		p := o.p
		key := tieKey(prevHash, id)
		if !found || p.Fee > best.Fee || (p.Fee == best.Fee && bytes.Compare(key[:], bestKey[:]) < 0) {
			best, bestKey, found = p, key, true
		}
	}
	return best, found
}

// tieKey is SHA-256(prevHash || id).
func tieKey(prevHash, id [32]byte) [32]byte {
	var buf [64]byte
	copy(buf[:32], prevHash[:])
	copy(buf[32:], id[:])
	return sha256.Sum256(buf[:])
}

// Undo restores the State to what it was before one Apply. Undos must be
// reverted in the reverse order of their Applies (a reorg unwinds the chain
// from the tip); Revert panics otherwise, as that is a bug in the caller.
type Undo struct {
	gen, prevTop     uint64
	escrowed, minted Amount
	accts            []acctChange
	open             []openChange
}

type acctChange struct {
	addr    Address
	old     account
	existed bool
}

type openChange struct {
	id      [32]byte
	old     openProblem
	existed bool
}

// journal records old values before each write, so that one routine both
// rolls back a failed Apply and reverts an applied one.
type journal = Undo

func (s *State) setAcct(j *journal, a Address, v account) {
	old, existed := s.accts[a]
	j.accts = append(j.accts, acctChange{a, old, existed})
	s.accts[a] = v
}

func (s *State) credit(j *journal, a Address, v Amount) error {
	if v == 0 {
		return nil
	}
	acct := s.accts[a]
	bal, err := acct.bal.Add(v)
	if err != nil {
		return fmt.Errorf("crediting %v: %w", a, err)
	}
	acct.bal = bal
	s.setAcct(j, a, acct)
	return nil
}

func (s *State) mint(j *journal, a Address, v Amount) error {
	m, err := s.minted.Add(v)
	if err != nil {
		return fmt.Errorf("minting %d to %v: %w", v, a, err)
	}
	if err := s.credit(j, a, v); err != nil {
		return err
	}
	s.minted = m
	return nil
}

// rollback undoes all the journal's writes.
func (s *State) rollback(j *journal) {
	s.rollbackTo(j, journalMark{escrowed: j.escrowed, minted: j.minted})
}

// journalMark is a point in a journal to roll back to.
type journalMark struct {
	accts, open      int
	escrowed, minted Amount
}

func (j *journal) mark(s *State) journalMark {
	return journalMark{len(j.accts), len(j.open), s.escrowed, s.minted}
}

// rollbackTo undoes the journal's writes after m in reverse order and
// truncates the journal to m.
func (s *State) rollbackTo(j *journal, m journalMark) {
	for i := len(j.accts) - 1; i >= m.accts; i-- {
		c := &j.accts[i]
		if c.existed {
			s.accts[c.addr] = c.old
		} else {
			delete(s.accts, c.addr)
		}
	}
	for i := len(j.open) - 1; i >= m.open; i-- {
		c := &j.open[i]
		if c.existed {
			s.open[c.id] = c.old
		} else {
			delete(s.open, c.id)
		}
	}
	j.accts, j.open = j.accts[:m.accts], j.open[:m.open]
	s.escrowed, s.minted = m.escrowed, m.minted
}

// Apply applies one block on top of the state and returns what Revert needs
// to take it off again. The order is fixed: the solved problem's escrow is
// paid to the miner, then the reward and the mints are created, then the
// transactions apply in order (each fee credited to the miner as it goes).
//
// If anything fails (unknown problem, bad nonce, insufficient funds,
// overflow, a transaction failing Check), Apply returns an error naming the
// transaction and leaves the state exactly as it was. Signatures are not
// checked: see VerifyTxs.
//
// Apply allocates one journal of O(len(b.Txs)) entries; it does not hash
// anything except the ID of each Problem transaction.
func (s *State) Apply(b BlockEffects) (Undo, error) {
	j := Undo{
		prevTop:  s.top,
		escrowed: s.escrowed,
		minted:   s.minted,
		accts:    make([]acctChange, 0, 2+len(b.Mints)+3*len(b.Txs)),
	}
	if err := s.apply(&j, &b); err != nil {
		s.rollback(&j)
		return Undo{}, err
	}
	s.gen++
	j.gen, s.top = s.gen, s.gen
	return j, nil
}

func (s *State) apply(j *journal, b *BlockEffects) error {
	if b.Solves != ([32]byte{}) {
		o, ok := s.open[b.Solves]
		if !ok {
			return fmt.Errorf("block solves problem %s: %w", shortID(b.Solves), ErrUnknownProblem)
		}
		p := o.p
		if expired(&p, b.ParentTime) {
			return fmt.Errorf("block solves problem %s past its deadline %d (parent at %d): %w", shortID(b.Solves), p.Deadline, b.ParentTime, ErrUnknownProblem)
		}
		j.open = append(j.open, openChange{b.Solves, o, true})
		delete(s.open, b.Solves)
		esc, err := s.escrowed.Sub(p.Fee)
		if err != nil { // impossible unless the state is corrupt
			return fmt.Errorf("releasing escrow of problem %s: %w", shortID(b.Solves), err)
		}
		s.escrowed = esc
		if err := s.credit(j, b.Miner, p.Fee); err != nil {
			return fmt.Errorf("paying problem %s: %w", shortID(b.Solves), err)
		}
	}
	if err := s.refundExpired(j, b.ParentTime); err != nil {
		return err
	}
	if err := s.mint(j, b.Miner, b.Reward); err != nil {
		return fmt.Errorf("block reward: %w", err)
	}
	for i, m := range b.Mints {
		if err := s.mint(j, m.To, m.Amount); err != nil {
			return fmt.Errorf("mint %d: %w", i, err)
		}
	}
	for i, tx := range b.Txs {
		if tx == nil {
			return fmt.Errorf("tx %d: nil: %w", i, ErrMalformed)
		}
		if err := tx.Check(); err != nil {
			return fmt.Errorf("tx %d: %w", i, err)
		}
		if err := s.applyTx(j, tx, &b.Miner, b.Height); err != nil {
			return fmt.Errorf("tx %d: %w", i, err)
		}
	}
	return nil
}

// applyTx applies one transaction. A nil miner discards the fee instead of
// crediting it, which Pool.Select uses for trial runs that are rolled back.
func (s *State) applyTx(j *journal, tx Tx, miner *Address, height uint64) error {
	h := tx.Header()
	acct := s.accts[h.Sender]
	if h.Nonce != acct.nonce {
		return fmt.Errorf("%v from %v: nonce %d, want %d: %w", tx.Kind(), h.Sender, h.Nonce, acct.nonce, ErrBadNonce)
	}
	if acct.nonce == math.MaxUint64 {
		return fmt.Errorf("%v from %v: nonce: %w", tx.Kind(), h.Sender, ErrOverflow)
	}
	cost := h.Fee
	t, isTransfer := tx.(*Transfer)
	if isTransfer {
		c, err := t.Amount.Add(h.Fee)
		if err != nil {
			return fmt.Errorf("transfer from %v: amount plus fee: %w", h.Sender, err)
		}
		cost = c
	}
	if acct.bal < cost {
		return fmt.Errorf("%v from %v nonce %d: balance %d < cost %d: %w", tx.Kind(), h.Sender, h.Nonce, acct.bal, cost, ErrInsufficientFunds)
	}
	s.setAcct(j, h.Sender, account{bal: acct.bal - cost, nonce: acct.nonce + 1})
	switch tx := tx.(type) {
	case *Transfer:
		if err := s.credit(j, tx.To, tx.Amount); err != nil {
			return fmt.Errorf("transfer from %v: %w", h.Sender, err)
		}
	case *Problem:
		id := tx.ID()
		if _, dup := s.open[id]; dup { // unreachable: the nonce moved on
			return fmt.Errorf("problem %s already open: %w", shortID(id), ErrMalformed)
		}
		esc, err := s.escrowed.Add(h.Fee)
		if err != nil {
			return fmt.Errorf("escrow of problem %s: %w", shortID(id), err)
		}
		j.open = append(j.open, openChange{id: id})
		s.open[id] = openProblem{*tx, height}
		s.escrowed = esc
		return nil // the fee is escrowed, not paid to this block's miner
	}
	if miner != nil {
		if err := s.credit(j, *miner, h.Fee); err != nil {
			return fmt.Errorf("fee of %v from %v: %w", tx.Kind(), h.Sender, err)
		}
	}
	return nil
}

// Revert takes off the block that returned u. Blocks must be reverted from
// the tip down, each exactly once; Revert panics on any other order.
func (s *State) Revert(u Undo) {
	if u.gen == 0 || u.gen != s.top {
		panic(fmt.Sprintf("ledger: Revert of block %d while block %d is on top", u.gen, s.top))
	}
	s.rollback(&u)
	s.top = u.prevTop
}

// Supply returns the sum of all balances and escrowed fees. It saturates at
// MaxAmount if the sum overflows (which CheckConservation reports).
func (s *State) Supply() Amount {
	sum, ok := s.supply()
	if !ok {
		return MaxAmount
	}
	return sum
}

func (s *State) supply() (Amount, bool) {
	sum := uint64(s.escrowed)
	for _, a := range s.accts { // addition commutes: order does not matter
		var carry uint64
		sum, carry = bits.Add64(sum, uint64(a.bal), 0)
		if carry != 0 {
			return 0, false
		}
	}
	return Amount(sum), true
}

// CheckConservation verifies that coins are neither created nor destroyed
// outside minting: the balances plus the escrow equal the total minted. The
// simulator's invariant checkers call it after every block.
func (s *State) CheckConservation() error {
	sum, ok := s.supply()
	if !ok {
		return fmt.Errorf("supply overflows with %d minted: %w", s.minted, ErrConservation)
	}
	if sum != s.minted {
		return fmt.Errorf("supply %d (escrow %d) != minted %d: %w", sum, s.escrowed, s.minted, ErrConservation)
	}
	return nil
}

// Account is one address's entry, as listed by Accounts.
type Account struct {
	Address Address
	Balance Amount
	Nonce   uint64
}

// Accounts appends every account with a non-zero balance or nonce to dst,
// sorted by address, so that statistics over balances (a Gini coefficient, a
// digest) never depend on map iteration order.
func (s *State) Accounts(dst []Account) []Account {
	start := len(dst)
	for a, v := range s.accts {
		if v.bal != 0 || v.nonce != 0 {
			dst = append(dst, Account{a, v.bal, v.nonce})
		}
	}
	slices.SortFunc(dst[start:], func(x, y Account) int { return bytes.Compare(x.Address[:], y.Address[:]) })
	return dst
}

// stateDomain separates state digests from every other hash.
const stateDomain = "coinai/ledger/state/v1\x00"

// Digest is a SHA-256 commitment to the whole state: minted and escrowed
// totals, every non-empty account sorted by address, and every open problem
// (ID and fee) sorted by ID. Two states have equal digests exactly when they
// hold the same balances, nonces and open problems, however they got there.
func (s *State) Digest() [32]byte {
	h := sha256.New()
	var buf [32 + 8 + 8]byte
	h.Write([]byte(stateDomain))
	binary.LittleEndian.PutUint64(buf[0:], uint64(s.minted))
	binary.LittleEndian.PutUint64(buf[8:], uint64(s.escrowed))
	h.Write(buf[:16])
	accts := s.Accounts(nil)
	binary.LittleEndian.PutUint64(buf[:], uint64(len(accts)))
	h.Write(buf[:8])
	for _, a := range accts {
		copy(buf[:32], a.Address[:])
		binary.LittleEndian.PutUint64(buf[32:], uint64(a.Balance))
		binary.LittleEndian.PutUint64(buf[40:], a.Nonce)
		h.Write(buf[:])
	}
	ids := s.OpenProblems()
	binary.LittleEndian.PutUint64(buf[:], uint64(len(ids)))
	h.Write(buf[:8])
	for _, id := range ids {
		copy(buf[:32], id[:])
		binary.LittleEndian.PutUint64(buf[32:], uint64(s.open[id].p.Fee))
		h.Write(buf[:40])
	}
	var d [32]byte
	h.Sum(d[:0])
	return d
}

// shortID is the first 8 bytes of an ID in hex, for error messages. It takes
// the ID by value so that only the error path pays for an escaping copy.
func shortID(id [32]byte) string { return hex.EncodeToString(id[:8]) }
