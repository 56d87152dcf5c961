package ledger

import (
	"bytes"
	"fmt"
	"slices"
)

// Pick rules of the problem market (State.PickProblem). They are consensus:
// every node of a chain must use the same one, or they disagree on which
// problem a block must solve.
const (
	// PickFee serves the highest fee first, ties broken by the smallest
	// SHA-256(parent ‖ id): a market where paying more buys a shorter wait.
	PickFee = "fee"
	// PickAge serves the problem included earliest (lowest inclusion
	// height) first, ties broken as PickFee: first come, first served,
	// whatever the fee.
	PickAge = "age"
	// PickHashDraw serves the problem with the smallest
	// SHA-256(parent ‖ id): a uniform draw that changes with every parent,
	// which no submitter can steer (its ID is fixed before the parent
	// exists) and which ignores both fee and age.
	PickHashDraw = "hash-draw"
)

// PickRules lists the pick rules, for validation and messages.
var PickRules = []string{PickFee, PickAge, PickHashDraw}

// expired reports whether p's deadline has passed for a block whose parent
// is stamped parentTime.
func expired(p *Problem, parentTime int64) bool {
	return p.Deadline != 0 && parentTime >= 0 && p.Deadline <= uint64(parentTime)
}

// refundExpired returns the escrow of every open problem expired at
// parentTime to its submitter, in ascending ID order (credits commute, but
// the journal and any overflow error then never depend on map order).
func (s *State) refundExpired(j *journal, parentTime int64) error {
	for _, id := range s.Expired(parentTime) {
		o := s.open[id]
		j.open = append(j.open, openChange{id, o, true})
		delete(s.open, id)
		esc, err := s.escrowed.Sub(o.p.Fee)
		if err != nil { // impossible unless the state is corrupt
			return fmt.Errorf("refunding problem %s: %w", shortID(id), err)
		}
		s.escrowed = esc
		if err := s.credit(j, o.p.Submitter, o.p.Fee); err != nil {
			return fmt.Errorf("refunding problem %s: %w", shortID(id), err)
		}
	}
	return nil
}

// Expired returns, in ascending byte order, the IDs of the open problems
// that a block whose parent is stamped parentTime refunds: those with a
// non-zero Deadline at most parentTime. Observers call it before applying
// a block to learn which refunds it makes.
func (s *State) Expired(parentTime int64) [][32]byte {
	var ids [][32]byte
	for id, o := range s.open {
		if expired(&o.p, parentTime) {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, b [32]byte) int { return bytes.Compare(a[:], b[:]) })
	return ids
}

// IncludedAt returns the height of the block that included the open
// problem id (as BlockEffects.Height gave it).
func (s *State) IncludedAt(id [32]byte) (uint64, bool) {
	o, ok := s.open[id]
	return o.height, ok
}

// PickProblem returns the open problem that the block on top of prevHash,
// stamped parentTime, must solve under rule (PickFee, PickAge or
// PickHashDraw), among the problems that are not expired at parentTime and
// that servable accepts (servable nil accepts all: a chain passes the test
// of whether it has the problem's data and grammar). The result is a
// function of the state, prevHash and parentTime alone, never of map order:
// each rule's order is total (the tie key is a hash of distinct IDs). It
// returns false when no problem qualifies, or when rule is unknown.
func (s *State) PickProblem(prevHash [32]byte, parentTime int64, rule string, servable func(*Problem) bool) (Problem, [32]byte, bool) {
	var (
		best    openProblem
		bestID  [32]byte
		bestKey [32]byte
		found   bool
	)
	if !slices.Contains(PickRules, rule) {
		return Problem{}, bestID, false
	}
	for id, o := range s.open {
		if expired(&o.p, parentTime) || (servable != nil && !servable(&o.p)) {
			continue
		}
		key := tieKey(prevHash, id)
		better := !found
		if found {
			c := bytes.Compare(key[:], bestKey[:])
			switch rule {
			case PickFee:
				better = o.p.Fee > best.p.Fee || (o.p.Fee == best.p.Fee && c < 0)
			case PickAge:
				better = o.height < best.height || (o.height == best.height && c < 0)
			case PickHashDraw:
				better = c < 0
			}
		}
		if better {
			best, bestID, bestKey, found = o, id, key, true
		}
	}
	return best.p, bestID, found
}
