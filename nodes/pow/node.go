// Package pow is the proof-of-work baseline: a Bitcoin-style node with
// headers, a coinbase, difficulty retargeting, most-work fork choice and
// Inv/GetData gossip with optional compact block relay (BIP 152), run as a
// nodes.Node state machine in the same simulator as Coin.AI.
//
// Two fidelity trades are named so that run outputs can list them:
//
//   - "pow.mining=sampled-exponential": no hashing happens. A miner with
//     hash rate h finds a block after an exponential time with mean
//     work/h, work being the expected hashes at the current target; the
//     draw is redone on every new tip, which is exact because hashing is
//     memoryless. Ids are therefore not checked against the target.
//   - "pow.body=declared-filler": a block carries a real coinbase and a
//     declaration of its synthetic transactions (count, bytes, seed)
//     committed to by the Merkle root; the transaction bytes themselves are
//     passed to Env.Send as padding, so the network charges them without
//     anyone materialising them. Compact relay charges 6 bytes per
//     transaction, and nodes that rebuild a compact block are assumed to
//     hold every transaction in their mempool.
//
// Block messages are kept by reference, not copied: every node stores and
// relays the slice it received, so one block's bytes exist once in the
// whole simulation. This needs delivered messages to stay unmodified for
// the run, which Env.Send already requires of senders.
package pow

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"unsafe"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/chain"
	"github.com/coinai/coinai/nodes/relay"
	"github.com/coinai/coinai/sim/cpu"
)

// Fidelity returns the names of this package's simplifications, for the
// run summary's fidelity list (see the package comment).
func Fidelity() []string {
	return []string{"pow.mining=sampled-exponential", "pow.body=declared-filler"}
}

// Defaults for optional Config fields.
const (
	// DefaultRequestTimeout is how long a node waits for a requested block
	// before asking the next peer that announced it (see
	// relay.DefaultTimeout).
	DefaultRequestTimeout = relay.DefaultTimeout
	// DefaultMaxFutureDrift is how far ahead of the node's clock a block
	// timestamp may be (Bitcoin's two hours).
	DefaultMaxFutureDrift = 2 * 3600e9
)

// Config configures a node. Fields marked consensus must be equal on all
// nodes of a run, or they will reject each other's blocks.
type Config struct {
	ID nodes.PeerID
	// Miner nodes mine; others only validate and relay.
	Miner bool
	// HashRate is the miner's hash rate in hashes per second.
	HashRate float64
	// TargetInterval is the planned mean block interval in ns (consensus).
	TargetInterval int64
	// GenesisDifficulty sets the genesis target (consensus); see
	// DifficultyFor to derive it from the network's total hash rate.
	GenesisDifficulty float64
	// RetargetWindow is the number of blocks between difficulty
	// adjustments (Bitcoin: 2016); 0 keeps the genesis difficulty
	// (consensus).
	RetargetWindow int
	// BlockSize is the size of mined blocks in bytes, filler included.
	BlockSize int
	// TxSize is the mean size of a filler transaction in bytes; it sets
	// the transaction count and with it the compact block size.
	TxSize int
	// MaxBlockSize bounds the size of valid blocks, filler included
	// (consensus).
	MaxBlockSize int
	// BlockReward is the coinbase amount (consensus).
	BlockReward uint64
	// Relay is the form in which this node asks peers for blocks.
	Relay Relay
	// NoCompact marks a node that does not speak BIP 152 (a few percent
	// of the 2019 network): it answers a request for a compact block with
	// the whole block. Set Relay to RelayFull for it too.
	NoCompact bool
	// RequestTimeout in ns; 0 means DefaultRequestTimeout.
	RequestTimeout int64
	// MaxFutureDrift in ns; 0 means DefaultMaxFutureDrift.
	MaxFutureDrift int64
	// MaxOrphans bounds buffered orphan blocks; 0 means
	// chain.DefaultMaxOrphans.
	MaxOrphans int
	// ExpectedBlocks sizes the block tree once (optional).
	ExpectedBlocks int
	// Shared, if not nil, is state the nodes of one run share (see
	// Shared); every node of the run must get the same one. nil gives the
	// node state of its own, with the same behaviour.
	Shared *Shared
	// Txs, if not nil, makes blocks carry the users' real transactions
	// (txs.go); nil keeps the declared filler alone, as before.
	Txs *TxConfig
}

