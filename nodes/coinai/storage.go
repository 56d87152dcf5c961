package coinai

import (
	"crypto/sha256"
	"fmt"
	"math"
	"slices"

	"github.com/coinai/coinai/nodes/chain"
	"github.com/coinai/coinai/nodes/ledger"
	"github.com/coinai/coinai/nodes/storage"
	"github.com/coinai/coinai/nodes/storage/merkle"
)

// Storage behaviours (StorageConfig.Behaviour): how a holder treats the
// models placed on it. Everything but the empty string is a cheat the
// testbed measures.
const (
	// BehaveHonest keeps every model placed on the node and answers every
	// challenge from its own copy.
	BehaveHonest = ""
	// BehaveLazy keeps the Merkle tree of a model (its hashes) but only the
	// first floor(LazyKeep x chunks) chunks of data, and answers only the
	// challenges that fall entirely within them.
	BehaveLazy = "lazy"
	// BehaveOutsource keeps nothing; when challenged it fetches the
	// challenged chunks from another holder, waits OutsourceDelay more (a
	// slow remote provider), and then answers.
	BehaveOutsource = "outsource"
	// BehaveSybil is one identity of an operator that keeps a single copy
	// for all its identities on the node SybilPrincipal; the identity keeps
	// nothing and answers from the principal's copy.
	BehaveSybil = "sybil"
)

// StorageNode is a storage candidate as the chain knows it: its node id (the
// id placement hashes), its ledger address (the key that must sign its
// proofs and that receives its rewards) and its declared capacity.
type StorageNode struct {
	ID       int32
	Addr     ledger.Address
	Capacity int64
}

// StorageConfig configures proof-of-storage. Fields marked consensus must be
// equal on all nodes. The candidate list is a genesis parameter: storage
// registration transactions are future work.
type StorageConfig struct {
	// Enabled turns proof-of-storage on; the model commitment then becomes
	// the Merkle commitment (see ModelCommitment).
	Enabled bool
	// ChunkSize in bytes (consensus).
	ChunkSize int
	// Replication is the number k of holders per model (consensus).
	Replication int
	// ChallengeLag L: a round at height h challenges the models recorded
	// at heights <= h-max(L,1), with the id of the block at height h-L as
	// seed (consensus).
	ChallengeLag int
	// ChallengeInterval P: rounds happen at heights that are multiples of
	// P; 0 means 1 (consensus).
	ChallengeInterval int
	// ChallengeChunks is the number of chunks asked per challenge
	// (consensus).
	ChallengeChunks int
	// Deadline in ns: a proof counts if a block whose timestamp is at most
	// the round block's timestamp plus Deadline includes it (consensus).
	Deadline int64
	// Reward minted per valid, timely proof (consensus).
	Reward ledger.Amount
	// MaxMisses is the number of missed challenges after which a holder
	// loses a model and it is re-placed (consensus).
	MaxMisses int
	// Nodes are the storage candidates (consensus).
	Nodes []StorageNode

	// FetchTimeout in ns is how long a node waits for chunks from one
	// holder before asking the next; 0 means DefaultFetchTimeout.
	FetchTimeout int64
	// RetrievalInterval in ns: a node with a non-zero interval retrieves a
	// random stored model of its main chain that often (a user).
	RetrievalInterval int64
	// Behaviour is this node's behaviour as a holder (BehaveHonest...).
	Behaviour string
	// LazyKeep is the fraction of chunks a lazy holder keeps.
	LazyKeep float64
	// OutsourceDelay in ns is the extra delay of an outsourcing holder.
	OutsourceDelay int64
	// SybilPrincipal is the node that keeps the copy of a Sybil identity.
	SybilPrincipal int32
	// SybilIdentities are, on a principal, the identities whose models it
	// keeps besides its own.
	SybilIdentities []int32
}

// DefaultFetchTimeout is StorageConfig.FetchTimeout's default (10 s).
const DefaultFetchTimeout = 10e9

