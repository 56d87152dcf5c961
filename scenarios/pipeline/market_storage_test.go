package pipeline

import (
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/coinai/coinai/nodes/coinai"
)

// marketStorageSmall shortens coinai-market-storage.toml for the test:
// submissions for 8 minutes, the storage node offline from minute 5, the
// run ends at 13 minutes (after every 5-minute deadline).
var marketStorageSmall = []string{"run.stop_time=13m", "workload.0.until=8m", "storage.fault.0.at=5m"}

// testSplit is the size of each market data set's test split: a model
// evaluated on a data set's own split scores a multiple of 1/size.
var testSplit = map[string]int{"digits": 359, "iris": 30, "wine": 36}

// With [storage] and a workload every solved problem's model reaches its
// submitter through proof-of-storage (downloaded from its holders, or read
// from the home node's own copy when it is a holder), checked and
// evaluated on the problem's own test split; the keys of the retrieval
// and of the models still retrievable at the end are filled; coins are
// conserved; and the run is byte-identical at GOMAXPROCS 1 and 2.
func TestMarketStorageScenario(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var first map[string][]byte
	var digest string
	for i, procs := range []int{1, 2} {
		runtime.GOMAXPROCS(procs)
		_, res := runScenario(t, "../coinai-market-storage.toml", marketStorageSmall...)
		files, err := res.Files(true)
		if err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			for name, b := range first {
				if name != "summary.json" && string(files[name]) != string(b) {
					t.Errorf("GOMAXPROCS=2: %s differs from GOMAXPROCS=1", name)
				}
			}
			if res.Summary.TraceDigest != digest {
				t.Errorf("GOMAXPROCS=2: trace digest %s differs from %s", res.Summary.TraceDigest, digest)
			}
			break
		}
		first, digest = files, res.Summary.TraceDigest
		s, m := res.Summary, res.Market
		if !m.Storage {
			t.Fatal("market result does not know the run has proof-of-storage")
		}
		if !slices.ContainsFunc(s.Fidelity, func(f string) bool { return strings.HasPrefix(f, "market.delivery=proof-of-storage") }) {
			t.Errorf("fidelity does not name the delivery through proof-of-storage: %q", s.Fidelity)
		}
		var solved, downloaded, retrievable int
		for _, p := range m.Problems {
			switch p.Status() {
			case "solved":
				solved++
				if !p.Delivered || (p.Via != coinai.DeliveredFromStorage && p.Via != coinai.DeliveredLocal) {
					t.Errorf("problem %s solved at %.1fs: delivered %v via %q, want through storage", p.ID[:8], p.SolvedS, p.Delivered, p.Via)
					continue
				}
				if p.Via == coinai.DeliveredFromStorage {
					downloaded++
					if p.Bytes <= 0 {
						t.Errorf("problem %s downloaded from storage in %d bytes", p.ID[:8], p.Bytes)
					}
				}
				// Scored on the problem's own test split, not the default
				// digits': correct/size for its data set's size.
				size := float64(testSplit[p.Dataset])
				if k := p.Accuracy * size; !(p.Accuracy > 0) || math.Abs(k-math.Round(k)) > 1e-6 {
					t.Errorf("problem %s on %s: accuracy %v is not a count over its %v test samples", p.ID[:8], p.Dataset, p.Accuracy, size)
				}
				if !(p.RetrievalS >= 0) || p.DeliveredS < p.SolvedS {
					t.Errorf("problem %s: retrieval %vs, delivered at %vs before solved at %vs", p.ID[:8], p.RetrievalS, p.DeliveredS, p.SolvedS)
				}
				if !p.Checked {
					t.Errorf("problem %s solved but its retrievability at the end not checked", p.ID[:8])
				}
				if p.RetrievableAtEnd {
					retrievable++
				}
			case "refunded":
			default:
				t.Errorf("problem %s ends %s: want solved or refunded", p.ID[:8], p.Status())
			}
		}
		if solved == 0 || downloaded == 0 {
			t.Fatalf("%d solved, %d downloaded from storage: the run does not exercise the delivery", solved, downloaded)
		}
		if s.ModelsDelivered == nil || *s.ModelsDelivered != int64(solved) {
			t.Errorf("models_delivered %v, want %d", s.ModelsDelivered, solved)
		}
		if s.ModelsRetrievableAtEnd == nil || *s.ModelsRetrievableAtEnd != int64(retrievable) || retrievable == 0 {
			t.Errorf("models_retrievable_at_end %v, want %d (> 0)", s.ModelsRetrievableAtEnd, retrievable)
		}
		if s.ModelRetrievalP50S == nil || !(*s.ModelRetrievalP50S > 0) {
			t.Errorf("model_retrieval_p50_s %v, want a positive median", s.ModelRetrievalP50S)
		}
		coins := false
		for _, c := range s.Checks {
			coins = coins || c.Name == "coins-conserved" && c.OK && strings.Contains(c.Note, "16 nodes' main chains replayed")
		}
		if !coins {
			t.Errorf("no passing coins-conserved check over the 16 nodes in %+v", s.Checks)
		}
		t.Logf("digest %s: %d problems, %d solved (%d downloaded from storage), retrieval p50 %.3fs, %d retrievable at the end",
			s.TraceDigest, len(m.Problems), solved, downloaded, *s.ModelRetrievalP50S, retrievable)
	}
}