// Shared is what the nodes of one run can share to save memory and time
// without changing any result: the block tree's entries (chain.Store: a
// block's parent, height, work and bytes are the same for every node that
// holds it, and each node keeps a bit per block it holds), and the results
// of decoding and hashing block messages (every node receives the same
// bytes, and hashing is a pure function of them). Nodes sharing it must run
// on one goroutine, as the nodes of a run do.
type Shared struct {
	blocks   *chain.Store[raw]
	verified map[raw]*verified
	// retyped maps a stored block message to its copy with the other
	// message type (full or compact): the store keeps the bytes of the
	// first node that added a block, and every node serving it in the
	// other form sends one shared copy instead of a copy each.
	retyped map[raw]raw
	// small holds the run's small messages (announcements and requests,
	// by type, block and relay form): every node announcing a block sends
	// the same bytes, so one shared slice, which stays in the cache for
	// all its receivers, replaces an allocation per node and block.
	small map[smallKey][]byte
	// txs is the transaction state of runs with Config.Txs (txs.go).
	txs *txShared
}

// smallKey names a small message: type, block id, relay form.
type smallKey struct {
	typ  MsgType
	want Relay
	id   [32]byte
}

// verified is a decoded block message with its hashes, kept with a copy of
// the bytes they were computed from: a hit is used only if the message
// still holds those bytes.
type verified struct {
	bytes  [blockMsgSize]byte
	m      Message
	merkle [32]byte
}

// maxVerified bounds Shared's decoded messages; the cache is emptied when
// full. A block is received as one or two distinct slices (full and
// compact), so a few hundred cover the blocks propagating at once.
const maxVerified = 1024

// NewShared returns state for the nodes of one run that expects about
// expectedBlocks blocks (0 if unknown).
func NewShared(expectedBlocks int) *Shared {
	return &Shared{blocks: chain.NewStore[raw](expectedBlocks + 1), verified: map[raw]*verified{}, retyped: map[raw]raw{},
		small: map[smallKey][]byte{}}
}

func (c *Config) validate() error {
	switch {
	case c.ID < 0:
		return fmt.Errorf("id %d: negative", c.ID)
	case c.Miner && (!(c.HashRate > 0) || math.IsInf(c.HashRate, 0)):
		return fmt.Errorf("hash rate %v: a miner needs a positive finite rate", c.HashRate)
	case c.TargetInterval <= 0:
		return fmt.Errorf("target interval %d ns: must be positive", c.TargetInterval)
	case c.RetargetWindow < 0:
		return fmt.Errorf("retarget window %d: negative", c.RetargetWindow)
	case c.RetargetWindow > 0 && c.TargetInterval > math.MaxInt64/4/int64(c.RetargetWindow):
		return fmt.Errorf("retarget window %d x interval %d ns: overflows", c.RetargetWindow, c.TargetInterval)
	case c.TxSize <= 0:
		return fmt.Errorf("tx size %d: must be positive", c.TxSize)
	case c.BlockSize < 0 || c.BlockSize > c.MaxBlockSize:
		return fmt.Errorf("block size %d: must be in [0, max block size %d]", c.BlockSize, c.MaxBlockSize)
	case c.MaxBlockSize < blockMsgSize:
		return fmt.Errorf("max block size %d: below the %d-byte block encoding", c.MaxBlockSize, blockMsgSize)
	case c.Relay > RelayCompact:
		return fmt.Errorf("relay %d: unknown", c.Relay)
	case c.RequestTimeout < 0 || c.MaxFutureDrift < 0:
		return fmt.Errorf("negative timeout or drift")
	}
	if _, err := BitsForDifficulty(c.GenesisDifficulty); err != nil {
		return fmt.Errorf("genesis: %w", err)
	}
	return nil
}

// Genesis returns the genesis block shared by all nodes of a run: height 0,
// time 0, no miner, no filler, at the target of cfg.GenesisDifficulty.
func Genesis(cfg Config) (Block, error) {
	bits, err := BitsForDifficulty(cfg.GenesisDifficulty)
	if err != nil {
		return Block{}, fmt.Errorf("genesis: %w", err)
	}
	b := Block{
		Header:   Header{Version: Version, Bits: bits, Miner: NoMiner},
		Coinbase: Coinbase{Miner: NoMiner},
	}
	b.Header.Merkle = b.ComputeMerkle()
	return b, nil
}

// raw is a block message as received: type byte then the block encoding.
// The tree stores a pointer to it (8 bytes per entry).
type raw = *[blockMsgSize]byte

