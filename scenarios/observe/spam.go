package observe

import (
	"github.com/coinai/coinai/nodes"
)

// spamObs follows invalid-model spam (issue #13): the blocks spammers
// report (EvNote "spam", Value: the counted FLOPs of a full evaluation of
// the block's model) and what each node did with them.
type spamObs struct {
	flops map[[32]byte]float64 // spam block -> FLOPs of one evaluation
	res   SpamResult
}

// SpamResult is what invalid-model spam cost, per node (indexed like
// Config.Nodes).
type SpamResult struct {
	// Sent counts the spam blocks each spammer pushed.
	Sent []int64
	// Received counts the spam blocks each node checked and refused (one
	// per block), Dropped the block messages it dropped unread, or
	// stopped evaluating, because their sender was banned.
	Received, Dropped []int64
	// FLOPs is the counted FLOPs of the node's evaluations of spam
	// blocks (those refused as below their threshold; a block refused
	// before evaluation costs a decode and a signature check).
	FLOPs []float64
}

// spamEvent records the events of spam.
func (o *Observer) spamEvent(node int32, ev nodes.Event) {
	sp := &o.sp
	if int(node) >= len(o.cfg.Nodes) || node < 0 {
		return
	}
	switch {
	case ev.Kind == nodes.EvNote && ev.Note == "spam":
		if sp.flops == nil {
			n := len(o.cfg.Nodes)
			sp.flops = map[[32]byte]float64{}
			sp.res = SpamResult{Sent: make([]int64, n), Received: make([]int64, n), Dropped: make([]int64, n), FLOPs: make([]float64, n)}
		}
		sp.flops[ev.Block] = ev.Value
		sp.res.Sent[node]++
	case ev.Kind == nodes.EvRejected && sp.flops != nil:
		if ev.Note == "banned-peer" {
			sp.res.Dropped[node]++
			return
		}
		f, ok := sp.flops[ev.Block]
		if !ok {
			return
		}
		sp.res.Received[node]++
		if ev.Note == "below-threshold" {
			sp.res.FLOPs[node] += f
		}
	}
}

// spamResult is the spam's cost (nil without spam).
func (o *Observer) spamResult() *SpamResult {
	if o.sp.flops == nil {
		return nil
	}
	r := o.sp.res
	return &r
}

// verifyCostSummary sets, in a Coin.AI run with attackers, what
// verification cost the honest nodes: their evaluation FLOPs (counted)
// per node and per main-chain block, their virtual verification time per
// node (FLOPs × the evaluation cost scale / the node's FLOP/s) and its
// share of their busy time, and their cancelled training attempts per
// main-chain block (a block that would become the tip pauses mining, so
// spam that claims the tip's threshold discards attempts); and, with
// spammers, the spam keys of SpamResult.
func verifyCostSummary(s *Summary, res *Result) {
	cfg := res.Config
	if cfg.Protocol != "coinai" || s.AttackerBlocks == nil {
		return
	}
	scale := cfg.EvalScale
	if scale == 0 {
		scale = 1
	}
	var flops, secs, busy, cancelled float64
	honest := 0
	for i, spec := range cfg.Nodes {
		if spec.Attack != "" {
			continue
		}
		honest++
		if i < len(res.EvalFLOPs) {
			flops += res.EvalFLOPs[i]
			if spec.FLOPS > 0 {
				secs += res.EvalFLOPs[i] * scale / spec.FLOPS
			}
		}
		if i < len(res.NodeBusy) {
			busy += float64(res.NodeBusy[i]) / 1e9
		}
		if i < len(res.Nodes) {
			cancelled += float64(res.Nodes[i].Cancelled)
		}
	}
	if honest > 0 {
		s.HonestVerifyFLOPsPerNode = ptr(flops / float64(honest))
		s.HonestVerifyTimePerNodeS = ptr(secs / float64(honest))
	}
	if s.BlocksMain > 0 {
		s.HonestVerifyFLOPsPerBlock = ptr(flops / float64(s.BlocksMain))
		s.HonestAttemptsCancelledPer = ptr(cancelled / float64(s.BlocksMain))
	}
	if busy > 0 {
		s.HonestVerifyTimeShare = ptr(secs / busy)
	}
	if sp := res.Spam; sp != nil {
		var sent, recv, drop int64
		var f float64
		for i, spec := range cfg.Nodes {
			sent += sp.Sent[i]
			if spec.Attack == "" {
				recv += sp.Received[i]
				drop += sp.Dropped[i]
				f += sp.FLOPs[i]
			}
		}
		s.SpamModelsSent, s.SpamModelsReceived, s.SpamModelsDropped = &sent, &recv, &drop
		s.HonestVerifyFLOPsSpam = ptr(f)
	}
}
