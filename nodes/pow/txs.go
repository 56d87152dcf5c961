package pow

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/chain"
	"github.com/coinai/coinai/nodes/ledger"
)

// Real transactions (Config.Txs, a scenario's [[workload]]): users' signed
// ledger transfers travel through the network, wait in each node's mempool
// (ledger.Pool: highest fee first, ties by ascending id, a size limit) and
// are carried by blocks in a variable-size body beside the declared filler,
// which shrinks by the body's bytes so that a block keeps its configured
// size. The Merkle root commits to the coinbase, every transaction id in
// block order and the filler declaration (the two-leaf root of a block
// without transactions is unchanged). Every node checks each transaction's
// signature and stateless rules and applies the block on its parent's
// ledger state (balance, nonce); one invalid transaction makes the block
// invalid. Compact relay sends a 6-byte short id per transaction (the first
// 6 bytes of its id; BIP 152 salts a SipHash instead): the receiver rebuilds
// the body from the transactions it has seen and asks the sender for the
// ones it lacks, together with its missing share of the filler.
//
// Without Config.Txs none of this runs, and every message, event and digest
// is what it was before.

// MsgTx floods one signed transaction: the type byte, then its encoding.
const MsgTx MsgType = MsgBlockTxn + 1

// Defaults of TxConfig.
const (
	DefaultPoolSize    = 10_000
	DefaultMaxBlockTxs = 10_000
)

// tagSubmit is the timer of the next due user submission.
const tagSubmit = 3 << 56

// getBlockTxnTxSize is the fixed part of a GetBlockTxn that names real
// transactions: type, block id, the filler transactions missing (u32:
// 0 none, fillerAll every one), the count of real transactions missing
// (u32), then a u32 index per missing one.
const getBlockTxnTxSize = idMsgSize + 4 + 4

// minWireTx bounds the transactions a block's size can hold, for decoding.
const minWireTx = 64

// fillerAll asks for the whole filler.
const fillerAll = math.MaxUint32

// Submission is a user transaction and the time its client hands it to
// the node.
type Submission struct {
	At int64 // ns
	Tx ledger.Tx
}

// TxConfig turns on real transactions; see the comment above.
type TxConfig struct {
	// Genesis credits the users' accounts before the first block
	// (consensus).
	Genesis []ledger.Mint
	// Miners are the ledger addresses of the nodes, by node id: a block's
	// reward and fees are credited to Miners[coinbase miner] (consensus).
	Miners []ledger.Address
	// Submit lists the transactions of the users whose client runs beside
	// this node, in time order (each node its own).
	Submit []Submission
	// PoolSize bounds the mempool (0: DefaultPoolSize); MaxBlockTxs the
	// transactions of a mined block (0: DefaultMaxBlockTxs), which also
	// stop at the block's size.
	PoolSize, MaxBlockTxs int
}

// txShared is what the nodes of one run share of transactions: each
// accepted block's body and the ledger state after it (pure functions of
// the block id, which commits to them), and the transactions whose
// signatures verified.
type txShared struct {
	bodies map[[32]byte]*body
	states map[[32]byte]*ledger.State
	sigOK  map[[32]byte]bool
}

// body is a block's transactions and its two wire forms.
type body struct {
	txs   []ledger.Tx
	ids   [][32]byte
	list  []byte // ledger.AppendTxList encoding
	full  []byte // MsgBlock: block encoding, list
	cmpct []byte // MsgCmpctBlock: block encoding, u32 count, short ids
}

// txNode is a node's transaction state.
type txNode struct {
	cfg  *TxConfig
	sh   *txShared
	pool *ledger.Pool
	seen map[uint64]ledger.Tx // short id -> transaction received or submitted
	next int                  // next due submission
}

func shortKey(id *[32]byte) uint64 {
	var b [8]byte
	copy(b[:ShortIDSize], id[:ShortIDSize])
	return binary.LittleEndian.Uint64(b[:])
}

