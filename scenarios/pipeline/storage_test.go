package pipeline

import (
	"slices"
	"testing"

	"github.com/coinai/coinai/scenarios/results"
)

// churnFaults, appended to storageBase, takes node 4 offline for good and
// makes node 5 lose its disk.
const churnFaults = `
[[storage.fault]]
kind = "offline"
node = 4
at = "60s"

[[storage.fault]]
kind = "disk-loss"
node = 5
at = "500s"
`

// A run with churn and a disk loss: node 4 goes offline for good, so its
// models are evicted after max_misses missed challenges and re-placed;
// node 5 loses its disk (below k replicas) and fetches its models again
// from the other holders. Availability, proofs, evictions and retrievals
// are reported in summary.json and storage.csv.
func TestStorageChurnAndDiskLoss(t *testing.T) {
	r, res := runStorage(t, storageBase+churnFaults, "run.seed=3", "run.stop_height=20", "storage.deadline=30s")
	st := res.Storage
	if st == nil || len(st.Samples) == 0 {
		t.Fatal("no storage samples")
	}
	sum := res.Summary
	if sum.AvailabilityMean == nil || *sum.AvailabilityMean <= 0 || *sum.AvailabilityMean > 1 {
		t.Fatalf("availability_mean %v", sum.AvailabilityMean)
	}
	if *sum.RetrievalsOK == 0 || *sum.ProofsValid == 0 || *sum.ProofsMissed == 0 || st.Evictions == 0 {
		t.Errorf("retrievals ok %d, proofs valid %d missed %d, evictions %d: want all > 0",
			*sum.RetrievalsOK, *sum.ProofsValid, *sum.ProofsMissed, st.Evictions)
	}
	// storage.csv: one row per main-chain block with the registry it left
	// (its own model included), sampled when the next block is found; the
	// last row at the end of the run.
	for i, smp := range st.Samples {
		if smp.Models != int(smp.Height) {
			t.Errorf("row %d (height %d): %d models, want one per block", i, smp.Height, smp.Models)
		}
	}
	if last := st.Samples[len(st.Samples)-1]; last.Time != res.End || last.Height != int64(sum.BlocksMain) {
		t.Errorf("last storage row at %s s for height %d, want the end (%s s) and the tip %d",
			results.Secs(last.Time), last.Height, results.Secs(res.End), sum.BlocksMain)
	}
	files, err := res.Files(false)
	if err != nil || len(files["storage.csv"]) == 0 {
		t.Fatalf("storage.csv missing (%v)", err)
	}
	// Node 5's disk loss (at 500 s) is followed by a refetch: a model it
	// dropped then is stored again afterwards.
	obs := r.Observer()
	refetched := false
	for _, ts := range obs.StoreHistory(5) { // any order: only a flag is set
		if i := slices.Index(ts, 500e9); i >= 1 && i+1 < len(ts) {
			refetched = true
		}
	}
	if !refetched {
		for block, ts := range obs.StoreHistory(5) {
			t.Logf("node 5 model %x: toggles %v", block[:4], ts)
		}
		t.Error("node 5 did not fetch any model again after its disk loss")
	}
	t.Logf("availability %.3f by k %v, proofs valid %d missed %d, evictions %d, retrievals %d ok %d failed",
		*sum.AvailabilityMean, sum.AvailabilityByReplication, *sum.ProofsValid, *sum.ProofsMissed, st.Evictions,
		*sum.RetrievalsOK, *sum.RetrievalsFailed)
}
