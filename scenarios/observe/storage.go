package observe

import (
	"slices"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/coinai"
	"github.com/coinai/coinai/sim"
)

// storeKey names one node's copy of one model (by the model's block).
type storeKey struct {
	node  int32
	block [32]byte
}

// ProofRec is a challenge outcome a block decided (coinai's EvProof).
type ProofRec struct {
	Holder int32
	Model  [32]byte
	Note   string
	Next   int64 // evicted: successor, -1 none
}

// storageObs is what the observer gathers for proof-of-storage.
type storageObs struct {
	toggles     map[storeKey][]sim.Time // stored/dropped times, alternating
	retrOK      int64
	retrFailed  int64
	retrSeconds []float64
	retrBytes   int64
	retrievals  []RetrievalRec
}

// RetrievalRec is one model retrieval a user finished (coinai's
// EvRetrieved).
type RetrievalRec struct {
	Time    sim.Time // when it finished
	Node    int32    // the user
	Model   [32]byte // the block that recorded the model
	Note    string   // "ok" or "failed: reason"
	Seconds float64  // from request to verified model
	Bytes   int64    // received
}

func (o *Observer) storageEvent(node int32, ev nodes.Event, now sim.Time) {
	s := &o.st
	switch ev.Kind {
	case nodes.EvStored, nodes.EvDropped:
		if s.toggles == nil {
			s.toggles = map[storeKey][]sim.Time{}
		}
		k := storeKey{node, ev.Block}
		s.toggles[k] = append(s.toggles[k], now)
	case nodes.EvProof:
		if b, ok := o.blocks[ev.Block]; ok {
			b.Proofs = append(b.Proofs, ProofRec{Holder: int32(ev.Miner), Model: ev.Parent, Note: ev.Note, Next: ev.Height})
		}
	case nodes.EvRetrieved:
		if ev.Note == "ok" {
			s.retrOK++
			s.retrSeconds = append(s.retrSeconds, ev.Value)
		} else {
			s.retrFailed++
		}
		s.retrBytes += int64(ev.Size)
		s.retrievals = append(s.retrievals, RetrievalRec{Time: now, Node: node, Model: ev.Block, Note: ev.Note,
			Seconds: ev.Value, Bytes: int64(ev.Size)})
	}
}

// has reports whether node kept model block at time t.
func (s *storageObs) has(node int32, block [32]byte, t sim.Time) bool {
	ts := s.toggles[storeKey{node, block}]
	n, _ := slices.BinarySearchFunc(ts, t, func(a, b sim.Time) int {
		if a <= b {
			return -1
		}
		return 1
	})
	return n%2 == 1
}

// Keeps reports whether node kept the model of block at time t (as its
// EvStored and EvDropped reports say).
func (o *Observer) Keeps(node int32, block [32]byte, t sim.Time) bool {
	return o.st.has(node, block, t)
}

// StoreHistory returns, for each model node kept at some time, the times
// at which it stored and dropped it, alternating (a fresh map).
func (o *Observer) StoreHistory(node int32) map[[32]byte][]sim.Time {
	out := map[[32]byte][]sim.Time{}
	for k, ts := range o.st.toggles {
		if k.node == node {
			out[k.block] = slices.Clone(ts)
		}
	}
	return out
}

// StorageSample is one row of storage.csv: the registry after a main-chain
// block (its proofs decided, its own model placed), sampled when the next
// main-chain block is found (for the last, at the end of the run), so
// that each row shows the state the block left for its whole reign.
type StorageSample struct {
	Time          sim.Time
	Height        int64 // the main-chain block whose registry this is
	Models        int
	Available     int   // models with at least one live holder
	ReplicasAlive int   // live holders, summed over models
	AvailableK    []int // models with a live holder among their first k' holders, k' = 1..k
	ProofsValid   int64 // cumulative, on the main chain
	ProofsMissed  int64
}

