package host

import (
	"encoding/binary"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/sim"
)

// pingNode sends every peer a 9-byte ping each second, stamped with the
// send time; pings whose first byte is 's' belong to traffic class
// "storage". It reports a tip at height = seconds elapsed.
type pingNode struct {
	env      nodes.Env
	timers   int
	got      []ping // received pings
	diskLoss []int64
	mute     bool // reports no tips
}

type ping struct {
	from       nodes.PeerID
	sent, recv int64
}

func (n *pingNode) Start(env nodes.Env) { n.env = env; env.After(1e9, 0) }

func (n *pingNode) OnTimer(uint64) {
	n.timers++
	msg := make([]byte, 9)
	msg[0] = 'p'
	if n.timers%2 == 0 {
		msg[0] = 's'
	}
	binary.LittleEndian.PutUint64(msg[1:], uint64(n.env.Now()))
	for _, p := range n.env.Peers() {
		n.env.Send(p, msg, 0)
	}
	if !n.mute {
		n.env.Observe(nodes.Event{Kind: nodes.EvTip, Height: int64(n.timers)})
	}
	n.env.After(1e9, 0)
}

func (n *pingNode) Receive(from nodes.PeerID, msg []byte) {
	n.got = append(n.got, ping{from, int64(binary.LittleEndian.Uint64(msg[1:])), n.env.Now()})
}
func (n *pingNode) OnComputed(uint64, any) {}
func (n *pingNode) LoseDisk()              { n.diskLoss = append(n.diskLoss, n.env.Now()) }
func (n *pingNode) MsgClass(msg []byte) string {
	if msg[0] == 's' {
		return "storage"
	}
	return ""
}

var (
	_ nodes.DiskLoser         = (*pingNode)(nil)
	_ nodes.TrafficClassifier = (*pingNode)(nil)
)

type countObserver map[nodes.EventKind]int

func (c countObserver) Observe(_ int32, _ sim.Time, ev nodes.Event) { c[ev.Kind]++ }

func pingHost(t *testing.T, cfg Config, mute ...int) (*Host, []*pingNode) {
	t.Helper()
	var ns []*pingNode
	cfg.NewNode = func(i int) (nodes.Node, error) {
		n := &pingNode{mute: slices.Contains(mute, i)}
		ns = append(ns, n)
		return n, nil
	}
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h, ns
}

// An offline node keeps running, but nothing it sends leaves it and
// nothing reaches it; a disk loss strikes its node at its time; bytes are
// counted per traffic class while the node is online.
func TestOfflineWindowsAndFaults(t *testing.T) {
	cfg := testConfig(3)
	cfg.StopTime = 20 * sim.Second
	var f sim.Faults
	f.AddOffline(1, sim.Window{From: 5 * sim.Second, Until: 10 * sim.Second})
	f.AddEvent(sim.Fault{Node: 2, At: 7 * sim.Second, Kind: sim.FaultDiskLoss})
	cfg.Faults = &f
	h, ns := pingHost(t, cfg)
	obs := countObserver{}
	h.SetObserver(obs)
	if err := h.Run(); err != nil {
		t.Fatal(err)
	}
	if ns[1].timers != 20 {
		t.Errorf("offline node fired %d timers, want 20: it keeps running", ns[1].timers)
	}
	in := func(ts int64) bool { return ts >= 5e9 && ts < 10e9 }
	var before, after int
	for _, p := range ns[1].got {
		if in(p.recv) {
			t.Errorf("node 1 received a ping at %d ns, while offline", p.recv)
		}
		if p.recv < 5e9 {
			before++
		} else {
			after++
		}
	}
	if before == 0 || after == 0 {
		t.Errorf("node 1 received %d pings before and %d after its window; want some of each", before, after)
	}
	for _, i := range []int{0, 2} {
		for _, p := range ns[i].got {
			if p.from == 1 && in(p.sent) {
				t.Errorf("node %d received a ping node 1 sent at %d ns, while offline", i, p.sent)
			}
		}
	}
	if len(ns[2].diskLoss) != 1 || ns[2].diskLoss[0] != 7e9 || len(ns[0].diskLoss)+len(ns[1].diskLoss) != 0 {
		t.Errorf("disk losses: %v %v %v, want node 2 at 7 s", ns[0].diskLoss, ns[1].diskLoss, ns[2].diskLoss)
	}
	if h.Online(1, 6e9) || !h.Online(1, 10e9) || h.OnlineThrough(1, 0, 5e9) || !h.OnlineThrough(1, 10e9, 20e9) {
		t.Error("Online and OnlineThrough disagree with the window")
	}
	sent, recv := h.ClassBytes("storage")
	// Node 0 sends 10 's' pings (even timers) to 2 peers; node 1 loses the
	// ones at 6 and 8 s.
	if sent[0] != 10*2*9 || sent[1] != 8*2*9 {
		t.Errorf("storage bytes sent %v, want node 0 %d and node 1 %d", sent, 10*2*9, 8*2*9)
	}
	if recv[0] == 0 || recv[1] >= recv[0] {
		t.Errorf("storage bytes received %v", recv)
	}
	if obs[nodes.EvTip] != 3*20 {
		t.Errorf("observer saw %d tips, want 60", obs[nodes.EvTip])
	}
}

// The stop height counts only online nodes when some are offline: a node
// cut off (whose tip never moves here) does not hold the run while it is
// offline; once it is back, it does.
func TestStopHeightIgnoresOfflineNodes(t *testing.T) {
	for _, tc := range []struct {
		until, want sim.Time
	}{{0, 8 * sim.Second}, {20 * sim.Second, 8 * sim.Second}, {5 * sim.Second, 100 * sim.Second}} {
		cfg := testConfig(3)
		cfg.StopHeight, cfg.StopTime = 8, 100*sim.Second
		var f sim.Faults
		f.AddOffline(2, sim.Window{From: 3 * sim.Second, Until: tc.until})
		cfg.Faults = &f
		h, _ := pingHost(t, cfg, 2)
		if err := h.Run(); err != nil {
			t.Fatal(err)
		}
		if h.Now() != tc.want {
			t.Errorf("offline until %d ns: stopped at %d ns, want %d", tc.until, h.Now(), tc.want)
		}
	}
	h, _ := pingHost(t, Config{Seed: 1, Net: sim.SimBlock2019(), Nodes: testConfig(3).Nodes, StopHeight: 8, StopTime: 30 * sim.Second}, 2)
	if err := h.Run(); err != nil || h.Now() != 30*sim.Second {
		t.Errorf("without faults a node that never reaches the stop height holds the run: stopped at %d ns (%v)", h.Now(), err)
	}
}

// A failing check stops the run after the event it failed on, and Run
// says when.
func TestCheckStopsTheRun(t *testing.T) {
	cfg := testConfig(3)
	cfg.StopTime = 100 * sim.Second
	h, _ := pingHost(t, cfg)
	boom := errors.New("boom")
	h.SetCheck(func() error {
		if h.Now() >= 4*sim.Second {
			return boom
		}
		return nil
	})
	err := h.Run()
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "stopped at t=4.000s after event") {
		t.Fatalf("Run = %v", err)
	}
	if h.Now() != 4*sim.Second {
		t.Errorf("run went on to %d ns", h.Now())
	}
}