// maxModelChunks bounds the chunks of any model of MaxModelSize bytes.
func (s *StorageConfig) proofBound() int {
	n := merkle.NumChunks(MaxModelSize, s.ChunkSize)
	depth := 0
	for 1<<depth < n {
		depth++
	}
	// storage.Proof encoding: 71-byte header, then per chunk 9 bytes,
	// the chunk and its path.
	return 71 + s.ChallengeChunks*(9+s.ChunkSize+32*depth)
}

func (s *StorageConfig) validate() error {
	if !s.Enabled {
		return nil
	}
	switch {
	case s.ChunkSize < 1 || s.ChunkSize > storage.MaxChunkSize:
		return fmt.Errorf("storage: chunk size %d: want [1, %d]", s.ChunkSize, storage.MaxChunkSize)
	case s.Replication < 1:
		return fmt.Errorf("storage: replication %d: want >= 1", s.Replication)
	case s.ChallengeLag < 0 || s.ChallengeInterval < 0:
		return fmt.Errorf("storage: negative challenge lag or interval")
	case s.ChallengeChunks < 1 || s.ChallengeChunks > storage.MaxProofChunks:
		return fmt.Errorf("storage: challenge chunks %d: want [1, %d]", s.ChallengeChunks, storage.MaxProofChunks)
	case s.Deadline <= 0:
		return fmt.Errorf("storage: deadline %d ns: must be positive", s.Deadline)
	case s.MaxMisses < 1:
		return fmt.Errorf("storage: max misses %d: want >= 1", s.MaxMisses)
	case s.proofBound() > ledger.MaxProofPayload:
		return fmt.Errorf("storage: a proof of %d chunks of %d bytes may need %d bytes, over the %d-byte limit of a proof transaction; lower chunk_size or challenge_chunks",
			s.ChallengeChunks, s.ChunkSize, s.proofBound(), ledger.MaxProofPayload)
	case s.FetchTimeout < 0 || s.RetrievalInterval < 0 || s.OutsourceDelay < 0:
		return fmt.Errorf("storage: negative timeout, interval or delay")
	case !(s.LazyKeep >= 0 && s.LazyKeep <= 1):
		return fmt.Errorf("storage: lazy keep %v: want [0, 1]", s.LazyKeep)
	}
	switch s.Behaviour {
	case BehaveHonest, BehaveLazy, BehaveOutsource, BehaveSybil:
	default:
		return fmt.Errorf("storage: behaviour %q: want %q, %q, %q or %q", s.Behaviour, BehaveHonest, BehaveLazy, BehaveOutsource, BehaveSybil)
	}
	seen := map[int32]bool{}
	for _, c := range s.Nodes {
		if c.ID < 0 || c.Capacity < 0 || seen[c.ID] {
			return fmt.Errorf("storage: candidate %d: negative or duplicate id, or negative capacity", c.ID)
		}
		seen[c.ID] = true
	}
	return nil
}

// ModelCommitment is the commitment a block header carries for model: with
// proof-of-storage the Merkle commitment merkle.CommitmentOf(len(model),
// chunkSize, root) of the model cut into chunkSize-byte chunks, so that
// holders can prove chunks against the header; without it (chunkSize 0)
// the flat SHA-256 of the model (nn.Model.Commitment). A chain's rule is
// fixed by its genesis parameters.
func ModelCommitment(model []byte, chunkSize int) [32]byte {
	if chunkSize <= 0 {
		return sha256.Sum256(model)
	}
	c, _, err := merkle.Commit(model, chunkSize)
	if err != nil { // more than 2^32 chunks: no valid block has one
		return [32]byte{}
	}
	return c
}