func rawTime(r raw) int64  { return int64(le64(r[1+offTime:])) }
func rawBits(r raw) uint32 { return le32(r[1+offBits:]) }
func rawFiller(r raw) (count uint32, bytes uint64) {
	f := r[1+HeaderSize+CoinbaseSize:]
	return le32(f), le64(f[4:])
}

func le32(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }
func le64(b []byte) uint64 { return binary.LittleEndian.Uint64(b) }

// cmpctWait is a request's CmpctBlock waiting for its BlockTxn.
type cmpctWait struct {
	msg  []byte
	from nodes.PeerID
}

// orphanMsg is what the node keeps of a block its tree holds as an orphan.
type orphanMsg struct {
	msg  raw
	from nodes.PeerID
}

// servedRec is a (peer, block, kind) the node has served: the block's first
// 8 bytes with the low bit replaced by the kind (0 block, 1 transactions).
type servedRec struct {
	key  uint64
	peer nodes.PeerID
}

// Timer tags: kind in the top byte, sequence below.
const (
	tagMine    = 1 << 56
	tagRequest = 2 << 56
	tagSeqMask = 1<<56 - 1
)

// Node is a proof-of-work node. Create it with New.
type Node struct {
	// What handling a message reads comes first, in the three cache lines
	// that Prefetch asks for (with tens of thousands of nodes, each line
	// of a node touched per event is a miss): the requests in flight, the
	// count of rejections and the blocks served (line 1), the env and
	// peers (line 2), the head of the tree: its store, the bits of the
	// blocks it holds and its orphans (line 3).
	reqs    relay.Requests[cmpctWait]
	rejects int // blocks added to rejected (0: skip the ring)
	served  relay.Ring[servedRec]

	env       nodes.Env
	peers     []nodes.PeerID
	mineTimer nodes.Handle
	mineSeq   uint64
	reqSeq    uint64

	tree chain.Tree[raw]

	cfg   Config
	check chain.Check[raw]

	orphans relay.Orphans[orphanMsg] // unbounded: the tree evicts

	rejected relay.Ring[uint64] // first 8 bytes of rejected block ids

	// Cache of the last bits' work and difficulty: bits change once per
	// retarget window, and both need big-integer arithmetic.
	cacheBits uint32
	cacheWork chain.Work
	cacheDiff float64

	tx *txNode // real transactions (nil without Config.Txs)
}

var _ nodes.Node = (*Node)(nil)

// New validates cfg and returns a node holding the genesis block.
func New(cfg Config) (*Node, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("pow config: %w", err)
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.MaxFutureDrift == 0 {
		cfg.MaxFutureDrift = DefaultMaxFutureDrift
	}
	g, err := Genesis(cfg)
	if err != nil {
		return nil, err
	}
	m := Message{Type: MsgBlock, Block: g}
	r := raw(m.Append(make([]byte, 0, blockMsgSize)))
	n := &Node{cfg: cfg, served: relay.NewRing[servedRec](32), rejected: relay.NewRing[uint64](8)}
	var store *chain.Store[raw]
	if cfg.Shared != nil {
		store = cfg.Shared.blocks
	}
	n.tree.Init(store, g.Header.ID(), n.work(g.Header.Bits), r,
		chain.Options{MaxOrphans: cfg.MaxOrphans, Capacity: cfg.ExpectedBlocks + 1})
	n.check = n.checkLink
	if cfg.Txs != nil {
		if err := n.initTxs(g.Header.ID()); err != nil {
			return nil, fmt.Errorf("pow config: %w", err)
		}
	}
	return n, nil
}

// Tip returns the id and height of the node's best block.
func (n *Node) Tip() (id [32]byte, height int64) {
	t := n.tree.Tip()
	return t.ID, t.Height
}

// MainChain returns the ids of the best chain from genesis to the tip.
func (n *Node) MainChain() [][32]byte {
	out := make([][32]byte, 0, n.tree.Height()+1)
	for e := range n.tree.MainChain() {
		out = append(out, e.ID)
	}
	return out
}

// Has reports whether the node has accepted block id.
func (n *Node) Has(id [32]byte) bool { return n.tree.Has(id) }

// Block returns an accepted block.
func (n *Node) Block(id [32]byte) (Block, bool) {
	e, ok := n.tree.Get(id)
	if !ok {
		return Block{}, false
	}
	b, err := DecodeBlock(e.Payload[1:])
	return b, err == nil
}

func (n *Node) work(bits uint32) chain.Work {
	if bits != n.cacheBits || n.cacheWork.IsZero() {
		n.cacheBits, n.cacheWork, n.cacheDiff = bits, Work(bits), Difficulty(bits)
	}
	return n.cacheWork
}

