package pipeline

import (
	"runtime"
	"testing"
)

// One scenario and one seed give the same trace digest and byte-identical
// outputs at GOMAXPROCS 1 and 2 and across repeated runs. Coin.AI runs
// train on both cores when GOMAXPROCS allows, so they exercise the
// "parallel only where the result is a pure function" rule.
func TestScenarioDeterministicAcrossGOMAXPROCS(t *testing.T) {
	tests := []struct {
		file      string
		overrides []string
	}{
		{"../pow-quickstart.toml", nil},
		{"../quickstart.toml", []string{"run.stop_height=4", "group.0.count=10", "network.degree=4"}},
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			var first map[string][]byte
			var firstDigest string
			for i, procs := range []int{1, 2, 2} {
				runtime.GOMAXPROCS(procs)
				_, res := runScenario(t, tc.file, tc.overrides...)
				files, err := res.Files(true)
				if err != nil {
					t.Fatal(err)
				}
				delete(files, "summary.json") // holds wall time and attempts_speculative
				if procs == 1 && res.Summary.AttemptsSpeculative != 0 {
					t.Errorf("GOMAXPROCS=1: %d speculative attempts, want 0 (nothing is computed ahead)", res.Summary.AttemptsSpeculative)
				}
				if i == 0 {
					first, firstDigest = files, res.Summary.TraceDigest
					if res.Summary.BlocksMain < 4 {
						t.Fatalf("only %d main blocks", res.Summary.BlocksMain)
					}
					continue
				}
				if res.Summary.TraceDigest != firstDigest {
					t.Fatalf("GOMAXPROCS=%d run %d: digest %s, want %s", procs, i, res.Summary.TraceDigest, firstDigest)
				}
				for name, b := range first {
					if string(files[name]) != string(b) {
						t.Errorf("GOMAXPROCS=%d run %d: %s differs", procs, i, name)
					}
				}
			}
			t.Logf("%s: digest %s", tc.file, firstDigest)
		})
	}
}
