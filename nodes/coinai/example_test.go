package coinai_test

import (
	"fmt"

	"github.com/coinai/coinai/nodes/coinai"
)

// Blocks of a window came twice as fast as planned (5 minutes instead of
// 10), so the threshold rises by the full step of one percentage point; a
// window 1.5 times too slow lowers it by log2(1.5) = 0.585 of a step.
func ExampleRetarget() {
	const target = 10 * 60e9
	fmt.Println(coinai.Retarget(900_000, target/2, target, 10_000, 500_000))
	fmt.Println(coinai.Retarget(900_000, target*3/2, target, 10_000, 500_000))
	// Output:
	// 910000
	// 894150
}

// Every node of a run derives the same genesis from the consensus
// configuration.
func ExampleGenesis() {
	g := coinai.Genesis(coinai.Config{ThresholdInitial: 0.9})
	id := g.ID()
	fmt.Println(g.Height, g.Threshold, len(g.Append(nil)) == coinai.HeaderSize, id != [32]byte{})
	// Output: 0 900000 true true
}
