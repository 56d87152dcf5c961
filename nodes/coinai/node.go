package coinai

import (
	"fmt"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/chain"
	"github.com/coinai/coinai/nodes/ledger"
	"github.com/coinai/coinai/nodes/nn"
	"github.com/coinai/coinai/nodes/relay"
)

// rec is what a node keeps per block in its tree. The message is the slice
// the block arrived in, shared by reference with every other node of a
// simulation (Env.Send forbids modifying sent messages), so relaying a
// block costs no copy; the decoded model is dropped after verification.
type rec struct {
	hdr   *Header // shared by the nodes of a run (internHeader): never modify
	txs   []ledger.Tx
	msg   []byte
	undo  ledger.Undo
	reg   *registry     // proof-of-storage state after the block (nil without storage)
	mints []ledger.Mint // storage rewards the block mints
	diff  uint64        // the block's ticket difficulty (lottery; 0 without)
	pad   int           // bytes its stand-in's model adds on the wire (standin.go)
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
	paused bool  // mining was paused for it
	data   *Data // the data of the problem it claims (checkContext)
	reg    *registry
	mints  []ledger.Mint
	diff   uint64 // its ticket difficulty (lottery)
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

	// reuse is an AttackReuse attacker's memory (nil for honest nodes).
	reuse *reuseState
	// held are blocks waiting for their timestamp (DecayClockVerifier).
	held []*pending
	// mkt is the problem market's bookkeeping (nil without Config.Market).
	mkt *marketState
	// strikes counts each peer's invalid blocks (BanAfter > 0; ban.go).
	strikes map[nodes.PeerID]int
	// spam, leak and steal are the memories of those attacker roles, and
	// reveal the commit–reveal state (nil when not in use).
	spam   *spamState
	leak   *leakState
	steal  *stealState
	reveal *revealState
	// spotLog is the training log of the block being published
	// (spot-checking) and spoof an AttackSpoof attacker's state.
	spotLog []SpotCheckpoint
	spoof   *spoofState
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
	if cfg.Attack.Kind == AttackTimestamp && cfg.Attack.Forward > cfg.MaxFutureDrift {
		return nil, fmt.Errorf("coinai config: attack %q: forward %d ns beyond the max future drift %d ns: every node would refuse its blocks",
			cfg.Attack.Kind, cfg.Attack.Forward, cfg.MaxFutureDrift)
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
	if cfg.Attack.Kind == AttackReuse || cfg.Attack.Kind == AttackSpoof {
		n.reuse = newReuseState()
	}
	if cfg.Market != nil {
		n.mkt = newMarketState(cfg.Market)
		if err := n.applyGenesis(); err != nil {
			return nil, err
		}
	}
	n.initMore()
	if cfg.Attack.Kind == AttackSpoof {
		n.spoof = &spoofState{}
	}
	g := Genesis(cfg)
	blk := Block{Header: g}
	r := &rec{hdr: &g, msg: AppendBlock(nil, &blk), diff: cfg.Lottery.Difficulty}
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
	return *e.Payload.hdr, true
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
	if n.spam != nil && n.cfg.Attack.Spam.Interval > 0 {
		env.After(n.cfg.Attack.Spam.Interval, tagSpam)
	}
	if n.stor != nil && n.cfg.Storage.RetrievalInterval > 0 {
		env.After(n.cfg.Storage.RetrievalInterval, tagRetrieve)
	}
	if n.mkt != nil {
		n.scheduleSubmit()
	}
	n.resume()
}

// OnTimer implements nodes.Node.
func (n *Node) OnTimer(tag uint64) {
	switch tag &^ tagSeqMask {
	case tagRequest:
		n.onTimeout(tag & tagSeqMask)
	case tagHold:
		n.onHold(tag)
	case tagSpam:
		if n.spam != nil {
			n.onSpamTimer()
		}
	case tagReveal:
		if n.reveal != nil {
			n.onRevealTimer(tag)
		}
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
	case tagSubmit:
		if n.mkt != nil {
			n.onSubmit()
		}
	case tagDeliver:
		if n.mkt != nil {
			n.onDeliverTimeout(tag)
		}
	}
}

// OnComputed implements nodes.Node.
func (n *Node) OnComputed(tag uint64, result any) {
	switch tag &^ tagSeqMask {
	case tagAttempt:
		if tag != n.jobTag || n.job == 0 {
			break
		}
		switch r := result.(type) {
		case *TrainResult:
			n.onAttempt(r)
		case *sampledDone:
			n.onSampled(r)
		}
	case tagEval:
		if r, ok := result.(*EvalResult); ok {
			n.onEval(tag, r)
		}
	case tagRetrEval:
		if r, ok := result.(*EvalResult); ok && n.stor != nil {
			n.onRetrievalEval(tag, r)
		}
	case tagDelivEval:
		if r, ok := result.(*EvalResult); ok && n.mkt != nil {
			n.onDeliverEval(tag, r)
		}
	}
}

func (n *Node) nextTag(kind uint64) uint64 {
	n.seq++
	return kind | n.seq&tagSeqMask
}
