package attack

import (
	"github.com/coinai/coinai/nodes"
)

// Pool is a selfish-mining pool: the state of Eyal and Sirer's Algorithm 1
// ("Majority is not enough: Bitcoin mining is vulnerable", FC 2014),
// shared by the pool's members (Selfish nodes) as a pool operator's
// server would hold it. The nodes of one run run on one goroutine, so the
// members read and write it without locks.
//
// The private chain is each member's own best chain: a member's node
// keeps every block, honest or not, and chooses its tip by the protocol's
// rule (most work, the first seen on a tie). That is the algorithm's
// choice of where to mine: while the pool's branch is at least as long as
// the public one the node stays on it (its blocks were seen first), and
// the moment an honest chain is longer the node moves to it (the
// algorithm's "they win": private chain ← public chain). What the pool
// adds is when its blocks are published:
//
//	lead before an honest block   action
//	0 (no private branch)         adopt the public chain
//	0' (a tie the pool published) adopt the public chain
//	1                             publish the private block: a tie (match)
//	2                             publish the whole branch: it wins (override)
//	more                          publish the private block of the honest block's height (match)
//
// and when the pool finds a block in state 0' it publishes its branch
// (override). Leads are counted in blocks (heights), which is the
// algorithm's measure and exact when sibling blocks carry equal work (PoW
// between retargets; Coin.AI siblings without a threshold decay step
// between them).
//
// γ, the share of honest mining power that mines on the pool's block in
// a tie, is not a parameter of the pool but a fact of the network: a
// match goes out at once, pushed as whole blocks, only to the honest
// nodes of Reach (the nodes the pool reaches first, e.g. over faster
// links); the rest hear it through the honest relay, after the competing
// block. Whether a node of Reach mines on the pool's block depends on the
// block reaching it before the competing honest block, which the
// scenario's latencies decide. An override goes to every peer. See
// DESIGN.md, "Selfish mining".
type Pool struct {
	// reach are the nodes a match is pushed to; members are the pool's
	// own nodes (never pushed to).
	reach, members map[nodes.PeerID]bool

	own   map[[32]byte]*poolBlock
	mined []*poolBlock // every block the pool found, in order: members sync from it
	// branch is the private branch since the last fork point, in height
	// order (Algorithm 1's private chain beyond the public one).
	branch     []*poolBlock
	branchLen  int // Algorithm 1's privateBranchLen
	privHeight int64
	pubHeight  int64

	// pending holds the releases decided during the current member's
	// callback; the member sends them once its node has returned.
	pending []release

	// Stats counts what the pool did.
	Stats PoolStats
}

// PoolStats counts the pool's decisions.
type PoolStats struct {
	Found     int // blocks the pool found (accepted by their miner)
	Matches   int // releases that tie or match the public chain
	Overrides int // releases that overtake the public chain
	Adopts    int // times the pool gave up its branch for the public chain
}

type poolBlock struct {
	id      [32]byte
	height  int64
	msg     []byte
	pad     int
	finder  nodes.PeerID
	matched bool // pushed to Reach by a match
	sent    bool // pushed to every peer by an override
}

type release struct {
	blocks   []*poolBlock
	override bool
}

// NewPool returns the shared state of a pool whose members are the given
// nodes and which pushes matches first to reach.
func NewPool(members, reach []nodes.PeerID) *Pool {
	p := &Pool{reach: map[nodes.PeerID]bool{}, members: map[nodes.PeerID]bool{}, own: map[[32]byte]*poolBlock{}}
	for _, m := range members {
		p.members[m] = true
	}
	for _, r := range reach {
		if !p.members[r] {
			p.reach[r] = true
		}
	}
	return p
}

// found is Algorithm 1's "my pool found a block": b, accepted by its
// miner, extends the private branch.
func (p *Pool) found(b *poolBlock) {
	p.Stats.Found++
	p.mined = append(p.mined, b)
	if b.height <= p.privHeight {
		// Mined on a head the pool had left (a member that had not yet
		// synced): it forks the pool's own branch and is withheld.
		return
	}
	prev := p.privHeight - p.pubHeight
	p.privHeight = b.height
	p.branch = append(p.branch, b)
	p.branchLen++
	if prev == 0 && p.branchLen == 2 {
		p.override()
	}
}

// othersFound is Algorithm 1's "others found a block", for an honest
// block at height h that a member accepted. Only a longer public chain
// moves the state; the cases are those of Algorithm 1 written with the
// lead after the block (private height - h), which also covers an honest
// chain that grew by several blocks at once.
func (p *Pool) othersFound(h int64) {
	if h <= p.pubHeight {
		return
	}
	p.pubHeight = h
	switch lead := p.privHeight - h; {
	case lead < 0: // they win: private chain ← public chain
		p.privHeight, p.branch, p.branchLen = h, nil, 0
		p.Stats.Adopts++
	case lead == 0: // a tie: publish the branch's last blocks
		p.match(h)
	case lead == 1: // the pool wins by one
		p.override()
	default: // publish the first unpublished block(s), up to height h
		p.match(h)
	}
}

// match releases the branch's blocks up to height h that were not
// released yet, to Reach.
func (p *Pool) match(h int64) {
	var r release
	for _, b := range p.branch {
		if b.height <= h && !b.matched && !b.sent {
			b.matched = true
			r.blocks = append(r.blocks, b)
		}
	}
	if len(r.blocks) > 0 {
		p.Stats.Matches++
		p.pending = append(p.pending, r)
	}
}

