package sim

import "testing"

func TestFaultsOfflineWindows(t *testing.T) {
	var f Faults
	f.AddOffline(2, Window{From: 100, Until: 200})
	f.AddOffline(2, Window{From: 10, Until: 20})
	f.AddOffline(3, Window{From: 50}) // for good
	tests := []struct {
		node int32
		t    Time
		want bool
	}{
		{2, 9, false}, {2, 10, true}, {2, 19, true}, {2, 20, false},
		{2, 99, false}, {2, 100, true}, {2, 199, true}, {2, 200, false},
		{3, 49, false}, {3, 50, true}, {3, 1 << 60, true},
		{0, 15, false}, {7, 15, false}, {-1, 15, false},
	}
	for _, tc := range tests {
		if got := f.Offline(tc.node, tc.t); got != tc.want {
			t.Errorf("Offline(%d, %d) = %v, want %v", tc.node, tc.t, got, tc.want)
		}
	}
	if !f.HasOffline() {
		t.Error("HasOffline = false")
	}
	during := []struct {
		node        int32
		from, until Time
		want        bool
	}{
		{2, 0, 9, false}, {2, 0, 10, true}, {2, 20, 99, false}, {2, 19, 30, true},
		{2, 150, 160, true}, {2, 200, 1000, false}, {3, 0, 49, false}, {3, 0, 50, true},
		{3, 1000, 2000, true}, {1, 0, 1 << 60, false},
	}
	for _, tc := range during {
		if got := f.OfflineDuring(tc.node, tc.from, tc.until); got != tc.want {
			t.Errorf("OfflineDuring(%d, %d, %d) = %v, want %v", tc.node, tc.from, tc.until, got, tc.want)
		}
	}
}

func TestFaultsNilAndEmpty(t *testing.T) {
	var nilPlan *Faults
	if nilPlan.Offline(0, 0) || nilPlan.OfflineDuring(0, 0, 1) || nilPlan.HasOffline() || len(nilPlan.Events()) != 0 {
		t.Error("a nil plan has faults")
	}
	k := NewKernel(func(*Event) {})
	nilPlan.Schedule(k, 1)
	if k.Pending() != 0 {
		t.Error("a nil plan scheduled events")
	}
	if (&Faults{}).HasOffline() {
		t.Error("an empty plan has offline windows")
	}
}

// Fault events are delivered at their times, to their nodes, ties in the
// order added, and the Tag names the event.
func TestFaultsSchedule(t *testing.T) {
	var f Faults
	f.AddEvent(Fault{Node: 4, At: 300, Kind: FaultDiskLoss})
	f.AddEvent(Fault{Node: 1, At: 100, Kind: FaultDiskLoss})
	f.AddEvent(Fault{Node: 2, At: 300, Kind: FaultDiskLoss})
	var got []Fault
	k := NewKernel(func(ev *Event) {
		if ev.Kind != 9 || ev.Src != -1 || ev.ID != 0 {
			t.Errorf("event %+v", *ev)
		}
		fe := f.Events()[ev.Tag]
		if fe.Node != ev.Dst || fe.At != ev.At {
			t.Errorf("event %+v does not match fault %+v", *ev, fe)
		}
		got = append(got, fe)
	})
	f.Schedule(k, 9)
	k.Run(0, 0, nil)
	want := []int32{1, 4, 2}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i, n := range want {
		if got[i].Node != n {
			t.Errorf("event %d struck node %d, want %d", i, got[i].Node, n)
		}
	}
	if FaultDiskLoss.String() != "disk-loss" {
		t.Errorf("FaultDiskLoss.String() = %q", FaultDiskLoss.String())
	}
}

