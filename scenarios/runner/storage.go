package runner

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/coinai"
	"github.com/coinai/coinai/nodes/ledger"
	"github.com/coinai/coinai/scenarios"
	"github.com/coinai/coinai/sim"
)

// StoragePlan is the proof-of-storage side of a run: the replication factor
// (for the per-k availability) and the faults the runner injects. The
// runner implements the network faults itself (a node that is offline
// neither sends nor receives: its messages are dropped at both ends, while
// the node keeps running its timers and jobs) and calls LoseDisk on a node
// at its disk-loss time; cheats are node behaviours configured at build
// time and only listed here so that the outputs can say who was caught.
type StoragePlan struct {
	Replication int
	Offline     [][]Window // per node, sorted by start
	DiskLoss    []DiskLoss
	Cheats      map[int32]string // node -> fault kind (lazy, outsource, sybil)
}

// Window is a span of virtual time [From, Until); Until 0 means forever.
type Window struct{ From, Until sim.Time }

// DiskLoss is a node losing its stored models at a time.
type DiskLoss struct {
	Node int32
	At   sim.Time
}

// offline reports whether node i is cut off at time t.
func (p *StoragePlan) offline(i int32, t sim.Time) bool {
	if p == nil || int(i) >= len(p.Offline) {
		return false
	}
	for _, w := range p.Offline[i] {
		if t >= w.From && (w.Until == 0 || t < w.Until) {
			return true
		}
	}
	return false
}

// evFault is the kernel event of a disk loss.
const evFault uint8 = 16

// scheduleFaults puts the plan's disk losses on the kernel's queue.
func (r *Runner) scheduleFaults() {
	if r.cfg.Storage == nil {
		return
	}
	for _, d := range r.cfg.Storage.DiskLoss {
		r.k.Schedule(sim.Event{At: d.At, Kind: evFault, Src: -1, Dst: d.Node})
	}
}

func (r *Runner) handleFault(ev *sim.Event) {
	if n, ok := r.nodes[ev.Dst].(nodes.DiskLoser); ok {
		n.LoseDisk()
	}
}

// isStorageMsg reports whether node i's message belongs to
// proof-of-storage, as the node classifies its own traffic
// (nodes.TrafficClassifier), for the per-node storage bandwidth.
func (r *Runner) isStorageMsg(i int32, msg []byte) bool {
	c, ok := r.nodes[i].(nodes.TrafficClassifier)
	return ok && c.MsgClass(msg) == coinai.TrafficStorage
}

// storageNodes fills the proof-of-storage part of the Coin.AI node
// configuration from the scenario: candidates are the nodes of "storage"
// groups whose hardware offers capacity, with their ledger addresses; users
// retrieve models; faults become behaviours and the runner's plan.
func storageNodes(s *scenarios.Scenario, cfg *Config) (func(i int, nc *coinai.Config), error) {
	st := s.Storage
	if !st.Enabled {
		return func(int, *coinai.Config) {}, nil
	}
	sc := coinai.StorageConfig{
		Enabled: true, ChunkSize: int(st.ChunkSize), Replication: st.Replication,
		ChallengeLag: st.ChallengeLag, ChallengeInterval: st.ChallengeInterval,
		ChallengeChunks: st.ChallengeChunks, Deadline: int64(st.Deadline),
		Reward: ledger.Amount(st.Reward * float64(ledger.Coin)), MaxMisses: st.MaxMisses,
		FetchTimeout: int64(st.FetchTimeout),
	}
	if err := mustFinite("storage.reward", st.Reward); err != nil {
		return nil, err
	}
	for i, n := range cfg.Nodes {
		if n.Role == "storage" && n.StorageBytes > 0 {
			addr := ledger.AddressOfKey(ledger.KeyFromSeed(NodeKey(cfg.Seed, i)))
			sc.Nodes = append(sc.Nodes, coinai.StorageNode{ID: int32(i), Addr: addr, Capacity: n.StorageBytes})
		}
	}
	if len(sc.Nodes) == 0 {
		return nil, fmt.Errorf("%s: storage.enabled but no node of a \"storage\" group has storage capacity", s.File)
	}
	plan := &StoragePlan{Replication: st.Replication, Offline: make([][]Window, len(cfg.Nodes)), Cheats: map[int32]string{}}
	perNode := make([]coinai.StorageConfig, len(cfg.Nodes))
	for i := range perNode {
		perNode[i] = sc
		if cfg.Nodes[i].Role == "user" {
			perNode[i].RetrievalInterval = int64(st.RetrievalInterval)
		}
	}
	for _, f := range st.Faults {
		i := int32(f.Node)
		switch f.Kind {
		case "offline":
			plan.Offline[i] = append(plan.Offline[i], Window{From: sim.Time(f.At), Until: sim.Time(f.Until)})
			slices.SortFunc(plan.Offline[i], func(a, b Window) int { return int(a.From - b.From) })
		case "disk-loss":
			plan.DiskLoss = append(plan.DiskLoss, DiskLoss{Node: i, At: sim.Time(f.At)})
		case "lazy":
			perNode[i].Behaviour, perNode[i].LazyKeep = coinai.BehaveLazy, f.Keep
			plan.Cheats[i] = f.Kind
		case "outsource":
			perNode[i].Behaviour, perNode[i].OutsourceDelay = coinai.BehaveOutsource, int64(f.Delay)
			plan.Cheats[i] = f.Kind
		case "sybil":
			perNode[i].Behaviour, perNode[i].SybilPrincipal = coinai.BehaveSybil, int32(f.Principal)
			p := &perNode[f.Principal]
			p.SybilIdentities = append(slices.Clip(p.SybilIdentities), i)
			plan.Cheats[i] = f.Kind
		}
	}
	cfg.Storage = plan
	cfg.Fidelity = append(cfg.Fidelity, coinai.StorageFidelity(sc)...)
	cfg.Fidelity = append(cfg.Fidelity, "storage.churn=network-cut: an offline node keeps running; the runner drops its messages in both directions")
	return func(i int, nc *coinai.Config) { nc.Storage = perNode[i] }, nil
}

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
	sent, recv  []int64
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

