package coinai

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/chain"
	"github.com/coinai/coinai/nodes/grammar"
	"github.com/coinai/coinai/nodes/ledger"
	"github.com/coinai/coinai/nodes/nn"
	"github.com/coinai/coinai/nodes/relay"
)

// Attempt modes (Config.AttemptMode).
const (
	// ModeFreshSeed trains every attempt from scratch with a new seed.
	ModeFreshSeed = "fresh-seed"
	// ModeContinue trains the first attempt on a tip for Config.Epochs
	// epochs and every further attempt one more epoch on the previous
	// attempt's model (momentum restarts at each attempt).
	ModeContinue = "continue"
)

// Defaults for optional Config fields.
const (
	// DefaultMaxBlockTxs is the number of transactions a miner puts in a
	// block when Config.MaxBlockTxs is 0.
	DefaultMaxBlockTxs = 100
	// DefaultRequestTimeout is how long a node waits for a requested block
	// before asking the next peer that announced it (relay.DefaultTimeout,
	// as the PoW baseline).
	DefaultRequestTimeout = relay.DefaultTimeout
	// DefaultMaxFutureDrift is how far ahead of the node's clock a block
	// timestamp may be (Bitcoin's two hours).
	DefaultMaxFutureDrift = 2 * 3600e9
	// decayDriftDivisor sets the default drift when ThresholdDecay is on:
	// half a target interval, a quarter of the decay period, so that a
	// timestamp lie cannot buy a lower threshold.
	decayDriftDivisor = 2
	// DefaultPoolSize bounds the transaction pool.
	DefaultPoolSize = 10000
)

// maxPending bounds the blocks under evaluation, so that a peer sending
// blocks cannot grow a node's state (requests and orphans are bounded by
// nodes/relay and Config.MaxOrphans).
const maxPending = 64

// Config configures a node. Fields marked consensus must be equal on all
// nodes of a run, or they will reject each other's blocks.
type Config struct {
	ID nodes.PeerID
	// Key is the node's ed25519 key; its public half is the miner address.
	// Required for miners.
	Key   ed25519.PrivateKey
	Miner bool
	// Default is the default problem's data (consensus), shared read-only
	// by all nodes.
	Default Data
	// Ranges is the architecture grammar's choice lists (consensus).
	Ranges grammar.Ranges
	// Epochs, Batch, LR and Momentum are the miner's SGD settings.
	Epochs, Batch int
	LR, Momentum  float64
	// TargetInterval is the planned mean block interval in ns (consensus).
	TargetInterval int64
	// ThresholdInitial is the genesis threshold and ThresholdMin the floor
	// of the rule, as fractions of test accuracy (consensus).
	ThresholdInitial, ThresholdMin float64
	// ThresholdWindow is the number of blocks between threshold updates;
	// 0 keeps the initial threshold (consensus).
	ThresholdWindow int
	// ThresholdMaxStep is the largest change per update, as a fraction
	// (0.01 = one percentage point) (consensus).
	ThresholdMaxStep float64
	// ThresholdDecay keeps the chain live when the architecture derived
	// from the tip cannot reach the threshold: for every 2 target intervals
	// a block's timestamp lies after its parent's, the threshold it must
	// pass drops by this fraction, down to ThresholdMin. 0 disables it
	// (consensus). Timestamps then matter to security: MaxFutureDrift
	// bounds how far a miner can lie forward.
	ThresholdDecay float64
	// BlockReward is the coinbase amount (consensus).
	BlockReward ledger.Amount
	// Verify makes the node evaluate every block's model on the test
	// split; false trusts the claimed accuracy (to measure what
	// verification costs).
	Verify bool
	// AttemptMode is ModeFreshSeed (the default when empty) or
	// ModeContinue.
	AttemptMode string
	// MaxBlockTxs bounds the transactions a miner includes; 0 means
	// DefaultMaxBlockTxs.
	MaxBlockTxs int
	// RequestTimeout and MaxFutureDrift in ns; 0 means the defaults.
	RequestTimeout, MaxFutureDrift int64
	// MaxOrphans bounds buffered blocks whose parent is unknown; 0 means
	// chain.DefaultMaxOrphans.
	MaxOrphans int
	// ExpectedBlocks sizes the block tree once (optional).
	ExpectedBlocks int
	// Storage configures proof-of-storage of the mined models (see the
	// package doc); the zero value disables it.
	Storage StorageConfig
}