// initTxs sets up the node's transaction state; genesis is the genesis id.
func (n *Node) initTxs(genesis [32]byte) error {
	c := n.cfg.Txs
	for i := 1; i < len(c.Submit); i++ {
		if c.Submit[i].At < c.Submit[i-1].At {
			return fmt.Errorf("txs: submission %d is before the one before it", i)
		}
	}
	var sh *txShared
	if n.cfg.Shared != nil {
		if n.cfg.Shared.txs == nil {
			n.cfg.Shared.txs = &txShared{bodies: map[[32]byte]*body{}, states: map[[32]byte]*ledger.State{}, sigOK: map[[32]byte]bool{}}
		}
		sh = n.cfg.Shared.txs
	} else {
		sh = &txShared{bodies: map[[32]byte]*body{}, states: map[[32]byte]*ledger.State{}, sigOK: map[[32]byte]bool{}}
	}
	if _, ok := sh.states[genesis]; !ok {
		st := ledger.NewState()
		if _, err := st.Apply(ledger.BlockEffects{Mints: c.Genesis}); err != nil {
			return fmt.Errorf("txs: genesis: %w", err)
		}
		sh.states[genesis] = st
	}
	size := c.PoolSize
	if size <= 0 {
		size = DefaultPoolSize
	}
	n.tx = &txNode{cfg: c, sh: sh, pool: ledger.NewPool(size), seen: map[uint64]ledger.Tx{}}
	return nil
}

// State returns the ledger state at the node's tip (nil without
// Config.Txs). Callers must not modify it.
func (n *Node) State() *ledger.State {
	if n.tx == nil {
		return nil
	}
	return n.tx.sh.states[n.tree.Tip().ID]
}

// MainBlock is a main-chain block as observers read it.
type MainBlock struct {
	ID     [32]byte
	Header Header
	Txs    []ledger.Tx
}

// MainBlocks returns the node's main chain from height 1 to the tip with
// each block's transactions (the slices are shared: do not modify them).
func (n *Node) MainBlocks() []MainBlock {
	var out []MainBlock
	for e := range n.tree.MainChain() {
		if e.Height == 0 {
			continue
		}
		mb := MainBlock{ID: e.ID, Header: decodeHeader(e.Payload[1:])}
		if n.tx != nil {
			if b := n.tx.sh.bodies[e.ID]; b != nil {
				mb.Txs = b.txs
			}
		}
		out = append(out, mb)
	}
	return out
}

// minerAddr is the ledger address of a block's miner.
func (n *Node) minerAddr(miner uint32) ledger.Address {
	if int(miner) < len(n.tx.cfg.Miners) {
		return n.tx.cfg.Miners[miner]
	}
	return ledger.Address{}
}

// checkLedger applies block b on its parent's state (memoised per block
// id): the coinbase reward and fees to its miner, its transactions in
// order. It is part of checkLink, so an orphan is checked when it connects.
func (n *Node) checkLedger(parent chain.Entry[raw], b *chain.Block[raw]) error {
	sh := n.tx.sh
	if _, ok := sh.states[b.ID]; ok {
		return nil
	}
	ps := sh.states[parent.ID]
	if ps == nil {
		return errors.New("bad-ledger: parent state unknown")
	}
	var txs []ledger.Tx
	if bd := sh.bodies[b.ID]; bd != nil {
		txs = bd.txs
	}
	st := ps.Clone()
	miner := le32(b.Payload[1+offMiner:])
	if _, err := st.Apply(ledger.BlockEffects{Miner: n.minerAddr(miner), Reward: ledger.Amount(n.cfg.BlockReward),
		Txs: txs, Height: uint64(b.Height)}); err != nil {
		return fmt.Errorf("bad-ledger: %w", err)
	}
	sh.states[b.ID] = st
	return nil
}

// verifyTxs checks each transaction's stateless rules and signature; a
// verified id is remembered for the run (a pure function of its bytes).
func (n *Node) verifyTxs(txs []ledger.Tx, ids [][32]byte) error {
	for i, tx := range txs {
		if _, ok := tx.(*ledger.Transfer); !ok {
			return fmt.Errorf("bad-tx: tx %d: %v: the PoW baseline carries transfers only", i, tx.Kind())
		}
		if n.tx.sh.sigOK[ids[i]] {
			continue
		}
		if err := tx.Check(); err != nil {
			return fmt.Errorf("bad-tx: tx %d: %w", i, err)
		}
		if err := ledger.VerifyTxs([]ledger.Tx{tx}); err != nil {
			return fmt.Errorf("bad-tx: tx %d: %w", i, err)
		}
		n.tx.sh.sigOK[ids[i]] = true
	}
	return nil
}

