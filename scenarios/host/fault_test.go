package host

import (
	"math"
	"slices"
	"testing"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/sim"
)

// faultNode is a pingNode that records the reconnections and restarts the
// host asks of it, and runs a 10-second job from its start.
type faultNode struct {
	pingNode
	id          int
	reconnected []reconnect
	restarts    []int64
	computed    int
}

type reconnect struct {
	peer nodes.PeerID
	at   int64
}

func (n *faultNode) Start(env nodes.Env) {
	n.pingNode.Start(env)
	env.Compute(flopJob{10e9, "job"}, 1) // 10 s at 1 GFLOP/s
}
func (n *faultNode) Reconnected(p nodes.PeerID) {
	n.reconnected = append(n.reconnected, reconnect{p, n.env.Now()})
}
func (n *faultNode) Restart(env nodes.Env) {
	n.restarts = append(n.restarts, env.Now())
	n.Start(env)
}
func (n *faultNode) OnComputed(uint64, any) { n.computed++ }

var (
	_ nodes.Reconnecter = (*faultNode)(nil)
	_ nodes.Restarter   = (*faultNode)(nil)
)

// faultHost runs n faultNodes for 20 s under f; built lists every node the
// constructor made, in order (a crash that loses the state builds anew).
func faultHost(t *testing.T, n int, f *sim.Faults) (h *Host, built []*faultNode) {
	t.Helper()
	cfg := testConfig(n)
	cfg.StopTime = 20 * sim.Second
	cfg.Faults = f
	cfg.NewNode = func(i int) (nodes.Node, error) {
		nd := &faultNode{id: i}
		built = append(built, nd)
		return nd, nil
	}
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Run(); err != nil {
		t.Fatal(err)
	}
	return h, built
}

// A cut between node 0 and the others drops the pings sent across it (and
// counts them); when it heals, both ends of every link it cut are told, at
// the heal; the parts split and join.
func TestCutAndHeal(t *testing.T) {
	var f sim.Faults
	side := []int16{1, 0, 0, 0, 0}
	f.AddLink(sim.LinkFault{Window: sim.Window{From: 5 * sim.Second, Until: 10 * sim.Second}, Kind: sim.LinkCut, Side: side, Across: true})
	h, ns := faultHost(t, 5, &f)
	cut := func(sent int64) bool { return sent >= 5e9 && sent < 10e9 }
	var across int
	for i, n := range ns {
		for _, p := range n.got {
			if (i == 0) != (p.from == 0) {
				if cut(p.sent) || cut(p.recv) {
					t.Errorf("node %d received a ping from %d sent at %d, received at %d, across the cut", i, p.from, p.sent, p.recv)
				}
				across++
			}
		}
	}
	peers0 := h.envs[0].peers
	link, _ := h.LostMessages()
	// Node 0 and its peers ping each other every second: 5 seconds of
	// pings both ways are lost.
	if want := int64(2 * 5 * len(peers0)); link[0] != want || across == 0 {
		t.Errorf("lost %v, want %d; %d pings crossed outside the cut", link, want, across)
	}
	var got []nodes.PeerID
	for _, r := range ns[0].reconnected {
		if r.at != 10e9 {
			t.Errorf("node 0 reconnected to %d at %d, want at the heal", r.peer, r.at)
		}
		got = append(got, r.peer)
	}
	if !slices.Equal(got, peers0) {
		t.Errorf("node 0 reconnected to %v, want its peers %v", got, peers0)
	}
	for _, p := range peers0 {
		if r := ns[p].reconnected; len(r) != 1 || r[0].peer != 0 {
			t.Errorf("peer %d reconnected %v, want to node 0 once", p, r)
		}
	}
	if !h.Partitioned() || h.Split() || h.Rejoined(0) != 10e9 || h.Part(0) != 0 {
		t.Errorf("after the heal: partitioned %v split %v rejoined %d part %d", h.Partitioned(), h.Split(), h.Rejoined(0), h.Part(0))
	}
}

