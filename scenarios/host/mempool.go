package host

import "github.com/coinai/coinai/sim"

// Missing implements nodes.PartialMempool from the node's spec. Without
// RebuildFail it answers as CanRebuild does (the whole block when the node
// misses transactions, nothing otherwise) and draws nothing, so runs of the
// per-node model are unchanged; with it, every reception draws whether the
// rebuild fails and, when it does and the spec has a Refetch table, the
// share of the block to fetch, from the run's "network/mempool" stream in
// event order.
func (e *env) Missing([32]byte) float64 {
	if e.failP > 0 {
		if e.h.mempool.Float64() >= e.failP {
			return 0
		}
	} else if !e.missesTxs {
		return 0
	}
	if len(e.refetch) == 0 {
		return 1
	}
	return max(sim.Quantile(e.refetch, e.h.mempool.Float64()), 1e-9)
}
