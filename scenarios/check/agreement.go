package check

import (
	"fmt"
	"strings"

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
// RejoinIntervals target intervals and cheaters are left out. In a
// network that cuts can split (Parts), the nodes of each part must agree
// among themselves, and the nodes of a part that was joined from parts
// cut apart within the last RejoinIntervals are left out: until they
// have caught up, the two sides of a healed partition legitimately hold
// different chains.
func (s *Suite) agreement() (ok, reason string) {
	if s.cfg.AgreementOff != "" {
		return "not checked: " + s.cfg.AgreementOff, ""
	}
	now := s.h.Now()
	since := max(now-RejoinIntervals*s.cfg.TargetInterval, 0)
	groups := map[int32][]tip{}
	var order []int32 // parts in order of their first node: deterministic
	offline, cheats, rejoined := 0, 0, 0
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
		var part int32
		if s.parts != nil {
			if s.parts.Rejoined(int32(i)) > since {
				rejoined++
				continue
			}
			if part = s.parts.Part(int32(i)); part < 0 {
				offline++
				continue
			}
		}
		id, h := t.Tip()
		if _, seen := groups[part]; !seen {
			order = append(order, part)
		}
		groups[part] = append(groups[part], tip{i, id, h})
	}
	left := ""
	if offline > 0 || cheats > 0 || rejoined > 0 {
		left = fmt.Sprintf(" (left out: %d offline or back online within %d target intervals, %d cheaters", offline, RejoinIntervals, cheats)
		if rejoined > 0 {
			left += fmt.Sprintf(", %d in a part rejoined within %d target intervals", rejoined, RejoinIntervals)
		}
		left += ")"
	}
	if len(order) == 0 {
		return "no online honest node" + left, ""
	}
	var notes []string
	total := 0
	// Most nodes share a few tips: walk back from each distinct tip once.
	below := map[[32]byte][32]byte{}
	for _, part := range order {
		tips := groups[part]
		total += len(tips)
		low := tips[0].height
		for _, t := range tips {
			low = min(low, t.height)
		}
		at := low - ForkDepth
		if at <= 0 {
			notes = append(notes, fmt.Sprintf("lowest tip %d is within the fork depth", low))
			continue
		}
		clear(below)
		var first [32]byte
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
				in := ""
				if len(order) > 1 {
					in = fmt.Sprintf(" in the part of node %d, while the network is cut into %d parts", part, len(order))
				}
				return "", fmt.Sprintf("nodes %d and %d hold different blocks at height %d: %s and %s%s",
					tips[0].node, t.node, at, observe.ShortID(first), observe.ShortID(id), in)
			}
		}
		notes = append(notes, fmt.Sprintf("agree at height %d", at))
	}
	if len(order) == 1 {
		tips := groups[order[0]]
		if strings.HasPrefix(notes[0], "lowest") {
			return notes[0] + left, ""
		}
		return fmt.Sprintf("%d online honest nodes %s%s", len(tips), notes[0], left), ""
	}
	return fmt.Sprintf("%d online honest nodes in %d parts cut apart, each agreeing within itself (%s)%s",
		total, len(order), strings.Join(notes, "; "), left), ""
}
