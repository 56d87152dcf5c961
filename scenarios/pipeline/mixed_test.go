package pipeline

import (
	"reflect"
	"runtime"
	"testing"

	"github.com/coinai/coinai/scenarios"
)

// mixedSmall shrinks coinai-mixed-hardware.toml for tests: 3 hours, users
// submitting for 2 hours with 1-hour deadlines.
var mixedSmall = []string{"run.stop_time=3h", "workload.0.until=2h", "workload.0.deadline=1h"}

// The mixed-hardware scenario replays byte-identically at GOMAXPROCS 1
// and 2; the data-centre GPUs win more than their compute share (their
// attempts end before a new tip cancels them), the laptops nothing; every
// block carries a stand-in's model (44.7 or 102.2 MB); the market
// delivers models and the energy per delivered model is filled.
func TestMixedHardwareScenario(t *testing.T) {
	res := runAtProcs12(t, "../coinai-mixed-hardware.toml", mixedSmall...)
	s := res.Summary
	if s.EnergyPerModelDeliveredJ == nil || s.ModelsDelivered == nil || *s.ModelsDelivered == 0 {
		t.Errorf("models delivered %v, energy per model %v", s.ModelsDelivered, s.EnergyPerModelDeliveredJ)
	} else if want := s.EnergyJoules / float64(*s.ModelsDelivered); *s.EnergyPerModelDeliveredJ != want {
		t.Errorf("energy_per_model_delivered_j %g, want %g", *s.EnergyPerModelDeliveredJ, want)
	}
	if s.RewardComputeSlope == nil || *s.RewardComputeSlope <= 1 {
		t.Errorf("reward_compute_slope %v, want above 1 (the fastest hardware wins out of proportion)", s.RewardComputeSlope)
	}
	for _, b := range res.Blocks {
		if b.Size < 44_700_000 {
			t.Errorf("block at height %d has %d bytes, less than the smallest stand-in model", b.Height, b.Size)
			break
		}
	}
	for n, spec := range res.Config.Nodes {
		if spec.Hardware == "laptop-cpu" && res.Nodes[n].BlocksWon > 0 {
			t.Errorf("laptop node %d won %d blocks: a 3.9-day attempt cannot finish in 3 hours", n, res.Nodes[n].BlocksWon)
		}
	}
}

// pow-mixed-hardware.toml is the twin of coinai-mixed-hardware.toml: the
// same network, node count, target interval and duration; it replays
// byte-identically at GOMAXPROCS 1 and 2.
func TestPoWMixedHardwareTwin(t *testing.T) {
	coin, err := scenarios.Load("../coinai-mixed-hardware.toml")
	if err != nil {
		t.Fatal(err)
	}
	pow, err := scenarios.Load("../pow-mixed-hardware.toml")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(coin.Network, pow.Network) {
		t.Errorf("networks differ:\n%+v\n%+v", coin.Network, pow.Network)
	}
	count := func(s *scenarios.Scenario) (n int) {
		for _, g := range s.Groups {
			n += g.Count
		}
		return n
	}
	if count(coin) != count(pow) || coin.CoinAI.Interval != pow.PoW.Interval || coin.Run.StopTime != pow.Run.StopTime {
		t.Errorf("nodes %d/%d, interval %v/%v, stop %v/%v", count(coin), count(pow), coin.CoinAI.Interval, pow.PoW.Interval, coin.Run.StopTime, pow.Run.StopTime)
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var first map[string][]byte
	for _, procs := range []int{1, 2} {
		runtime.GOMAXPROCS(procs)
		_, res := runScenario(t, "../pow-mixed-hardware.toml", "run.stop_time=3h", "workload.0.until=2h")
		files, err := res.Files(true)
		if err != nil {
			t.Fatal(err)
		}
		delete(files, "summary.json")
		if first == nil {
			first = files
			if res.Summary.BlocksMain < 5 {
				t.Fatalf("only %d main blocks in 3 hours", res.Summary.BlocksMain)
			}
			if c := res.Summary.TransfersConfirmed; c == nil || *c < 10 {
				t.Errorf("transfers_confirmed = %v: the twin does not carry the users' transfers", c)
			}
			continue
		}
		for name, b := range first {
			if string(files[name]) != string(b) {
				t.Errorf("GOMAXPROCS=2: %s differs from GOMAXPROCS=1", name)
			}
		}
	}
}
