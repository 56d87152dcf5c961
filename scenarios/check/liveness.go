package check

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/sim"
)

// growth follows the highest tip any node reported.
type growth struct {
	top      int64
	at       sim.Time // when top last grew
	grew     int      // times it grew
	longest  sim.Time // longest wait between growths so far
	dirty    bool     // grew since the last round
	mined    int      // blocks mined since it last grew
	rejected map[[32]byte]string
	quorumAt sim.Time // next time the liveness quorum is counted
	partsAt  sim.Time // next time the parts of a split network are looked at
}

func (g *growth) tip(at sim.Time, height int64) {
	if height <= g.top {
		return
	}
	g.top, g.grew, g.dirty = height, g.grew+1, true
	g.longest = max(g.longest, at-g.at)
	g.at, g.mined = at, 0
	if len(g.rejected) > 0 {
		g.rejected = map[[32]byte]string{}
	}
}

// stalled applies the liveness and progress rules at the current time.
func (g *growth) stalled(s *Suite) (name, reason string) {
	T := s.cfg.TargetInterval
	if T <= 0 {
		return "", ""
	}
	now := s.h.Now()
	wait := now - g.at
	if wait > StallIntervals*T {
		return nameProgress, fmt.Sprintf("the run cannot make progress: %s", g.why(s, wait))
	}
	if s.parts != nil {
		// A cut network: while it is split, each part that holds half
		// of the miners must grow (partGrowth); once whole again, the
		// network's growth is counted from when its parts last changed.
		if s.parts.Split() {
			if now >= g.partsAt {
				g.partsAt = now + T
				return s.pg.stalled(s)
			}
			return "", ""
		}
		s.pg.sync(s)
		wait = now - max(g.at, s.pg.since)
	}
	TL := T // the honest miners' expected interval (Config.HonestShare)
	if hs := s.cfg.HonestShare; hs > 0 && hs < 1 {
		TL = sim.Time(float64(T) / hs)
	}
	if wait <= LivenessIntervals*TL {
		return "", ""
	}
	if now < g.quorumAt {
		return "", ""
	}
	g.quorumAt = now + T
	online, miners := 0, 0
	for i, m := range s.cfg.Miners {
		if !m {
			continue
		}
		miners++
		if s.h.OnlineThrough(int32(i), now-LivenessIntervals*TL, now) {
			online++
		}
	}
	if miners > 0 && 2*online >= miners {
		return nameLiveness, fmt.Sprintf("%s, while %d of %d miners were online throughout", g.why(s, wait), online, miners)
	}
	return "", ""
}

// why describes a wait for a higher tip.
func (g *growth) why(s *Suite, wait sim.Time) string {
	T := s.cfg.TargetInterval
	msg := fmt.Sprintf("no tip above height %d for %.0fs (%.0f times the %gs target interval)",
		g.top, float64(wait)/1e9, float64(wait)/float64(T), float64(T)/1e9)
	if g.mined == 0 {
		return msg + "; no block was mined since"
	}
	reasons := map[string]int{}
	for _, r := range g.rejected {
		reasons[r]++
	}
	var parts []string
	for _, r := range slices.Sorted(maps.Keys(reasons)) {
		parts = append(parts, fmt.Sprintf("%s: %d", r, reasons[r]))
	}
	msg += fmt.Sprintf("; %d blocks were mined since", g.mined)
	if len(parts) > 0 {
		msg += fmt.Sprintf(", rejected by some node (%s)", strings.Join(parts, ", "))
	}
	return msg
}

// overrun reports an online node stuck below the stop height while the
// highest tip is OverrunBlocks past it.
func (g *growth) overrun(s *Suite) string {
	stop := s.cfg.StopHeight
	if stop <= 0 || g.top < stop+OverrunBlocks {
		return ""
	}
	now := s.h.Now()
	var tops map[int32]int64 // a cut network: each part's own top
	if s.parts != nil {
		tops = s.partTops()
	}
	for i := range s.h.NumNodes() {
		t, ok := s.h.Node(i).(nodes.Tipper)
		if !ok || !s.h.OnlineThrough(int32(i), now, now) {
			continue
		}
		if tops != nil && tops[s.parts.Part(int32(i))] < stop+OverrunBlocks {
			continue // its part is not past the stop height
		}
		if _, h := t.Tip(); h < stop {
			return fmt.Sprintf("node %d is online at height %d, under the stop height %d, while the highest tip is at %d", i, h, stop, g.top)
		}
	}
	return ""
}

// summary is the liveness verdict of a run that did not fail it.
func (g *growth) summary(s *Suite) string {
	T := s.cfg.TargetInterval
	longest := max(g.longest, s.h.Now()-g.at)
	return fmt.Sprintf("the highest tip grew %d times, to height %d; longest wait %.1fs (%.1f target intervals; the limit is %d)",
		g.grew, g.top, float64(longest)/1e9, float64(longest)/float64(T), LivenessIntervals)
}