func (c *Config) validate() error {
	if err := c.Default.check(); err != nil {
		return fmt.Errorf("default problem: %w", err)
	}
	t := c.Default.Train
	if err := c.Ranges.Validate(t.C, t.H, t.W); err != nil {
		return err
	}
	switch {
	case c.ID < 0:
		return fmt.Errorf("id %d: negative", c.ID)
	case c.Miner && len(c.Key) != ed25519.PrivateKeySize:
		return fmt.Errorf("miner key: %d bytes, want %d", len(c.Key), ed25519.PrivateKeySize)
	case c.Key != nil && len(c.Key) != ed25519.PrivateKeySize:
		return fmt.Errorf("key: %d bytes, want %d", len(c.Key), ed25519.PrivateKeySize)
	case c.Epochs < 1 || c.Batch < 1 || c.Batch > 1<<16:
		return fmt.Errorf("epochs %d, batch %d: want epochs >= 1 and batch in [1, 65536]", c.Epochs, c.Batch)
	case !(c.LR > 0) || math.IsInf(c.LR, 0) || !(c.Momentum >= 0 && c.Momentum < 1):
		return fmt.Errorf("lr %v, momentum %v: want lr > 0 and momentum in [0, 1)", c.LR, c.Momentum)
	case c.TargetInterval <= 0:
		return fmt.Errorf("target interval %d ns: must be positive", c.TargetInterval)
	case !(c.ThresholdInitial > 0 && c.ThresholdInitial < 1):
		return fmt.Errorf("initial threshold %v: want (0, 1)", c.ThresholdInitial)
	case !(c.ThresholdMin >= 0 && c.ThresholdMin <= c.ThresholdInitial):
		return fmt.Errorf("minimum threshold %v: want [0, initial %v]", c.ThresholdMin, c.ThresholdInitial)
	case c.ThresholdWindow < 0:
		return fmt.Errorf("threshold window %d: negative", c.ThresholdWindow)
	case c.ThresholdWindow > 0 && c.TargetInterval > math.MaxInt64/4/int64(c.ThresholdWindow):
		return fmt.Errorf("threshold window %d x interval %d ns: overflows", c.ThresholdWindow, c.TargetInterval)
	case !(c.ThresholdMaxStep >= 0 && c.ThresholdMaxStep < 1):
		return fmt.Errorf("threshold max step %v: want [0, 1)", c.ThresholdMaxStep)
	case c.AttemptMode != "" && c.AttemptMode != ModeFreshSeed && c.AttemptMode != ModeContinue:
		return fmt.Errorf("attempt mode %q: want %q or %q", c.AttemptMode, ModeFreshSeed, ModeContinue)
	case c.MaxBlockTxs < 0 || c.MaxBlockTxs > MaxBlockTxs:
		return fmt.Errorf("max block txs %d: want [0, %d]", c.MaxBlockTxs, MaxBlockTxs)
	case !(c.ThresholdDecay >= 0 && c.ThresholdDecay < 1):
		return fmt.Errorf("threshold decay %v: want [0, 1)", c.ThresholdDecay)
	case c.RequestTimeout < 0 || c.MaxFutureDrift < 0:
		return fmt.Errorf("negative timeout or drift")
	}
	return c.Storage.validate()
}

// Genesis returns the genesis header shared by all nodes of a run: version,
// height 0, time 0, the initial threshold, and nothing else (no model, no
// miner, no signature). Its id is therefore a function of
// cfg.ThresholdInitial alone.
func Genesis(cfg Config) Header {
	return Header{Version: Version, Threshold: toPPM(cfg.ThresholdInitial)}
}

// rec is what a node keeps per block in its tree. The message is the slice
// the block arrived in, shared by reference with every other node of a
// simulation (Env.Send forbids modifying sent messages), so relaying a
// block costs no copy; the decoded model is dropped after verification.
type rec struct {
	hdr   Header
	txs   []ledger.Tx
	msg   []byte
	undo  ledger.Undo
	reg   *registry     // proof-of-storage state after the block (nil without storage)
	mints []ledger.Mint // storage rewards the block mints
}

// pending is a block that passed the stateless checks and waits for its
// parent (an orphan) or for the evaluation of its model.
type pending struct {
	id     [32]byte
	blk    Block
	msg    []byte
	from   nodes.PeerID
	model  *nn.Model
	tag    uint64
	job    nodes.Handle
	paused bool // mining was paused for it
	reg    *registry
	mints  []ledger.Mint
}

// Timer and compute tags: kind in the top byte, a sequence number below.
const (
	tagAttempt = 1 << 56
	tagEval    = 2 << 56
	tagRequest = 3 << 56
	tagSeqMask = 1<<56 - 1
)

// Node is a Coin.AI node. Create it with New.
type Node struct {
	cfg   Config
	env   nodes.Env
	peers []nodes.PeerID
	addr  ledger.Address
	mode  string

	tree  *chain.Tree[*rec]
	state *ledger.State
	pool  *ledger.Pool
	// models maps the commitment of every model this node has accepted
	// or is verifying to its block (duplicate-model rule).
	models map[[32]byte][32]byte

	// Mining.
	job        nodes.Handle // attempt in progress, 0 if none
	jobTag     uint64
	jobTip     [32]byte
	jobHeight  int64
	jobProblem [32]byte
	attempt    uint32
	attemptTip [32]byte
	lastModel  []byte // continue mode: the previous attempt's model
	waiting    int    // would-be-tip blocks under evaluation

	// Verification and gossip.
	verifying []*pending
	orphans   relay.Orphans[*pending]
	reqs      relay.Requests[struct{}]
	rejected  relay.Ring[[32]byte]
	seq       uint64

	// Proof-of-storage (nil without it).
	candIdx map[int32]int
	stor    *storageState
}