func (n *Node) difficulty(bits uint32) float64 {
	n.work(bits)
	return n.cacheDiff
}

// Start implements nodes.Node.
func (n *Node) Start(env nodes.Env) {
	n.env = env
	n.peers = env.Peers()
	if n.tx != nil {
		n.scheduleSubmit()
	}
	if n.cfg.Miner {
		env.SetBusy(true)
		n.startMining()
	}
}

// nextBits is the retarget rule: the bits of a child of parent. Every
// RetargetWindow blocks (at heights that are multiples of W), the target
// is scaled by the time the last W blocks took, from the timestamp of the
// block at height h-W to that of the parent at h-1, over W*TargetInterval.
func (n *Node) nextBits(parent chain.Entry[raw]) uint32 {
	pb := rawBits(parent.Payload)
	w := int64(n.cfg.RetargetWindow)
	h := parent.Height + 1
	if w <= 0 || h%w != 0 {
		return pb
	}
	first, ok := n.tree.Ancestor(parent.ID, h-w)
	if !ok {
		return pb
	}
	return Retarget(pb, rawTime(parent.Payload)-rawTime(first.Payload), w*n.cfg.TargetInterval)
}

// checkLink is the contextual validation run by the tree when a block
// connects to its parent. A block's timestamp must be strictly after its
// parent's (simpler than Bitcoin's median-of-11 rule, and sound because all
// simulated clocks agree), and its bits must equal the retarget rule's.
func (n *Node) checkLink(parent chain.Entry[raw], b *chain.Block[raw]) error {
	if rawTime(b.Payload) <= rawTime(parent.Payload) {
		return errTimeOrder
	}
	if rawBits(b.Payload) != n.nextBits(parent) {
		return errDifficulty
	}
	if n.tx != nil {
		return n.checkLedger(parent, b)
	}
	return nil
}

// checkBody is the validation that needs no parent. merkle is the block's
// computed Merkle root if known (nil: computed here).
func (n *Node) checkBody(b *Block, merkle *[32]byte) error {
	h := &b.Header
	switch {
	case h.Version != Version:
		return errVersion
	case b.Filler.Bytes > uint64(n.cfg.MaxBlockSize) || b.WireSize() > n.cfg.MaxBlockSize:
		return errOversize
	case uint64(b.Filler.Count) > b.Filler.Bytes:
		return errFiller // a transaction has at least one byte
	case b.Coinbase.Miner != h.Miner || b.Coinbase.Height != h.Height || b.Coinbase.Reward != n.cfg.BlockReward:
		return errCoinbase
	case h.Height > math.MaxInt32:
		return errHeight
	case h.Time > n.env.Now()+n.cfg.MaxFutureDrift:
		return errFuture
	case merkle != nil && *merkle != h.Merkle, merkle == nil && b.ComputeMerkle() != h.Merkle:
		return errMerkle
	}
	return nil
}

// Receive implements nodes.Node. The small fixed-size messages, which
// are most of the traffic, are read in place without decoding.
func (n *Node) Receive(from nodes.PeerID, msg []byte) {
	if len(msg) == idMsgSize || len(msg) == getDataSize || len(msg) == getBlockTxnPartSize {
		id := (*[32]byte)(msg[1:33])
		switch t := MsgType(msg[0]); {
		case t == MsgInv && len(msg) == idMsgSize:
			n.request(*id, from)
			return
		case t == MsgGetData && len(msg) == getDataSize && Relay(msg[33]) <= RelayCompact:
			n.serve(from, *id, Relay(msg[33]))
			return
		case t == MsgGetBlockTxn && len(msg) == idMsgSize:
			n.serveTxn(from, *id, 0)
			return
		case t == MsgGetBlockTxn && len(msg) == getBlockTxnPartSize:
			n.serveTxn(from, *id, le32(msg[33:]))
			return
		case t == MsgBlockTxn && len(msg) == idMsgSize:
			n.onBlockTxn(*id)
			return
		}
	}
	if n.tx != nil && len(msg) > 0 && n.receiveTx(from, msg) {
		return
	}
	m, merkle, err := n.decode(msg)
	if err != nil {
		n.env.Observe(nodes.Event{Kind: nodes.EvRejected, Note: errDecode.Error() + ": " + err.Error()})
		return
	}
	if m.Type == MsgBlock || m.Type == MsgCmpctBlock {
		n.onBlock(from, &m, msg, merkle)
	}
}

