package check

import (
	"fmt"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/coinai"
	"github.com/coinai/coinai/nodes/nn"
	"github.com/coinai/coinai/scenarios/observe"
)

// acceptance is a node's report that it accepted a block.
type acceptance struct {
	node  int32
	block [32]byte
	value float64 // the accuracy the node reported
}

// models re-evaluates, once per block, the model of every block a node
// accepted, and recomputes the block's threshold from the chain.
type models struct {
	cfg     *coinai.Config
	queue   []acceptance
	headers map[[32]byte]coinai.Header // blocks checked so far, and the genesis
	diffs   map[[32]byte]uint64        // their ticket difficulties (lottery)
	acc     map[[32]byte]float64       // test accuracy of each block checked
	below   int                        // models under their threshold (verify = false)
	checked int64                      // acceptances checked
	// problems maps the ID of every Problem transaction seen in a checked
	// block to its data set (the problem market; see market.go).
	problems map[[32]byte]string
}

func (m *models) init(cfg *coinai.Config) {
	m.cfg = cfg
	g := coinai.Genesis(*cfg)
	m.headers = map[[32]byte]coinai.Header{g.ID(): g}
	m.diffs = map[[32]byte]uint64{g.ID(): cfg.Lottery.Difficulty}
	m.acc = map[[32]byte]float64{}
}

// drain checks the acceptances reported since the last call, in order.
func (m *models) drain(h Host) string {
	for len(m.queue) > 0 {
		a := m.queue[0]
		m.queue = m.queue[1:]
		acc, ok := m.acc[a.block]
		if !ok {
			var reason string
			if acc, reason = m.evaluate(h, a); reason != "" {
				return reason
			}
			m.acc[a.block] = acc
		}
		if m.cfg.Verify && a.value != acc {
			return fmt.Sprintf("node %d reported accuracy %.6f for block %s; its model scores %.6f on the test split",
				a.node, a.value, observe.ShortID(a.block), acc)
		}
		m.checked++
	}
	m.queue = nil
	return ""
}

// evaluate decodes block a.block from the node that accepted it, checks
// its threshold against the rule on its chain and its model against its
// commitment, and evaluates the model on the test split, its labels mapped
// by the run's binding rule for the block's parent.
func (m *models) evaluate(h Host, a acceptance) (float64, string) {
	id := observe.ShortID(a.block)
	n := h.Node(int(a.node))
	if w, ok := n.(interface{ Inner() nodes.Node }); ok {
		n = w.Inner() // an attacker wrapping an honest node (nodes/attack)
	}
	c, ok := n.(*coinai.Node)
	if !ok {
		return 0, fmt.Sprintf("node %d reported accepting block %s but is not a Coin.AI node", a.node, id)
	}
	msg, ok := c.BlockMessage(a.block)
	if !ok {
		return 0, fmt.Sprintf("node %d reported accepting block %s, which it does not hold", a.node, id)
	}
	msgd, err := coinai.DecodeMessage(msg)
	if err != nil || msgd.Type != coinai.MsgBlock || msgd.ID != a.block {
		return 0, fmt.Sprintf("block %s, as node %d holds it, does not decode to itself (%v)", id, a.node, err)
	}
	b := &msgd.Block
	hdr := b.Header
	parent, ok := m.headers[hdr.Prev]
	if !ok {
		return 0, fmt.Sprintf("node %d accepted block %s before its parent %s", a.node, id, observe.ShortID(hdr.Prev))
	}
	start := parent
	for int64(start.Height) > coinai.ThresholdWindowStart(m.cfg, int64(parent.Height)) {
		if start, ok = m.headers[start.Prev]; !ok {
			return 0, fmt.Sprintf("block %s: an ancestor is missing", id)
		}
	}
	if want := coinai.RequiredThreshold(m.cfg, &parent, &start, hdr.Time); hdr.Threshold != want {
		return 0, fmt.Sprintf("block %s at height %d carries threshold %d ppm; the rule on its chain gives %d ppm",
			id, hdr.Height, hdr.Threshold, want)
	}
	if m.cfg.Lottery.Enabled {
		// The ticket against the difficulty rule on its chain (the nodes
		// also re-train the attempt; the checker does not repeat that).
		start := parent
		for int64(start.Height) > coinai.LotteryWindowStart(m.cfg, int64(parent.Height)) {
			if start, ok = m.headers[start.Prev]; !ok {
				return 0, fmt.Sprintf("block %s: an ancestor is missing", id)
			}
		}
		d := coinai.RequiredDifficulty(m.cfg, m.diffs[hdr.Prev], &parent, &start)
		if !coinai.TicketWins(coinai.Ticket(hdr.Prev, hdr.Miner, hdr.Model), d) {
			return 0, fmt.Sprintf("node %d accepted block %s whose lottery ticket loses at difficulty %d", a.node, id, d)
		}
		m.diffs[a.block] = d
	}
	// The header's model field under the run's rule (the model's chunks
	// under proof-of-storage, the training log under spot-checking).
	if coinai.BlockModelCommitment(m.cfg, b) != hdr.Model {
		return 0, fmt.Sprintf("block %s: the model does not match its commitment", id)
	}
	model, err := nn.UnmarshalModel(b.Model)
	if err != nil {
		return 0, fmt.Sprintf("block %s: the model does not decode: %v", id, err)
	}
	// The binding rule's labels for the block's parent: the same rule the
	// nodes apply (coinai.LabelsFor), so that a re-used model is judged here
	// as the validators judge it.
	test, reason := m.testSet(b, id)
	if reason != "" {
		return 0, reason
	}
	// The deciding test data likewise (coinai.DecidingTest: the whole
	// split, or under commit–reveal the subset drawn from the commitment;
	// the market, which picks the problem's data set, and commit–reveal
	// do not run together).
	if m.cfg.Reveal.Enabled() {
		test = coinai.DecidingTest(m.cfg, &hdr)
	}
	job := &coinai.EvalJob{Model: model, Commitment: hdr.Model, Problem: hdr.Problem, Test: test,
		Labels: coinai.LabelsFor(m.cfg, hdr.Prev)}
	r := job.Run().(*coinai.EvalResult)
	if !coinai.Passes(r.Correct, r.N, hdr.Threshold) {
		if m.cfg.Verify {
			return 0, fmt.Sprintf("node %d accepted block %s whose model scores %d/%d = %.6f on the test split, under its threshold %.6f",
				a.node, id, r.Correct, r.N, r.Accuracy(), float64(hdr.Threshold)/coinai.PPM)
		}
		m.below++
	}
	m.headers[a.block] = hdr
	return r.Accuracy(), ""
}

// summary is the verdict of a run that did not fail the check.
func (m *models) summary() string {
	s := fmt.Sprintf("%d acceptances of %d blocks checked: thresholds recomputed from the chain, models re-evaluated on the test split",
		m.checked, len(m.acc))
	if m.cfg.Lottery.Enabled {
		s += ", lottery tickets checked against the difficulty rule"
	}
	if !m.cfg.Verify {
		s += fmt.Sprintf("; coinai.verify=false: nodes trust claimed accuracies, and %d accepted models are under their threshold (not enforced)", m.below)
	}
	return s
}
