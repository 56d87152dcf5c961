package scenarios

import (
	"strings"
	"testing"
)

// TestValidateNetwork2019 mutates the default scenario's 2019 network keys
// and checks the problem each mutation causes (and that the valid
// combinations pass).
func TestValidateNetwork2019(t *testing.T) {
	reception := func(s *Scenario) {
		s.Network.CompactFail = "reception"
		s.Network.ChurnShare, s.Network.CompactFailChurn, s.Network.CompactFailStable = 0.976, 0.27, 0.13
	}
	missing := func(s *Scenario) {
		s.Network.Refetch = "missing"
		s.Network.RefetchShareChurn, s.Network.RefetchShareStable = []float64{0.01, 0.5}, []float64{0.01}
	}
	tests := []struct {
		name   string
		mutate func(s *Scenario)
		want   string // "" valid
	}{
		{"reception", reception, ""},
		{"reception and missing", func(s *Scenario) { reception(s); missing(s) }, ""},
		{"degree cdf", func(s *Scenario) { s.Network.DegreeCDF = []float64{0.5, 1} }, ""},
		{"mode", func(s *Scenario) { s.Network.CompactFail = "block" }, `network.compact_fail: "block" is not one of "node", "reception"`},
		{"churn share", func(s *Scenario) { s.Network.ChurnShare = 1.2 }, "network.churn_share: 1.2 must be <= 1"},
		{"churn rate with node", func(s *Scenario) { s.Network.CompactFailChurn = 0.2 }, `network.compact_fail_churn: 0.2 applies only with network.compact_fail = "reception"`},
		{"stable rate range", func(s *Scenario) { reception(s); s.Network.CompactFailStable = -0.1 }, "network.compact_fail_stable: -0.1 must be >= 0"},
		{"rate with reception", func(s *Scenario) { reception(s); s.Network.CompactFailRate = 0.1 }, `network.compact_fail_rate: 0.1 applies only with network.compact_fail = "node"`},
		{"refetch mode", func(s *Scenario) { s.Network.Refetch = "some" }, `network.refetch: "some" is not one of "block", "missing"`},
		{"missing without table", func(s *Scenario) { missing(s); s.Network.RefetchShareStable = nil }, `network.refetch_share_stable: is empty; network.refetch = "missing" needs`},
		{"table decreasing", func(s *Scenario) { missing(s); s.Network.RefetchShareChurn = []float64{0.5, 0.1} }, "network.refetch_share_churn: quantile 1 = 0.1 is below quantile 0 = 0.5"},
		{"table out of range", func(s *Scenario) { missing(s); s.Network.RefetchShareChurn = []float64{0.5, 2} }, "network.refetch_share_churn: quantile 1 = 2 is not in [0, 1]"},
		{"table with block", func(s *Scenario) { s.Network.RefetchShareChurn = []float64{0.5} }, `network.refetch_share_churn: applies only with network.refetch = "missing"`},
		{"compact share", func(s *Scenario) { s.Network.CompactShare = 2 }, "network.compact_share: 2 must be <= 1"},
		{"degree cdf end", func(s *Scenario) { s.Network.DegreeCDF = []float64{0.5, 0.9} }, "network.degree_cdf: degree distribution: last entry 0.9 must be 1"},
		{"validation", func(s *Scenario) { s.Network.ValidationPerTx = -Second }, "network.validation_per_tx: -1s must be >= 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := Default()
			tc.mutate(&s)
			err := s.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("valid scenario rejected: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}
