package check

import (
	"fmt"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/sim"
)

// partGrowth follows the highest tip of each part of a cut network, for
// the liveness rule per part: while the network is split, each part that
// holds at least half of the miners must grow, as the whole network must
// when it is not. It starts afresh whenever the parts change.
type partGrowth struct {
	version int
	since   sim.Time // when the current layout began
	top     map[int32]int64
	at      map[int32]sim.Time
}

// sync starts afresh if the parts changed: each part's top is the highest
// tip of its nodes now, grown at the change.
func (g *partGrowth) sync(s *Suite) {
	v := s.parts.PartsVersion()
	if g.top != nil && v == g.version {
		return
	}
	now := s.h.Now()
	g.version, g.since = v, now
	g.top, g.at = map[int32]int64{}, map[int32]sim.Time{}
	for i := range s.h.NumNodes() {
		p := s.parts.Part(int32(i))
		t, ok := s.h.Node(i).(nodes.Tipper)
		if p < 0 || !ok {
			continue
		}
		_, h := t.Tip()
		if old, seen := g.top[p]; !seen || h > old {
			g.top[p] = h
		}
		g.at[p] = now
	}
}

// tip records a tip reported by an online node.
func (g *partGrowth) tip(s *Suite, node int32, at sim.Time, height int64) {
	g.sync(s)
	p := s.parts.Part(node)
	if p < 0 {
		return
	}
	if old, seen := g.top[p]; !seen || height > old {
		g.top[p], g.at[p] = height, at
	}
}

// stalled applies the liveness rule to each part of a split network: a
// part whose miners, online throughout the last LivenessIntervals target
// intervals, are at least half of all miners must have grown within
// them.
func (g *partGrowth) stalled(s *Suite) (name, reason string) {
	g.sync(s)
	T := s.cfg.TargetInterval
	now := s.h.Now()
	miners := 0
	inPart := map[int32]int{}
	var parts []int32 // in order of their lowest node: deterministic
	for i, m := range s.cfg.Miners {
		if !m {
			continue
		}
		miners++
		if !s.h.OnlineThrough(int32(i), now-LivenessIntervals*T, now) {
			continue
		}
		p := s.parts.Part(int32(i))
		if p < 0 {
			continue
		}
		if _, seen := inPart[p]; !seen {
			parts = append(parts, p)
		}
		inPart[p]++
	}
	for _, p := range parts {
		online := inPart[p]
		if 2*online < miners {
			continue
		}
		last := max(g.at[p], g.since)
		if wait := now - last; wait > LivenessIntervals*T {
			return nameLiveness, fmt.Sprintf("the part of node %d, cut off from the rest, has no tip above height %d for %.0fs (%.0f times the %gs target interval), while %d of %d miners were in it and online throughout",
				p, g.top[p], float64(wait)/1e9, float64(wait)/float64(T), float64(T)/1e9, online, miners)
		}
	}
	return "", ""
}

// partTops returns the highest tip of each part now, for the overrun rule.
func (s *Suite) partTops() map[int32]int64 {
	tops := map[int32]int64{}
	for i := range s.h.NumNodes() {
		t, ok := s.h.Node(i).(nodes.Tipper)
		p := s.parts.Part(int32(i))
		if !ok || p < 0 {
			continue
		}
		if _, h := t.Tip(); h > tops[p] {
			tops[p] = h
		}
	}
	return tops
}