// decode decodes msg. For a block message it also returns the block's
// Merkle root when it was computed already, from Shared's cache: the same
// bytes decode and hash alike at every node.
func (n *Node) decode(msg []byte) (Message, *[32]byte, error) {
	sh := n.cfg.Shared
	if sh == nil || len(msg) != blockMsgSize {
		m, err := DecodeMessage(msg)
		return m, nil, err
	}
	r := raw(msg)
	if v, ok := sh.verified[r]; ok && v.bytes == *r {
		return v.m, &v.merkle, nil
	}
	m, err := DecodeMessage(msg)
	if err != nil || (m.Type != MsgBlock && m.Type != MsgCmpctBlock) {
		return m, nil, err
	}
	if len(sh.verified) >= maxVerified {
		clear(sh.verified)
	}
	v := &verified{bytes: *r, m: m, merkle: m.Block.ComputeMerkle()}
	sh.verified[r] = v
	return m, &v.merkle, nil
}

// Prefetch implements nodes.Prefetcher: at stage 1 the node's first three
// cache lines (see Node), at stage 0 what handling msg reads beyond them:
// the requests in flight for an announcement, the served ring for a
// request, the peers for a block (which is announced to them). Every
// message of a block's propagation goes through one of these, and at
// 60,000 nodes each is a cache miss otherwise.
func (n *Node) Prefetch(msg []byte, stage int) {
	if stage == 1 {
		cpu.PrefetchLines(unsafe.Pointer(n), 3)
		return
	}
	if len(msg) == 0 {
		return
	}
	switch MsgType(msg[0]) {
	case MsgInv:
		n.reqs.Prefetch()
	case MsgGetData, MsgGetBlockTxn:
		n.served.Prefetch()
	case MsgBlock, MsgCmpctBlock, MsgBlockTxn:
		if len(n.peers) > 0 { // the block is announced to every peer
			cpu.PrefetchLines(unsafe.Pointer(&n.peers[0]), (len(n.peers)*4+63)/64)
		}
	}
}

// onBlockTxn completes a compact block that waited for its transactions.
func (n *Node) onBlockTxn(id [32]byte) {
	r := n.reqs.Find(id)
	if r == nil || r.Extra.msg == nil {
		return
	}
	w := r.Extra
	m, _, err := n.decode(w.msg)
	if err != nil {
		return // cannot happen: it decoded when stored
	}
	n.accept(w.from, &m, w.msg)
}

func (n *Node) known(id *[32]byte) bool {
	if n.tree.Has(*id) || n.tree.HasOrphan(*id) {
		return true
	}
	// The ring is read only once something was rejected: it starts out
	// holding zero keys, which no lookup here matches.
	k := le64(id[:8])
	return k != 0 && n.rejects > 0 && n.rejected.Has(k)
}

// request notes that from has block id; if the node lacks it and has not
// asked anyone yet, it asks from.
func (n *Node) request(id [32]byte, from nodes.PeerID) {
	// Blocks in flight are checked first: while a block propagates, a node
	// hears of it from many peers before it has it.
	if n.reqs.Announced(id, from) || n.known(&id) {
		return
	}
	if r := n.reqs.Open(id, from); r != nil {
		n.ask(r)
	}
}

// ask sends GetData to the current announcer and arms the timeout.
func (n *Node) ask(r *relay.Request[cmpctWait]) {
	n.env.Send(r.Peer(), n.small(MsgGetData, r.ID(), n.cfg.Relay), 0)
	n.arm(r)
}

// arm (re)starts the request's timeout.
func (n *Node) arm(r *relay.Request[cmpctWait]) {
	n.reqSeq++
	r.Arm(n.env, n.cfg.RequestTimeout, tagRequest|n.reqSeq&tagSeqMask)
}

// onTimeout asks the next announcer of the request whose timer fired.
func (n *Node) onTimeout(tag uint64) {
	if r := n.reqs.Expired(tag); r != nil {
		n.ask(r)
	}
}

// serve answers GetData with the stored block bytes, once per peer and
// block.
func (n *Node) serve(to nodes.PeerID, id [32]byte, want Relay) {
	e, ok := n.tree.Get(id)
	if !ok || n.wasServed(to, &id, 0) {
		return
	}
	count, bytes := rawFiller(e.Payload)
	typ, pad := MsgBlock, int(bytes)
	if want == RelayCompact && !n.cfg.NoCompact {
		typ, pad = MsgCmpctBlock, ShortIDSize*int(count)
	}
	if bd := n.bodyOf(id); bd != nil {
		msg := bd.full
		if typ == MsgCmpctBlock {
			msg = bd.cmpct
		}
		n.env.Send(to, msg, pad)
		return
	}
	n.env.Send(to, n.retype(e.Payload, typ)[:], pad)
}