// txMerkle is the Merkle root of a block with transactions: the coinbase,
// each transaction id, the filler declaration.
func txMerkle(b *Block, ids [][32]byte) [32]byte {
	var buf [64]byte
	leaves := make([][32]byte, 0, len(ids)+2)
	leaves = append(leaves, sha256d(b.Coinbase.Append(buf[:0])))
	leaves = append(leaves, ids...)
	leaves = append(leaves, sha256d(b.Filler.Append(buf[:0])))
	return MerkleRoot(leaves)
}

// newBody builds the wire forms of block b (whose encoding is fixed) with
// transactions txs.
func newBody(fixed []byte, txs []ledger.Tx, ids [][32]byte) *body {
	bd := &body{txs: txs, ids: ids, list: ledger.AppendTxList(nil, txs)}
	bd.full = append(append(make([]byte, 0, len(fixed)+len(bd.list)), fixed...), bd.list...)
	bd.full[0] = byte(MsgBlock)
	bd.cmpct = append(make([]byte, 0, len(fixed)+4+ShortIDSize*len(ids)), fixed...)
	bd.cmpct[0] = byte(MsgCmpctBlock)
	bd.cmpct = binary.LittleEndian.AppendUint32(bd.cmpct, uint32(len(ids)))
	for i := range ids {
		bd.cmpct = append(bd.cmpct, ids[i][:ShortIDSize]...)
	}
	return bd
}

// fillTxs selects transactions from the pool on the tip's state, fills the
// block with them up to its size, shrinks the filler by their bytes and
// sets the Merkle root; it returns the body (nil: no transactions).
func (n *Node) fillTxs(b *Block, tip chain.Entry[raw]) *body {
	st := n.tx.sh.states[tip.ID]
	maxTxs := n.tx.cfg.MaxBlockTxs
	if maxTxs <= 0 {
		maxTxs = DefaultMaxBlockTxs
	}
	if st == nil || n.tx.pool.Len() == 0 {
		return nil
	}
	sel := n.tx.pool.Select(st, maxTxs)
	room := int(b.Filler.Bytes) - 4
	used := 0
	var txs []ledger.Tx
	var ids [][32]byte
	for _, tx := range sel {
		sz := 4 + ledger.EncodedSize(tx)
		if used+sz > room {
			break
		}
		used += sz
		txs = append(txs, tx)
		ids = append(ids, tx.ID())
	}
	if len(txs) == 0 {
		return nil
	}
	filler := int(b.Filler.Bytes) - used - 4
	b.Filler.Bytes = uint64(filler)
	b.Filler.Count = uint32(filler / n.cfg.TxSize)
	b.Header.Merkle = txMerkle(b, ids)
	m := Message{Type: MsgBlock, Block: *b}
	return newBody(m.Append(make([]byte, 0, blockMsgSize)), txs, ids)
}

// bodyOf returns an accepted block's body (nil: none, or no transactions).
func (n *Node) bodyOf(id [32]byte) *body {
	if n.tx == nil {
		return nil
	}
	return n.tx.sh.bodies[id]
}

// receiveTx handles the messages that exist only with transactions; it
// reports whether msg was one.
func (n *Node) receiveTx(from nodes.PeerID, msg []byte) bool {
	switch t := MsgType(msg[0]); {
	case t == MsgTx:
		tx, err := ledger.DecodeTx(msg[1:])
		if err != nil {
			n.env.Observe(nodes.Event{Kind: nodes.EvRejected, Note: "bad-tx: " + err.Error()})
			return true
		}
		n.addTx(tx, from)
	case (t == MsgBlock || t == MsgCmpctBlock) && len(msg) > blockMsgSize:
		m, err := DecodeMessage(msg[:blockMsgSize])
		if err != nil {
			n.env.Observe(nodes.Event{Kind: nodes.EvRejected, Note: errDecode.Error() + ": " + err.Error()})
			return true
		}
		if n.known(&m.ID) {
			return true
		}
		if t == MsgBlock {
			txs, err := ledger.DecodeTxList(msg[blockMsgSize:], n.cfg.MaxBlockSize/minWireTx)
			if err != nil {
				n.reqs.Drop(n.env, m.ID)
				n.reject(m.ID, fmt.Errorf("bad-tx: %w", err))
				return true
			}
			n.onTxBlock(from, &m, msg, txs)
			return true
		}
		n.onTxCmpct(from, &m, msg, true)
	case t == MsgGetBlockTxn && len(msg) >= getBlockTxnTxSize:
		n.serveTxs(from, msg)
	case t == MsgBlockTxn && len(msg) > idMsgSize:
		n.onTxs(msg)
	default:
		return false
	}
	return true
}

