package observe

import (
	"github.com/coinai/coinai/nodes"
)

// spamObs follows invalid-model spam (issue #13): the blocks spammers
// report (EvNote "spam", Value: the counted FLOPs of a full evaluation of
// the block's model) and what honest nodes did with them.
type spamObs struct {
	flops    map[[32]byte]float64 // spam block -> FLOPs of one evaluation
	sent     int64
	received int64   // spam blocks honest nodes checked and refused
	dropped  int64   // block messages honest nodes dropped from banned peers
	spent    float64 // FLOPs honest nodes spent evaluating spam
}

// SpamResult is what invalid-model spam cost the honest nodes.
type SpamResult struct {
	// Sent counts the spam blocks the spammers pushed.
	Sent int64
	// Received counts the spam blocks honest nodes checked and refused
	// (one per node and block), Dropped the block messages they dropped
	// unread from peers they had banned.
	Received, Dropped int64
	// FLOPs is the counted FLOPs of the evaluations honest nodes made of
	// spam blocks (those refused as below their threshold; a block refused
	// before evaluation costs a decode and a signature check).
	FLOPs float64
}

// spamEvent records the events of spam.
func (o *Observer) spamEvent(node int32, ev nodes.Event) {
	sp := &o.sp
	switch {
	case ev.Kind == nodes.EvNote && ev.Note == "spam":
		if sp.flops == nil {
			sp.flops = map[[32]byte]float64{}
		}
		sp.flops[ev.Block] = ev.Value
		sp.sent++
	case ev.Kind == nodes.EvRejected && sp.flops != nil && o.honest(node):
		if ev.Note == "banned-peer" {
			sp.dropped++
			return
		}
		f, ok := sp.flops[ev.Block]
		if !ok {
			return
		}
		sp.received++
		if ev.Note == "below-threshold" {
			sp.spent += f
		}
	}
}

// honest reports whether node is no attacker.
func (o *Observer) honest(node int32) bool {
	return int(node) < len(o.cfg.Nodes) && o.cfg.Nodes[node].Attack == ""
}

// spamResult is the spam's cost (nil without spam).
func (o *Observer) spamResult() *SpamResult {
	if o.sp.flops == nil {
		return nil
	}
	return &SpamResult{Sent: o.sp.sent, Received: o.sp.received, Dropped: o.sp.dropped, FLOPs: o.sp.spent}
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
		s.SpamModelsSent, s.SpamModelsReceived, s.SpamModelsDropped = &sp.Sent, &sp.Received, &sp.Dropped
		s.HonestVerifyFLOPsSpam = ptr(sp.FLOPs)
	}
}