var _ nodes.Node = (*Node)(nil)

// New validates cfg and returns a node holding the genesis block.
func New(cfg Config) (*Node, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("coinai config: %w", err)
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.MaxFutureDrift == 0 && cfg.ThresholdDecay > 0 {
		cfg.MaxFutureDrift = cfg.TargetInterval / decayDriftDivisor
	}
	if cfg.MaxFutureDrift == 0 {
		cfg.MaxFutureDrift = DefaultMaxFutureDrift
	}
	if cfg.MaxBlockTxs == 0 {
		cfg.MaxBlockTxs = DefaultMaxBlockTxs
	}
	n := &Node{cfg: cfg, mode: cfg.AttemptMode, state: ledger.NewState(),
		pool: ledger.NewPool(DefaultPoolSize), models: map[[32]byte][32]byte{},
		rejected: relay.NewRing[[32]byte](16)}
	n.orphans.Max = n.maxOrphans()
	if n.mode == "" {
		n.mode = ModeFreshSeed
	}
	if cfg.Key != nil {
		n.addr = ledger.AddressOfKey(cfg.Key)
	}
	g := Genesis(cfg)
	blk := Block{Header: g}
	r := &rec{hdr: g, msg: AppendBlock(nil, &blk)}
	if cfg.Storage.Enabled {
		n.candIdx = make(map[int32]int, len(cfg.Storage.Nodes))
		for i, c := range cfg.Storage.Nodes {
			n.candIdx[c.ID] = i
		}
		n.stor = newStorageState(&cfg.Storage, int32(cfg.ID))
		r.reg = &registry{used: make([]int64, len(cfg.Storage.Nodes))}
	}
	n.tree = chain.New(g.ID(), chain.WorkOf(uint64(g.Threshold)), r,
		chain.Options{MaxOrphans: -1, Capacity: cfg.ExpectedBlocks + 1})
	return n, nil
}

// Fidelity names this package's simplifications for the run summary: a
// Problem transaction on the default data set reuses the default split
// whatever its split seed, and every node holds the test labels (miners do
// not train on them; in a deployment only validators would see them).
func Fidelity() []string {
	return []string{
		"coinai.problems=default-data",
		"coinai.test-split=visible-to-all",
	}
}

// Tip returns the id and height of the node's best block.
func (n *Node) Tip() ([32]byte, int64) {
	t := n.tree.Tip()
	return t.ID, t.Height
}

// Threshold returns the test accuracy, as a fraction, that a block on the
// node's tip must reach.
func (n *Node) Threshold() float64 { return float64(n.nextThreshold(n.tree.Tip())) / PPM }

// State returns the ledger at the node's tip. Callers must not modify it.
func (n *Node) State() *ledger.State { return n.state }

// Invariants checks what must hold of the node's own state whatever the
// network did: coins are conserved in its ledger (balances and escrow add up
// to what blocks minted). The simulator's checkers call it.
func (n *Node) Invariants() error {
	if err := n.state.CheckConservation(); err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	return nil
}

// Balance returns addr's balance on the node's main chain.
func (n *Node) Balance(addr ledger.Address) ledger.Amount { return n.state.Balance(addr) }

// Address returns the node's ledger address (zero without a key).
func (n *Node) Address() ledger.Address { return n.addr }

// Has reports whether the node has accepted block id.
func (n *Node) Has(id [32]byte) bool { return n.tree.Has(id) }

// Header returns the header of an accepted block.
func (n *Node) Header(id [32]byte) (Header, bool) {
	e, ok := n.tree.Get(id)
	if !ok {
		return Header{}, false
	}
	return e.Payload.hdr, true
}

// MainChain returns the ids of the best chain from genesis to the tip.
func (n *Node) MainChain() [][32]byte {
	out := make([][32]byte, 0, n.tree.Height()+1)
	for e := range n.tree.MainChain() {
		out = append(out, e.ID)
	}
	return out
}

// Start implements nodes.Node.
func (n *Node) Start(env nodes.Env) {
	n.env = env
	n.peers = env.Peers()
	if n.stor != nil && n.cfg.Storage.RetrievalInterval > 0 {
		env.After(n.cfg.Storage.RetrievalInterval, tagRetrieve)
	}
	n.resume()
}

// Receive implements nodes.Node.
func (n *Node) Receive(from nodes.PeerID, msg []byte) {
	if len(msg) > 0 && n.stor != nil {
		switch MsgType(msg[0]) {
		case MsgGetChunks:
			n.onGetChunks(from, msg)
			return
		case MsgChunks:
			n.onChunks(from, msg)
			return
		}
	}
	m, err := DecodeMessage(msg)
	if err != nil {
		n.env.Observe(nodes.Event{Kind: nodes.EvRejected, Note: "decode: " + err.Error()})
		return
	}
	switch m.Type {
	case MsgInv:
		n.request(m.ID, from)
	case MsgGetData:
		if e, ok := n.tree.Get(m.ID); ok && e.Height > 0 {
			n.env.Send(from, e.Payload.msg, 0)
		}
	case MsgBlock:
		n.onBlock(from, &m, msg)
	case MsgTx:
		n.addTx(m.Tx, from)
	}
}

