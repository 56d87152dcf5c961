package coinai

import (
	"fmt"
	"slices"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/chain"
	"github.com/coinai/coinai/nodes/dataset"
	"github.com/coinai/coinai/nodes/grammar"
	"github.com/coinai/coinai/nodes/ledger"
	"github.com/coinai/coinai/nodes/nn"
)

// The problem market (Config.Market): users' Problem transactions name a
// data set; the chain serves the ones whose data set it knows (MarketData)
// and picks each block's problem from the open ones by a named rule
// (ledger.PickProblem); a problem past its deadline is refunded by the
// ledger. Without a market (Config.Market nil) every block trains on the
// default problem unless the ledger's highest-fee problem names the default
// data (problemFor), as before the market existed.

// Timer and compute tags of the market, far above the other kinds so that
// kinds added elsewhere do not collide.
const (
	tagSubmit    = 0x40 << 56 // the next due submission of this node's users
	tagDeliver   = 0x41 << 56 // a retrieval's per-peer timeout
	tagDelivEval = 0x42 << 56 // the submitter's evaluation of a retrieved model
)

// MarketData is a data set the chain serves problems on, with the grammar
// section sized for its input (consensus).
type MarketData struct {
	// Dataset is the name Problem transactions use ("digits", "iris").
	Dataset string
	Data    Data
	Ranges  grammar.Ranges
}

// Submission is a user transaction and the time its client submits it.
type Submission struct {
	At int64 // ns
	Tx ledger.Tx
}

// Market configures the problem market; see the package documentation.
// Everything but Submit and Deliver is consensus.
type Market struct {
	// Pick is the rule that picks a block's problem: ledger.PickFee,
	// PickAge or PickHashDraw.
	Pick string
	// Data lists the data sets problems may name, in a fixed order. A
	// problem naming another set (or another class count or shape) is
	// never picked and is refunded at its deadline.
	Data []MarketData
	// Genesis credits the users' accounts before the first block (minted,
	// so counted in the ledger's supply).
	Genesis []ledger.Mint
	// Submit lists the transactions of the users whose client runs beside
	// this node, in time order (not consensus: each node has its own).
	Submit []Submission
}

func (m *Market) validate(c *Config) error {
	if !slices.Contains(ledger.PickRules, m.Pick) {
		return fmt.Errorf("market: pick rule %q: want one of %q", m.Pick, ledger.PickRules)
	}
	for i := range m.Data {
		d := &m.Data[i]
		if err := d.Data.check(); err != nil {
			return fmt.Errorf("market: data set %q: %w", d.Dataset, err)
		}
		t := d.Data.Train
		if err := d.Ranges.Validate(t.C, t.H, t.W); err != nil {
			return fmt.Errorf("market: data set %q: %w", d.Dataset, err)
		}
		if slices.IndexFunc(m.Data[:i], func(o MarketData) bool { return o.Dataset == d.Dataset }) >= 0 {
			return fmt.Errorf("market: data set %q listed twice", d.Dataset)
		}
	}
	for i := 1; i < len(m.Submit); i++ {
		if m.Submit[i].At < m.Submit[i-1].At {
			return fmt.Errorf("market: submission %d at %d ns is before the one before it", i, m.Submit[i].At)
		}
	}
	switch {
	case c.Lottery.Enabled:
		return fmt.Errorf("market: the lottery re-trains on the default data only; not supported with a market yet")
	case c.Bind == BindLabelPermutation:
		return fmt.Errorf("market: bind %q permutes the default data's classes only; not supported with a market yet", c.Bind)
	case c.Reveal.Enabled():
		return fmt.Errorf("market: commit–reveal draws its deciding subset from the default data only; not supported with a market yet")
	}
	return nil
}

// marketState is a node's market bookkeeping (nil without a market).
type marketState struct {
	next     int                    // index of the next due submission
	mine     map[[32]byte]bool      // problems this node's users submitted
	fetching map[[32]byte]*delivery // block id -> retrieval in progress
	done     map[[32]byte][32]byte  // problem -> the block whose model was (or is being) retrieved
	evals    map[uint64]*delivery   // compute tag -> retrieval being evaluated
	out      []Delivery             // completed deliveries, in order
	byData   map[string]*MarketData // dataset name -> data
}

