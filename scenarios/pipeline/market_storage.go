package pipeline

import (
	"github.com/coinai/coinai/nodes/coinai"
	"github.com/coinai/coinai/scenarios/build"
	"github.com/coinai/coinai/scenarios/host"
	"github.com/coinai/coinai/scenarios/observe"
)

// finalModels marks m as a run with proof-of-storage, when it is one, and
// returns the stored models as the reference node's final tip records
// them (nil without storage).
func finalModels(p *build.Plan, h *host.Host, ref int32, m *observe.MarketResult) []*coinai.StoredModel {
	if p.Storage == nil {
		return nil
	}
	m.Storage = true
	n := h.Node(int(ref)).(*coinai.Node)
	tip, _ := n.Tip()
	return n.StorageAt(tip)
}

// retrievableAtEnd reports whether the model of block could still be
// retrieved at the end of the run: whether the holders that the final
// registry lists for it (the nodes a retrieval asks) and that are online
// then (no offline window or crash holds the end) keep every chunk of it
// between them. Each node keeps a prefix of the chunks (all of them, or a
// lazy holder's first ones), so between them they keep every chunk when
// one of them keeps all.
func retrievableAtEnd(p *build.Plan, h *host.Host, models []*coinai.StoredModel, block [32]byte) bool {
	end := h.Now()
	for _, m := range models {
		if m.Block != block {
			continue
		}
		for _, hd := range m.Holders {
			if p.Faults.Offline(hd, end) {
				continue
			}
			if n, ok := h.Node(int(hd)).(*coinai.Node); ok {
				if kept, total := n.HeldChunks(m.Root); total > 0 && kept == total {
					return true
				}
			}
		}
	}
	return false
}
