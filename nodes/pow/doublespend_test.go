package pow

import (
	"math"
	"testing"

	"github.com/coinai/coinai/nodes"
)

// The attacker publishes only once the merchant has accepted (Z honest
// blocks) and the private chain leads by Lead; it gives up MaxDeficit
// blocks behind.
func TestRaceDecide(t *testing.T) {
	tests := []struct {
		name             string
		z, lead, deficit int
		a, h             int
		want             Decision
	}{
		{"ahead before acceptance", 6, 1, 10, 5, 4, Mine},
		{"accepted and ahead", 6, 1, 10, 7, 6, Publish},
		{"accepted but only level", 6, 1, 10, 6, 6, Mine},
		{"level is enough with lead 0", 6, 0, 10, 6, 6, Publish},
		{"ahead long after acceptance", 6, 1, 10, 12, 11, Publish},
		{"deficit reached", 6, 1, 10, 2, 12, GiveUp},
		{"deficit one short", 6, 1, 10, 3, 12, Mine},
		{"no cutoff", 6, 1, 0, 0, 500, Mine},
		{"one confirmation", 1, 1, 10, 2, 1, Publish},
	}
	for _, tc := range tests {
		r := Race{Z: tc.z, Lead: tc.lead, MaxDeficit: tc.deficit, Attacker: tc.a, Honest: tc.h}
		if got := r.Decide(); got != tc.want {
			t.Errorf("%s: Decide(a=%d, h=%d) = %d, want %d", tc.name, tc.a, tc.h, got, tc.want)
		}
	}
}

// The cutoff's bias bound is the gambler's ruin (q/p)^(D+Lead).
func TestRaceCutoffBias(t *testing.T) {
	r := Race{Z: 6, Lead: 1, MaxDeficit: 10}
	if got, want := r.CutoffBias(0.3), math.Pow(3.0/7, 11); math.Abs(got-want) > 1e-15 {
		t.Errorf("CutoffBias(0.3) = %g, want %g", got, want)
	}
	if got := (&Race{}).CutoffBias(0.3); got != 0 {
		t.Errorf("no cutoff: bias %g, want 0", got)
	}
}

// Conflict markers differ between attackers and attempts.
func TestConflictMarker(t *testing.T) {
	seen := map[uint64]bool{}
	for a := range 3 {
		for k := range uint64(50) {
			m := ConflictMarker(nodes.PeerID(a), k)
			if seen[m] {
				t.Fatalf("marker of attacker %d attempt %d repeats", a, k)
			}
			seen[m] = true
		}
	}
}