// delivery is one retrieval of a solved problem's model by its submitter.
type delivery struct {
	problem, block [32]byte
	model          [32]byte
	data           *MarketData
	start          int64
	peer           int // index into n.peers of the peer asked
	timer          nodes.Handle
	tag            uint64 // the timer's tag
	size           int    // bytes of the block message retrieved (of the chunk messages through storage)
	// store is set for a retrieval through proof-of-storage
	// (market_storage.go); f is its chunk download in progress and peer
	// counts its failed passes over the holders.
	store, local bool // local: the home node read its own copy
	f            *fetch
}

// Delivery is a model retrieved by the user who submitted its problem,
// checked against the block's commitment and evaluated on the problem's
// test split.
type Delivery struct {
	Problem, Block [32]byte
	// At is when the evaluation finished (ns); Requested when the user
	// asked a peer for the block (ns).
	At, Requested int64
	// Bytes is the size of the block message retrieved.
	Bytes int
	// Correct and N are the model's score on the test split.
	Correct, N int
	// Via is how the model came: DeliveredFromPeer, DeliveredFromStorage
	// or DeliveredLocal.
	Via string
}

func newMarketState(m *Market) *marketState {
	s := &marketState{mine: map[[32]byte]bool{}, fetching: map[[32]byte]*delivery{}, done: map[[32]byte][32]byte{},
		evals: map[uint64]*delivery{}, byData: map[string]*MarketData{}}
	for i := range m.Data {
		s.byData[m.Data[i].Dataset] = &m.Data[i]
	}
	for _, sub := range m.Submit {
		if p, ok := sub.Tx.(*ledger.Problem); ok {
			s.mine[p.ID()] = true
		}
	}
	return s
}

// servable returns the market data a problem names if the chain serves it:
// a known data set with the same class count and shape (or no shape).
func (s *marketState) servable(p *ledger.Problem) *MarketData {
	md := s.byData[p.Dataset]
	if md == nil {
		return nil
	}
	t := md.Data.Train
	shapeOK := p.InC == 0 && p.InH == 0 && p.InW == 0 ||
		int(p.InC) == t.C && int(p.InH) == t.H && int(p.InW) == t.W
	if int(p.Classes) != t.Classes || !shapeOK {
		return nil
	}
	return md
}

// marketProblemFor is problemFor under a market: the pick rule over the
// servable open problems, on the state at prev (whose block is in the
// tree), or the default problem.
func (n *Node) marketProblemFor(st *ledger.State, prev [32]byte) ([32]byte, *Data) {
	parent, ok := n.tree.Get(prev)
	if !ok {
		return [32]byte{}, &n.cfg.Default
	}
	p, id, ok := st.PickProblem(prev, parent.Payload.hdr.Time, n.cfg.Market.Pick,
		func(p *ledger.Problem) bool { return n.mkt.servable(p) != nil })
	if !ok {
		return [32]byte{}, &n.cfg.Default
	}
	return id, &n.mkt.servable(&p).Data
}

// claimedData is the data of the problem a block on parent claims to
// solve: the default data without a market, for the zero id, or when the
// claimed problem is not open and servable at parent (checkContext then
// rejects the block as wrong-problem or wrong-architecture).
func (n *Node) claimedData(parent chain.Entry[*rec], problem [32]byte) *Data {
	if n.mkt == nil || problem == ([32]byte{}) {
		return &n.cfg.Default
	}
	d := &n.cfg.Default
	n.withStateAt(parent, func(st *ledger.State) error {
		if p, ok := st.Problem(problem); ok {
			if md := n.mkt.servable(&p); md != nil {
				d = &md.Data
			}
		}
		return nil
	})
	return d
}

// rangesFor is the grammar section of data d: its market entry's, or the
// chain's default Ranges.
func (n *Node) rangesFor(d *Data) grammar.Ranges {
	if n.mkt != nil {
		for i := range n.cfg.Market.Data {
			if &n.cfg.Market.Data[i].Data == d {
				return n.cfg.Market.Data[i].Ranges
			}
		}
	}
	return n.cfg.Ranges
}

// marketEffects adds what the ledger needs for deadlines and the age rule:
// the block's height and its parent's timestamp.
func (n *Node) marketEffects(h *Header, e *ledger.BlockEffects) {
	e.Height = h.Height
	if parent, ok := n.tree.Get(h.Prev); ok {
		e.ParentTime = parent.Payload.hdr.Time
	}
}