// StoredModel is a model under proof-of-storage as a chain records it.
type StoredModel struct {
	// Block is the id of the block that recorded the model, Height its
	// height.
	Block  [32]byte
	Height int64
	// Root is the model commitment (the header's Model) and Size its
	// length in bytes.
	Root [32]byte
	Size int64
	// Holders are the current holders: the placement's, best first, then
	// successors of evicted holders in the order they were chosen.
	Holders []int32
	// Misses counts each holder's missed challenges (parallel to Holders).
	Misses []int
	// Former are the evicted holders, never chosen again for this model.
	Former []int32
}

// round is a challenge round: the block that issued it and its seed.
type round struct {
	block  [32]byte
	height int64
	time   int64
	seed   [32]byte
}

// openChallenge is a challenge waiting for its proof.
type openChallenge struct {
	model  int32 // index in registry.models
	holder int32
	round  int32 // index in registry.rounds
}

// outcome is what a block decided about one challenge or placement; the
// block's miner reports them as events.
type outcome struct {
	note   string
	model  int32
	holder int32
	next   int32 // evicted: successor (-1 none)
	value  float64
}

// registry is the proof-of-storage state after a block: what every node
// derives from the chain up to it. It is immutable once built; the next
// block's registry shares unchanged models with it.
type registry struct {
	models   []*StoredModel
	rounds   []round
	open     []openChallenge
	used     []int64 // bytes placed on each candidate (StorageConfig.Nodes order)
	outcomes []outcome
}

// candidates lists the storage candidates with their free capacity.
func (n *Node) candidates(used []int64) []storage.Candidate {
	out := make([]storage.Candidate, len(n.cfg.Storage.Nodes))
	for i, c := range n.cfg.Storage.Nodes {
		out[i] = storage.Candidate{ID: c.ID, Free: c.Capacity - used[i]}
	}
	return out
}

