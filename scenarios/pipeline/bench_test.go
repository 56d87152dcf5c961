package pipeline

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkPowBitcoin runs scenarios/pow-bitcoin.toml end to end (kernel,
// network, host, PoW nodes, observer, checkers) at 600 and 6,000 nodes for
// 10 blocks, and reports the rate that the scale target depends on:
// delivered events per second of wall time. The 60,000-node figure is in
// DESIGN.md ("Scale"); this is the quick way to see a change move it.
//
//	go test ./scenarios/pipeline -run X -bench PowBitcoin
func BenchmarkPowBitcoin(b *testing.B) {
	for _, n := range []int{600, 6000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			var events uint64
			var wall time.Duration
			for range b.N {
				start := time.Now()
				_, res := runScenario(b, "../pow-bitcoin.toml", fmt.Sprintf("group.0.count=%d", n), "run.stop_height=10")
				wall += time.Since(start)
				events += res.Summary.Events
			}
			b.ReportMetric(float64(events)/wall.Seconds(), "events/s")
			b.ReportMetric(float64(wall.Nanoseconds())/float64(events), "ns/event")
		})
	}
}
