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