// small returns the encoding of a small message (Inv, GetData with want,
// GetBlockTxn, BlockTxn) of block id: shared by the run's nodes (see
// Shared.small), or a new slice for a node without Shared.
func (n *Node) small(typ MsgType, id [32]byte, want Relay) []byte {
	m := Message{Type: typ, ID: id}
	size := idMsgSize
	if typ == MsgGetData {
		m.Want, size = want, getDataSize
	}
	sh := n.cfg.Shared
	if sh == nil {
		return m.Append(make([]byte, 0, size))
	}
	k := smallKey{typ: typ, want: m.Want, id: id}
	if b, ok := sh.small[k]; ok {
		return b
	}
	if len(sh.small) >= maxVerified {
		clear(sh.small)
	}
	b := m.Append(make([]byte, 0, size))
	sh.small[k] = b
	return b
}

// retype returns the block message r with message type typ: r itself, or
// a copy with the type byte changed (shared by the run's nodes, see
// Shared.retyped). Sent messages are never modified, so one copy serves
// every peer.
func (n *Node) retype(r raw, typ MsgType) raw {
	if r[0] == byte(typ) {
		return r
	}
	sh := n.cfg.Shared
	if sh != nil {
		if c, ok := sh.retyped[r]; ok && c[0] == byte(typ) {
			return c
		}
	}
	c := new([blockMsgSize]byte)
	*c = *r
	c[0] = byte(typ)
	if sh != nil {
		if len(sh.retyped) >= maxVerified {
			clear(sh.retyped)
		}
		sh.retyped[r] = c
	}
	return c
}

// serveTxn answers GetBlockTxn with the block's transactions: all of them
// (missing 0), or the missing ones, charged at the block's mean
// transaction size (see askTxn and txnBytes).
func (n *Node) serveTxn(to nodes.PeerID, id [32]byte, missing uint32) {
	e, ok := n.tree.Get(id)
	if !ok || n.wasServed(to, &id, 1) {
		return
	}
	count, bytes := rawFiller(e.Payload)
	n.env.Send(to, n.small(MsgBlockTxn, id, 0), txnBytes(count, bytes, missing))
}

// wasServed records (peer, block, kind) in a small ring and reports whether
// it was already there. Blocks are keyed by their first 8 bytes.
func (n *Node) wasServed(peer nodes.PeerID, id *[32]byte, kind uint64) bool {
	return n.served.Seen(servedRec{key: le64(id[:8])&^1 | kind, peer: peer})
}

// reject reports an invalid block and remembers it in a small ring so that
// further announcements of it are ignored; a block that is only too far in
// the future is not remembered, since it may become valid.
func (n *Node) reject(id [32]byte, err error) {
	if err != errFuture {
		n.rejected.Add(le64(id[:8]))
		n.rejects++
	}
	n.env.Observe(nodes.Event{Kind: nodes.EvRejected, Block: id, Note: err.Error()})
}

func (n *Node) onBlock(from nodes.PeerID, m *Message, msg []byte, merkle *[32]byte) {
	if n.known(&m.ID) {
		return
	}
	if err := n.checkBody(&m.Block, merkle); err != nil {
		n.reqs.Drop(n.env, m.ID)
		n.reject(m.ID, err)
		return
	}
	if m.Type != MsgCmpctBlock {
		n.accept(from, m, msg)
		return
	}
	if share := n.missing(m.ID); share > 0 {
		r := n.reqs.Find(m.ID)
		if r == nil { // unsolicited: track it so that the timeout cleans up
			if r = n.reqs.Open(m.ID, from); r == nil {
				return
			}
			n.arm(r)
		}
		if r.Extra.msg == nil {
			r.Extra = cmpctWait{msg: msg, from: from}
			n.askTxn(from, m, share)
		}
		return
	}
	n.accept(from, m, msg)
}

