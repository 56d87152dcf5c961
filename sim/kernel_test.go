package sim

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"
)

func TestKernelOrdersByTimeThenSequence(t *testing.T) {
	var got []uint64
	k := NewKernel(func(e *Event) { got = append(got, e.ID) })
	// Scheduled out of order, with ties at t=5.
	for _, e := range []struct {
		at Time
		id uint64
	}{{10, 1}, {5, 2}, {5, 3}, {0, 4}, {7, 5}, {5, 6}} {
		k.Schedule(Event{At: e.at, ID: e.id})
	}
	k.Run(0, 0, nil)
	want := []uint64{4, 2, 3, 6, 5, 1}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	if k.Now() != 10 {
		t.Fatalf("now = %d, want 10", k.Now())
	}
}

func TestKernelCancel(t *testing.T) {
	var got []uint64
	k := NewKernel(func(e *Event) { got = append(got, e.ID) })
	var hs []Handle
	for i := 0; i < 100; i++ {
		hs = append(hs, k.Schedule(Event{At: Time(100 - i), ID: uint64(i)}))
	}
	cancelled := 0
	for i := 0; i < 100; i += 3 {
		if !k.Cancel(hs[i]) {
			t.Fatalf("cancel %d failed", i)
		}
		cancelled++
	}
	if k.Cancel(hs[0]) {
		t.Fatal("second cancel succeeded")
	}
	if k.Cancel(0) {
		t.Fatal("zero handle cancelled")
	}
	k.Run(0, 0, nil)
	if len(got) != 100-cancelled {
		t.Fatalf("fired %d, want %d", len(got), 100-cancelled)
	}
	for i := 1; i < len(got); i++ {
		if got[i] >= got[i-1] { // later ids were scheduled earlier in time
			t.Fatalf("out of order at %d: %v", i, got)
		}
	}
	for _, id := range got {
		if id%3 == 0 {
			t.Fatalf("cancelled event %d fired", id)
		}
	}
	// A reused slot must not be cancellable through a stale handle.
	h := k.Schedule(Event{At: k.Now() + 1, ID: 1000})
	if k.Cancel(hs[1]) {
		t.Fatal("stale handle cancelled a new event")
	}
	if k.Lookup(h) == nil || k.Lookup(h).ID != 1000 {
		t.Fatal("lookup of live handle failed")
	}
}

func TestKernelRunLimits(t *testing.T) {
	k := NewKernel(func(e *Event) {})
	for i := 1; i <= 10; i++ {
		k.Schedule(Event{At: Time(i) * Second})
	}
	if n := k.Run(5*Second, 0, nil); n != 5 {
		t.Fatalf("until 5s fired %d, want 5", n)
	}
	if n := k.Run(0, 2, nil); n != 2 {
		t.Fatalf("budget 2 fired %d", n)
	}
	calls := 0
	if n := k.Run(0, 0, func() bool { calls++; return calls == 2 }); n != 2 {
		t.Fatalf("stop after 2 fired %d", n)
	}
	if k.Pending() != 1 {
		t.Fatalf("pending %d, want 1", k.Pending())
	}
}

func TestKernelPeekN(t *testing.T) {
	k := NewKernel(func(e *Event) {})
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200; i++ {
		k.Schedule(Event{At: Time(r.IntN(50)), ID: uint64(i)})
	}
	var peeked []uint64
	k.PeekN(30, func(e *Event) bool { peeked = append(peeked, e.ID); return true })
	var fired []uint64
	k2 := k
	k2.handler = func(e *Event) { fired = append(fired, e.ID) }
	k2.Run(0, 30, nil)
	for i := range peeked {
		if peeked[i] != fired[i] {
			t.Fatalf("peek order %v differs from firing order %v", peeked, fired)
		}
	}
}

