package build

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/coinai/coinai/nodes/coinai"
	"github.com/coinai/coinai/nodes/grammar"
	"github.com/coinai/coinai/nodes/ledger"
	"github.com/coinai/coinai/scenarios"
	"github.com/coinai/coinai/sim"
)

// Split of every market data set: the consensus split of the default
// digits problem (split seed 1, 15% validation, 20% test), in per mille for
// the Problem transactions that name them.
const (
	marketTrainPM = 650
	marketValPM   = 150
	marketTestPM  = 200
)

// Workload is the resolved [[workload]] part of a plan: every submission,
// signed, in time order, with its user and home node, for the nodes (each
// node's users' submissions) and the observers (the ledger of what users
// submitted, to match against the chain).
type Workload struct {
	// Subs are all the submissions, in time order (ties in workload, then
	// draw order).
	Subs []Sub
	// Accounts are the users' addresses, workload after workload.
	Accounts []ledger.Address
	// Genesis is each account's funding at genesis.
	Genesis []ledger.Mint
	// Skipped counts the draws a user's remaining genesis funds could not
	// pay (poisson), or trace rows it could not (trace), which were left
	// out.
	Skipped int
	// Pick is the pick rule (ledger.PickRules).
	Pick string
}

// Sub is one user submission.
type Sub struct {
	At       sim.Time
	Tx       ledger.Tx
	ID       [32]byte
	Workload string
	Account  int   // index into Workload.Accounts
	Home     int32 // the node beside which the user's client runs
}