// addTx verifies a transaction heard from a peer (or submitted: from is
// the node itself), adds it to the pool and floods it on.
func (n *Node) addTx(tx ledger.Tx, from nodes.PeerID) {
	id := tx.ID()
	k := shortKey(&id)
	if _, ok := n.tx.seen[k]; ok {
		return
	}
	if err := n.verifyTxs([]ledger.Tx{tx}, [][32]byte{id}); err != nil {
		n.env.Observe(nodes.Event{Kind: nodes.EvRejected, Note: err.Error()})
		return
	}
	n.tx.seen[k] = tx
	if ok, _ := n.tx.pool.Add(tx); !ok {
		return
	}
	msg := append([]byte{byte(MsgTx)}, ledger.Encode(tx)...)
	for _, p := range n.peers {
		if p != from {
			n.env.Send(p, msg, 0)
		}
	}
}

// onTxBlock checks a block with transactions (decoded or rebuilt) and
// accepts it.
func (n *Node) onTxBlock(from nodes.PeerID, m *Message, msg []byte, txs []ledger.Tx) {
	if n.known(&m.ID) {
		return
	}
	ids := make([][32]byte, len(txs))
	for i, tx := range txs {
		ids[i] = tx.ID()
	}
	merkle := txMerkle(&m.Block, ids)
	err := n.checkBody(&m.Block, &merkle)
	if err == nil {
		size := m.Block.WireSize() + 4
		for _, tx := range txs {
			size += 4 + ledger.EncodedSize(tx)
		}
		if size > n.cfg.MaxBlockSize {
			err = errOversize
		}
	}
	if err == nil {
		err = n.verifyTxs(txs, ids)
	}
	if err != nil {
		n.reqs.Drop(n.env, m.ID)
		n.reject(m.ID, err)
		return
	}
	if _, ok := n.tx.sh.bodies[m.ID]; !ok && len(txs) > 0 {
		n.tx.sh.bodies[m.ID] = newBody(msg[:blockMsgSize], txs, ids)
	}
	for i, tx := range txs {
		if k := shortKey(&ids[i]); n.tx.seen[k] == nil {
			n.tx.seen[k] = tx
		}
	}
	n.accept(from, m, msg[:blockMsgSize])
}

// onTxCmpct rebuilds a compact block with transactions from the ones the
// node has seen; if some are missing, or the node lacks part of the
// filler, it asks the sender for them (first, when the message arrived)
// or gives up (after the answer; the request's timeout asks another
// peer).
func (n *Node) onTxCmpct(from nodes.PeerID, m *Message, msg []byte, first bool) {
	rest := msg[blockMsgSize:]
	if len(rest) < 4 {
		n.reject(m.ID, errDecode)
		return
	}
	count := binary.LittleEndian.Uint32(rest)
	rest = rest[4:]
	if uint64(len(rest)) != uint64(count)*ShortIDSize {
		n.reqs.Drop(n.env, m.ID)
		n.reject(m.ID, fmt.Errorf("%w: %d short ids in %d bytes", errDecode, count, len(rest)))
		return
	}
	if err := n.checkBody(&m.Block, &m.Block.Header.Merkle); err != nil { // the root is checked once rebuilt
		n.reqs.Drop(n.env, m.ID)
		n.reject(m.ID, err)
		return
	}
	txs := make([]ledger.Tx, count)
	var lack []uint32
	for i := range count {
		var id [32]byte
		copy(id[:], rest[i*ShortIDSize:(i+1)*ShortIDSize])
		if tx := n.tx.seen[shortKey(&id)]; tx != nil {
			txs[i] = tx
		} else {
			lack = append(lack, i)
		}
	}
	var fill uint32
	if first {
		if share := n.missing(m.ID); share > 0 {
			total := m.Block.Filler.Count
			fill = uint32(math.Round(share * float64(total)))
			if share >= 1 || fill >= total {
				fill = fillerAll
			}
			fill = max(fill, 1)
		}
	}
	if len(lack) == 0 && fill == 0 {
		n.onTxBlock(from, m, msg, txs)
		return
	}
	if !first {
		return // the answer lacked some: the request times out and asks again
	}
	r := n.reqs.Find(m.ID)
	if r == nil {
		if r = n.reqs.Open(m.ID, from); r == nil {
			return
		}
		n.arm(r)
	}
	if r.Extra.msg != nil {
		return
	}
	r.Extra = cmpctWait{msg: msg, from: from}
	ask := make([]byte, 0, getBlockTxnTxSize+4*len(lack))
	ask = append(ask, byte(MsgGetBlockTxn))
	ask = append(ask, m.ID[:]...)
	ask = binary.LittleEndian.AppendUint32(ask, fill)
	ask = binary.LittleEndian.AppendUint32(ask, uint32(len(lack)))
	for _, i := range lack {
		ask = binary.LittleEndian.AppendUint32(ask, i)
	}
	n.env.Send(from, ask, 0)
}

