package sweep_test

import (
	"fmt"

	"github.com/coinai/coinai/scenarios/sweep"
)

func Example() {
	sw, err := sweep.Parse("stale.toml", []byte(`
[sweep]
base = "../pow-quickstart.toml"   # relative to this file
reps = 4
seed = 10
set = ["run.stop_height=50"]

[[sweep.param]]
key = "pow.interval"
values = ["10s", "60s"]

[[sweep.param]]
key = "group.0.count"
from = 10
to = 40
count = 3
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sw.Name, sw.Len(), "points, seeds", sw.Seeds())
	for _, p := range sw.Points() {
		fmt.Println(p.ID, p.Label())
	}
	sh, _ := sweep.ParseShard("1/4")
	for _, p := range sw.ShardPoints(sh) {
		s, _ := sw.Resolve(p)
		fmt.Printf("shard %s: %s runs %d nodes, %s blocks, seed %d\n", sh, p.ID, s.NodeCount(), s.PoW.Interval, s.Run.Seed)
	}
	// Output:
	// stale 6 points, seeds [10 11 12 13]
	// p0000 pow.interval=10s, group.0.count=10
	// p0001 pow.interval=10s, group.0.count=25
	// p0002 pow.interval=10s, group.0.count=40
	// p0003 pow.interval=60s, group.0.count=10
	// p0004 pow.interval=60s, group.0.count=25
	// p0005 pow.interval=60s, group.0.count=40
	// shard 1/4: p0001 runs 25 nodes, 10s blocks, seed 10
	// shard 1/4: p0005 runs 40 nodes, 60s blocks, seed 10
}

func ExampleParse_errors() {
	_, err := sweep.Parse("bad.toml", []byte(`[sweep]
base = "../pow-quickstart.toml"
reps = 3
repz = 3

[[sweep.param]]
key = "pow.interval"
values = ["10s", "60"]
`))
	fmt.Println(err)
	// Output:
	// bad.toml:4: sweep.repz: unknown key (valid keys here: name, base, reps, seed, set, note, param)
	// bad.toml:8: sweep.param.0.values.1: pow.interval=60: "60" has no unit: want a duration like "600s" (units: ns, us, ms, s, m, h)
}