// SubmitTx verifies tx, adds it to the node's pool and floods it to the
// node's peers. It is how a runner or a test injects user transactions.
func (n *Node) SubmitTx(tx ledger.Tx) error {
	if err := ledger.VerifyTxs([]ledger.Tx{tx}); err != nil {
		return fmt.Errorf("submitting tx: %w", err)
	}
	if ok, err := n.pool.Add(tx); err != nil || !ok {
		return fmt.Errorf("submitting tx: not admitted to the pool (%v)", err)
	}
	n.flood(AppendTx(nil, tx), n.cfg.ID)
	return nil
}

func (n *Node) addTx(tx ledger.Tx, from nodes.PeerID) {
	if n.pool.Has(tx.ID()) || ledger.VerifyTxs([]ledger.Tx{tx}) != nil {
		return
	}
	if ok, _ := n.pool.Add(tx); ok {
		n.flood(AppendTx(nil, tx), from)
	}
}

func (n *Node) flood(msg []byte, except nodes.PeerID) {
	for _, p := range n.peers {
		if p != except {
			n.env.Send(p, msg, 0)
		}
	}
}

// OnTimer implements nodes.Node.
func (n *Node) OnTimer(tag uint64) {
	switch tag &^ tagSeqMask {
	case tagRequest:
		n.onTimeout(tag & tagSeqMask)
	case tagFetch:
		if n.stor != nil {
			n.onFetchTimeout(tag & tagSeqMask)
		}
	case tagOutsourced:
		if n.stor != nil {
			n.onOutsourced(tag & tagSeqMask)
		}
	case tagRetrieve:
		if n.stor != nil {
			n.onRetrieveTimer()
		}
	}
}

// OnComputed implements nodes.Node.
func (n *Node) OnComputed(tag uint64, result any) {
	switch tag &^ tagSeqMask {
	case tagAttempt:
		if r, ok := result.(*TrainResult); ok && tag == n.jobTag && n.job != 0 {
			n.onAttempt(r)
		}
	case tagEval:
		if r, ok := result.(*EvalResult); ok {
			n.onEval(tag, r)
		}
	case tagRetrEval:
		if r, ok := result.(*EvalResult); ok && n.stor != nil {
			n.onRetrievalEval(tag, r)
		}
	}
}

func (n *Node) nextTag(kind uint64) uint64 {
	n.seq++
	return kind | n.seq&tagSeqMask
}

// ---- Consensus rules ----

// nextThreshold is the threshold rule for a child of parent: every
// ThresholdWindow blocks (at heights that are multiples of W) the threshold
// is retargeted on the time the last W blocks took, from the block at
// height h-1-W (or genesis) to the parent at h-1, against the planned time
// of the same number of intervals.
func (n *Node) nextThreshold(parent chain.Entry[*rec]) uint32 {
	old := parent.Payload.hdr.Threshold
	w := int64(n.cfg.ThresholdWindow)
	h := parent.Height + 1
	if w <= 0 || h%w != 0 {
		return old
	}
	from := max(parent.Height-w, 0)
	first, ok := n.tree.Ancestor(parent.ID, from)
	if !ok || from == parent.Height {
		return old
	}
	actual := parent.Payload.hdr.Time - first.Payload.hdr.Time
	target := (parent.Height - from) * n.cfg.TargetInterval
	return Retarget(old, actual, target, toPPM(n.cfg.ThresholdMaxStep), toPPM(n.cfg.ThresholdMin))
}

// thresholdAt is the threshold a child of parent stamped at time t must
// pass: nextThreshold, lowered by ThresholdDecay for every two target
// intervals t lies after the parent, never below ThresholdMin.
func (n *Node) thresholdAt(parent chain.Entry[*rec], t int64) uint32 {
	thr := n.nextThreshold(parent)
	decay := toPPM(n.cfg.ThresholdDecay)
	period := 2 * n.cfg.TargetInterval
	elapsed := t - parent.Payload.hdr.Time
	if decay == 0 || period <= 0 || elapsed < period {
		return thr
	}
	floor := toPPM(n.cfg.ThresholdMin)
	drop := uint64(elapsed/period) * uint64(decay)
	if uint64(thr) <= uint64(floor)+drop {
		return min(thr, floor)
	}
	return uint32(uint64(thr) - drop)
}

// blockTime is the timestamp a block mined now on parent gets.
func (n *Node) blockTime(parent chain.Entry[*rec]) int64 {
	return max(n.env.Now(), parent.Payload.hdr.Time+1)
}

// problemFor is the problem a child of prev must solve, given the state at
// prev: the ledger's next open problem if it names data this chain can
// serve (the default data set, with its classes and shape), else the
// default problem (zero id).
func (n *Node) problemFor(st *ledger.State, prev [32]byte) ([32]byte, *Data) {
	d := &n.cfg.Default
	p, ok := st.NextProblem(prev)
	if !ok {
		return [32]byte{}, d
	}
	t := d.Train
	shapeOK := p.InC == 0 && p.InH == 0 && p.InW == 0 ||
		int(p.InC) == t.C && int(p.InH) == t.H && int(p.InW) == t.W
	if p.Dataset != d.Name || int(p.Classes) != t.Classes || !shapeOK {
		return [32]byte{}, d
	}
	return p.ID(), d
}

