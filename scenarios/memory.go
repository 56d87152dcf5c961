package scenarios

import (
	"fmt"
	"math"
)

// MemoryModel is the memory a run needs: Base + PerNode*nodes +
// PerNodeBlock*nodes*blocks bytes, blocks from ExpectedBlocks. The
// coefficients are fitted to the peak resident memory of real runs
// (/usr/bin/time -v, `coinai run --no-report`, GOGC=50 as coinai sets it,
// 2-core amd64, Go 1.26):
//
// pow (scenarios/pow-bitcoin.toml with group.0.count and run.stop_height
// set): 600 nodes x 100 blocks 24 MB, 2,000 x 10 28 MB, 2,000 x 100 50 MB,
// 2,000 x 400 119 MB, 6,000 x 10 45 MB, 6,000 x 100 109 MB, 600 x 1,000
// 79 MB, 20,000 x 10 148 MB, 20,000 x 100 280 MB, 60,000 x 10 329 MB,
// 60,000 x 100 580-870 MB (from 10,000 nodes the heap is on 2 MB pages,
// see host.HugePagesFrom, which rounds it up and varies with the
// collapse): about 17 MB, 4.5-5.5 KB a node (the node, its env, peers,
// rings and timers, the plan's and the observer's records) and 75-120 B a
// node per block (arrivals, propagation rows; the nodes' block trees share
// one store, pow.Shared, and keep a bit per block). A 10,000,000-node run
// dies out of memory while its nodes are being built.
//
// coinai (per node-block memory grows with the training attempts, whose
// results are kept): coinai-300.toml 300 nodes x 100 blocks 85 MB, 300 x 50
// 54 MB, 150 x 100 51 MB (2.1 KB a node per block, 15 KB a node);
// quickstart.toml 20 x 8 20 MB, 200 x 8 24 MB, 600 x 8 30 MB, 20 x 40 24 MB
// (18-27 KB a node; up to 7 KB a node per block with its shorter
// attempts). The model takes the middle, 4 KB.
//
// The coefficients are rounded up; the estimate is a guard against runs
// that cannot fit, not a prediction.
type MemoryModel struct {
	Base, PerNode, PerNodeBlock float64
}

// MemoryModels are the models of each protocol.
var MemoryModels = map[string]MemoryModel{
	"pow":    {Base: 17e6, PerNode: 5.5e3, PerNodeBlock: 120},
	"coinai": {Base: 24e6, PerNode: 24e3, PerNodeBlock: 4e3},
}

// MemoryEstimate returns the bytes the run is expected to need at its peak
// (see MemoryModel), and how the estimate was made. A run bounded only by
// max_events counts no blocks.
func (s *Scenario) MemoryEstimate() (float64, string) {
	m, ok := MemoryModels[s.Run.Protocol]
	if !ok {
		return 0, ""
	}
	n := float64(s.NodeCount())
	blocks, why := s.ExpectedBlocks()
	how := fmt.Sprintf("estimate for %s: %s + %s a node + %s a node per block", s.Run.Protocol,
		FormatBytes(m.Base), FormatBytes(m.PerNode), FormatBytes(m.PerNodeBlock))
	if blocks > 0 {
		how += "; blocks: " + why
	} else {
		how += "; no block count: the run is bounded by max_events only"
	}
	return m.Base + n*m.PerNode + n*blocks*m.PerNodeBlock, how
}

// CheckMemory returns an *Errors when the run's MemoryEstimate exceeds
// limit bytes; limitWhat says where the limit comes from. The problem is
// located at the count of the largest group.
func (s *Scenario) CheckMemory(limit float64, limitWhat string) error {
	need, how := s.MemoryEstimate()
	if limit <= 0 || need <= limit {
		return nil
	}
	key, big := "group", -1
	for i, g := range s.Groups {
		if big < 0 || g.Count > s.Groups[big].Count {
			big = i
		}
	}
	if big >= 0 {
		key = fmt.Sprintf("group.%d.count", big)
	}
	v := &validator{s: s}
	blocks, _ := s.ExpectedBlocks()
	v.add(key, "%d nodes over up to %.0f blocks need about %s of memory, more than the %s %s; lower the node count or the number of blocks, or pass --max-memory SIZE to run anyway (%s)",
		s.NodeCount(), blocks, FormatBytes(need), FormatBytes(limit), limitWhat, how)
	return errorsOrNil(v.problems)
}

// FormatBytes writes n bytes with a decimal unit and three significant
// digits: "23.1 GB".
func FormatBytes(n float64) string {
	units := []string{"B", "KB", "MB", "GB", "TB", "PB", "EB"}
	i := 0
	for math.Abs(n) >= 999.5 && i < len(units)-1 {
		n /= 1000
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%.0f B", n)
	}
	return fmt.Sprintf("%.3g %s", n, units[i])
}
