package scenarios_test

import (
	"fmt"

	"github.com/coinai/coinai/scenarios"
)

func Example() {
	s, err := scenarios.Parse("tiny.toml", []byte(`
[run]
protocol = "pow"
stop_height = 10

[[group]]
count = 20
hardware = "asic"

[pow]
interval = "1.5m"
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	asic, _ := s.HardwareByName("asic")
	fmt.Println("nodes:", s.NodeCount(), "role:", s.Groups[0].Role)
	fmt.Println("interval:", s.PoW.Interval, "=", s.PoW.Interval.Seconds(), "s")
	fmt.Println("block size:", s.PoW.BlockSize, "=", int64(s.PoW.BlockSize), "bytes")
	fmt.Println("EU upload:", s.Network.Upload[1], "asic:", asic.Hashrate)
	// Output:
	// nodes: 20 role: miner
	// interval: 90s = 90 s
	// block size: 535KB = 535000 bytes
	// EU upload: 20.7Mbps asic: 14TH/s
}

func ExampleParse_errors() {
	_, err := scenarios.Parse("bad.toml", []byte(`
[run]
protocol = "pow"
stop_hieght = 10

[pow]
interval = 600
`))
	fmt.Println(err)
	// Output:
	// bad.toml:4: run.stop_hieght: unknown key (valid keys here: name, seed, protocol, stop_height, stop_time, max_events)
	// bad.toml:7: pow.interval: bare number 600: want a duration like "600s" (units: ns, us, ms, s, m, h)
}

func ExampleScenario_Set() {
	s := scenarios.Default()
	if err := s.Set("group.0.count", "2000"); err != nil {
		fmt.Println(err)
	}
	if err := s.Set("pow.interval", "60s"); err != nil {
		fmt.Println(err)
	}
	fmt.Println(s.NodeCount(), s.PoW.Interval)
	fmt.Println(s.Set("pow.interval", "60"))
	// Output:
	// 2000 60s
	// --set: pow.interval: "60" has no unit: want a duration like "600s" (units: ns, us, ms, s, m, h)
}