// archFor is the architecture a child of prev must train on d.
func (n *Node) archFor(prev [32]byte, d *Data) (nn.Arch, error) {
	t := d.Train
	return grammar.Decode(prev, n.cfg.Ranges, t.C, t.H, t.W, t.Classes)
}

func archEqual(a, b nn.Arch) bool {
	return a.InC == b.InC && a.InH == b.InH && a.InW == b.InW && a.Classes == b.Classes &&
		slices.Equal(a.Layers, b.Layers)
}

func (n *Node) effects(h *Header, txs []ledger.Tx, mints []ledger.Mint) ledger.BlockEffects {
	return ledger.BlockEffects{Miner: h.Miner, Reward: n.cfg.BlockReward, Solves: h.Problem, Mints: mints, Txs: txs}
}

// chunkSize is the chunk size of the model commitment: 0 (flat SHA-256)
// without proof-of-storage.
func (n *Node) chunkSize() int {
	if !n.cfg.Storage.Enabled {
		return 0
	}
	return n.cfg.Storage.ChunkSize
}

// Rejection reasons (Event.Note of EvRejected).
var (
	errVersion    = errors.New("bad-version")
	errHeight     = errors.New("bad-height")
	errThresholdV = errors.New("bad-threshold")
	errAccuracy   = errors.New("bad-accuracy")
	errCommitment = errors.New("bad-commitment")
	errTxRoot     = errors.New("bad-txroot")
	errTx         = errors.New("bad-tx")
	errFuture     = errors.New("future-time")
	errTime       = errors.New("bad-time")
	errProblem    = errors.New("wrong-problem")
	errModel      = errors.New("bad-model")
	errArch       = errors.New("wrong-architecture")
	errDuplicate  = errors.New("duplicate-model")
	errLedger     = errors.New("bad-ledger")
	errBelow      = errors.New("below-threshold")
	errBadParent  = errors.New("bad-parent")
	errOverloaded = errors.New("overloaded")
)

// checkStateless is the validation that needs no parent, cheapest first.
func (n *Node) checkStateless(b *Block) error {
	h := &b.Header
	switch {
	case h.Version != Version:
		return errVersion
	case h.Height == 0 || h.Height > math.MaxInt32:
		return errHeight
	case h.Threshold > MaxThreshold:
		return errThresholdV
	case h.Accuracy > PPM:
		return errAccuracy
	case h.Time > n.env.Now()+n.cfg.MaxFutureDrift:
		return errFuture
	case ModelCommitment(b.Model, n.chunkSize()) != h.Model:
		return errCommitment
	case TxRoot(b.Txs) != h.TxRoot:
		return errTxRoot
	}
	if err := h.VerifySig(); err != nil {
		return err
	}
	if err := ledger.VerifyTxs(b.Txs); err != nil {
		return errTx
	}
	return nil
}

// checkContext validates p against its accepted parent and, on success,
// leaves the decoded model in p.model.
func (n *Node) checkContext(parent chain.Entry[*rec], p *pending) error {
	h := &p.blk.Header
	ph := &parent.Payload.hdr
	switch {
	case int64(h.Height) != parent.Height+1:
		return errHeight
	case h.Time <= ph.Time:
		return errTime
	case h.Threshold != n.thresholdAt(parent, h.Time):
		return errThresholdV
	}
	if prev, ok := n.models[h.Model]; ok && prev != p.id {
		return errDuplicate
	}
	// Every problem this chain serves uses the default data (see
	// problemFor), so the architecture is checked before the ledger work:
	// a model for the wrong network is refused without replaying blocks.
	want, err := n.archFor(parent.ID, &n.cfg.Default)
	if err != nil {
		return errArch
	}
	m, err := nn.UnmarshalModel(p.blk.Model)
	if err != nil {
		return errModel
	}
	if !archEqual(m.Arch, want) {
		return errArch
	}
	if n.stor != nil {
		p.reg, p.mints = n.nextRegistry(parent, h, p.id, int64(len(p.blk.Model)), p.blk.Txs)
	}
	err = n.withStateAt(parent, func(st *ledger.State) error {
		if problem, _ := n.problemFor(st, parent.ID); h.Problem != problem {
			return errProblem
		}
		u, err := st.Apply(n.effects(h, p.blk.Txs, p.mints))
		if err != nil {
			return errLedger
		}
		st.Revert(u)
		return nil
	})
	if err == nil {
		p.model = m
	}
	return err
}

