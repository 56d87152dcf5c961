package check

import (
	"fmt"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/scenarios/observe"
)

// tip is a node's tip, as agreement collects them.
type tip struct {
	node   int
	id     [32]byte
	height int64
}

// agreement walks the tip of every online honest node back to a common
// height ForkDepth below the lowest of their tips and asks that all land
// on the same block. Nodes that were offline within the last
// RejoinIntervals target intervals and cheaters are left out.
func (s *Suite) agreement() (ok, reason string) {
	now := s.h.Now()
	since := max(now-RejoinIntervals*s.cfg.TargetInterval, 0)
	tips := s.tips[:0]
	defer func() { s.tips = tips[:0] }()
	offline, cheats := 0, 0
	for i := range s.h.NumNodes() {
		t, is := s.h.Node(i).(nodes.Tipper)
		if !is {
			return "nodes do not report tips", ""
		}
		if _, c := s.cfg.Cheats[int32(i)]; c {
			cheats++
			continue
		}
		if !s.h.OnlineThrough(int32(i), since, now) {
			offline++
			continue
		}
		id, h := t.Tip()
		tips = append(tips, tip{i, id, h})
	}
	left := ""
	if offline > 0 || cheats > 0 {
		left = fmt.Sprintf(" (left out: %d offline or back online within %d target intervals, %d cheaters)", offline, RejoinIntervals, cheats)
	}
	if len(tips) == 0 {
		return "no online honest node" + left, ""
	}
	low := tips[0].height
	for _, t := range tips {
		low = min(low, t.height)
	}
	at := low - ForkDepth
	if at <= 0 {
		return fmt.Sprintf("lowest tip %d is within the fork depth%s", low, left), ""
	}
	var first [32]byte
	// Most nodes share a few tips: walk back from each distinct tip once.
	below := map[[32]byte][32]byte{}
	for k, t := range tips {
		id, h := t.id, t.height
		if a, ok := below[t.id]; ok {
			id, h = a, at
		}
		for h > at {
			b, ok := s.o.Block(id)
			if !ok {
				break
			}
			id, h = b.Parent, b.Height-1
		}
		if h == at {
			below[t.id] = id
		}
		if k == 0 {
			first = id
		} else if id != first {
			return "", fmt.Sprintf("nodes %d and %d hold different blocks at height %d: %s and %s",
				tips[0].node, t.node, at, observe.ShortID(first), observe.ShortID(id))
		}
	}
	return fmt.Sprintf("%d online honest nodes agree at height %d%s", len(tips), at, left), ""
}
