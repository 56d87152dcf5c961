package coinai

import (
	"bytes"
	"slices"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/ledger"
	"github.com/coinai/coinai/nodes/nn"
	"github.com/coinai/coinai/nodes/storage"
	"github.com/coinai/coinai/nodes/storage/merkle"
)

// Timer and compute tags of the storage layer.
const (
	tagFetch      = 4 << 56 // a fetch's per-holder timeout
	tagRetrieve   = 5 << 56 // the periodic retrieval of a user
	tagRetrEval   = 6 << 56 // evaluation of a retrieved model
	tagOutsourced = 7 << 56 // an outsourcer's delay before answering
)

// Purposes of a fetch.
const (
	fetchStore    = iota // a holder (re)fetches a model placed on it
	fetchRetrieve        // a user downloads a model
	fetchProof           // an outsourcer or Sybil identity fetches challenged chunks
	fetchDeliver         // a submitter downloads its solved problem's model (market_storage.go)
)

// held is a model in a node's store. data aliases the block message it came
// in, or the buffer a fetch assembled; tree is its Merkle tree. A lazy
// holder keeps only the first keep chunks' data (it keeps the hashes).
type held struct {
	m    *StoredModel
	tree *merkle.Tree
	keep int
}

// answerKey names a challenge to this node: the round's seed and the
// model. Competing blocks at one height open rounds with the same seed (the
// id of a common ancestor), and the challenge is the same on both: the
// holder answers once, and a proof spent in a block that loses the fork
// goes back to the pools (reorg) and stays valid on the branch that wins.
// Answering again would spend a second proof on a challenge already
// closed.
type answerKey struct {
	seed [32]byte
	root [32]byte
}

// fetch is a download of chunks of one model from its holders, one holder
// at a time, in batches of at most MaxChunksPerRequest chunks.
type fetch struct {
	purpose int
	m       *StoredModel
	want    []int
	chunks  [][]byte
	paths   [][][32]byte
	missing int
	sources []int32
	src     int
	req     uint64
	timer   nodes.Handle
	start   int64
	bytes   int
	seed    [32]byte // fetchProof
	problem [32]byte // fetchRetrieve
	prev    [32]byte // fetchRetrieve: the model's block's parent (its label map)
	tag     uint64   // fetchRetrieve: evaluation tag
	proof   *storage.Proof
}

// storageState is a node's local proof-of-storage state: what it stores,
// what it is fetching, which challenges it answered, and its proof
// transactions not yet on its main chain.
type storageState struct {
	held      []*held
	fetches   []*fetch
	answered  map[answerKey]*ledger.StorageProof // nil: answered by an outsourced fetch still running
	pending   []ledger.Tx                        // own proof txs, in nonce order
	sentAt    []int64                            // tip height at which each was last flooded
	identity  map[int32]bool
	retrieval *fetch
}

func newStorageState(c *StorageConfig, id int32) *storageState {
	s := &storageState{answered: map[answerKey]*ledger.StorageProof{}, identity: map[int32]bool{id: true}}
	for _, i := range c.SybilIdentities {
		s.identity[i] = true
	}
	return s
}

func (n *Node) me() int32 { return int32(n.cfg.ID) }

func (n *Node) findHeld(root [32]byte) *held {
	for _, h := range n.stor.held {
		if h.m.Root == root {
			return h
		}
	}
	return nil
}

// keeps reports whether this node keeps a copy of m: it is a holder (and
// does not cheat by keeping nothing), or m is held by one of the Sybil
// identities it keeps models for.
func (n *Node) keeps(m *StoredModel) bool {
	b := n.cfg.Storage.Behaviour
	if b == BehaveOutsource || b == BehaveSybil {
		return false
	}
	return slices.ContainsFunc(m.Holders, func(h int32) bool { return n.stor.identity[h] })
}

// storeModel puts data (the model's full bytes, already checked against
// its commitment) in the store.
func (n *Node) storeModel(m *StoredModel, data []byte) {
	if n.findHeld(m.Root) != nil {
		return
	}
	t, err := merkle.New(data, n.cfg.Storage.ChunkSize)
	if err != nil || t.Commitment() != m.Root {
		return
	}
	h := &held{m: m, tree: t, keep: t.NumChunks()}
	if n.cfg.Storage.Behaviour == BehaveLazy {
		h.keep = lazyKept(t.NumChunks(), n.cfg.Storage.LazyKeep)
	} else {
		n.env.Observe(nodes.Event{Kind: nodes.EvStored, Block: m.Block, Height: m.Height, Value: float64(m.Size)})
	}
	n.stor.held = append(n.stor.held, h)
}