// StorageSample is one row of storage.csv, taken at a main-chain block's
// found time over the models recorded before that block.
type StorageSample struct {
	Time          sim.Time
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
	// ChallengesToCatch is the number of its challenges decided up to and
	// including its first miss (0: never caught).
	ChallengesToCatch int64 `json:"challenges_to_catch"`
	Evicted           int64 `json:"evictions"`
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
	StoredBytes []int64
	Sent, Recv  []int64
}

// storageResult walks the main chain (main, in height order) and asks a
// node that holds its tip for the registry at each block.
func (o *Observer) storageResult(main []*BlockRec) *StorageResult {
	plan := o.r.cfg.Storage
	if plan == nil {
		return nil
	}
	s := &o.st
	res := &StorageResult{RetrOK: s.retrOK, RetrFailed: s.retrFailed, RetrSeconds: s.retrSeconds, RetrBytes: s.retrBytes,
		Sent: s.sent, Recv: s.recv, StoredBytes: make([]int64, len(o.r.nodes))}
	var src *coinai.Node
	for i, n := range o.r.nodes {
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
	for _, b := range main {
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
			case "invalid", "invalid: malformed", "invalid: no open challenge", "invalid: wrong prover", "invalid: bad proof":
				res.Invalid++
			case "evicted":
				res.Evictions++
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
			case "evicted":
				c.Evicted++
			}
		}
		if src == nil {
			continue
		}
		smp := StorageSample{Time: b.Found, AvailableK: make([]int, plan.Replication), ProofsValid: res.Valid, ProofsMissed: res.Missed}
		for _, m := range src.StorageAt(b.ID) {
			if m.Height >= b.Height {
				continue // placed by this very block: holders are receiving it
			}
			smp.Models++
			first := -1
			for j, h := range m.Holders {
				if !plan.offline(h, b.Found) && s.has(h, m.Block, b.Found) {
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
		res.Cheaters[i] = *cheat[res.Cheaters[i].Node]
	}
	return res
}

func (st *StorageResult) csv() []byte {
	var b []byte
	b = append(b, "time_s,models,available,replicas_alive,proofs_valid,proofs_missed"...)
	k := 0
	if len(st.Samples) > 0 {
		k = len(st.Samples[0].AvailableK)
	}
	for i := 1; i <= k; i++ {
		b = append(b, ",available_k"...)
		b = strconv.AppendInt(b, int64(i), 10)
	}
	b = append(b, '\n')
	for _, s := range st.Samples {
		b = fmt.Appendf(b, "%s,%d,%d,%d,%d,%d", secs(s.Time), s.Models, s.Available, s.ReplicasAlive, s.ProofsValid, s.ProofsMissed)
		for _, v := range s.AvailableK {
			b = append(b, ',')
			b = strconv.AppendInt(b, int64(v), 10)
		}
		b = append(b, '\n')
	}
	return b
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
		if c.Missed > 0 {
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

// allOnlineAtLeast is the stop condition under churn: every node that is
// not cut off has reached height h (a node offline for good never would).
func (o *Observer) allOnlineAtLeast(h int64) bool {
	now := o.r.k.Now()
	for i, t := range o.tipHeight {
		if t < h && !o.r.cfg.Storage.offline(int32(i), now) {
			return false
		}
	}
	return true
}