// applyGenesis credits the market's genesis allocation.
func (n *Node) applyGenesis() error {
	if len(n.cfg.Market.Genesis) == 0 {
		return nil
	}
	if _, err := n.state.Apply(ledger.BlockEffects{Mints: n.cfg.Market.Genesis}); err != nil {
		return fmt.Errorf("coinai config: market genesis: %w", err)
	}
	return nil
}

// scheduleSubmit arms the timer of the next due submission.
func (n *Node) scheduleSubmit() {
	if s := n.cfg.Market.Submit; n.mkt.next < len(s) {
		n.env.After(max(s[n.mkt.next].At-n.env.Now(), 0), tagSubmit)
	}
}

// onSubmit hands every due submission to the node's pool, which floods it
// to the node's peers (the user's client runs beside its home node), and
// arms the next. A transaction the pool refuses is reported and dropped.
func (n *Node) onSubmit() {
	s := n.cfg.Market.Submit
	for n.mkt.next < len(s) && s[n.mkt.next].At <= n.env.Now() {
		tx := s[n.mkt.next].Tx
		n.mkt.next++
		if err := n.SubmitTx(tx); err != nil {
			n.env.Observe(nodes.Event{Kind: nodes.EvNote, Note: "market: " + err.Error()})
		}
	}
	n.scheduleSubmit()
}

// marketAccepted starts the delivery of every problem of this node's users
// that a block newly on the main chain solves: the user asks a peer for the
// block (the network charges the bytes), checks the model against the
// header's commitment and evaluates it on the problem's test split. Under
// the fee rule competing blocks at one height solve the same problem, so a
// reorg to another solving block starts a new delivery (a retrieval of the
// abandoned block still in progress is dropped).
func (n *Node) marketAccepted(applied [][32]byte) {
	for _, id := range applied {
		e, ok := n.tree.Get(id)
		if !ok {
			continue
		}
		pid := e.Payload.hdr.Problem
		if pid == ([32]byte{}) || !n.mkt.mine[pid] {
			continue
		}
		if prev, ok := n.mkt.done[pid]; ok {
			if prev == id {
				continue
			}
			if dl := n.mkt.fetching[prev]; dl != nil {
				n.env.Cancel(dl.timer)
				n.dropStoreFetch(dl)
				delete(n.mkt.fetching, prev)
			}
		}
		parent, _ := n.tree.Get(e.Parent)
		d := n.claimedData(parent, pid)
		md := n.mktDataOf(d)
		if md == nil || len(n.peers) == 0 {
			continue
		}
		n.mkt.done[pid] = id
		dl := &delivery{problem: pid, block: id, model: e.Payload.hdr.Model, data: md, start: n.env.Now()}
		n.mkt.fetching[id] = dl
		if n.stor != nil {
			n.storeDeliver(dl)
			continue
		}
		n.askPeer(dl)
	}
}

func (n *Node) mktDataOf(d *Data) *MarketData {
	for i := range n.cfg.Market.Data {
		if &n.cfg.Market.Data[i].Data == d {
			return &n.cfg.Market.Data[i]
		}
	}
	return nil
}

// askPeer asks the next peer for the block, with a timeout.
func (n *Node) askPeer(dl *delivery) {
	p := n.peers[dl.peer%len(n.peers)]
	n.env.Send(p, AppendID(nil, MsgGetData, dl.block), 0)
	dl.tag = n.nextTag(tagDeliver)
	dl.timer = n.env.After(n.cfg.RequestTimeout, dl.tag)
}

// onDeliverTimeout asks the next peer for every retrieval whose timer fired.
func (n *Node) onDeliverTimeout(tag uint64) {
	ids := make([][32]byte, 0, len(n.mkt.fetching))
	for id := range n.mkt.fetching {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b [32]byte) int { return slices.Compare(a[:], b[:]) })
	for _, id := range ids {
		dl := n.mkt.fetching[id]
		if dl != nil && dl.tag == tag && dl.store {
			n.storeDeliver(dl) // the next pass over the holders
			continue
		}
		if dl != nil && dl.tag == tag {
			dl.peer++
			if dl.peer >= 4*len(n.peers) {
				delete(n.mkt.fetching, id)
				n.env.Observe(nodes.Event{Kind: nodes.EvNote, Block: id, Note: "market: model not retrieved"})
				continue
			}
			n.askPeer(dl)
		}
	}
}