// missing asks the Env's mempool model which share of a compact block's
// transactions this node lacks (0: it rebuilds the block): per reception
// from a nodes.PartialMempool, else all or nothing from a nodes.Mempool;
// without either, every block rebuilds. On a miss the node fetches the
// transactions with GetBlockTxn.
func (n *Node) missing(id [32]byte) float64 {
	if pm, ok := n.env.(nodes.PartialMempool); ok {
		return pm.Missing(id)
	}
	if mp, ok := n.env.(nodes.Mempool); ok && !mp.CanRebuild(id) {
		return 1
	}
	return 0
}

// accept offers a decoded, body-checked block to the tree and handles what
// connected.
func (n *Node) accept(from nodes.PeerID, m *Message, msg []byte) {
	h := &m.Block.Header
	r := raw(msg)
	res, err := n.tree.Add(chain.Block[raw]{
		ID: m.ID, Parent: h.Prev, Height: int64(h.Height), Work: n.work(h.Bits), Payload: r,
	}, n.check)
	if err != nil {
		if errors.Is(err, chain.ErrKnown) {
			return
		}
		n.reqs.Drop(n.env, m.ID)
		if errors.Is(err, chain.ErrHeight) {
			err = errHeight
		}
		n.reject(m.ID, err)
		return
	}
	for _, id := range res.Evicted {
		n.orphans.Remove(id)
	}
	if res.Orphaned {
		n.reqs.Drop(n.env, m.ID)
		if !slices.Contains(res.Evicted, m.ID) {
			n.orphans.Add(m.ID, h.Prev, orphanMsg{msg: r, from: from})
		}
		if from != n.cfg.ID {
			n.request(n.missingAncestor(h.Prev), from)
		}
		return
	}
	// res's slices stay valid below: nothing here calls tree.Add again
	// (mining only arms a timer).
	for i, id := range res.Connected {
		if i == 0 {
			n.onAccepted(id, r, from)
			continue
		}
		if o, ok := n.orphans.Remove(id); ok {
			n.onAccepted(id, o.msg, o.from)
		}
	}
	for _, rj := range res.Rejected {
		n.orphans.Remove(rj.ID)
		err := rj.Err
		if errors.Is(err, chain.ErrHeight) {
			err = errHeight
		}
		n.reject(rj.ID, err)
	}
	if res.TipMoved {
		if n.tx != nil {
			n.txReorg(res.Undone, res.Applied)
		}
		tip := n.tree.Tip()
		n.env.Observe(nodes.Event{Kind: nodes.EvTip, Block: tip.ID, Parent: tip.Parent, Height: tip.Height,
			Miner: nodes.PeerID(int32(le32(tip.Payload[1+offMiner:]))), Value: float64(len(res.Undone))})
		n.startMining()
	}
}

// onAccepted reports a newly connected block and announces it to every
// peer that is not known to have it.
func (n *Node) onAccepted(id [32]byte, r raw, from nodes.PeerID) {
	var skip [relay.MaxAnnouncers]nodes.PeerID
	ns := 0
	if q, ok := n.reqs.Drop(n.env, id); ok {
		ns = copy(skip[:], q.Announcers())
	}
	n.env.Observe(n.event(nodes.EvAccepted, id, r))
	msg := n.small(MsgInv, id, 0)
	for _, p := range n.peers {
		if p == from || slices.Contains(skip[:ns], p) {
			continue
		}
		n.env.Send(p, msg, 0)
	}
}

func (n *Node) event(kind nodes.EventKind, id [32]byte, r raw) nodes.Event {
	var parent [32]byte
	copy(parent[:], r[1+offPrev:])
	_, bytes := rawFiller(r)
	bits := rawBits(r)
	return nodes.Event{
		Kind: kind, Block: id, Parent: parent,
		Height: int64(le64(r[1+offHeight:])),
		Miner:  nodes.PeerID(int32(le32(r[1+offMiner:]))),
		Size:   blockMsgSize + int(bytes) + n.bodyBytes(id),
		Value:  n.difficulty(bits),
	}
}

// bodyBytes is the size of a block's transaction list (0 without one).
func (n *Node) bodyBytes(id [32]byte) int {
	if bd := n.bodyOf(id); bd != nil {
		return len(bd.list)
	}
	return 0
}

// OnTimer implements nodes.Node.
func (n *Node) OnTimer(tag uint64) {
	switch tag &^ tagSeqMask {
	case tagMine:
		if tag&tagSeqMask == n.mineSeq&tagSeqMask {
			n.mine()
		}
	case tagRequest:
		n.onTimeout(tag)
	case tagSubmit:
		if n.tx != nil {
			n.onSubmit()
		}
	}
}

// OnComputed implements nodes.Node; proof-of-work queues no compute jobs.
func (n *Node) OnComputed(uint64, any) {}