// A link fault covers every link, the links between different sides, or
// the links with an end in its node set.
func TestLinkFaultCovers(t *testing.T) {
	all := LinkFault{}
	sides := LinkFault{Side: []int16{1, 1, 2, 0, 0}, Across: true}
	set := LinkFault{Side: []int16{0, 1, 0, 0}}
	tests := []struct {
		name string
		l    *LinkFault
		a, b int32
		want bool
	}{
		{"all", &all, 0, 1, true},
		{"same side", &sides, 0, 1, false},
		{"sides 1-2", &sides, 1, 2, true},
		{"side 2-rest", &sides, 2, 3, true},
		{"rest-rest", &sides, 3, 4, false},
		{"beyond the labels is the rest", &sides, 4, 9, false},
		{"side 1 to beyond", &sides, 0, 9, true},
		{"set member", &set, 1, 2, true},
		{"set member, other end", &set, 3, 1, true},
		{"no member", &set, 0, 2, false},
	}
	for _, tc := range tests {
		if got := tc.l.Covers(tc.a, tc.b); got != tc.want {
			t.Errorf("%s: Covers(%d, %d) = %v, want %v", tc.name, tc.a, tc.b, got, tc.want)
		}
		if got := tc.l.Covers(tc.b, tc.a); got != tc.want {
			t.Errorf("%s: Covers(%d, %d) = %v, want %v (links are both ways)", tc.name, tc.b, tc.a, got, tc.want)
		}
	}
}

// Cut finds the cut that holds a link at a time; losses and delays are not
// cuts; a cut that ends schedules its heal, and a crash is an offline
// window with a crash and a restart event.
func TestFaultsCutsAndCrashes(t *testing.T) {
	var f Faults
	if f.HasCuts() || f.Cut(0, 1, 5) != -1 {
		t.Fatal("an empty plan has cuts")
	}
	f.AddLink(LinkFault{Window: Window{From: 0, Until: 100}, Kind: LinkLoss, Loss: 0.5})
	f.AddLink(LinkFault{Window: Window{From: 10, Until: 20}, Kind: LinkCut, Side: []int16{1, 0, 0}, Across: true})
	f.AddLink(LinkFault{Window: Window{From: 50}, Kind: LinkCut, Side: []int16{0, 0, 1}, Across: true}) // never heals
	if !f.HasCuts() || !f.HasLinks() {
		t.Fatal("HasCuts or HasLinks false")
	}
	cuts := []struct {
		a, b int32
		t    Time
		want int
	}{
		{0, 1, 9, -1}, {0, 1, 10, 1}, {1, 0, 19, 1}, {0, 1, 20, -1}, {1, 2, 15, -1},
		{1, 2, 50, 2}, {0, 2, 1 << 50, 2}, {0, 1, 60, -1},
	}
	for _, c := range cuts {
		if got := f.Cut(c.a, c.b, c.t); got != c.want {
			t.Errorf("Cut(%d, %d, %d) = %d, want %d", c.a, c.b, c.t, got, c.want)
		}
	}
	i := f.AddCrash(Crash{Node: 2, Window: Window{From: 30, Until: 40}, Lost: true})
	if i != 0 || f.CrashAt(2, 30) != 0 || f.CrashAt(2, 40) != -1 || f.CrashAt(1, 35) != -1 || !f.Offline(2, 35) {
		t.Errorf("crash %d: CrashAt %d %d, offline %v", i, f.CrashAt(2, 30), f.CrashAt(2, 40), f.Offline(2, 35))
	}
	want := []Fault{{Node: -1, At: 20, Kind: FaultHeal, Index: 1}, {Node: 2, At: 30, Kind: FaultCrash}, {Node: 2, At: 40, Kind: FaultRestart}}
	if got := f.Events(); len(got) != len(want) {
		t.Fatalf("events %+v, want %+v", got, want)
	}
	for k, ev := range f.Events() {
		if ev != want[k] {
			t.Errorf("event %d: %+v, want %+v", k, ev, want[k])
		}
	}
}

