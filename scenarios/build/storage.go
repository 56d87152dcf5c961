package build

import (
	"fmt"
	"slices"

	"github.com/coinai/coinai/nodes/coinai"
	"github.com/coinai/coinai/nodes/ledger"
	"github.com/coinai/coinai/scenarios"
)

// storageNodes resolves the proof-of-storage part of the Coin.AI node
// configuration: candidates are the nodes of "storage" groups whose
// hardware offers capacity, with their ledger addresses; users retrieve
// models; cheats become node behaviours. It returns node i's storage
// configuration (i = -1: the consensus part every node shares), false
// without storage. Offline windows and disk losses are sim faults (see
// faults).
func storageNodes(s *scenarios.Scenario, p *Plan) (func(i int) (coinai.StorageConfig, bool), error) {
	st := s.Storage
	if !st.Enabled {
		return func(int) (coinai.StorageConfig, bool) { return coinai.StorageConfig{}, false }, nil
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
	for i, n := range p.Nodes {
		if n.Role == "storage" && n.StorageBytes > 0 {
			addr := ledger.AddressOfKey(ledger.KeyFromSeed(NodeKey(p.Seed, i)))
			sc.Nodes = append(sc.Nodes, coinai.StorageNode{ID: int32(i), Addr: addr, Capacity: n.StorageBytes})
		}
	}
	if len(sc.Nodes) == 0 {
		return nil, fmt.Errorf("%s: storage.enabled but no node of a \"storage\" group has storage capacity", s.File)
	}
	plan := &Storage{Replication: st.Replication, Cheats: map[int32]string{}}
	perNode := make([]coinai.StorageConfig, len(p.Nodes))
	for i := range perNode {
		perNode[i] = sc
		if p.Nodes[i].Role == "user" {
			perNode[i].RetrievalInterval = int64(st.RetrievalInterval)
		}
	}
	for _, f := range st.Faults {
		i := int32(f.Node)
		switch f.Kind {
		case "lazy":
			perNode[i].Behaviour, perNode[i].LazyKeep = coinai.BehaveLazy, f.Keep
			plan.Cheats[i] = f.Kind
		case "outsource":
			perNode[i].Behaviour, perNode[i].OutsourceDelay = coinai.BehaveOutsource, int64(f.Delay)
			plan.Cheats[i] = f.Kind
		case "sybil":
			perNode[i].Behaviour, perNode[i].SybilPrincipal = coinai.BehaveSybil, int32(f.Principal)
			q := &perNode[f.Principal]
			q.SybilIdentities = append(slices.Clip(q.SybilIdentities), i)
			plan.Cheats[i] = f.Kind
		}
	}
	p.Storage = plan
	p.Fidelity = append(p.Fidelity, coinai.StorageFidelity(sc)...)
	p.Fidelity = append(p.Fidelity, "storage.churn=network-cut: an offline node keeps running; the host drops its messages in both directions")
	return func(i int) (coinai.StorageConfig, bool) {
		if i < 0 {
			return sc, true
		}
		return perNode[i], true
	}, nil
}
