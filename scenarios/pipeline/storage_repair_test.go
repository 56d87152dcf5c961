package pipeline

import (
	"slices"
	"strings"
	"testing"

	"github.com/coinai/coinai/nodes/coinai"
	"github.com/coinai/coinai/scenarios"
	"github.com/coinai/coinai/scenarios/results"
)

// storageBase is a small proof-of-storage network: 4 miners, 6 storage
// nodes (ids 4..9), one user (10), replication 3.
const storageBase = `
[run]
protocol = "coinai"
seed = 5
stop_height = 22

[[group]]
count = 4
hardware = "laptop-cpu"

[[group]]
count = 6
hardware = "laptop-cpu"
role = "storage"

[[group]]
count = 1
hardware = "laptop-cpu"
role = "user"

[coinai]
threshold_initial = 0.9
threshold_window = 100
work_scale = 20000

[storage]
enabled = true
replication = 3
challenge_lag = 1
challenge_interval = 1
deadline = "120s"
max_misses = 2
retrieval_interval = "60s"
`

// runStorage runs a storage scenario given as TOML text, with overrides
// ("key=value"), and requires storage samples.
func runStorage(t *testing.T, src string, overrides ...string) (*Run, *Result) {
	t.Helper()
	s, err := scenarios.Parse("storage-test.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Apply(overrides...); err != nil {
		t.Fatal(err)
	}
	r, res := runWithRun(t, s)
	requireChecks(t, res)
	if res.Storage == nil || len(res.Storage.Samples) == 0 {
		t.Fatal("no storage samples")
	}
	return r, res
}

// Without faults and cheats every challenge on the main chain is answered
// in time: an honest holder never misses, whatever the forks, and every
// retrieval succeeds.
func TestStorageHonestHoldersNeverMiss(t *testing.T) {
	_, res := runStorage(t, storageBase)
	st := res.Storage
	t.Logf("proofs valid %d missed %d late %d void %d invalid %d, retrievals %d ok %d failed",
		st.Valid, st.Missed, st.Late, st.Void, st.Invalid, st.RetrOK, st.RetrFailed)
	if st.Valid < 50 {
		t.Errorf("only %d valid proofs", st.Valid)
	}
	if st.Missed != 0 || st.Evictions != 0 || st.Late != 0 {
		t.Errorf("honest holders: %d missed, %d late, %d evictions; want none", st.Missed, st.Late, st.Evictions)
	}
	if st.RetrOK == 0 || st.RetrFailed != 0 {
		t.Errorf("retrievals: %d ok, %d failed", st.RetrOK, st.RetrFailed)
	}
	for _, s := range st.Samples {
		if s.Available != s.Models {
			t.Errorf("t=%s: %d of %d models available", results.Secs(s.Time), s.Available, s.Models)
		}
	}
}

// Disk loss below k replicas keeps every model retrievable, and
// re-placement restores k. Two of the six storage nodes lose their disks at
// 150 s (every model keeps at least one of its three copies) and fetch
// their models again from the others; node 6 goes offline for good at
// 300 s, misses max_misses challenges per model, is evicted, and its
// successors fetch the models. Every model stays available at every
// sample, the offline node's loss shows (fewer live replicas than k per
// model), and k live replicas per model come back afterwards.
func TestStorageDiskLossAndReplacement(t *testing.T) {
	src := storageBase + `
[[storage.fault]]
kind = "disk-loss"
node = 4
at = "150s"

[[storage.fault]]
kind = "disk-loss"
node = 5
at = "150s"

[[storage.fault]]
kind = "offline"
node = 6
at = "300s"
`
	src = strings.Replace(src, "stop_height = 22", "stop_height = 36", 1)
	r, res := runStorage(t, src)
	st := res.Storage
	const k = 3
	dipped := false
	for _, s := range st.Samples {
		if s.Available != s.Models {
			t.Errorf("t=%ss: %d of %d models available", results.Secs(s.Time), s.Available, s.Models)
		}
		if s.Time > 300e9 && s.ReplicasAlive < k*s.Models {
			dipped = true
		}
	}
	if !dipped {
		t.Error("the offline node's copies were never missed")
	}
	// At the end, every model recorded before the outage has k live
	// copies again: node 6 is no longer among its holders, and each holder
	// is online and keeps the data.
	var tipNode *coinai.Node
	for i := range r.Host().NumNodes() {
		if c, ok := r.Host().Node(i).(*coinai.Node); ok && c.Has(res.MainTip) {
			tipNode = c
			break
		}
	}
	if tipNode == nil {
		t.Fatal("no node holds the main tip")
	}
	obs, end := r.Observer(), res.End
	checked := 0
	for _, m := range tipNode.StorageAt(res.MainTip) {
		b, ok := obs.Block(m.Block)
		if !ok || b.Found >= 300e9 {
			continue
		}
		checked++
		live := 0
		for _, h := range m.Holders {
			if h != 6 && obs.Keeps(h, m.Block, end) {
				live++
			}
		}
		if live != k || slices.Contains(m.Holders, 6) {
			t.Errorf("model of height %d: holders %v (former %v), %d live copies at the end, want %d without node 6",
				m.Height, m.Holders, m.Former, live, k)
		}
	}
	if checked == 0 {
		t.Error("no model recorded before the outage")
	}
	// Both disks were refilled: a model each dropped at 150 s is stored again.
	for _, node := range []int32{4, 5} {
		refetched := false
		for _, ts := range r.Observer().StoreHistory(node) { // any order: only a flag is set
			if i := slices.Index(ts, 150e9); i >= 1 && i+1 < len(ts) {
				refetched = true
			}
		}
		if !refetched {
			t.Errorf("node %d did not fetch its models again after its disk loss", node)
		}
	}
	for _, b := range res.Blocks { // only the offline node misses or is evicted
		for _, p := range b.Proofs {
			if b.Main && p.Holder != 6 && (p.Note == "missed" || p.Note == "evicted") {
				t.Errorf("block %d: holder %d %s", b.Height, p.Holder, p.Note)
			}
		}
	}
	if st.Evictions == 0 || st.RetrFailed != 0 {
		t.Errorf("evictions %d (want > 0), failed retrievals %d (want 0)", st.Evictions, st.RetrFailed)
	}
	t.Logf("proofs valid %d missed %d void %d, evictions %d, retrievals %d ok", st.Valid, st.Missed, st.Void, st.Evictions, st.RetrOK)
}
