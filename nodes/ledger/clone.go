package ledger

import "maps"

// Clone returns an independent copy of the state. The PoW baseline keeps
// the state after each block it accepts (a block's state is a pure function
// of its chain, so the nodes of a run share one copy per block) instead of
// reverting and re-applying along a reorg.
func (s *State) Clone() *State {
	c := *s
	c.accts = maps.Clone(s.accts)
	c.open = maps.Clone(s.open)
	if c.accts == nil {
		c.accts = map[Address]account{}
	}
	if c.open == nil {
		c.open = map[[32]byte]openProblem{}
	}
	return &c
}

// EncodedSize is the length of tx's canonical encoding, signature
// included, without encoding it.
func EncodedSize(tx Tx) int { return encodedSizeHint(tx) }