func (n *Node) dropHeld(i int, why string) {
	h := n.stor.held[i]
	n.stor.held = slices.Delete(n.stor.held, i, i+1)
	if h.keep == h.tree.NumChunks() && n.cfg.Storage.Behaviour != BehaveLazy {
		n.env.Observe(nodes.Event{Kind: nodes.EvDropped, Block: h.m.Block, Height: h.m.Height, Value: float64(h.m.Size), Note: why})
	}
}

// onStorageAccept runs when block id with model bytes model is accepted
// (on any branch): a holder keeps the model it was just sent, and the
// block's miner reports what the block decided.
func (n *Node) onStorageAccept(id [32]byte, r *rec, model []byte, own bool) {
	reg := r.reg
	if m := reg.models[len(reg.models)-1]; n.keeps(m) {
		n.storeModel(m, model)
	}
	if !own {
		return
	}
	for _, o := range reg.outcomes {
		ev := nodes.Event{Kind: nodes.EvProof, Block: id, Height: int64(r.hdr.Height), Miner: nodes.PeerID(o.holder),
			Value: o.value, Note: o.note}
		if o.model >= 0 {
			ev.Parent = reg.models[o.model].Block
		}
		if o.note == "evicted" {
			ev.Height = int64(o.next)
		}
		n.env.Observe(ev)
		if o.note == "valid" {
			n.env.Observe(nodes.Event{Kind: nodes.EvReward, Block: id, Height: int64(r.hdr.Height), Miner: nodes.PeerID(o.holder),
				Value: float64(n.cfg.Storage.Reward) / float64(ledger.Coin), Note: "storage"})
		}
	}
}

// storageSync brings the node's store and answers in line with its main
// chain: it drops models no longer placed on it, fetches those placed on it
// that it lacks, answers its open challenges and re-floods its proofs that
// are still not on the chain.
func (n *Node) storageSync() {
	if n.stor == nil || n.env == nil {
		return
	}
	tip := n.tree.Tip()
	reg := tip.Payload.reg
	want := map[[32]byte]*StoredModel{}
	recorded := map[[32]byte]bool{}
	for _, m := range reg.models {
		recorded[m.Root] = true
		if n.keeps(m) {
			want[m.Root] = m
		}
	}
	for i := len(n.stor.held) - 1; i >= 0; i-- {
		h := n.stor.held[i]
		if m, ok := want[h.m.Root]; ok {
			h.m = m
		} else if recorded[h.m.Root] {
			n.dropHeld(i, "unplaced")
		}
		// A model this chain does not record belongs to a branch the
		// node left: it is kept, so that a reorganisation back does not
		// find every holder without its copy.
	}
	for _, m := range reg.models { // chain order: deterministic
		if want[m.Root] != nil && n.findHeld(m.Root) == nil && n.findFetch(fetchStore, m.Root) == nil {
			n.startFetch(&fetch{purpose: fetchStore, m: m, want: allChunks(m, n.cfg.Storage.ChunkSize)})
		}
	}
	n.answerChallenges(reg)
	n.reflood(tip.Height)
}

func allChunks(m *StoredModel, chunk int) []int {
	idx := make([]int, merkle.NumChunks(m.Size, chunk))
	for i := range idx {
		idx[i] = i
	}
	return idx
}