// CheaterRec is the main-chain record of a cheating node.
type CheaterRec struct {
	Node   int32  `json:"node"`
	Kind   string `json:"kind"`
	Valid  int64  `json:"proofs_valid"`
	Missed int64  `json:"proofs_missed"`
	// ChallengesToCatch is the number of its challenges (valid or missed)
	// decided up to and including its first miss (0: it never missed).
	// A miss alone is not a detection: see Caught.
	ChallengesToCatch int64 `json:"challenges_to_catch"`
	// Evicted counts the models it lost by reaching max_misses misses on
	// them: the protocol's own detection.
	Evicted int64 `json:"evictions"`
	// Caught: evicted from at least one model (what cheaters_caught
	// counts).
	Caught bool `json:"caught"`
	// ChallengesToEvict is the number of its challenges (valid or missed)
	// decided up to and including the block of its first eviction (0:
	// never evicted).
	ChallengesToEvict int64 `json:"challenges_to_evict"`
	Late              int64 `json:"proofs_late"`
	Invalid           int64 `json:"proofs_invalid"`
	// Rewards are the storage rewards (coins) it was paid on the main
	// chain.
	Rewards float64 `json:"rewards"`
}

// StorageResult is the proof-of-storage part of a Result.
type StorageResult struct {
	Samples     []StorageSample
	Valid       int64
	Missed      int64
	Late        int64
	Void        int64 // challenges whose window held no block
	Invalid     int64
	Evictions   int64
	Models      int
	Cheaters    []CheaterRec
	RetrOK      int64
	RetrFailed  int64
	RetrSeconds []float64
	RetrBytes   int64
	Retrievals  []RetrievalRec // in the order they finished
	StoredBytes []int64
	Sent, Recv  []int64
}

// storageResult walks the main chain (main, in height order) and asks a
// node that holds its tip for the registry at each block.
func (o *Observer) storageResult(main []*BlockRec, t Totals) *StorageResult {
	plan := o.cfg.Storage
	if plan == nil {
		return nil
	}
	s := &o.st
	res := &StorageResult{RetrOK: s.retrOK, RetrFailed: s.retrFailed, RetrSeconds: s.retrSeconds, RetrBytes: s.retrBytes,
		Retrievals: s.retrievals, Sent: t.StorageSent, Recv: t.StorageRecv, StoredBytes: make([]int64, len(o.cfg.Nodes))}
	if res.Sent == nil {
		res.Sent = make([]int64, len(o.cfg.Nodes))
	}
	if res.Recv == nil {
		res.Recv = make([]int64, len(o.cfg.Nodes))
	}
	var src *coinai.Node
	for i := range o.cfg.Nodes {
		n := o.h.Node(i)
		if w, ok := n.(interface{ Inner() nodes.Node }); ok {
			n = w.Inner() // an attacker wrapping an honest node (nodes/attack)
		}
		c, ok := n.(*coinai.Node)
		if !ok {
			continue
		}
		res.StoredBytes[i] = c.StoredBytes()
		if src == nil && len(main) > 0 && c.Has(main[len(main)-1].ID) {
			src = c
		}
	}
	cheat := map[int32]*CheaterRec{}
	var ids []int32
	for id := range plan.Cheats {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		c := &CheaterRec{Node: id, Kind: plan.Cheats[id]}
		cheat[id] = c
		res.Cheaters = append(res.Cheaters, *c)
	}
	seen := map[int32]int64{} // challenges decided per cheater
	for k, b := range main {
		for _, p := range b.Proofs {
			c := cheat[p.Holder]
			switch p.Note {
			case "valid":
				res.Valid++
			case "missed":
				res.Missed++
			case "late":
				res.Late++
			case "void":
				res.Void++
			case "evicted":
				res.Evictions++
			default:
				if isInvalid(p.Note) {
					res.Invalid++
				}
			}
			if c == nil {
				continue
			}
			switch p.Note {
			case "valid", "missed":
				seen[p.Holder]++
				if p.Note == "valid" {
					c.Valid++
				} else {
					c.Missed++
					if c.ChallengesToCatch == 0 {
						c.ChallengesToCatch = seen[p.Holder]
					}
				}
			case "late":
				c.Late++
			case "evicted":
				c.Evicted++
				if c.ChallengesToEvict == 0 {
					c.ChallengesToEvict = seen[p.Holder]
				}
			default:
				if isInvalid(p.Note) {
					c.Invalid++
				}
			}
		}
		if src == nil {
			continue
		}
		// The state b left: sampled when the next main-chain block is
		// found, or at the end of the run.
		at := t.End
		if k+1 < len(main) {
			at = main[k+1].Found
		}
		smp := StorageSample{Time: at, Height: b.Height, AvailableK: make([]int, plan.Replication),
			ProofsValid: res.Valid, ProofsMissed: res.Missed}
		for _, m := range src.StorageAt(b.ID) {
			smp.Models++
			first := -1
			for j, h := range m.Holders {
				if o.online(h, at) && s.has(h, m.Block, at) {
					smp.ReplicasAlive++
					if first < 0 {
						first = j
					}
				}
			}
			if first >= 0 {
				smp.Available++
				for k := first; k < len(smp.AvailableK); k++ {
					smp.AvailableK[k]++
				}
			}
		}
		res.Samples = append(res.Samples, smp)
	}
	if src != nil && len(main) > 0 {
		res.Models = len(src.StorageAt(main[len(main)-1].ID))
	}
	for i := range res.Cheaters {
		c := cheat[res.Cheaters[i].Node]
		c.Caught = c.Evicted > 0
		if int(c.Node) < len(o.nodeStats) {
			c.Rewards = o.nodeStats[c.Node].Rewards["storage"]
		}
		res.Cheaters[i] = *c
	}
	return res
}

