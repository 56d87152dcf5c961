package pow_test

import (
	"fmt"

	"github.com/coinai/coinai/nodes/pow"
)

// A runner sizes the genesis difficulty from the network's hash rate, and
// every node then retargets identically from block timestamps.
func ExampleRetarget() {
	const interval = int64(600e9) // 10 minutes
	d := pow.DifficultyFor(7.2e12, interval)
	bits, _ := pow.BitsForDifficulty(d)
	fmt.Printf("difficulty %.4f, expected hashes %.4g\n", d, pow.Work(bits).Float64())

	// A window of 4 blocks planned at 2400 s took 4800 s: the target
	// doubles, the difficulty halves.
	next := pow.Retarget(pow.Diff1Bits, 4800e9, 4*interval)
	fmt.Printf("%#08x -> %#08x, difficulty %v -> %v\n", pow.Diff1Bits, next,
		pow.Difficulty(pow.Diff1Bits), pow.Difficulty(next))
	// Output:
	// difficulty 1005813.0329, expected hashes 4.32e+15
	// 0x1d00ffff -> 0x1d01fffe, difficulty 1 -> 0.5
}