// The digest is SHA-256 over 25 bytes per event: time, kind, src, dst, id.
func TestKernelDigest(t *testing.T) {
	k := NewKernel(func(e *Event) {})
	k.Schedule(Event{At: 7, Kind: 2, Src: 1, Dst: -1, ID: 99})
	k.Run(0, 0, nil)
	var b [25]byte
	binary.LittleEndian.PutUint64(b[0:], 7)
	b[8] = 2
	binary.LittleEndian.PutUint32(b[9:], 1)
	binary.LittleEndian.PutUint32(b[13:], 0xffffffff)
	binary.LittleEndian.PutUint64(b[17:], 99)
	if got, want := k.Digest(), sha256.Sum256(b[:]); got != want {
		t.Fatalf("digest %x, want %x", got, want)
	}
}

func TestStreamsAreIndependentAndStable(t *testing.T) {
	a1 := Stream(1, "net").Uint64()
	Stream(1, "other") // creating another stream changes nothing
	a2 := Stream(1, "net").Uint64()
	if a1 != a2 {
		t.Fatal("stream not reproducible")
	}
	if Stream(1, "net").Uint64() == Stream(2, "net").Uint64() {
		t.Fatal("seed does not change the stream")
	}
	if Stream(1, "net").Uint64() == Stream(1, "nut").Uint64() {
		t.Fatal("name does not change the stream")
	}
}

func TestTransferTime(t *testing.T) {
	cfg := SimBlock2019()
	cfg.Jitter = false
	net, err := NewNetwork(cfg, []int8{0, 1, 2}, Stream(1, "net"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		now  Time
		s, d int
		size int
		want Time
	}{
		// NA->EU: 535 KB at min(19.2, 40) Mbps = 0.222917 s, + 124 ms.
		{"block NA to EU", 0, 0, 1, 535000, 222916667 + 124*Millisecond},
		// The uplink of node 0 is busy until 0.222917 s: serialised; NA->SA
		// runs at min(19.2, 18) Mbps = 0.237778 s, + 184 ms.
		{"second block queues on the uplink", 0, 0, 2, 535000, 222916667 + 237777778 + 184*Millisecond},
		// SA->NA: 1000 B at min(5.8, 52) Mbps = 1.37931 ms + 184 ms.
		{"small from SA", 0, 2, 0, 1000, 1379311 + 184*Millisecond},
	}
	for _, tc := range tests {
		if got := net.Transfer(tc.now, tc.s, tc.d, tc.size); got != tc.want {
			t.Errorf("%s: arrival %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestParetoJitterMean(t *testing.T) {
	cfg := SimBlock2019()
	net, _ := NewNetwork(cfg, []int8{0, 1}, Stream(3, "net"))
	var sum float64
	const n = 200000
	for i := 0; i < n; i++ {
		sum += float64(net.Latency(0, 1))
	}
	mean := sum / n / 1e6
	// Pareto(scale 119, shape 24.8) has mean 124 ms.
	if math.Abs(mean-124) > 0.5 {
		t.Fatalf("mean latency %.2f ms, want 124", mean)
	}
}

func TestMeterJoules(t *testing.T) {
	m := Meter{BusyW: 100, IdleW: 10}
	m.Acquire(1 * Second)
	m.Acquire(2 * Second) // overlapping reason counts once
	m.Release(3 * Second)
	m.Release(4 * Second)
	// busy 3 s at 100 W + idle 7 s at 10 W = 370 J.
	if got := m.Joules(10 * Second); math.Abs(got-370) > 1e-9 {
		t.Fatalf("energy %.3f J, want 370", got)
	}
}

func TestRandomTopology(t *testing.T) {
	adj := RandomTopology(600, 8, Stream(1, "topology"))
	total := 0
	for i, peers := range adj {
		if len(peers) < 8 {
			t.Fatalf("node %d has %d peers", i, len(peers))
		}
		for j, p := range peers {
			if int(p) == i || (j > 0 && peers[j-1] >= p) {
				t.Fatalf("node %d peers %v not sorted/distinct", i, peers)
			}
		}
		total += len(peers)
	}
	if total != 2*600*8 {
		t.Fatalf("total link ends %d, want %d", total, 2*600*8)
	}
}
