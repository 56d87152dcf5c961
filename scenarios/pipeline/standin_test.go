package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coinai/coinai/scenarios"
	"github.com/coinai/coinai/sim"
)

// standInScenario is four laptop miners of exactly 100 GFLOP/s on digits
// with a stand-in of 2e13 FLOPs an attempt (200 s), 5e12 an evaluation
// (50 s) and a 10 MB model; the threshold is low enough for the first
// attempt to pass.
const standInScenario = `
[run]
name = "standin"
protocol = "coinai"
seed = 1
stop_time = "450s"

[[group]]
count = 4
hardware = "laptop-cpu"

[network]
degree = 3

[coinai]
interval = "1h"
threshold_initial = 0.5
threshold_min = 0.5
threshold_window = 4
epochs_per_attempt = 2

[[coinai.standin]]
problem = "digits"
name = "test stand-in"
train_flops = 2e13
eval_flops = 5e12
model_bytes = "10MB"
source = "made up for the test"
`

// A stand-in charges its declared FLOPs at the hardware's rate exactly
// (the first block is found when the first attempt ends, 2e13 / 1e11 =
// 200 s), verification delays every arrival by at least two evaluations
// (the miner's own check and the receiver's, 50 s each), the block's size
// and the bytes sent carry the stand-in's model, and the fidelity list
// names the stand-in with its source.
func TestStandInCharged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "standin.toml")
	if err := os.WriteFile(path, []byte(standInScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := scenarios.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	res := runResolved(t, s)
	requireChecks(t, res)
	found := false
	for _, b := range res.Blocks {
		if b.Height != 1 {
			continue
		}
		found = true
		if b.Found != 200*sim.Second {
			t.Errorf("block found at %d ns, want %d (2e13 FLOPs at 1e11 FLOP/s)", b.Found, 200*sim.Second)
		}
		if b.Size <= 10_000_000 || b.Size > 10_000_000+1024 {
			t.Errorf("block size %d, want the 10 MB stand-in model plus a header", b.Size)
		}
		for _, a := range b.Arrivals {
			if a.Node != b.Miner && a.Delay < 100*sim.Second {
				t.Errorf("node %d accepted the block %v after it was found, before two 50 s verifications", a.Node, a.Delay)
			}
		}
	}
	if !found {
		t.Fatal("no block at height 1")
	}
	if res.Summary.BytesSent < 3*10_000_000 {
		t.Errorf("bytes_sent %d: the three other nodes did not each receive the 10 MB model", res.Summary.BytesSent)
	}
	named := false
	for _, f := range res.Summary.Fidelity {
		if strings.Contains(f, `coinai.standin[digits]: "test stand-in" (source: made up for the test)`) {
			named = true
		}
	}
	if !named {
		t.Errorf("fidelity does not name the stand-in: %q", res.Summary.Fidelity)
	}
}