func (n *Node) answerChallenges(reg *registry) {
	st := &n.cfg.Storage
	live := map[answerKey]bool{}
	for _, c := range reg.open {
		if c.holder != n.me() {
			continue
		}
		m, rd := reg.models[c.model], reg.rounds[c.round]
		key := answerKey{rd.seed, m.Root}
		live[key] = true
		if tx, ok := n.stor.answered[key]; ok {
			if tx == nil || tx.Nonce >= n.state.Nonce(n.addr) {
				continue // pending
			}
			// The proof is spent on the main chain, yet the challenge is
			// open: a block included it where it closed nothing (a block
			// that competes with the round's block at its height, where
			// the round does not exist yet). Answer again.
			delete(n.stor.answered, key)
		}
		switch st.Behaviour {
		case BehaveOutsource, BehaveSybil:
			var src []int32
			if st.Behaviour == BehaveSybil {
				src = []int32{st.SybilPrincipal}
			} else {
				for _, h := range m.Holders {
					if h != n.me() {
						src = append(src, h)
					}
				}
			}
			idx := storage.Challenge(rd.seed, m.Root, n.me(), merkle.NumChunks(m.Size, st.ChunkSize), st.ChallengeChunks)
			n.stor.answered[key] = nil
			n.startFetch(&fetch{purpose: fetchProof, m: m, want: idx, sources: src, seed: rd.seed})
		default:
			h := n.findHeld(m.Root)
			if h == nil {
				continue // being fetched: answered when it arrives
			}
			n.stor.answered[key] = nil
			idx := storage.Challenge(rd.seed, m.Root, n.me(), h.tree.NumChunks(), st.ChallengeChunks)
			if !canAnswer(idx, h.keep) {
				continue // a lazy holder without the data: no answer
			}
			p, err := storage.ProveIndices(h.tree, n.me(), rd.seed, idx)
			if err == nil {
				n.submitProof(p)
			}
		}
	}
	for k := range n.stor.answered { // forget closed challenges; order does not matter
		if !live[k] {
			delete(n.stor.answered, k)
		}
	}
}

// submitProof signs p into a StorageProof transaction with the node's next
// nonce and floods it.
func (n *Node) submitProof(p *storage.Proof) {
	payload, err := p.MarshalBinary()
	if err != nil || n.cfg.Key == nil {
		return
	}
	base := n.state.Nonce(n.addr)
	i := 0
	for i < len(n.stor.pending) && n.stor.pending[i].Header().Nonce < base {
		i++
	}
	n.stor.pending, n.stor.sentAt = n.stor.pending[i:], n.stor.sentAt[i:]
	nonce := base
	if k := len(n.stor.pending); k > 0 {
		nonce = max(base, n.stor.pending[k-1].Header().Nonce+1)
	}
	tx := &ledger.StorageProof{Prover: n.addr, Payload: payload, Nonce: nonce}
	if err := tx.Sign(n.cfg.Key); err != nil {
		return
	}
	if err := n.SubmitTx(tx); err != nil {
		n.env.Observe(nodes.Event{Kind: nodes.EvNote, Note: "storage proof: " + err.Error()})
		return
	}
	n.stor.pending = append(n.stor.pending, tx)
	if k := (answerKey{p.Seed, p.ModelRoot}); n.stor.answered != nil {
		if _, ok := n.stor.answered[k]; ok {
			n.stor.answered[k] = tx
		}
	}
	n.stor.sentAt = append(n.stor.sentAt, n.tree.Tip().Height)
}

// reflood sends again the node's proofs that two blocks did not include:
// they may have been lost while the node or its peers were unreachable,
// and a lost nonce would hold back every later proof.
func (n *Node) reflood(height int64) {
	base := n.state.Nonce(n.addr)
	for i, tx := range n.stor.pending {
		if tx.Header().Nonce < base || height-n.stor.sentAt[i] < 2 {
			continue
		}
		n.stor.sentAt[i] = height
		n.flood(AppendTx(nil, tx), n.cfg.ID)
	}
}

func (n *Node) findFetch(purpose int, root [32]byte) *fetch {
	for _, f := range n.stor.fetches {
		if f.purpose == purpose && f.m.Root == root {
			return f
		}
	}
	return nil
}

// startFetch begins f. Sources default to the model's holders other than
// this node, in their order on the chain.
func (n *Node) startFetch(f *fetch) {
	if f.sources == nil {
		for _, h := range f.m.Holders {
			if h != n.me() {
				f.sources = append(f.sources, h)
			}
		}
	}
	f.chunks = make([][]byte, len(f.want))
	f.paths = make([][][32]byte, len(f.want))
	f.missing = len(f.want)
	f.start = n.env.Now()
	n.stor.fetches = append(n.stor.fetches, f)
	n.askNext(f, false)
}