// UserKey is account a of workload w's ed25519 seed in a run with the given
// seed: derived by hashing, like NodeKey, and from a different domain.
func UserKey(seed uint64, w, a int) [32]byte {
	var b [24]byte
	binary.LittleEndian.PutUint64(b[0:], seed)
	binary.LittleEndian.PutUint64(b[8:], uint64(w))
	binary.LittleEndian.PutUint64(b[16:], uint64(a))
	h := sha256.New()
	h.Write([]byte("coinai/user-key"))
	h.Write(b[:])
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// marketData loads the data sets the workloads name, in WorkloadDatasets
// order: digits with the scenario's grammar section, the flat sets with
// grammar.DefaultRanges for their input (dense layers only), Fashion-MNIST
// with fashionRanges on a fixed head of its images (loadMarketSet). A set
// that cannot be loaded is an error naming the key that asked for it.
func marketData(s *scenarios.Scenario, digitsRanges grammar.Ranges) ([]coinai.MarketData, error) {
	used := map[string]string{} // data set -> the first key naming it, for messages
	use := func(name, key string) {
		if _, ok := used[name]; !ok {
			used[name] = key
		}
	}
	for i, w := range s.Workload {
		for j, d := range w.Datasets {
			use(d, fmt.Sprintf("workload.%d.datasets.%d", i, j))
		}
		if w.Kind == "trace" {
			rows, err := scenarios.ReadTrace(s.TracePath(w), w.Accounts)
			if err != nil {
				return nil, err
			}
			for _, r := range rows {
				if r.Kind == "problem" {
					use(r.Dataset, fmt.Sprintf("workload.%d.file (%s line %d)", i, w.File, r.Line))
				}
			}
		}
	}
	var out []coinai.MarketData
	for _, name := range scenarios.WorkloadDatasets {
		key, ok := used[name]
		if !ok {
			continue
		}
		all, ranges, err := loadMarketSet(name)
		if err != nil {
			return nil, fmt.Errorf("%s: data set %q: %w", key, name, err)
		}
		tr, va, te := all.Split(digitsSplitSeed, digitsValFrac, digitsTestFrac)
		md := coinai.MarketData{Dataset: name, Data: coinai.Data{Name: name + "/split1", Train: tr, Val: va, Test: te},
			Ranges: ranges}
		if name == "digits" {
			md.Ranges = digitsRanges
		}
		md.Data.StandIn = standInOf(s, name)
		out = append(out, md)
	}
	return out, nil
}

// userTx is one drawn or read submission before signing.
type userTx struct {
	at       sim.Time
	from, to int
	amount   ledger.Amount
	fee      ledger.Amount
	dataset  string
	deadline sim.Time // absolute (problems)
	problem  bool
}

// buildWorkload resolves the scenario's workloads: accounts and their keys,
// genesis funds, home nodes, and every submission signed with real ed25519
// keys and consecutive nonces.
func buildWorkload(s *scenarios.Scenario, seed uint64, nodeCount int, data []coinai.MarketData) (*Workload, error) {
	w := &Workload{Pick: s.CoinAI.ProblemPick}
	if w.Pick == "" {
		w.Pick = ledger.PickFee
	}
	classes := map[string]int{}
	for _, d := range data {
		classes[d.Dataset] = d.Data.Train.Classes
	}
	coins := func(c float64) ledger.Amount { return ledger.Amount(math.Round(c * float64(ledger.Coin))) }
	for wi, spec := range s.Workload {
		base := len(w.Accounts)
		keys := make([][]byte, spec.Accounts)
		homes := make([]int32, spec.Accounts)
		homeRng := sim.Stream(seed, "workload/"+spec.Name+"/homes")
		fund := coins(spec.Fund)
		for a := range spec.Accounts {
			priv := ledger.KeyFromSeed(UserKey(seed, wi, a))
			keys[a] = priv
			addr := ledger.AddressOfKey(priv)
			w.Accounts = append(w.Accounts, addr)
			w.Genesis = append(w.Genesis, ledger.Mint{To: addr, Amount: fund})
			homes[a] = int32(homeRng.IntN(nodeCount))
		}
		var txs []userTx
		switch spec.Kind {
		case "poisson":
			txs = poissonTxs(spec, sim.Stream(seed, "workload/"+spec.Name), coins)
		case "trace":
			rows, err := scenarios.ReadTrace(s.TracePath(spec), spec.Accounts)
			if err != nil {
				return nil, err
			}
			for _, r := range rows {
				txs = append(txs, userTx{at: sim.Time(r.At), from: r.From, to: r.To, amount: coins(r.Amount), fee: coins(r.Fee),
					dataset: r.Dataset, deadline: sim.Time(r.At + r.Deadline), problem: r.Kind == "problem"})
			}
		}
		left := make([]ledger.Amount, spec.Accounts)
		for a := range left {
			left[a] = fund
		}
		nonce := make([]uint64, spec.Accounts)
		for _, u := range txs {
			cost := u.fee + u.amount
			if cost > left[u.from] {
				w.Skipped++
				continue
			}
			left[u.from] -= cost
			var tx ledger.Tx
			if u.problem {
				tx = &ledger.Problem{Submitter: w.Accounts[base+u.from], Dataset: u.dataset, Classes: uint16(classes[u.dataset]),
					TrainFrac: marketTrainPM, ValFrac: marketValPM, TestFrac: marketTestPM, SplitSeed: digitsSplitSeed,
					Deadline: uint64(u.deadline), Fee: u.fee, Nonce: nonce[u.from]}
			} else {
				tx = &ledger.Transfer{From: w.Accounts[base+u.from], To: w.Accounts[base+u.to], Amount: u.amount, Fee: u.fee,
					Nonce: nonce[u.from]}
			}
			if err := tx.Sign(keys[u.from]); err != nil {
				return nil, fmt.Errorf("workload %q: %w", spec.Name, err)
			}
			if err := tx.Check(); err != nil {
				return nil, fmt.Errorf("workload %q: %w", spec.Name, err)
			}
			nonce[u.from]++
			w.Subs = append(w.Subs, Sub{At: u.at, Tx: tx, ID: tx.ID(), Workload: spec.Name, Account: base + u.from, Home: homes[u.from]})
		}
	}
	slices.SortStableFunc(w.Subs, func(a, b Sub) int { return int(min(max(a.At-b.At, -1), 1)) })
	return w, nil
}

// poissonTxs draws a poisson workload's submissions: exponential gaps at
// the rate, a uniform sender, a problem with probability problem_share
// (uniform data set, reward uniform in [R/2, 3R/2]), else a transfer to
// another uniform account (amount exponential with the mean, at least one
// base unit; fee uniform in [F/2, 3F/2]). Every draw is taken whatever is
// later skipped, so the stream stays aligned.
func poissonTxs(spec scenarios.WorkloadSpec, rng interface {
	ExpFloat64() float64
	Float64() float64
	IntN(int) int
}, coins func(float64) ledger.Amount) []userTx {
	var out []userTx
	perNs := float64(spec.Rate) / 3600 / 1e9
	t := float64(spec.Start)
	for {
		t += rng.ExpFloat64() / perNs
		if t >= float64(spec.Until) {
			return out
		}
		u := userTx{at: sim.Time(t), from: rng.IntN(spec.Accounts)}
		kind, pick, uni, size := rng.Float64(), rng.Float64(), rng.Float64(), rng.ExpFloat64()
		if kind < spec.ProblemShare {
			u.problem = true
			u.dataset = spec.Datasets[min(int(pick*float64(len(spec.Datasets))), len(spec.Datasets)-1)]
			u.fee = max(coins(spec.Reward*(0.5+uni)), 1)
			u.deadline = u.at + sim.Time(spec.Deadline)
		} else {
			u.to = min(int(pick*float64(spec.Accounts-1)), spec.Accounts-2)
			if u.to >= u.from {
				u.to++
			}
			u.amount = max(coins(spec.Amount*size), 1)
			u.fee = coins(spec.Fee * (0.5 + uni))
		}
		out = append(out, u)
	}
}

// workloadNodes resolves the scenario's workloads into the Coin.AI
// configuration: the market (pick rule, data sets, genesis funds) on base,
// the plan's Workload and fidelity notes, and each node's users'
// submissions (nil without workloads).
func workloadNodes(s *scenarios.Scenario, p *Plan, base *coinai.Config, digitsRanges grammar.Ranges) ([][]coinai.Submission, error) {
	if len(s.Workload) == 0 {
		return nil, nil
	}
	data, err := marketData(s, digitsRanges)
	if err != nil {
		return nil, fmt.Errorf("%s: workload: %w", s.File, err)
	}
	wl, err := buildWorkload(s, p.Seed, len(p.Nodes), data)
	if err != nil {
		return nil, fmt.Errorf("%s: workload: %w", s.File, err)
	}
	base.Market = &coinai.Market{Pick: wl.Pick, Data: data, Genesis: wl.Genesis}
	p.Workload = wl
	subs := make([][]coinai.Submission, len(p.Nodes))
	for _, sub := range wl.Subs {
		subs[sub.Home] = append(subs[sub.Home], coinai.Submission{At: int64(sub.At), Tx: sub.Tx})
	}
	names := make([]string, len(data))
	for i, d := range data {
		names[i] = fmt.Sprintf("%s (%d train, %d validation, %d test samples; grammar %s)", d.Dataset,
			d.Data.Train.Len(), d.Data.Val.Len(), d.Data.Test.Len(), rangesNote(d))
		if d.Dataset == "fashion-mnist" {
			names[i] = fmt.Sprintf("fashion-mnist (the first %d of its 10000 test-partition images: %d train, %d validation, %d test; grammar %s)",
				fashionMarketImages, d.Data.Train.Len(), d.Data.Val.Len(), d.Data.Test.Len(), rangesNote(d))
		}
	}
	p.Fidelity = append(p.Fidelity,
		fmt.Sprintf("workload: %d users submit %d signed transactions (ed25519), %d draws their remaining genesis funds could not pay left out; "+
			"a user's client runs beside its home node (drawn uniformly): its transactions enter that node's pool and are flooded from there, "+
			"with no access link modelled", len(wl.Accounts), len(wl.Subs), wl.Skipped),
		fmt.Sprintf("market: coinai.problem_pick = %q over the open problems on %s; each data set is trained and tested on its fixed consensus split "+
			"(seed 1, 65/15/20%%) whatever the problem's split fields; training attempts on every data set share epochs_per_attempt, and coinai.work_scale unless the data set has a [[coinai.standin]]",
			wl.Pick, joinComma(names)),
		deliveryFidelity(s))
	return subs, nil
}

func rangesNote(d coinai.MarketData) string {
	r := d.Ranges
	if r.MaxConvs == 0 {
		return fmt.Sprintf("%d-%d dense layers of %v units", r.MinFCs, r.MaxFCs, r.UnitChoices)
	}
	return fmt.Sprintf("%d-%d convolutions of %v filters, %d-%d dense layers of %v units", r.MinConvs, r.MaxConvs, r.FilterChoices, r.MinFCs, r.MaxFCs, r.UnitChoices)
}

func joinComma(v []string) string {
	out := ""
	for i, s := range v {
		if i > 0 {
			out += ", "
		}
		out += s
	}
	return out
}

// deliveryFidelity names how a submitter gets its solved problem's model:
// from a peer, or through proof-of-storage with [storage].
func deliveryFidelity(s *scenarios.Scenario) string {
	if s.Storage.Enabled {
		return "market.delivery=proof-of-storage: the submitter of a solved problem downloads the model's chunks from the storage nodes " +
			"that hold it (each chunk checked by its Merkle path, the next holder after a bad answer or storage.fetch_timeout, up to 6 passes " +
			"over the holders), reassembles it, checks it against the header's commitment and evaluates it on the problem's test split " +
			"(charged to its home node as evaluation); the user's access link to its home node is not modelled"
	}
	return "market.delivery=from-peer: the submitter of a solved problem asks a peer of its home node for the block (the network charges the bytes), " +
		"checks the model against the header's commitment and evaluates it on the problem's test split (charged to its home node as evaluation); " +
		"without [storage] (with it the model comes through proof-of-storage)"
}