// withStateAt runs f on the ledger state at block at, which must be in the
// tree. For the tip that is the node's state; for another block the node
// reverts its main chain to the fork point, applies the branch up to at,
// runs f, and restores the main chain. Every block in the tree was checked
// against its own parent's state, so these applies cannot fail.
func (n *Node) withStateAt(at chain.Entry[*rec], f func(*ledger.State) error) error {
	tip := n.tree.Tip()
	if at.ID == tip.ID {
		return f(n.state)
	}
	var branch []*rec // from at down to the fork point (exclusive)
	e := at
	for !n.tree.InMainChain(e.ID) {
		branch = append(branch, e.Payload)
		e, _ = n.tree.Get(e.Parent)
	}
	fork := e.ID
	var main []*rec // from tip down to fork (exclusive)
	for e = tip; e.ID != fork; e, _ = n.tree.Get(e.Parent) {
		main = append(main, e.Payload)
	}
	for _, r := range main {
		n.state.Revert(r.undo)
	}
	undos := make([]ledger.Undo, len(branch))
	for i := len(branch) - 1; i >= 0; i-- {
		u, err := n.state.Apply(n.effects(&branch[i].hdr, branch[i].txs, branch[i].mints))
		if err != nil {
			panic(fmt.Sprintf("coinai: invariant: side-branch block %x no longer applies: %v", branch[i].hdr.ID(), err))
		}
		undos[i] = u
	}
	err := f(n.state)
	for i := range branch {
		n.state.Revert(undos[i])
	}
	for i := len(main) - 1; i >= 0; i-- {
		n.mustApply(main[i])
	}
	return err
}

func (n *Node) mustApply(r *rec) {
	u, err := n.state.Apply(n.effects(&r.hdr, r.txs, r.mints))
	if err != nil {
		panic(fmt.Sprintf("coinai: invariant: validated block %x does not apply: %v", r.hdr.ID(), err))
	}
	r.undo = u
}

// ---- Block reception and verification ----

func (n *Node) known(id [32]byte) bool {
	if n.tree.Has(id) || n.rejected.Has(id) {
		return true
	}
	return n.findPending(n.verifying, id) >= 0 || n.orphans.Has(id)
}

func (n *Node) findPending(list []*pending, id [32]byte) int {
	for i, p := range list {
		if p.id == id {
			return i
		}
	}
	return -1
}

func (n *Node) onBlock(from nodes.PeerID, m *Message, msg []byte) {
	if m.ID == ([32]byte{}) || n.known(m.ID) {
		return
	}
	n.dropReq(m.ID)
	if err := n.checkStateless(&m.Block); err != nil {
		n.reject(m.ID, err)
		return
	}
	p := &pending{id: m.ID, blk: m.Block, msg: msg, from: from}
	if !n.tree.Has(m.Block.Header.Prev) {
		n.orphans.Add(p.id, m.Block.Header.Prev, p) // evicts the oldest if full
		if from != n.cfg.ID && !n.known(m.Block.Header.Prev) {
			n.request(m.Block.Header.Prev, from)
		}
		return
	}
	n.verify(p)
}

func (n *Node) maxOrphans() int {
	if n.cfg.MaxOrphans > 0 {
		return n.cfg.MaxOrphans
	}
	return chain.DefaultMaxOrphans
}

// verify runs the contextual checks on a block whose parent is accepted
// and, if Verify is set, queues the evaluation of its model. A block that
// would become the new tip first pauses mining: the processor runs jobs in
// order, so an evaluation queued behind a running training attempt would
// wait for it to finish, and the attempt is likely to be wasted anyway.
func (n *Node) verify(p *pending) {
	parent, _ := n.tree.Get(p.blk.Header.Prev)
	if err := n.checkContext(parent, p); err != nil {
		n.reject(p.id, err)
		return
	}
	n.models[p.blk.Header.Model] = p.id
	if !n.cfg.Verify {
		n.accept(p, float64(p.blk.Header.Accuracy)/PPM)
		return
	}
	if len(n.verifying) >= maxPending {
		delete(n.models, p.blk.Header.Model)
		n.reject(p.id, errOverloaded)
		return
	}
	work := parent.ChainWork.Add(chain.WorkOf(uint64(p.blk.Header.Threshold)))
	if work.Cmp(n.tree.Tip().ChainWork) > 0 {
		n.cancelAttempt()
		p.paused = true
		n.waiting++
	}
	job := &EvalJob{Model: p.model, Commitment: p.blk.Header.Model, Problem: p.blk.Header.Problem,
		Test: n.cfg.Default.Test}
	p.tag = n.nextTag(tagEval)
	// Verification must not wait behind a training attempt: a processor
	// that can time-slice runs it first (see nodes.Preempter).
	if pe, ok := n.env.(nodes.Preempter); ok {
		p.job = pe.ComputeFirst(job, p.tag)
	} else {
		p.job = n.env.Compute(job, p.tag)
	}
	n.verifying = append(n.verifying, p)
}

func (n *Node) onEval(tag uint64, r *EvalResult) {
	i := slices.IndexFunc(n.verifying, func(p *pending) bool { return p.tag == tag })
	if i < 0 {
		return
	}
	p := n.verifying[i]
	n.verifying = slices.Delete(n.verifying, i, i+1)
	p.model = nil
	if p.paused {
		n.waiting--
	}
	if passes(r.Correct, r.N, p.blk.Header.Threshold) {
		n.accept(p, r.Accuracy())
	} else {
		delete(n.models, p.blk.Header.Model)
		n.reject(p.id, errBelow)
	}
	n.resume()
}