// Parts splits a ring of six nodes at a cut and joins it at the heal,
// marking the joined nodes rejoined; a node that goes offline leaves its
// part, and coming back alone marks nobody.
func TestParts(t *testing.T) {
	// Ring 0-1-2-3-4-5-0; the cut separates {0,1,2} from {3,4,5}.
	adj := [][]int32{{1, 5}, {0, 2}, {1, 3}, {2, 4}, {3, 5}, {0, 4}}
	var f Faults
	f.AddLink(LinkFault{Window: Window{From: 100, Until: 200}, Kind: LinkCut, Side: []int16{1, 1, 1, 2, 2, 2}, Across: true})
	f.AddOffline(4, Window{From: 300, Until: 400})
	p := NewParts(&f, adj)
	parts := func() []int32 {
		out := make([]int32, len(adj))
		for i := range out {
			out[i] = p.Part(int32(i))
		}
		return out
	}
	steps := []struct {
		t        Time
		parts    []int32
		split    bool
		rejoined Time // of node 0
	}{
		{0, []int32{0, 0, 0, 0, 0, 0}, false, -1},
		{99, []int32{0, 0, 0, 0, 0, 0}, false, -1},
		{100, []int32{0, 0, 0, 3, 3, 3}, true, -1},
		{200, []int32{0, 0, 0, 0, 0, 0}, false, 200},
		// Node 4 offline: the ring is still connected through 5-0.
		{300, []int32{0, 0, 0, 0, -1, 0}, false, 200},
		{400, []int32{0, 0, 0, 0, 0, 0}, false, 200},
	}
	v := p.Version()
	for _, st := range steps {
		p.At(st.t)
		if got := parts(); !equal(got, st.parts) || p.Split() != st.split || p.Rejoined(0) != st.rejoined {
			t.Errorf("t=%d: parts %v split %v rejoined %d; want %v %v %d", st.t, got, p.Split(), p.Rejoined(0), st.parts, st.split, st.rejoined)
		}
	}
	if p.Version() <= v || p.Rejoined(4) != 200 {
		t.Errorf("version %d (was %d), node 4 rejoined %d: want a later version and 200", p.Version(), v, p.Rejoined(4))
	}
	// Without cuts: one part, offline nodes in none.
	var g Faults
	g.AddOffline(1, Window{From: 10, Until: 20})
	q := NewParts(&g, adj)
	q.At(15)
	if q.Part(0) != 0 || q.Part(1) != -1 || q.Split() {
		t.Errorf("no cuts: parts %d %d split %v", q.Part(0), q.Part(1), q.Split())
	}
}

func equal(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A lossy link severs parts like a cut, but the parts it joins count as
// rejoining for as long as the loss lasts (blocks leak across at random
// moments); when it ends they join and are marked at that time.
func TestPartsUnderLoss(t *testing.T) {
	adj := [][]int32{{1, 3}, {0, 2}, {1, 3}, {2, 0}} // ring of four
	var f Faults
	f.AddLink(LinkFault{Window: Window{From: 10, Until: 20}, Kind: LinkLoss, Loss: 0.5, Side: []int16{1, 1, 0, 0}, Across: true})
	f.AddLink(LinkFault{Window: Window{From: 30, Until: 40}, Kind: LinkLoss, Loss: 0, Side: []int16{1, 1, 0, 0}, Across: true})
	if f.HasCuts() || !f.HasSevered() || !f.Severed(1, 2, 15) || f.Severed(1, 2, 35) || f.Severed(0, 1, 15) {
		t.Fatal("Severed: a loss above 0 severs the links it covers, a loss of 0 nothing")
	}
	p := NewParts(&f, adj)
	for _, st := range []struct {
		t        Time
		part     int32 // of node 2
		rejoined Time  // of node 0
	}{{5, 0, -1}, {15, 2, 15}, {19, 2, 19}, {20, 0, 20}, {35, 0, 20}} {
		p.At(st.t)
		if p.Part(2) != st.part || p.Rejoined(0) != st.rejoined {
			t.Errorf("t=%d: node 2 in part %d, node 0 rejoined %d; want %d, %d", st.t, p.Part(2), p.Rejoined(0), st.part, st.rejoined)
		}
	}
}
