package pipeline

import (
	"fmt"
	"math"
	"testing"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/scenarios"
	"github.com/coinai/coinai/scenarios/check"
	"github.com/coinai/coinai/scenarios/observe"
	"github.com/coinai/coinai/sim"
)

// loadWith loads a scenario file and applies overrides.
func loadWith(t *testing.T, path string, overrides ...string) *scenarios.Scenario {
	t.Helper()
	s, err := scenarios.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Apply(overrides...); err != nil {
		t.Fatal(err)
	}
	return s
}

// tipAt is node's tip at time t, as its acceptances say: the highest block
// it had accepted (or mined) by t, the first accepted among equals. (PoW
// at a constant difficulty, and Coin.AI at a threshold that changes little
// within a partition, choose their tip so; it is what a node would have
// answered for its best chain.)
func tipAt(res *Result, node int32, t sim.Time) *observe.BlockRec {
	var best *observe.BlockRec
	var bestAt sim.Time
	for _, b := range res.Blocks {
		at := sim.Time(-1)
		if b.Miner == node {
			at = b.Found
		}
		for _, a := range b.Arrivals {
			if a.Node == node {
				at = b.Found + a.Delay
			}
		}
		if at < 0 || at > t {
			continue
		}
		if best == nil || b.Height > best.Height || (b.Height == best.Height && at < bestAt) {
			best, bestAt = b, at
		}
	}
	return best
}

// After a partition heals, the nodes converge on one chain within a bound,
// no block at depth 6 or more on the winning side is lost, and the losing
// sides' blocks are stale (counted in blocks_stale). The checkers pass
// throughout: each side agrees within itself while the chains of the
// sides differ by more than the fork depth.
//
// The bound: when the cut heals, the nodes on either side of each cut
// link announce their tips, and the lighter side fetches the heavier
// chain, one orphan's parent per round trip: seconds. When the sides'
// chains tie in work, the nodes keep their own until the next block
// breaks the tie, about one target interval later. The test allows three
// target intervals (measured over seeds 1-30 of partition.toml: 1.5 to
// 8.7 s, one tie at 20 s and one at 66 s).
func TestPartitionHeals(t *testing.T) {
	tests := []struct {
		name      string
		file      string
		seed      int64
		overrides []string
	}{
		{"pow seed 1", "../attacks/partition.toml", 1, nil},
		{"pow seed 2", "../attacks/partition.toml", 2, nil},
		{"pow seed 4", "../attacks/partition.toml", 4, nil},
		// Two sides of half the hash power for 30 minutes: a reorg
		// much deeper than the fork depth.
		{"pow even sides", "../attacks/partition.toml", 1, []string{`fault.0.sides=[["EU"]]`, "fault.0.heal=2400s", "run.stop_height=50"}},
		{"coinai", "../quickstart.toml", 3, []string{"run.stop_height=14",
			`fault=[{kind="partition",sides=[["0-9"]],at="40s",heal="200s"}]`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := loadWith(t, tc.file, append(tc.overrides, fmt.Sprintf("run.seed=%d", tc.seed))...)
			r, res := runWithRun(t, s)
			requireChecks(t, res)
			cut := r.cfg.Faults.Links()[0]
			T := r.cfg.TargetInterval
			if len(res.Faults) != 1 || res.Faults[0].Lost == 0 {
				t.Fatalf("faults %+v: want one cut that dropped messages", res.Faults)
			}
			conv := res.Faults[0].Converge
			if !(conv >= 0 && conv <= 3*float64(T)/1e9) || *res.Summary.PartitionHealConvergeS != conv {
				t.Errorf("converged %v s after the heal (summary %v), want within 3 target intervals (%v s)",
					conv, *res.Summary.PartitionHealConvergeS, 3*float64(T)/1e9)
			}
			// Each side's blocks mined during the cut: all main (the
			// winner) or none (a loser).
			side := func(n int32) int16 { return cut.Side[n] }
			mined := map[int16][2]int{} // side -> main, stale
			for _, b := range res.Blocks {
				if b.Found < cut.From || b.Found >= cut.Until {
					continue
				}
				m := mined[side(b.Miner)]
				if b.Main {
					m[0]++
				} else {
					m[1]++
				}
				mined[side(b.Miner)] = m
			}
			winners, lost := 0, 0
			var winner int16
			for sd, m := range mined {
				switch {
				case m[0] > 0 && m[1] == 0:
					winners++
					winner = sd
				case m[0] == 0:
					lost += m[1]
				default:
					// A winning side may have its own short forks:
					// allow a few stale blocks of its own.
					winners++
					winner = sd
				}
			}
			if winners != 1 {
				t.Fatalf("blocks mined during the cut per side (main, stale): %v: want one winning side", mined)
			}
			if lost == 0 || res.Summary.BlocksStale < lost {
				t.Errorf("losing sides mined %d blocks during the cut, blocks_stale %d: want them all stale", lost, res.Summary.BlocksStale)
			}
			// Every block at depth >= 6 on a winning-side node at the
			// heal is on the final main chain.
			checked := 0
			for i := range r.cfg.Nodes {
				if side(int32(i)) != winner {
					continue
				}
				b := tipAt(res, int32(i), cut.Until)
				for d := 0; b != nil && d < check.ForkDepth; d++ {
					b, _ = r.Observer().Block(b.Parent)
				}
				if b == nil {
					continue
				}
				checked++
				if !b.Main {
					t.Errorf("node %d held block %s at depth 6 at the heal; it is not on the main chain", i, observe.ShortID(b.ID))
				}
			}
			if checked == 0 {
				t.Error("no winning-side node had a block 6 deep at the heal")
			}
			t.Logf("converged %.2f s after the heal; blocks during the cut per side (main, stale) %v; stale %d, deepest reorg %d",
				conv, mined, res.Summary.BlocksStale, res.Summary.ReorgMaxDepth)
			if tc.name == "pow even sides" && res.Summary.ReorgMaxDepth <= check.ForkDepth {
				t.Errorf("deepest reorg %d: the case must exceed the fork depth %d to test the checkers", res.Summary.ReorgMaxDepth, check.ForkDepth)
			}
		})
	}
}