// storageSummary fills the storage keys of summary.json.
func storageSummary(s *Summary, st *StorageResult) {
	if st == nil {
		return
	}
	i64 := func(v int64) *int64 { return &v }
	s.ModelsStored = i64(int64(st.Models))
	s.ProofsValid, s.ProofsMissed = i64(st.Valid), i64(st.Missed)
	s.ProofsLate, s.ProofsInvalid, s.Evictions = i64(st.Late), i64(st.Invalid), i64(st.Evictions)
	s.ProofsVoid = i64(st.Void)
	s.ProofsIssued = i64(st.Valid + st.Missed + st.Late + st.Invalid + st.Void)
	var caught int64
	for _, c := range st.Cheaters {
		if c.Caught { // evicted by the max_misses rule, not merely missed
			caught++
		}
	}
	s.CheatersCaught = i64(caught)
	s.StorageCheaters = st.Cheaters
	if s.StorageCheaters == nil {
		s.StorageCheaters = []CheaterRec{}
	}
	s.RetrievalsOK, s.RetrievalsFailed = i64(st.RetrOK), i64(st.RetrFailed)
	s.RetrievalBytes = i64(st.RetrBytes)
	if len(st.RetrSeconds) > 0 {
		var sum float64
		for _, v := range st.RetrSeconds {
			sum += v
		}
		s.RetrievalMeanS = ptr(sum / float64(len(st.RetrSeconds)))
	}
	var avail, alive float64
	var n int
	var byK []float64
	for _, smp := range st.Samples {
		if smp.Models == 0 {
			continue
		}
		if byK == nil {
			byK = make([]float64, len(smp.AvailableK))
		}
		n++
		avail += float64(smp.Available) / float64(smp.Models)
		alive += float64(smp.ReplicasAlive) / float64(smp.Models)
		for k, v := range smp.AvailableK {
			byK[k] += float64(v) / float64(smp.Models)
		}
	}
	if n > 0 {
		s.AvailabilityMean = ptr(avail / float64(n))
		s.ReplicasAliveMean = ptr(alive / float64(n))
		for k := range byK {
			byK[k] /= float64(n)
		}
		s.AvailabilityByReplication = byK
	}
	var sent, recv int64
	for i := range st.Sent {
		sent += st.Sent[i]
		recv += st.Recv[i]
	}
	s.StorageBytesSent = i64(sent)
}

// isInvalid reports whether a proof outcome is one of the invalid kinds.
func isInvalid(note string) bool {
	return note == "invalid" || len(note) > 9 && note[:9] == "invalid: "
}
