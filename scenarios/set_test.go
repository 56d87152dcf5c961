package scenarios

import (
	"reflect"
	"testing"
)

func TestSet(t *testing.T) {
	tests := []struct {
		key, value string
		check      func(s *Scenario) bool
	}{
		{"run.seed", "7", func(s *Scenario) bool { return s.Run.Seed == 7 }},
		{"run.name", "my run", func(s *Scenario) bool { return s.Run.Name == "my run" }},
		{"run.name", `"quoted \"name\""`, func(s *Scenario) bool { return s.Run.Name == `quoted "name"` }},
		{"run.max_events", "1_000", func(s *Scenario) bool { return s.Run.MaxEvents == 1000 }},
		{"pow.interval", "60s", func(s *Scenario) bool { return s.PoW.Interval == 60*Second }},
		{"pow.block_size", "1MB", func(s *Scenario) bool { return s.PoW.BlockSize == 1_000_000 }},
		{"groups.0.count", "2000", func(s *Scenario) bool { return s.Groups[0].Count == 2000 }},
		{"group.miners.hashrate_spread", "0", func(s *Scenario) bool { return s.Groups[0].HashrateSpread == 0 }},
		{"hardware.asic.hashrate", "13.5TH/s", func(s *Scenario) bool {
			h, _ := s.HardwareByName("asic")
			return h.Hashrate == 13.5e12
		}},
		{"network.latency_ms.0.1", "100", func(s *Scenario) bool { return s.Network.LatencyMs[0][1] == 100 && s.Network.LatencyMs[1][0] == 124 }},
		{"network.download.2", "20Mbps", func(s *Scenario) bool { return s.Network.Download[2] == 20e6 }},
		{"network.compact_fail_churn", "1", func(s *Scenario) bool { return s.Network.CompactFailChurn == 1 }},
		{"output.trace", "true", func(s *Scenario) bool { return s.Output.Trace }},
		{"coinai.grammar.units", "[8, 128]", func(s *Scenario) bool { return reflect.DeepEqual(s.CoinAI.Grammar.Units, []int{8, 128}) }},
		{"group", `[{count = 30, hardware = "asic"}]`, func(s *Scenario) bool {
			return len(s.Groups) == 1 && s.Groups[0].Count == 30 && s.Groups[0].Role == "miner" && s.Groups[0].Name == ""
		}},
	}
	for _, tt := range tests {
		s := mustLoad(t, "pow-bitcoin.toml")
		if err := s.Set(tt.key, tt.value); err != nil {
			t.Errorf("Set(%s, %s): %v", tt.key, tt.value, err)
			continue
		}
		if !tt.check(s) {
			t.Errorf("Set(%s, %s): value not applied: %+v", tt.key, tt.value, value(s))
		}
		if s.File != "pow-bitcoin.toml" || s.NodeCount() == 0 {
			t.Errorf("Set(%s, %s): lost the file name or groups", tt.key, tt.value)
		}
	}
}

