package nodes

// PartialMempool is implemented by an Env whose mempool model says, for
// each reception of a compact block, how much of the block the node lacks:
// measurements of the 2019 Bitcoin network (Imtiaz et al., ICBC 2019)
// show that whether a node can rebuild a compact block varies from block
// to block (a node that churns fails about twice to three times as often
// as one that stays connected) and that a failed rebuild usually lacks a
// small share of the block, which the node fetches with getblocktxn. A
// node whose Env implements it asks it instead of Mempool.CanRebuild.
type PartialMempool interface {
	// Missing reports the share (0..1] of the block's transaction bytes
	// that the node lacks and must fetch, or 0 when its mempool holds
	// every transaction and the compact announcement suffices. The answer
	// may be drawn anew on every call (one call per reception).
	Missing(block [32]byte) float64
}