// startMining (re)draws the time to the next block on the current tip.
func (n *Node) startMining() {
	if !n.cfg.Miner {
		return
	}
	if n.mineTimer != 0 {
		n.env.Cancel(n.mineTimer)
	}
	bits := n.nextBits(n.tree.Tip())
	mean := n.work(bits).Float64() / n.cfg.HashRate * 1e9
	d := n.env.Rand().ExpFloat64() * mean
	delay := int64(math.MaxInt64 / 2)
	if d < float64(delay) {
		delay = max(int64(d), 1)
	}
	n.mineSeq++
	n.mineTimer = n.env.After(delay, tagMine|n.mineSeq&tagSeqMask)
}

// mine builds a block on the tip, reports it and accepts it.
func (n *Node) mine() {
	n.mineTimer = 0
	tip := n.tree.Tip()
	rnd := n.env.Rand()
	filler := max(n.cfg.BlockSize-blockMsgSize, 0)
	height := uint64(tip.Height + 1)
	miner := uint32(n.cfg.ID)
	b := Block{
		Header: Header{
			Version: Version, Prev: tip.ID, Height: height,
			Time:  max(n.env.Now(), rawTime(tip.Payload)+1),
			Bits:  n.nextBits(tip),
			Miner: miner, Nonce: rnd.Uint64(),
		},
		Coinbase: Coinbase{Miner: miner, Height: height, Reward: n.cfg.BlockReward},
		Filler:   Filler{Count: uint32(filler / n.cfg.TxSize), Bytes: uint64(filler), Seed: rnd.Uint64()},
	}
	b.Header.Merkle = b.ComputeMerkle()
	var bd *body
	if n.tx != nil {
		bd = n.fillTxs(&b, tip)
	}
	m := Message{Type: MsgBlock, ID: b.Header.ID(), Block: b}
	msg := m.Append(make([]byte, 0, blockMsgSize))
	merkle := (*[32]byte)(nil)
	if bd != nil {
		msg, merkle = bd.full[:blockMsgSize], &b.Header.Merkle
		n.tx.sh.bodies[m.ID] = bd
	}
	n.env.Observe(n.event(nodes.EvMined, m.ID, raw(msg)))
	if bd != nil {
		n.observeFees(m.ID, height, bd)
	}
	seq := n.mineSeq
	if err := n.checkBody(&m.Block, merkle); err != nil {
		n.reject(m.ID, err)
	} else {
		n.accept(n.cfg.ID, &m, msg)
	}
	if n.mineSeq == seq { // the tip did not move: keep mining
		n.startMining()
	}
}

var (
	_ nodes.Reconnecter = (*Node)(nil)
	_ nodes.Restarter   = (*Node)(nil)
)

// Reconnected implements nodes.Reconnecter: the node announces its tip to
// a peer whose link just came back, as Bitcoin peers exchange their best
// chains when they connect. A peer that lacks the tip asks for it and
// then for its ancestors it lacks, one orphan at a time. The node forgets
// which blocks it served the peer: a peer that restarted from nothing
// asks for them again.
func (n *Node) Reconnected(peer nodes.PeerID) {
	n.served.Forget(func(r servedRec) bool { return r.peer == peer })
	tip := n.tree.Tip()
	if tip.Height == 0 {
		return
	}
	inv := Message{Type: MsgInv, ID: tip.ID}
	n.env.Send(peer, inv.Append(make([]byte, 0, idMsgSize)), 0)
}

// Restart implements nodes.Restarter: after a crash the node keeps its
// block tree (its disk) and forgets the blocks it was fetching, whose
// timers died with it (a later announcement asks again); a miner draws a
// new time to its next block on its tip.
func (n *Node) Restart(env nodes.Env) {
	n.reqs = relay.Requests[cmpctWait]{}
	n.mineTimer = 0
	n.Start(env)
}

// missingAncestor is the block to ask for when a block on parent arrives
// without it: parent itself, unless parent is an orphan already held
// whose own missing ancestor is no longer being fetched (its request was
// lost with every announcer, or died in a crash); then that ancestor, so
// that the orphans can connect.
func (n *Node) missingAncestor(parent [32]byte) [32]byte {
	if !n.tree.HasOrphan(parent) {
		return parent
	}
	root := n.orphans.Root(parent)
	if n.reqs.Find(root) != nil || n.known(&root) {
		return parent // in flight, or known: asking for parent does nothing, as before
	}
	return root
}