func TestSetErrors(t *testing.T) {
	tests := []struct {
		key, value, want string
	}{
		{"run.sede", "7", `--set: run.sede: unknown key "run.sede" (valid keys here: max_events, name, protocol, seed, stop_height, stop_time)`},
		{"rnu.seed", "7", `--set: rnu.seed: unknown key "rnu" (valid keys here: coinai, group, hardware, network, output, pow, run, storage)`},
		{"run.seed", "seven", `--set: run.seed: "seven" is not a TOML value of type integer 1`},
		{"run.seed", "1.5", `--set: run.seed: "1.5" is a float 1.5; want the type of integer 1`},
		{"pow.interval", "60", `--set: pow.interval: "60" has no unit: want a duration like "600s" (units: ns, us, ms, s, m, h)`},
		{"pow.interval", "-1s", "--set: pow.interval: -1s must be > 0"},
		{"group.0.count", "-1", "--set: group.0.count: -1 must be > 0"},
		{"group.5.count", "1", "--set: group.5.count: group has 1 entries; index 5 is out of range"},
		{"group.whales.count", "1", `--set: group.whales.count: group has no entry named "whales"`},
		{"group.0", "1", "--set: group.0: group.0 is a table; set one of its keys"},
		{"network.download.9", "1Mbps", `--set: network.download.9: network.download has 6 elements; "9" is not an index`},
		{"run.seed.x", "1", "--set: run.seed.x: run.seed is not a table or array"},
		{"network.regions", `["NA", "EU"]`, "pow-bitcoin.toml:11: network.download: has 6 entries; want 2 (one per region); the default is for the default regions, so set it with network.regions"},
		{"run.seed", "1\n[x]\nv = 2", `--set: run.seed: "1\n[x]\nv = 2" is not a TOML value of type integer 1`},
	}
	for _, tt := range tests {
		s := mustLoad(t, "pow-bitcoin.toml")
		before := value(s)
		err := s.Set(tt.key, tt.value)
		if err == nil {
			t.Errorf("Set(%s, %q) succeeded", tt.key, tt.value)
			continue
		}
		if got := firstLine(err.Error()); got != tt.want {
			t.Errorf("Set(%s, %q) = %q\nwant %q", tt.key, tt.value, got, tt.want)
		}
		if !reflect.DeepEqual(value(s), before) {
			t.Errorf("Set(%s, %q) failed but changed the scenario", tt.key, tt.value)
		}
	}
}

func firstLine(s string) string {
	for i := range len(s) {
		if s[i] == '\n' {
			return s[:i]
		}
	}
	return s
}

// TestApply checks overrides that must change together, and that problems
// about keys not overridden point at the original file.
func TestApply(t *testing.T) {
	s := mustLoad(t, "pow-bitcoin.toml")
	err := s.Apply(
		`network.regions=["EU", "NA"]`,
		`network.latency_ms=[[11, 124], [124, 32]]`,
		`network.download=["40Mbps", "52Mbps"]`,
		`network.upload=["20.7Mbps", "19.2Mbps"]`,
		`network.region_share=[60, 40]`,
		`run.seed = 9`,
	)
	if err != nil {
		t.Fatal(err)
	}
	if s.Run.Seed != 9 || len(s.Network.Regions) != 2 || s.Network.LatencyMs[1][1] != 32 || s.Network.Upload[1] != 19.2e6 {
		t.Errorf("overrides not applied: %+v", s.Network)
	}
	if err := s.Apply("run.protocol=coinai", "group.miners.hardware=h100"); err != nil || s.Groups[0].Hardware != "h100" {
		t.Errorf("switching protocol and hardware together: %v", err)
	}
	if err := s.Apply("run.seed"); err == nil || err.Error() != `override "run.seed": want key=value` {
		t.Errorf("Apply without '=': %v", err)
	}
	// A problem in a key that was not overridden is located in the file.
	bad := []byte("[run]\nprotocol = \"pow\"\n\n[[group]]\ncount = 20\nhardware = \"asic\"\n")
	b, err := Parse("b.toml", bad)
	if err != nil {
		t.Fatal(err)
	}
	err = b.Set("group.0.hardware", "h100")
	if got, want := err.Error(), `--set: group.0.hardware: "h100" has no hashrate and cannot mine proof-of-work blocks`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	err = b.Set("hardware.asic.hashrate", "0H/s")
	if got, want := err.Error(), `b.toml:6: group.0.hardware: "asic" has no hashrate and cannot mine proof-of-work blocks`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// A problem about a key an earlier override set is located at the
	// override.
	if err := b.Set("group.0.hardware", "rtx4090"); err == nil {
		t.Fatal("rtx4090 mines proof-of-work")
	}
	if err := b.Apply("run.protocol=coinai", "group.0.hardware=rtx4090"); err != nil {
		t.Fatal(err)
	}
	err = b.Set("hardware.rtx4090.flops", "0FLOPS")
	if got, want := err.Error(), `--set: group.0.hardware: "rtx4090" has no flops and cannot train models`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