// A loss drops about its share of messages, the same ones on every run; a
// latency spike delays every message sent in its window by its extra.
func TestLossAndSpike(t *testing.T) {
	var f sim.Faults
	f.AddLink(sim.LinkFault{Window: sim.Window{}, Kind: sim.LinkLoss, Loss: 0.3, Stream: "fault/x/loss"})
	h, ns := faultHost(t, 6, &f)
	_, ns2 := faultHost(t, 6, &f)
	var recv, sent int
	for i, n := range ns {
		recv += len(n.got)
		if !slices.Equal(n.got, ns2[i].got) {
			t.Errorf("node %d received other pings on a second run", i)
		}
	}
	link, _ := h.LostMessages()
	sent = recv + int(link[0])
	if share := float64(link[0]) / float64(sent); math.Abs(share-0.3) > 0.08 {
		t.Errorf("lost %d of %d messages (%.2f), want about 0.3", link[0], sent, share)
	}

	var g sim.Faults
	g.AddLink(sim.LinkFault{Window: sim.Window{From: 5 * sim.Second, Until: 10 * sim.Second}, Kind: sim.LinkDelay, Extra: 3 * sim.Second,
		Side: []int16{0, 0, 1, 0, 0, 0}})
	_, ns = faultHost(t, 6, &g)
	for i, n := range ns {
		for _, p := range n.got {
			spiked := p.sent >= 5e9 && p.sent < 10e9 && (i == 2 || p.from == 2)
			if d := p.recv - p.sent; spiked != (d >= 3e9) {
				t.Errorf("node %d: ping from %d sent at %d took %d ns (spiked %v)", i, p.from, p.sent, d, spiked)
			}
		}
	}
}

// A crashed node does not run: its timers die, its job is dropped, nothing
// reaches it; at the restart it resumes from its state (Restart) or, if
// the crash lost it, a new node is built and started; either way it and
// its peers reconnect.
func TestCrashAndRestart(t *testing.T) {
	for _, lost := range []bool{false, true} {
		var f sim.Faults
		f.AddCrash(sim.Crash{Node: 1, Window: sim.Window{From: 5500 * sim.Millisecond, Until: 12500 * sim.Millisecond}, Lost: lost})
		h, ns := faultHost(t, 4, &f)
		if lost != (len(ns) == 5) {
			t.Fatalf("lost %v: %d nodes built", lost, len(ns))
		}
		old, cur := ns[1], h.nodes[1].(*faultNode)
		// Timers at 1..5 s before the crash; after the restart at 12.5 s,
		// at 13.5..19.5 s: 7 more.
		timers := old.timers
		if lost {
			timers += cur.timers
			if cur == old || len(old.restarts) != 0 {
				t.Error("a lost state did not build a new node")
			}
		} else if len(old.restarts) != 1 || old.restarts[0] != 12500e6 {
			t.Errorf("restarts %v, want one at 12.5 s", old.restarts)
		}
		if timers != 5+7 {
			t.Errorf("lost %v: %d timers fired, want 12 (none while down)", lost, timers)
		}
		// The 10-second job started at 0 was dropped at the crash; the one
		// started at the restart ends at 22.5 s, after the run.
		if old.computed+cur.computed != 0 {
			t.Errorf("lost %v: %d jobs completed, want 0", lost, old.computed+cur.computed)
		}
		if busy := h.Busy(1, 20*sim.Second); busy != 5500*sim.Millisecond+7500*sim.Millisecond {
			t.Errorf("lost %v: busy %d ns, want 13 s (up to the crash and from the restart)", lost, busy)
		}
		for _, n := range []*faultNode{old, cur} {
			for _, p := range n.got {
				if p.recv >= 5500e6 && p.recv < 12500e6 {
					t.Errorf("lost %v: node 1 received a ping at %d while down", lost, p.recv)
				}
			}
		}
		var peers []nodes.PeerID
		for _, r := range cur.reconnected {
			peers = append(peers, r.peer)
		}
		if !slices.Equal(peers, h.envs[1].peers) {
			t.Errorf("lost %v: restarted node reconnected to %v, want %v", lost, peers, h.envs[1].peers)
		}
		if _, crash := h.LostMessages(); crash[0] == 0 {
			t.Errorf("lost %v: no message counted lost at the crashed node", lost)
		}
	}
}