// askNext requests the next batch of missing chunks from the current
// source, or from the next one if advance is set.
func (n *Node) askNext(f *fetch, advance bool) {
	n.env.Cancel(f.timer)
	f.timer = 0
	if advance {
		f.src++
	}
	if f.src >= len(f.sources) {
		n.endFetch(f, false)
		return
	}
	var idx []int
	for i, c := range f.chunks {
		if c == nil {
			idx = append(idx, f.want[i])
			if len(idx) == MaxChunksPerRequest {
				break
			}
		}
	}
	n.seq++
	f.req = n.seq
	n.env.Send(nodes.PeerID(f.sources[f.src]), AppendGetChunks(nil, &ChunkRequest{Req: f.req, Root: f.m.Root, Indices: idx}), 0)
	timeout := n.cfg.Storage.FetchTimeout
	if timeout == 0 {
		timeout = DefaultFetchTimeout
	}
	f.timer = n.env.After(timeout, tagFetch|f.req&tagSeqMask)
}

func (n *Node) onGetChunks(from nodes.PeerID, msg []byte) {
	r, err := DecodeGetChunks(msg)
	if err != nil {
		return
	}
	p := &storage.Proof{ModelRoot: r.Root, Holder: n.me()}
	if h := n.findHeld(r.Root); h != nil && canAnswer(r.Indices, h.keep) {
		if q, err := storage.ProveIndices(h.tree, n.me(), [32]byte{}, r.Indices); err == nil {
			p = q
		}
	}
	if out, err := AppendChunks(nil, r.Req, p); err == nil {
		n.env.Send(from, out, 0)
	}
}

func (n *Node) onChunks(from nodes.PeerID, msg []byte) {
	r, err := DecodeChunks(msg)
	if err != nil {
		return
	}
	i := slices.IndexFunc(n.stor.fetches, func(f *fetch) bool { return f.req == r.Req })
	if i < 0 {
		return
	}
	f := n.stor.fetches[i]
	if f.src >= len(f.sources) || nodes.PeerID(f.sources[f.src]) != from {
		return
	}
	p := r.Proof
	f.bytes += len(msg)
	good := len(p.Indices) > 0 && p.ModelRoot == f.m.Root
	for k := 0; good && k < len(p.Indices); k++ {
		j := slices.Index(f.want, p.Indices[k])
		if j < 0 || !merkle.VerifyCommitted(f.m.Root, f.m.Size, n.cfg.Storage.ChunkSize, p.Indices[k], p.Chunks[k], p.Paths[k]) {
			good = false
			break
		}
		if f.chunks[j] == nil {
			f.chunks[j], f.paths[j] = p.Chunks[k], p.Paths[k]
			f.missing--
		}
	}
	switch {
	case !good:
		n.askNext(f, true)
	case f.missing > 0:
		n.askNext(f, false)
	default:
		n.env.Cancel(f.timer)
		n.endFetch(f, true)
	}
}

func (n *Node) onFetchTimeout(seq uint64) {
	for _, f := range n.stor.fetches {
		if f.req&tagSeqMask == seq {
			f.timer = 0
			n.askNext(f, true)
			return
		}
	}
}

// endFetch finishes f: a holder stores the model, an outsourcer answers its
// challenge (after its delay), a user evaluates the model it downloaded.
func (n *Node) endFetch(f *fetch, ok bool) {
	if i := slices.Index(n.stor.fetches, f); i >= 0 {
		n.stor.fetches = slices.Delete(n.stor.fetches, i, i+1)
	}
	switch f.purpose {
	case fetchStore:
		if ok {
			n.storeModel(f.m, bytes.Join(f.chunks, nil))
			n.answerChallenges(n.tree.Tip().Payload.reg)
		}
	case fetchProof:
		if !ok {
			return
		}
		f.proof = &storage.Proof{ModelRoot: f.m.Root, Holder: n.me(), Seed: f.seed, Indices: f.want, Chunks: f.chunks, Paths: f.paths}
		if d := n.cfg.Storage.OutsourceDelay; d > 0 && n.cfg.Storage.Behaviour == BehaveOutsource {
			n.seq++
			f.req = n.seq
			n.stor.fetches = append(n.stor.fetches, f) // parked until the timer
			f.src = len(f.sources)
			f.timer = n.env.After(d, tagOutsourced|f.req&tagSeqMask)
			return
		}
		n.submitProof(f.proof)
	case fetchDeliver:
		if n.mkt != nil {
			n.storeFetched(f, ok)
		}
	case fetchRetrieve:
		n.stor.retrieval = nil
		if !ok {
			n.retrieved(f, "failed: no holder answered")
			return
		}
		m, err := nn.UnmarshalModel(bytes.Join(f.chunks, nil))
		if err != nil {
			n.retrieved(f, "failed: bad-model")
			return
		}
		f.tag = n.nextTag(tagRetrEval)
		n.stor.fetches = append(n.stor.fetches, f) // parked until evaluated
		f.src = len(f.sources)
		// The model is evaluated on its block's problem's test split (the
		// default data's without a market or for the zero problem).
		d := &n.cfg.Default
		if parent, ok := n.tree.Get(f.prev); ok {
			d = n.claimedData(parent, f.problem)
		}
		job := &EvalJob{Model: m, Commitment: f.m.Root, Problem: f.problem, Test: d.Test, StandIn: d.StandIn}
		if d == &n.cfg.Default {
			job.Labels = LabelsFor(&n.cfg, f.prev)
		}
		n.env.Compute(job, f.tag)
	}
}