// override releases the whole branch to every peer; the public chain is
// then the pool's, and a new branch starts.
func (p *Pool) override() {
	r := release{override: true}
	for _, b := range p.branch {
		if !b.sent {
			r.blocks = append(r.blocks, b)
		}
	}
	if len(r.blocks) > 0 {
		p.Stats.Overrides++
		p.pending = append(p.pending, r)
	}
	p.pubHeight = p.privHeight
	p.branch, p.branchLen = nil, 0
}

// Selfish is a member of a selfish-mining Pool: an honest node whose
// announcements the pool controls. The node mines on its best chain as
// any node does; the member
//
//   - never lets the node announce a block (Inv): it relays nothing, and
//     publishes only what the pool releases, pushing the blocks whole;
//   - tells the pool of every block its node accepts: one it mined itself
//     is the pool's find, any other block a longer public chain maybe;
//   - hands its node, before each callback, the blocks the other members
//     found since (the pool's private channel), so that all members mine
//     on the pool's branch. A member learns of another's block at its
//     next event, not at once: the fidelity note
//     "attack.selfish.pool=shared-state" names it.
type Selfish struct {
	inner
	wire   Wire
	pool   *Pool
	id     nodes.PeerID
	env    nodes.Env
	mine   map[[32]byte]bool // blocks this member's node mined, not yet accepted
	synced int               // blocks of pool.mined handed to the node
}

var (
	_ nodes.Node        = (*Selfish)(nil)
	_ nodes.Tipper      = (*Selfish)(nil)
	_ nodes.Restarter   = (*Selfish)(nil)
	_ nodes.Reconnecter = (*Selfish)(nil)
)

// NewSelfish makes node n (whose id is id) a member of pool.
func NewSelfish(n nodes.Node, id nodes.PeerID, pool *Pool, wire Wire) *Selfish {
	return &Selfish{inner: inner{n}, wire: wire, pool: pool, id: id, mine: map[[32]byte]bool{}}
}

// Pool returns the member's pool.
func (s *Selfish) Pool() *Pool { return s.pool }

func (s *Selfish) wrap(env nodes.Env) nodes.Env {
	s.env = env
	return &wrapEnv{Env: env, send: s.send, observe: s.observe}
}

// Start implements nodes.Node.
func (s *Selfish) Start(env nodes.Env) {
	s.n.Start(s.wrap(env))
	s.flush()
}

// Restart implements nodes.Restarter.
func (s *Selfish) Restart(env nodes.Env) {
	if r, ok := s.n.(nodes.Restarter); ok {
		r.Restart(s.wrap(env))
	} else {
		s.n.Start(s.wrap(env))
	}
	s.flush()
}

// Reconnected implements nodes.Reconnecter: a pool member announces
// nothing (its tip may be private).
func (s *Selfish) Reconnected(nodes.PeerID) {}

// Receive implements nodes.Node.
func (s *Selfish) Receive(from nodes.PeerID, msg []byte) {
	s.sync()
	s.n.Receive(from, msg)
	s.flush()
}

// OnTimer implements nodes.Node.
func (s *Selfish) OnTimer(tag uint64) {
	s.sync()
	s.n.OnTimer(tag)
	s.flush()
}

// OnComputed implements nodes.Node.
func (s *Selfish) OnComputed(tag uint64, result any) {
	s.sync()
	s.n.OnComputed(tag, result)
	s.flush()
}

// sync hands the node the blocks other members found since the last
// sync, in the order found (parents first).
func (s *Selfish) sync() {
	for s.synced < len(s.pool.mined) {
		b := s.pool.mined[s.synced]
		s.synced++
		if b.finder != s.id && b.msg != nil {
			s.n.Receive(s.id, b.msg)
		}
	}
}

// send is the node's Send: announcements are dropped, the rest (requests
// for blocks, blocks served on request, transactions) goes out.
func (s *Selfish) send(to nodes.PeerID, msg []byte, padding int) {
	if s.wire.IsInv(msg) {
		return
	}
	s.env.Send(to, msg, padding)
}

// observe is the node's Observe: it drives the pool, then reports.
func (s *Selfish) observe(ev nodes.Event) {
	switch ev.Kind {
	case nodes.EvMined:
		s.mine[ev.Block] = true
	case nodes.EvAccepted:
		switch {
		case s.pool.own[ev.Block] != nil:
			// Another member's block, handed over by sync.
		case s.mine[ev.Block]:
			delete(s.mine, ev.Block)
			b := &poolBlock{id: ev.Block, height: ev.Height, finder: s.id}
			b.msg, b.pad, _ = s.wire.BlockMessage(s.n, ev.Block)
			s.pool.own[ev.Block] = b
			s.pool.found(b)
		default:
			s.pool.othersFound(ev.Height)
		}
	}
	s.env.Observe(ev)
}

// flush sends the releases the pool decided during this callback: each
// block pushed whole, in height order, to the member's peers that are
// not members (a match only to those in Reach).
func (s *Selfish) flush() {
	p := s.pool
	if len(p.pending) == 0 {
		return
	}
	rs := p.pending
	p.pending = nil
	for _, r := range rs {
		for _, b := range r.blocks {
			if b.msg == nil {
				continue
			}
			for _, q := range s.env.Peers() {
				if p.members[q] {
					continue
				}
				if r.override && b.matched && p.reach[q] || !r.override && !p.reach[q] {
					continue // has it already, or not in Reach
				}
				s.env.Send(q, b.msg, b.pad)
			}
			if r.override {
				b.sent = true
			}
		}
	}
}