// nextRegistry derives the registry after block h (id, with model size
// size and transactions txs) on top of parent, and the storage rewards the
// block mints. The rules, in order:
//
//  1. Each StorageProof transaction whose payload is a proof answering an
//     open challenge (same model, holder and seed), signed by the holder's
//     address, valid (VerifyChallenge) and included in time (h.Time <= the
//     round's time + Deadline) closes the challenge and mints Reward to the
//     holder. Other proofs earn nothing and change nothing (they are still
//     valid ledger transactions: the nonce and fee are spent).
//  2. Every open challenge whose deadline is before h.Time is a miss for
//     its holder if a block of this chain after the round was stamped
//     within the deadline (h's parent, since timestamps increase along a
//     chain), and void otherwise: when no block came in time nobody could
//     have proven, and a stalled chain must not evict every honest holder
//     at once. A holder that reaches MaxMisses on a model loses it, and
//     storage.Replace (the model's block and commitment, all current and
//     former holders excluded) names one successor among the candidates
//     with room.
//  3. The block's own model is placed on storage.Place(id, commitment,
//     candidates with room, Replication, size).
//  4. If h.Height is a multiple of ChallengeInterval, a round opens: every
//     model recorded at least max(L,1) blocks earlier is challenged, for
//     each of its holders, with the id of the block at height h-L as seed.
func (n *Node) nextRegistry(parent chain.Entry[*rec], h *Header, id [32]byte, size int64, txs []ledger.Tx) (*registry, []ledger.Mint) {
	st := &n.cfg.Storage
	old := parent.Payload.reg
	r := &registry{models: slices.Clone(old.models), rounds: old.rounds, used: slices.Clone(old.used)}
	own := map[int]bool{} // models cloned for this block
	edit := func(i int) *StoredModel {
		if !own[i] {
			m := *r.models[i]
			m.Holders, m.Misses, m.Former = slices.Clone(m.Holders), slices.Clone(m.Misses), slices.Clone(m.Former)
			r.models[i] = &m
			own[i] = true
		}
		return r.models[i]
	}
	var mints []ledger.Mint
	closed := make([]bool, len(old.open))
	for _, tx := range txs {
		sp, ok := tx.(*ledger.StorageProof)
		if !ok {
			continue
		}
		p, err := storage.UnmarshalProof(sp.Payload)
		if err != nil {
			r.outcomes = append(r.outcomes, outcome{note: "invalid: malformed", model: -1, holder: -1})
			continue
		}
		i := slices.IndexFunc(old.open, func(c openChallenge) bool {
			return c.holder == p.Holder && old.rounds[c.round].seed == p.Seed && old.models[c.model].Root == p.ModelRoot
		})
		if i < 0 || closed[i] {
			r.outcomes = append(r.outcomes, outcome{note: "invalid: no open challenge", model: -1, holder: p.Holder})
			continue
		}
		c := old.open[i]
		m, rd := old.models[c.model], old.rounds[c.round]
		ci := n.candIdx[c.holder]
		model := storage.Model{Root: m.Root, Size: m.Size, ChunkSize: st.ChunkSize}
		switch {
		case st.Nodes[ci].Addr != sp.Prover:
			r.outcomes = append(r.outcomes, outcome{note: "invalid: wrong prover", model: c.model, holder: c.holder})
		case storage.VerifyChallenge(p, model, rd.seed, c.holder, st.ChallengeChunks) != nil:
			r.outcomes = append(r.outcomes, outcome{note: "invalid: bad proof", model: c.model, holder: c.holder})
		case h.Time-rd.time > st.Deadline:
			r.outcomes = append(r.outcomes, outcome{note: "late", model: c.model, holder: c.holder})
		default:
			closed[i] = true
			mints = append(mints, ledger.Mint{To: sp.Prover, Amount: st.Reward})
			r.outcomes = append(r.outcomes, outcome{note: "valid", model: c.model, holder: c.holder, value: 1})
		}
	}
	for i, c := range old.open {
		if closed[i] {
			continue
		}
		if h.Time-old.rounds[c.round].time <= st.Deadline {
			r.open = append(r.open, c)
			continue
		}
		rd := old.rounds[c.round]
		if parent.Height <= rd.height || parent.Payload.hdr.Time-rd.time > st.Deadline {
			// No block was stamped inside the window: no proof could have
			// been included, so the challenge is void, not missed.
			r.outcomes = append(r.outcomes, outcome{note: "void", model: c.model, holder: c.holder})
			continue
		}
		m := edit(int(c.model))
		j := slices.Index(m.Holders, c.holder)
		if j < 0 {
			continue // evicted meanwhile
		}
		m.Misses[j]++
		r.outcomes = append(r.outcomes, outcome{note: "missed", model: c.model, holder: c.holder})
		if m.Misses[j] < st.MaxMisses {
			continue
		}
		m.Holders = slices.Delete(m.Holders, j, j+1)
		m.Misses = slices.Delete(m.Misses, j, j+1)
		m.Former = append(m.Former, c.holder)
		r.used[n.candIdx[c.holder]] -= m.Size
		ev := outcome{note: "evicted", model: c.model, holder: c.holder, next: -1}
		next := storage.Replace(m.Block, m.Root, n.candidates(r.used), slices.Concat(m.Former, m.Holders), 1, m.Size)
		if len(next) == 1 {
			m.Holders = append(m.Holders, next[0])
			m.Misses = append(m.Misses, 0)
			r.used[n.candIdx[next[0]]] += m.Size
			ev.next = next[0]
		}
		r.outcomes = append(r.outcomes, ev)
	}
	// Rounds no open challenge refers to are dropped from the front.
	if len(r.open) == 0 {
		r.rounds = nil
	} else if lo := slices.MinFunc(r.open, func(a, b openChallenge) int { return int(a.round - b.round) }).round; lo > 0 {
		r.rounds = r.rounds[lo:]
		open := make([]openChallenge, len(r.open))
		for i, c := range r.open {
			c.round -= lo
			open[i] = c
		}
		r.open = open
	}
	holders := storage.Place(id, h.Model, n.candidates(r.used), st.Replication, size)
	for _, c := range holders {
		r.used[n.candIdx[c]] += size
	}
	r.models = append(r.models, &StoredModel{Block: id, Height: int64(h.Height), Root: h.Model, Size: size,
		Holders: holders, Misses: make([]int, len(holders))})
	if p := max(1, int64(st.ChallengeInterval)); int64(h.Height)%p == 0 {
		seed := id
		if sh := storage.SeedHeight(int64(h.Height), int64(st.ChallengeLag)); sh < int64(h.Height) {
			e, _ := n.tree.Ancestor(parent.ID, sh)
			seed = e.ID
		}
		upTo := int64(h.Height) - max(1, int64(st.ChallengeLag))
		ri := int32(len(r.rounds))
		added := false
		for mi, m := range r.models {
			if m.Height > upTo {
				break
			}
			for _, hd := range m.Holders {
				r.open = append(r.open, openChallenge{model: int32(mi), holder: hd, round: ri})
				added = true
			}
		}
		if added {
			r.rounds = append(slices.Clip(r.rounds), round{block: id, height: int64(h.Height), time: h.Time, seed: seed})
		}
	}
	r.open = slices.Clip(r.open)
	return r, mints
}