// serveTxs answers a GetBlockTxn that names real transactions with them
// and the filler bytes asked for.
func (n *Node) serveTxs(to nodes.PeerID, msg []byte) {
	id := *(*[32]byte)(msg[1:33])
	fill := le32(msg[33:])
	k := le32(msg[37:])
	if uint64(len(msg)) != getBlockTxnTxSize+4*uint64(k) {
		return
	}
	e, ok := n.tree.Get(id)
	if !ok || n.wasServed(to, &id, 1) {
		return
	}
	bd := n.bodyOf(id)
	var sel []ledger.Tx
	for i := range k {
		j := le32(msg[getBlockTxnTxSize+4*i:])
		if bd == nil || int(j) >= len(bd.txs) {
			return
		}
		sel = append(sel, bd.txs[j])
	}
	count, bytes := rawFiller(e.Payload)
	pad := 0
	switch fill {
	case 0:
	case fillerAll:
		pad = int(bytes)
	default:
		pad = txnBytes(count, bytes, fill)
	}
	out := append(append([]byte{byte(MsgBlockTxn)}, id[:]...), ledger.AppendTxList(nil, sel)...)
	n.env.Send(to, out, pad)
}

// onTxs completes a compact block with the transactions that came back.
func (n *Node) onTxs(msg []byte) {
	id := *(*[32]byte)(msg[1:33])
	r := n.reqs.Find(id)
	if r == nil || r.Extra.msg == nil {
		return
	}
	txs, err := ledger.DecodeTxList(msg[idMsgSize:], n.cfg.MaxBlockSize/minWireTx)
	if err != nil {
		return
	}
	for _, tx := range txs {
		tid := tx.ID()
		if k := shortKey(&tid); n.tx.seen[k] == nil {
			n.tx.seen[k] = tx // checked with the block
		}
	}
	w := r.Extra
	m, err := DecodeMessage(w.msg[:blockMsgSize])
	if err != nil {
		return
	}
	n.onTxCmpct(w.from, &m, w.msg, false)
}

// txReorg moves the mempool along a new main chain: the transactions of
// undone blocks go back, those of applied blocks leave, and the ones the
// new tip's state makes stale are pruned.
func (n *Node) txReorg(undone, applied [][32]byte) {
	for _, id := range undone {
		if bd := n.tx.sh.bodies[id]; bd != nil {
			n.tx.pool.Readd(bd.txs)
		}
	}
	for _, id := range applied {
		if bd := n.tx.sh.bodies[id]; bd != nil {
			n.tx.pool.Remove(bd.ids)
		}
	}
	if st := n.State(); st != nil {
		n.tx.pool.Prune(st)
	}
}

// scheduleSubmit arms the timer of the next due submission.
func (n *Node) scheduleSubmit() {
	if s := n.tx.cfg.Submit; n.tx.next < len(s) {
		n.env.After(max(s[n.tx.next].At-n.env.Now(), 0), tagSubmit)
	}
}

// onSubmit hands every due submission to the pool, which floods it.
func (n *Node) onSubmit() {
	s := n.tx.cfg.Submit
	for n.tx.next < len(s) && s[n.tx.next].At <= n.env.Now() {
		n.addTx(s[n.tx.next].Tx, n.cfg.ID)
		n.tx.next++
	}
	n.scheduleSubmit()
}

// observeFees reports the fees a mined block pays its miner (EvReward
// "fee"; the coinbase is not reported, observers credit it), which count
// if the block ends on the main chain.
func (n *Node) observeFees(id [32]byte, height uint64, bd *body) {
	var fees ledger.Amount
	for _, tx := range bd.txs {
		fees += tx.Header().Fee
	}
	if fees > 0 {
		n.env.Observe(nodes.Event{Kind: nodes.EvReward, Block: id, Height: int64(height), Miner: n.cfg.ID,
			Value: float64(fees) / float64(ledger.Coin), Note: "fee"})
	}
}
