package coinai

import (
	"bytes"
	"slices"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/nn"
)

// Delivery through proof-of-storage (Config.Market with
// Config.Storage.Enabled). The submitter of a solved problem does not ask a
// peer for the block: it downloads the model's chunks from the storage
// nodes the chain placed it on (the retrieval path of proof-of-storage:
// batches of MaxChunksPerRequest chunks, each checked against the header's
// Merkle commitment by its path, the next holder after a bad answer or
// FetchTimeout), reassembles the model, checks the whole against the
// header's commitment and evaluates it on its problem's test split.

// How a delivered model came (Delivery.Via, problems.csv delivered_via).
const (
	// DeliveredFromPeer: the block, asked of a peer (without storage).
	DeliveredFromPeer = "peer"
	// DeliveredFromStorage: the model's chunks, from its storage holders.
	DeliveredFromStorage = "storage"
	// DeliveredLocal: the home node is a holder and read its own copy.
	DeliveredLocal = "storage-local"
)

func (dl *delivery) via() string {
	switch {
	case dl.local:
		return DeliveredLocal
	case dl.store:
		return DeliveredFromStorage
	}
	return DeliveredFromPeer
}

// deliverTries is how many passes over a model's holders a submitter makes
// before it gives up. A pass fails when no holder answers with the chunks:
// the holders may not have received the block yet (a holder that lacks a
// model answers with no chunks, at once), or be offline; the next pass
// waits the fetch timeout and reads the holders again from the tip's
// registry (an evicted holder's successor).
const deliverTries = 6

// fetchTimeout is StorageConfig.FetchTimeout or its default.
func (n *Node) fetchTimeout() int64 {
	if t := n.cfg.Storage.FetchTimeout; t > 0 {
		return t
	}
	return DefaultFetchTimeout
}

// storedModelOf returns the model of block as the registry at the node's
// tip records it (its current holders), or nil.
func (n *Node) storedModelOf(block [32]byte) *StoredModel {
	reg := n.tree.Tip().Payload.reg
	if reg == nil {
		return nil
	}
	for i := len(reg.models) - 1; i >= 0; i-- {
		if reg.models[i].Block == block {
			return reg.models[i]
		}
	}
	return nil
}

// storeDeliver starts a pass of dl's retrieval through proof-of-storage. A
// home node that keeps the whole model itself (it is one of its holders)
// reads its own copy.
func (n *Node) storeDeliver(dl *delivery) {
	dl.store = true
	m := n.storedModelOf(dl.block)
	if m == nil || m.Root != dl.model {
		delete(n.mkt.fetching, dl.block)
		n.env.Observe(nodes.Event{Kind: nodes.EvNote, Block: dl.block, Note: "market: model not recorded in storage"})
		return
	}
	if h := n.findHeld(m.Root); h != nil && h.keep == h.tree.NumChunks() {
		chunks := make([][]byte, h.tree.NumChunks())
		for i := range chunks {
			chunks[i] = h.tree.Chunk(i)
		}
		dl.local = true
		n.storeEvaluate(dl, bytes.Join(chunks, nil))
		return
	}
	f := &fetch{purpose: fetchDeliver, m: m, want: allChunks(m, n.cfg.Storage.ChunkSize)}
	dl.f = f
	n.startFetch(f) // ends at once (endFetch) when m has no holder but this node
}

// storeFetched ends a pass of a delivery's retrieval (endFetch): the model
// is checked and evaluated, or the next pass is armed.
func (n *Node) storeFetched(f *fetch, ok bool) {
	var dl *delivery
	for _, d := range n.mkt.fetching { // at most one delivery has f: order does not matter
		if d.f == f {
			dl = d
		}
	}
	if dl == nil {
		return
	}
	dl.f = nil
	dl.size += f.bytes
	if ok {
		n.storeEvaluate(dl, bytes.Join(f.chunks, nil))
		return
	}
	dl.peer++
	if dl.peer >= deliverTries {
		delete(n.mkt.fetching, dl.block)
		n.env.Observe(nodes.Event{Kind: nodes.EvNote, Block: dl.block, Note: "market: model not retrieved from storage"})
		return
	}
	dl.tag = n.nextTag(tagDeliver)
	dl.timer = n.env.After(n.fetchTimeout(), dl.tag)
}

// storeEvaluate checks the reassembled model against the header's
// commitment and queues its evaluation on the problem's test split.
func (n *Node) storeEvaluate(dl *delivery, data []byte) {
	delete(n.mkt.fetching, dl.block)
	if ModelCommitment(data, n.chunkSize()) != dl.model {
		n.env.Observe(nodes.Event{Kind: nodes.EvNote, Block: dl.block, Note: "market: retrieved model does not match its commitment"})
		return
	}
	model, err := nn.UnmarshalModel(data)
	if err != nil {
		n.env.Observe(nodes.Event{Kind: nodes.EvNote, Block: dl.block, Note: "market: retrieved model does not decode"})
		return
	}
	tag := n.nextTag(tagDelivEval)
	n.mkt.evals[tag] = dl
	job := &EvalJob{Model: model, Commitment: dl.model, Problem: dl.problem, Test: dl.data.Data.Test, StandIn: dl.data.Data.StandIn}
	if pe, ok := n.env.(nodes.Preempter); ok {
		pe.ComputeFirst(job, tag)
	} else {
		n.env.Compute(job, tag)
	}
}

// dropStoreFetch stops the chunk download of a delivery that is abandoned
// (a reorganisation moved its problem to another block).
func (n *Node) dropStoreFetch(dl *delivery) {
	if dl.f == nil || n.stor == nil {
		return
	}
	if i := slices.Index(n.stor.fetches, dl.f); i >= 0 {
		n.env.Cancel(dl.f.timer)
		n.stor.fetches = slices.Delete(n.stor.fetches, i, i+1)
	}
	dl.f = nil
}

// HeldChunks reports how many chunks of the model with commitment root
// this node keeps (a prefix: a lazy holder keeps the first ones) and how
// many it has; 0, 0 if it keeps none. Observers use it to say whether a
// model can still be retrieved at the end of a run.
func (n *Node) HeldChunks(root [32]byte) (kept, total int) {
	if n.stor == nil {
		return 0, 0
	}
	if h := n.findHeld(root); h != nil {
		return h.keep, h.tree.NumChunks()
	}
	return 0, 0
}
