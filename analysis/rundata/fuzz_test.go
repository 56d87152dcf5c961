package rundata

import (
	"bytes"
	"testing"
)

// FuzzCSV feeds arbitrary bytes to every CSV loader: they must return a
// value or an error, never panic.
func FuzzCSV(f *testing.F) {
	for _, body := range miniFiles {
		f.Add([]byte(body))
	}
	f.Add([]byte("height,id,found_s,main\n1,ab,1e3,1\n2,\"a\nb\",x,0\n"))
	f.Add([]byte("time_s,hardware,energy_j\n0,cpu,0\n"))
	f.Add([]byte("\ufeffnode,reward\n1,-0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var r Run
		for _, l := range []struct {
			name string
			load func(*table) error
			req  []string
		}{
			{BlocksFile, r.loadBlocks, []string{"height", "id", "found_s", "main"}},
			{PropagationFile, r.loadPropagation, []string{"block", "node", "arrival_s"}},
			{NodesFile, r.loadNodes, []string{"node"}},
			{EnergyFile, r.loadEnergy, []string{"time_s", "hardware", "energy_j"}},
			{ThresholdFile, r.loadThreshold, []string{"height", "threshold"}},
			{StorageFile, r.loadStorage, []string{"time_s"}},
		} {
			tb, err := newTable(l.name, bytes.NewReader(data), l.req...)
			if err == nil {
				_ = l.load(tb)
			}
		}
		r.Summary.Nodes = 4
		_ = r.Reach()
		_ = r.MainIntervals()
		_ = r.StaleRate()
	})
}

// FuzzParseSummary: arbitrary summary.json must not panic.
func FuzzParseSummary(f *testing.F) {
	f.Add([]byte(miniSummary))
	f.Add([]byte(`{"seed":"12","nodes":1e1,"fidelity":null}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSummary(data)
		if err == nil {
			_ = s.ExtraKeys()
		}
	})
}

// FuzzTargetInterval feeds arbitrary scenario.toml bytes to
// TargetIntervalS: NaN or a positive number of seconds, never a panic.
func FuzzTargetInterval(f *testing.F) {
	f.Add([]byte("[coinai]\ninterval = \"60s\"\n"))
	f.Add([]byte("[coinai]\ninterval = \"1.5h\"\n[pow]\ninterval = 600\n"))
	f.Add([]byte("coinai = 3\n"))
	f.Add([]byte("[coinai\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := &Run{Scenario: data, Summary: Summary{Protocol: "coinai"}}
		if v := r.TargetIntervalS(); !(v > 0) && v == v {
			t.Fatalf("TargetIntervalS = %v, want NaN or > 0", v)
		}
	})
}