// A link loss of 1 between two sets is a partition (the same run, digest
// for digest); a loss of 0 is no fault at all.
func TestLinkLossExtremes(t *testing.T) {
	digest := func(overrides ...string) string {
		_, res := runScenario(t, "../pow-quickstart.toml", append([]string{"run.stop_height=30"}, overrides...)...)
		return res.Summary.TraceDigest
	}
	partition := digest(`fault=[{kind="partition",sides=[["EU"]],at="300s",heal="900s"}]`)
	loss1 := digest(`fault=[{kind="link-loss",loss=1.0,sides=[["EU"]],at="300s",until="900s"}]`)
	loss0 := digest(`fault=[{kind="link-loss",loss=0.0,sides=[["EU"]],at="300s",until="900s"}]`)
	none := digest()
	if partition != loss1 {
		t.Errorf("loss 1: digest %s, partition %s", loss1, partition)
	}
	if loss0 != none {
		t.Errorf("loss 0: digest %s, no fault %s", loss0, none)
	}
	if partition == none {
		t.Error("the partition changed nothing")
	}
}

// A node restarted after losing its state catches up with the network's
// tip within 30 s of its restart; one that kept it resumes from its own
// chain. Either way it mines again once restarted and not while down,
// while a node that is only cut off (an offline window) mines throughout.
func TestRestartCatchesUp(t *testing.T) {
	const restart = 900 * sim.Second
	s := loadWith(t, "../pow-quickstart.toml", "run.stop_height=0", "run.stop_time=930s",
		`fault=[{kind="crash",nodes=["10-14"],at="600s",down="300s",state="lost"},{kind="crash",nodes=["15-19"],at="600s",down="300s",state="kept"}]`)
	s.Storage.Faults = []scenarios.Fault{{Kind: "offline", Node: 20, At: scenarios.Duration(600 * sim.Second), Until: scenarios.Duration(restart)}}
	r, res := runWithRun(t, s)
	requireChecks(t, res)
	h := r.Host()
	votes := map[[32]byte]int{}
	var top [32]byte
	for i := range h.NumNodes() {
		if i >= 10 && i < 20 {
			continue
		}
		id, _ := h.Node(i).(nodes.Tipper).Tip()
		if votes[id]++; votes[id] > votes[top] {
			top = id
		}
	}
	for i := 10; i < 20; i++ {
		id, height := h.Node(i).(nodes.Tipper).Tip()
		if id != top {
			t.Errorf("node %d (state %s) is at height %d, %s, 30 s after its restart; the network is at %s",
				i, map[bool]string{true: "lost", false: "kept"}[i < 15], height, observe.ShortID(id), observe.ShortID(top))
		}
	}
	// Busy (mining) time: the crashed miners were idle for their 300 s.
	end := h.Now()
	for _, tc := range []struct {
		node int
		busy sim.Time
	}{{10, end - 300*sim.Second}, {15, end - 300*sim.Second}, {20, end}, {30, end}} {
		if got := h.Busy(tc.node, end); got != tc.busy {
			t.Errorf("node %d busy %.1f s of %.1f, want %.1f", tc.node, float64(got)/1e9, float64(end)/1e9, float64(tc.busy)/1e9)
		}
	}
	if *res.Summary.Crashes != 10 {
		t.Errorf("crashes %d, want 10", *res.Summary.Crashes)
	}
	// Kept: the node's tree held its blocks from before the crash (no
	// block found before it was accepted again after the restart);
	// lost: it fetched the chain again (the observer keeps its first
	// acceptance only).
	for _, b := range res.Blocks {
		for _, a := range b.Arrivals {
			if at := b.Found + a.Delay; a.Node >= 10 && a.Node < 20 && at >= 600*sim.Second && at < restart {
				t.Errorf("node %d accepted block %s at %.1f s, while down", a.Node, observe.ShortID(b.ID), float64(at)/1e9)
			}
		}
	}
	if math.IsNaN(float64(*res.Summary.MessagesLost)) || *res.Summary.MessagesLost == 0 {
		t.Error("no message lost at the crashed nodes")
	}
}

// Coin.AI nodes crash and restart too: with their chain (nodes.Restarter
// drops the attempt, verifications and fetches that died with them) or
// from genesis, and every restarted node ends on the network's chain.
func TestCoinAICrashes(t *testing.T) {
	s := loadWith(t, "../quickstart.toml", "run.seed=3", "run.stop_height=12",
		`fault=[{kind="crash",nodes=["0-4"],at="30s",down="60s",state="kept"},{kind="crash",nodes=["5-7"],at="30s",down="60s",state="lost"}]`)
	r, res := runWithRun(t, s)
	requireChecks(t, res)
	if *res.Summary.Crashes != 8 {
		t.Errorf("crashes %d, want 8", *res.Summary.Crashes)
	}
	h := r.Host()
	main := map[[32]byte]bool{}
	for _, b := range res.Blocks {
		if b.Main {
			main[b.ID] = true
		}
	}
	for i := range 8 {
		id, height := h.Node(i).(nodes.Tipper).Tip()
		b, ok := r.Observer().Block(id)
		for ok && b.Height > 12 {
			b, ok = r.Observer().Block(b.Parent)
		}
		if !ok || !main[b.ID] || height < 12 {
			t.Errorf("node %d ends at height %d, off the main chain", i, height)
		}
	}
}
