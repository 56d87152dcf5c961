package sim

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkKernelGossip measures the kernel's hot path as a block's
// propagation drives it: a steady flood of messages in flight (five per
// node) with latencies of 10-300 ms, each delivery touching its node's
// state and posting one more message, and every node's far-future timer
// (its next block) cancelled and drawn again now and then, as a new tip
// does to every miner. It reports ns per delivered event at 6,000 and
// 60,000 nodes: the difference is what per-node state that outgrows the
// caches costs.
//
//	go test ./sim -run X -bench KernelGossip
func BenchmarkKernelGossip(b *testing.B) {
	for _, nodes := range []int{6000, 60000} {
		b.Run(fmt.Sprint(nodes), func(b *testing.B) {
			type state struct {
				seen  uint64
				timer Handle
				_     [48]byte // a node's state spans a cache line
			}
			st := make([]state, nodes)
			r := rand.New(rand.NewPCG(1, 2))
			var k *Kernel
			k = NewKernel(func(ev *Event) {
				s := &st[ev.Dst]
				s.seen++
				k.Post(Event{At: k.Now() + Time(10+r.IntN(290))*Millisecond, Kind: 1, Src: ev.Dst,
					Dst: int32(r.IntN(nodes)), ID: s.seen})
				if s.seen%16 == 0 {
					k.Cancel(s.timer)
					s.timer = k.After(Time(r.IntN(1000))*Hour, Event{Kind: 2, Dst: ev.Dst})
				}
			})
			for i := range nodes {
				st[i].timer = k.After(Time(r.IntN(1000))*Hour, Event{Kind: 2, Dst: int32(i)})
				for range 5 {
					k.Post(Event{At: Time(r.IntN(300)) * Millisecond, Kind: 1, Dst: int32(r.IntN(nodes))})
				}
			}
			k.Run(0, uint64(10*nodes), nil) // warm up: buckets and chunks in use
			b.ResetTimer()
			k.Run(0, uint64(b.N), nil)
		})
	}
}