// onRetrieved handles a block message that answers a retrieval: the
// model's commitment is checked and its evaluation queued.
func (n *Node) onRetrieved(m *Message, msg []byte) bool {
	dl := n.mkt.fetching[m.ID]
	if dl == nil || dl.store {
		return false // a block relayed while its model comes from storage is an ordinary block
	}
	delete(n.mkt.fetching, m.ID)
	n.env.Cancel(dl.timer)
	if ModelCommitment(m.Block.Model, n.chunkSize()) != dl.model {
		n.env.Observe(nodes.Event{Kind: nodes.EvNote, Block: m.ID, Note: "market: retrieved model does not match its commitment"})
		return true
	}
	model, err := nn.UnmarshalModel(m.Block.Model)
	if err != nil {
		n.env.Observe(nodes.Event{Kind: nodes.EvNote, Block: m.ID, Note: "market: retrieved model does not decode"})
		return true
	}
	tag := n.nextTag(tagDelivEval)
	n.mkt.evals[tag] = dl
	dl.size = len(msg)
	job := &EvalJob{Model: model, Commitment: dl.model, Problem: dl.problem, Test: dl.data.Data.Test, StandIn: dl.data.Data.StandIn}
	// The user's check does not wait behind the home node's mining
	// attempt: a processor that can time-slice runs it first.
	if pe, ok := n.env.(nodes.Preempter); ok {
		pe.ComputeFirst(job, tag)
	} else {
		n.env.Compute(job, tag)
	}
	return true
}

// onDeliverEval records a completed delivery.
func (n *Node) onDeliverEval(tag uint64, r *EvalResult) {
	dl := n.mkt.evals[tag]
	if dl == nil {
		return
	}
	delete(n.mkt.evals, tag)
	n.mkt.out = append(n.mkt.out, Delivery{Problem: dl.problem, Block: dl.block, At: n.env.Now(), Requested: dl.start,
		Bytes: dl.size, Correct: r.Correct, N: r.N, Via: dl.via()})
	n.env.Observe(nodes.Event{Kind: nodes.EvNote, Block: dl.block, Value: r.Accuracy(), Note: "market: model delivered"})
}

// Deliveries returns the models this node's users retrieved and checked, in
// the order they completed.
func (n *Node) Deliveries() []Delivery {
	if n.mkt == nil {
		return nil
	}
	return slices.Clone(n.mkt.out)
}

// MainBlock is a main-chain block as the market's observers read it.
type MainBlock struct {
	ID     [32]byte
	Header Header
	Txs    []ledger.Tx
	Mints  []ledger.Mint
}

// MainBlocks returns the node's main chain from height 1 to the tip, with
// each block's transactions and storage mints, for observers that replay
// the ledger (the slices are the node's: callers must not modify them).
func (n *Node) MainBlocks() []MainBlock {
	var out []MainBlock
	for e := range n.tree.MainChain() {
		if e.Height == 0 {
			continue
		}
		out = append(out, MainBlock{ID: e.ID, Header: *e.Payload.hdr, Txs: e.Payload.txs, Mints: e.Payload.mints})
	}
	return out
}

// testSet is the test split a pending block's model is evaluated on: its
// claimed problem's (the default problem's when unset).
func (p *pending) testSet(cfg *Config) *dataset.Set {
	if p.data != nil {
		return p.data.Test
	}
	return cfg.Default.Test
}

// marketRestart forgets, after a crash, the retrievals whose timers and
// evaluations died with the node's memory, and starts again the delivery
// of every problem of its users that its main chain solves and that is not
// delivered. Submissions due while the node was down go out when it starts
// again.
func (n *Node) marketRestart() {
	for id, dl := range n.mkt.fetching { // deleting while ranging: order does not matter
		delete(n.mkt.done, dl.problem)
		delete(n.mkt.fetching, id)
	}
	for tag, dl := range n.mkt.evals {
		delete(n.mkt.done, dl.problem)
		delete(n.mkt.evals, tag)
	}
	n.marketAccepted(n.MainChain())
}