// proofsForParent is the miner's policy for proof transactions: from txs
// (a pool selection that applies in order on the ledger at parent) it
// leaves out the proofs of a round that a block competing with this one
// opened: the child of parent at a round height opens a round with the
// same seed, so such a proof would close nothing here (the round is not
// open at parent) and only spend its holder's nonce; left in the pool, it
// closes its challenge in the next block. Dropping a transaction ends its
// sender's nonce chain for this block, so the sender's later transactions
// are left out too. Other proofs that close nothing (late, or answered
// on another branch) are kept: they must be spent for the holder's later
// nonces to apply.
func (n *Node) proofsForParent(parent chain.Entry[*rec], txs []ledger.Tx) []ledger.Tx {
	st := &n.cfg.Storage
	h := parent.Height + 1
	if parent.Payload.reg == nil || h%max(1, int64(st.ChallengeInterval)) != 0 {
		return txs
	}
	sh := storage.SeedHeight(h, int64(st.ChallengeLag))
	if sh >= h {
		return txs // the round's seed is the block's own id: no sibling shares it
	}
	e, ok := n.tree.Ancestor(parent.ID, sh)
	if !ok {
		return txs
	}
	var broken []ledger.Address
	out := txs[:0:0]
	for _, tx := range txs {
		sender := tx.Header().Sender
		if slices.Contains(broken, sender) {
			continue
		}
		if sp, ok := tx.(*ledger.StorageProof); ok {
			if p, err := storage.UnmarshalProof(sp.Payload); err == nil && p.Seed == e.ID {
				broken = append(broken, sender)
				continue
			}
		}
		out = append(out, tx)
	}
	return out
}

// StorageAt returns the stored models as the chain up to block id records
// them (nil if the node does not hold the block or runs without storage).
// Callers must not modify the result.
func (n *Node) StorageAt(id [32]byte) []*StoredModel {
	e, ok := n.tree.Get(id)
	if !ok || e.Payload.reg == nil {
		return nil
	}
	return e.Payload.reg.models
}

// StorageFidelity names the simplifications of proof-of-storage.
func StorageFidelity(s StorageConfig) []string {
	if !s.Enabled {
		return nil
	}
	return []string{
		"storage.candidates=genesis: the storage candidates and capacities are a genesis parameter (no registration transactions)",
		"storage.block-bodies-kept: nodes keep block messages for relay; only what a holder's store keeps counts as stored, serves chunks and answers challenges",
		fmt.Sprintf("storage.deadline=block-time: a proof counts if a block stamped within %gs of the round's block includes it", float64(s.Deadline)/1e9),
	}
}

// lazyKept is the number of chunks a lazy holder keeps of n.
func lazyKept(n int, f float64) int { return int(math.Floor(f * float64(n))) }