// storageOffAtEnd takes four of the six storage nodes offline two minutes
// before the end of the shortened run (node 12 is offline from minute 5):
// only node 15 is online at the end. Two users (nodes 16 and 17) retrieve
// a random stored model every minute.
const storageOffAtEnd = `
[[group]]
name = "users"
count = 2
hardware = "laptop-cpu"
role = "user"

[[storage.fault]]
kind = "offline"
node = 10
at = "11m"

[[storage.fault]]
kind = "offline"
node = 11
at = "11m"

[[storage.fault]]
kind = "offline"
node = 13
at = "11m"

[[storage.fault]]
kind = "offline"
node = 14
at = "11m"
`

// When the storage nodes that hold a delivered model are all offline at
// the end, problems.csv says it is no longer retrievable, and
// models_retrievable_at_end counts only the others; it never exceeds the
// models storage.csv's last row finds available (an online holder that
// keeps the data, from the storage nodes' own stored/dropped reports).
// The users' periodic retrievals evaluate each model on its own problem's
// test split (iris and wine models too), so none fails.
func TestMarketStorageRetrievableAtEnd(t *testing.T) {
	b, err := os.ReadFile("../coinai-market-storage.toml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "s.toml")
	if err := os.WriteFile(path, append(b, storageOffAtEnd...), 0o644); err != nil {
		t.Fatal(err)
	}
	_, res := runScenario(t, path, append([]string{"storage.retrieval_interval=60s"}, marketStorageSmall...)...)
	var yes, no int
	for _, p := range res.Market.Problems {
		if p.Status() != "solved" {
			continue
		}
		if !p.Checked {
			t.Errorf("problem %s: retrievability not checked", p.ID[:8])
		}
		if p.RetrievableAtEnd {
			yes++
		} else {
			no++
		}
	}
	if yes == 0 || no == 0 {
		t.Errorf("%d retrievable, %d not: want both with one storage node of six online at the end", yes, no)
	}
	s := res.Summary
	if s.ModelsRetrievableAtEnd == nil || *s.ModelsRetrievableAtEnd != int64(yes) {
		t.Errorf("models_retrievable_at_end %v, want %d", s.ModelsRetrievableAtEnd, yes)
	}
	if r := s.RetrievalsOK; r == nil || *r == 0 || *s.RetrievalsFailed != 0 {
		t.Errorf("periodic retrievals: %v ok, %v failed; want some ok and none failed", r, s.RetrievalsFailed)
	}
	smp := res.Storage.Samples
	if last := smp[len(smp)-1]; yes > last.Available {
		t.Errorf("%d problems' models retrievable at the end, but storage.csv finds only %d models available", yes, last.Available)
	}
}