// accept adds a verified block to the tree, announces it, follows a new
// tip and releases the orphans waiting for it.
func (n *Node) accept(p *pending, acc float64) {
	h := &p.blk.Header
	r := &rec{hdr: *h, txs: p.blk.Txs, msg: p.msg, reg: p.reg, mints: p.mints}
	p.model = nil
	res, err := n.tree.Add(chain.Block[*rec]{ID: p.id, Parent: h.Prev, Height: int64(h.Height),
		Work: chain.WorkOf(uint64(h.Threshold)), Payload: r}, nil)
	if err != nil {
		if !errors.Is(err, chain.ErrKnown) {
			delete(n.models, h.Model)
			n.reject(p.id, errHeight)
		}
		return
	}
	// Copy what we need: the tree reuses res's slices on the next Add.
	moved := res.TipMoved
	undone, applied := slices.Clone(res.Undone), slices.Clone(res.Applied)
	n.env.Observe(nodes.Event{Kind: nodes.EvAccepted, Block: p.id, Parent: h.Prev, Height: int64(h.Height),
		Size: len(p.msg), Value: acc})
	if n.stor != nil {
		n.onStorageAccept(p.id, r, p.blk.Model, p.from == n.cfg.ID)
	}
	inv := AppendID(nil, MsgInv, p.id)
	for _, q := range n.peers {
		if q != p.from {
			n.env.Send(q, inv, 0)
		}
	}
	if moved {
		n.reorg(undone, applied)
		tip := n.tree.Tip()
		n.env.Observe(nodes.Event{Kind: nodes.EvTip, Block: tip.ID, Parent: tip.Parent, Height: tip.Height,
			Value: float64(len(undone))})
		n.cancelAttempt()
		n.storageSync()
	}
	n.release(p.id, true)
	n.resume()
}

// reorg moves the ledger from the old best chain to the new one along the
// tree's lists, and gives the transactions of undone blocks back to the
// pool.
func (n *Node) reorg(undone, applied [][32]byte) {
	for _, id := range undone {
		e, _ := n.tree.Get(id)
		n.state.Revert(e.Payload.undo)
		e.Payload.undo = ledger.Undo{}
		n.pool.Readd(e.Payload.txs)
	}
	for _, id := range applied {
		e, _ := n.tree.Get(id)
		n.mustApply(e.Payload)
		ids := make([][32]byte, len(e.Payload.txs))
		for i, tx := range e.Payload.txs {
			ids[i] = tx.ID()
		}
		n.pool.Remove(ids)
	}
	n.pool.Prune(n.state)
}

// release hands the orphans of parent to verification (ok) or rejects
// them with their parent.
func (n *Node) release(parent [32]byte, ok bool) {
	for _, k := range n.orphans.Children(parent) {
		if ok {
			n.verify(k)
		} else {
			n.reject(k.id, errBadParent)
		}
	}
}

// reject reports an invalid block and remembers its id in a small ring so
// that announcements of it are ignored; a block that is only too far in
// the future, or that arrived while the node was overloaded, is not
// remembered, since it may yet be valid.
func (n *Node) reject(id [32]byte, err error) {
	if err != errFuture && err != errOverloaded {
		n.rejected.Add(id)
	}
	n.env.Observe(nodes.Event{Kind: nodes.EvRejected, Block: id, Note: err.Error()})
	n.release(id, false)
}

// ---- Requests ----

// request notes that from has block id; if the node neither knows nor is
// fetching it, it asks from.
func (n *Node) request(id [32]byte, from nodes.PeerID) {
	if n.known(id) || n.reqs.Announced(id, from) {
		return
	}
	if r := n.reqs.Open(id, from); r != nil {
		n.ask(r)
	}
}

// ask sends GetData to the request's current announcer and arms its
// timeout, tagged with the node's shared sequence.
func (n *Node) ask(r *relay.Request[struct{}]) {
	n.env.Send(r.Peer(), AppendID(nil, MsgGetData, r.ID()), 0)
	r.Arm(n.env, n.cfg.RequestTimeout, tagRequest|n.nextTag(0))
}

// dropReq ends the request for id, if any: the block has arrived.
func (n *Node) dropReq(id [32]byte) {
	n.reqs.Drop(n.env, id)
}

// onTimeout asks the next announcer of the request whose timer, tagged
// with seq, fired.
func (n *Node) onTimeout(seq uint64) {
	if r := n.reqs.Expired(tagRequest | seq); r != nil {
		n.ask(r)
	}
}

// ---- Mining ----

