package check

import (
	"fmt"

	"github.com/coinai/coinai/nodes/coinai"
	"github.com/coinai/coinai/nodes/dataset"
	"github.com/coinai/coinai/nodes/ledger"
)

// testSet is the test split block b's model is judged on: the default
// problem's, or under the problem market that of the data set its problem
// names. The checker learns which data set from the Problem transactions
// of the blocks it checked before (a problem is included by an ancestor of
// the block that solves it, and parents are checked first), never from a
// node.
func (m *models) testSet(b *coinai.Block, id string) (*dataset.Set, string) {
	for _, tx := range b.Txs {
		if p, ok := tx.(*ledger.Problem); ok {
			if m.problems == nil {
				m.problems = map[[32]byte]string{}
			}
			m.problems[p.ID()] = p.Dataset
		}
	}
	pid := b.Header.Problem
	if pid == ([32]byte{}) || m.cfg.Market == nil {
		return m.cfg.Default.Test, ""
	}
	name, ok := m.problems[pid]
	if !ok {
		return nil, fmt.Sprintf("block %s solves a problem that no block checked before included", id)
	}
	for i := range m.cfg.Market.Data {
		if d := &m.cfg.Market.Data[i]; d.Dataset == name {
			return d.Data.Test, ""
		}
	}
	return nil, fmt.Sprintf("block %s solves a problem on data set %q, which the chain does not serve", id, name)
}