func (n *Node) onOutsourced(seq uint64) {
	i := slices.IndexFunc(n.stor.fetches, func(f *fetch) bool { return f.purpose == fetchProof && f.req&tagSeqMask == seq })
	if i < 0 {
		return
	}
	f := n.stor.fetches[i]
	n.stor.fetches = slices.Delete(n.stor.fetches, i, i+1)
	n.submitProof(f.proof)
}

func (n *Node) retrieved(f *fetch, note string) {
	n.env.Observe(nodes.Event{Kind: nodes.EvRetrieved, Block: f.m.Block, Height: f.m.Height,
		Value: float64(n.env.Now()-f.start) / 1e9, Size: f.bytes, Note: note})
}

func (n *Node) onRetrievalEval(tag uint64, r *EvalResult) {
	i := slices.IndexFunc(n.stor.fetches, func(f *fetch) bool { return f.purpose == fetchRetrieve && f.tag == tag })
	if i < 0 {
		return
	}
	f := n.stor.fetches[i]
	n.stor.fetches = slices.Delete(n.stor.fetches, i, i+1)
	note := "ok"
	if r.N == 0 {
		note = "failed: evaluation"
	}
	n.retrieved(f, note)
}

// onRetrieveTimer starts a retrieval of a model drawn uniformly from the
// models recorded on the node's main chain below its tip, and re-arms.
func (n *Node) onRetrieveTimer() {
	n.env.After(n.cfg.Storage.RetrievalInterval, tagRetrieve)
	if n.stor.retrieval != nil {
		return
	}
	tip := n.tree.Tip()
	reg := tip.Payload.reg
	var cands []*StoredModel
	for _, m := range reg.models {
		if m.Height < tip.Height {
			cands = append(cands, m)
		}
	}
	if len(cands) == 0 {
		return
	}
	m := cands[n.env.Rand().IntN(len(cands))]
	f := &fetch{purpose: fetchRetrieve, m: m, want: allChunks(m, n.cfg.Storage.ChunkSize), sources: slices.Clip(m.Holders)}
	if e, ok := n.tree.Get(m.Block); ok {
		f.problem, f.prev = e.Payload.hdr.Problem, e.Payload.hdr.Prev
	}
	if len(f.sources) == 0 {
		f.start = n.env.Now()
		n.retrieved(f, "failed: no holder")
		return
	}
	n.stor.retrieval = f
	n.startFetch(f)
}

// LoseDisk is a fault: the node loses every model it stores (its disk is
// replaced empty). It then fetches again, from the other holders, the
// models still placed on it. The simulator's fault injection calls it.
func (n *Node) LoseDisk() {
	if n.stor == nil {
		return
	}
	for i := len(n.stor.held) - 1; i >= 0; i-- {
		n.dropHeld(i, "disk-loss")
	}
	n.stor.fetches = slices.DeleteFunc(n.stor.fetches, func(f *fetch) bool {
		if f.purpose == fetchStore {
			n.env.Cancel(f.timer)
			return true
		}
		return false
	})
	n.storageSync()
}

// StoredBytes is the number of bytes of model data the node keeps.
func (n *Node) StoredBytes() int64 {
	if n.stor == nil {
		return 0
	}
	var s int64
	for _, h := range n.stor.held {
		if h.keep == h.tree.NumChunks() {
			s += h.m.Size
		} else {
			for i := range h.keep {
				s += int64(len(h.tree.Chunk(i)))
			}
		}
	}
	return s
}

// canAnswer reports whether a holder that keeps the data of chunks
// 0..keep-1 can show every chunk of idx.
func canAnswer(idx []int, keep int) bool {
	return !slices.ContainsFunc(idx, func(i int) bool { return i >= keep })
}