// resume starts a training attempt on the tip if the node mines, has none
// in progress and is not waiting for the verdict on a would-be tip.
func (n *Node) resume() {
	if !n.cfg.Miner || n.env == nil || n.job != 0 || n.waiting > 0 {
		return
	}
	tip := n.tree.Tip()
	if tip.ID != n.attemptTip {
		n.attemptTip, n.attempt, n.lastModel = tip.ID, 0, nil
	}
	problem, d := n.problemFor(n.state, tip.ID)
	arch, err := n.archFor(tip.ID, d)
	if err != nil {
		n.env.Observe(nodes.Event{Kind: nodes.EvNote, Block: tip.ID, Note: "cannot mine: " + err.Error()})
		return
	}
	job := &TrainJob{
		Arch: arch, Data: d, Problem: problem,
		Seed:  Seed(tip.ID, n.addr, n.attempt),
		Train: nn.TrainConfig{Epochs: n.cfg.Epochs, Batch: n.cfg.Batch, LR: n.cfg.LR, Momentum: n.cfg.Momentum, Serial: true},
	}
	if n.mode == ModeContinue && n.lastModel != nil {
		job.From, job.Train.Epochs = n.lastModel, 1
	}
	n.jobTag = n.nextTag(tagAttempt)
	n.jobTip, n.jobHeight, n.jobProblem = tip.ID, tip.Height+1, problem
	n.job = n.env.Compute(job, n.jobTag)
}

// cancelAttempt discards the attempt in progress, if any: once a block is
// appended, work on its siblings is worthless (the paper's fifth
// requirement).
func (n *Node) cancelAttempt() {
	if n.job == 0 {
		return
	}
	n.env.Cancel(n.job)
	n.job = 0
	n.env.Observe(nodes.Event{Kind: nodes.EvAttemptCancelled, Parent: n.jobTip, Height: n.jobHeight})
}

func (n *Node) onAttempt(r *TrainResult) {
	n.job = 0
	tip := n.tree.Tip()
	n.env.Observe(nodes.Event{Kind: nodes.EvAttemptDone, Parent: n.jobTip, Height: n.jobHeight,
		Value: r.ValAccuracy()})
	if r.Err != nil {
		n.env.Observe(nodes.Event{Kind: nodes.EvNote, Parent: n.jobTip, Note: "attempt failed: " + r.Err.Error()})
		return
	}
	attempt := n.attempt
	n.attempt++
	if n.mode == ModeContinue {
		n.lastModel = r.Model
	}
	thr := n.thresholdAt(tip, n.blockTime(tip))
	if tip.ID == n.jobTip && passes(r.ValCorrect, r.ValN, thr) {
		n.mine(tip, r, thr, attempt)
	}
	n.resume()
}

// mine builds, signs and reports a block for a successful attempt, then
// verifies it like any received block: the miner is its first validator,
// and announces the block only once it has passed.
func (n *Node) mine(tip chain.Entry[*rec], r *TrainResult, thr uint32, attempt uint32) {
	txs := n.pool.Select(n.state, n.cfg.MaxBlockTxs)
	if n.stor != nil {
		txs = n.proofsForParent(tip, txs)
	}
	h := Header{
		Version: Version, Prev: tip.ID, Height: uint64(tip.Height + 1),
		Time:    n.blockTime(tip),
		Problem: n.jobProblem, Model: r.Commitment, TxRoot: TxRoot(txs),
		Accuracy: uint32(uint64(r.ValCorrect) * PPM / uint64(r.ValN)), Threshold: thr, Attempt: attempt,
	}
	if n.cfg.Storage.Enabled {
		h.Model = ModelCommitment(r.Model, n.cfg.Storage.ChunkSize)
	}
	if err := h.Sign(n.cfg.Key); err != nil {
		n.env.Observe(nodes.Event{Kind: nodes.EvNote, Note: "cannot sign: " + err.Error()})
		return
	}
	blk := Block{Header: h, Model: r.Model, Txs: txs}
	msg := AppendBlock(nil, &blk)
	id := h.ID()
	n.env.Observe(nodes.Event{Kind: nodes.EvMined, Block: id, Parent: tip.ID, Height: int64(h.Height),
		Miner: n.cfg.ID, Size: len(msg), Value: float64(thr) / PPM})
	var fees ledger.Amount
	for _, tx := range txs {
		if tx.Kind() != ledger.KindProblem {
			fees += tx.Header().Fee
		}
	}
	rewards := []struct {
		amt  ledger.Amount
		note string
	}{{n.cfg.BlockReward, "block"}, {fees, "fee"}}
	if p, ok := n.state.Problem(h.Problem); ok && h.Problem != ([32]byte{}) {
		rewards = append(rewards, struct {
			amt  ledger.Amount
			note string
		}{p.Fee, "problem"})
	}
	for _, rw := range rewards {
		if rw.amt > 0 || rw.note == "block" {
			n.env.Observe(nodes.Event{Kind: nodes.EvReward, Block: id, Height: int64(h.Height), Miner: n.cfg.ID,
				Value: float64(rw.amt) / float64(ledger.Coin), Note: rw.note})
		}
	}
	m, err := DecodeMessage(msg)
	if err != nil {
		n.env.Observe(nodes.Event{Kind: nodes.EvNote, Block: id, Note: "mined block does not decode: " + err.Error()})
		return
	}
	n.onBlock(n.cfg.ID, &m, msg)
}
