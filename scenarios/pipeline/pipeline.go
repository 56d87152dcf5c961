// Package pipeline runs a scenario: it wires build (scenario -> plan),
// host (the nodes on the sim kernel), observe (events -> measurements),
// check (invariants, during the run and at its end) and results (the run
// directory). Data flows one way, from the scenario to the results; no
// package it wires points back. cmd/coinai and the tests call it.
package pipeline

import (
	"io"
	"maps"
	"math"
	"time"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/coinai"
	"github.com/coinai/coinai/nodes/ledger"
	"github.com/coinai/coinai/nodes/nn"
	"github.com/coinai/coinai/scenarios"
	"github.com/coinai/coinai/scenarios/build"
	"github.com/coinai/coinai/scenarios/check"
	"github.com/coinai/coinai/scenarios/host"
	"github.com/coinai/coinai/scenarios/observe"
	"github.com/coinai/coinai/scenarios/results"
	"github.com/coinai/coinai/sim"
)

// Config is a run ready to go: the plan resolved from a scenario and what
// the caller adds.
type Config struct {
	build.Plan
	// Trace, if not nil, receives a JSON Lines record per delivered event.
	Trace io.Writer
	// Progress, if not nil, is called now and then with the virtual time
	// and the height of the highest block mined so far.
	Progress func(now sim.Time, height int64)
	// Interrupt, if not nil, is asked after every event whether the run
	// must stop (for example on a signal); an error stops it at once and
	// Run returns that error without results.
	Interrupt func() error
}

// FromScenario resolves a validated scenario (see build.FromScenario).
func FromScenario(s *scenarios.Scenario) (Config, error) {
	p, err := build.FromScenario(s)
	if err != nil {
		return Config{}, err
	}
	return Config{Plan: *p}, nil
}

// Run is one run in progress.
type Run struct {
	cfg Config
	h   *host.Host
	obs *observe.Observer
	chk *check.Suite
}

// New builds the run: the host and its nodes, the observer, the checkers.
func New(cfg Config) (*Run, error) {
	hc := cfg.Plan.Host()
	hc.Trace = cfg.Trace
	h, err := host.New(hc)
	if err != nil {
		return nil, err
	}
	r := &Run{cfg: cfg, h: h}
	r.obs = observe.New(observeConfig(&cfg.Plan), h)
	r.chk = check.New(checkConfig(&cfg.Plan), h, r.obs)
	h.SetObserver(fanout{r.obs, r.chk})
	if stop := cfg.Interrupt; stop != nil {
		h.SetCheck(func() error {
			if err := stop(); err != nil {
				return err
			}
			return r.chk.Tick()
		})
	} else {
		h.SetCheck(r.chk.Tick)
	}
	if cfg.Progress != nil {
		h.SetProgress(func(now sim.Time) { cfg.Progress(now, r.obs.Top()) })
	}
	return r, nil
}

// observeConfig is what the observer needs of the plan.
func observeConfig(p *build.Plan) observe.Config {
	oc := observe.Config{Name: p.Name, Seed: p.Seed, Protocol: p.Protocol, StopHeight: p.StopHeight, Fidelity: p.Fidelity,
		BlockReward: p.SilentBlockReward, EvalScale: p.CostScale[nodes.JobEval]}
	for i, n := range p.Nodes {
		region := ""
		if n.Region >= 0 && int(n.Region) < len(p.Net.Regions) {
			region = p.Net.Regions[n.Region]
		}
		oc.Nodes = append(oc.Nodes, observe.Node{Role: n.Role, Hardware: n.Hardware, Region: region,
			HashRate: n.HashRate, FLOPS: n.FLOPS, Miner: miner(p.Protocol, n), Attack: n.AttackKind(), Victim: n.Victim})
		if ws := p.Faults.OfflineWindows(int32(i)); len(ws) > 0 {
			if oc.Offline == nil {
				oc.Offline = make([][]sim.Window, len(p.Nodes))
			}
			oc.Offline[i] = ws
		}
	}
	if p.Storage != nil {
		oc.Storage = &observe.Storage{Replication: p.Storage.Replication, Cheats: p.Storage.Cheats}
	}
	faultWindows(p, &oc)
	return oc
}

// faultWindows describes the windows of the plan's [[fault]] tables for
// the observer: each link fault (with the nodes and sides it covers) and
// each crash.
func faultWindows(p *build.Plan, oc *observe.Config) {
	if len(p.FaultInfo) == 0 {
		return
	}
	oc.HasFaults = true
	n := len(p.Nodes)
	for _, l := range p.Faults.Links() {
		info := p.FaultInfo[l.Source]
		w := observe.FaultWindow{Name: info.Name, Kind: info.Kind, Window: l.Window, Node: -1, Nodes: n,
			Cut: l.Kind == sim.LinkCut}
		switch {
		case l.Side != nil && l.Across:
			k := 0
			for _, s := range l.Side {
				k = max(k, int(s))
			}
			w.Sides = make([]int, k+1) // sides 1..k, then the rest (0)
			for _, s := range l.Side {
				if s > 0 {
					w.Sides[s-1]++
				} else {
					w.Sides[k]++
				}
			}
		case l.Side != nil:
			w.Nodes = 0
			for _, s := range l.Side {
				if s != 0 {
					w.Nodes++
				}
			}
		}
		oc.LinkFaults = append(oc.LinkFaults, w)
	}
	for _, c := range p.Faults.Crashes() {
		info := p.FaultInfo[c.Source]
		state := "kept"
		if c.Lost {
			state = "lost"
		}
		oc.Crashes = append(oc.Crashes, observe.FaultWindow{Name: info.Name, Kind: info.Kind, Window: c.Window,
			Node: c.Node, Nodes: 1, State: state})
	}
}

// miner reports whether node n mines: a mining role with mining power
// (hash rate under PoW, FLOP/s under Coin.AI).
func miner(protocol string, n build.Node) bool {
	if protocol == "pow" {
		return n.Mines() && n.HashRate > 0
	}
	return n.Mines() && n.FLOPS > 0
}

// checkConfig is what the checkers need of the plan.
func checkConfig(p *build.Plan) check.Config {
	cc := check.Config{Protocol: p.Protocol, TargetInterval: p.TargetInterval, StopHeight: p.StopHeight, CoinAI: p.CoinAI}
	if p.PoWTxs != nil {
		cc.PoWTxs, cc.PoWReward = p.PoWTxs, uint64(math.Round(p.SilentBlockReward*float64(ledger.Coin)))
	}
	var honest, all float64
	for _, n := range p.Nodes {
		cc.Miners = append(cc.Miners, n.Mines() && (n.HashRate > 0 || n.FLOPS > 0))
		power := n.FLOPS
		if p.Protocol == "pow" {
			power = n.HashRate
		}
		switch {
		case miner(p.Protocol, n):
			honest += power
			all += power
		case n.AttackKind() != "" && n.Adversary != "eclipse":
			all += power // an attacker that mines (or could): its tips do not count
		}
	}
	if all > 0 && honest > 0 {
		cc.HonestShare = honest / all
	}
	// Storage cheaters and attackers are not honest nodes: the agreement
	// check leaves them out.
	cc.Cheats = map[int32]string{}
	if p.Storage != nil {
		maps.Copy(cc.Cheats, p.Storage.Cheats)
	}
	for i, n := range p.Nodes {
		if k := n.AttackKind(); k != "" {
			cc.Cheats[int32(i)] = k
		}
		if n.Victim { // an eclipsed node follows the chain its attackers let it see
			cc.Cheats[int32(i)] = "eclipse-victim"
		}
		if n.Adversary == "selfish" {
			cc.AgreementOff = "a selfish pool's releases split the honest nodes between its branch and theirs for as long as its lead lasts"
		}
		if n.Role == "doublespend" {
			// Its won races replace z >= 1 confirmed blocks at once: while
			// the winning branch spreads, honest nodes that have switched
			// and those that have not differ that deep, which is the
			// attack's point (the checker used to miss it only because an
			// attacker's private tip kept its rounds away from the switch).
			cc.AgreementOff = "a double-spend attacker's won races reorganise honest chains as deep as the merchant's confirmations"
		}
	}
	return cc
}

// fanout hands each event to the observer, then to the checkers.
type fanout struct {
	o *observe.Observer
	c *check.Suite
}

func (f fanout) Observe(node int32, at sim.Time, ev nodes.Event) {
	f.o.Observe(node, at, ev)
	f.c.Observe(node, at, ev)
}

// Host is the run's host (for tests that inspect nodes).
func (r *Run) Host() *host.Host { return r.h }

// Observer is the run's observer.
func (r *Run) Observer() *observe.Observer { return r.obs }

// Result is a finished run: its measurements, with the summary and the
// checkers' verdicts.
type Result struct {
	*observe.Result
}

// Files is the content of the run directory (see results.Files).
func (res *Result) Files(propagation bool) (map[string][]byte, error) {
	return results.Files(res.Result, propagation)
}

// Run drives the run to its stop condition and returns the results. A
// checker that fails stops the run early: the results are those of the
// run so far, and the failed verdict (with the time and the event count)
// is in Summary.Checks, with Summary.ChecksOK false.
func (r *Run) Run() (*Result, error) {
	wall := time.Now()
	if err := r.h.Run(); err != nil && r.chk.Stopped() == nil {
		return nil, err
	}
	h := r.h
	now := h.Now()
	t := observe.Totals{Digest: h.Digest(), Events: h.Events(), End: now, Wall: time.Since(wall),
		BytesSent: h.BytesSent(), BytesRecv: h.BytesRecv(), Messages: h.Messages(),
		MessagesSent: h.MessagesSent(), CacheHits: h.NodeCacheHits(), Speculative: h.Speculative()}
	for i := range h.NumNodes() {
		t.NodeEnergy = append(t.NodeEnergy, h.Joules(i, now))
		t.NodeBusy = append(t.NodeBusy, h.Busy(i, now))
	}
	if r.cfg.Storage != nil {
		t.StorageSent, t.StorageRecv = h.ClassBytes(coinai.TrafficStorage)
	}
	t.TrainFLOPs, t.EvalFLOPs = h.ClassFLOPs(nodes.JobTrain), h.ClassFLOPs(nodes.JobEval)
	t.LostLink, t.LostCrash = h.LostMessages()
	res := r.obs.Result(t)
	if r.cfg.Workload != nil {
		res.Market = marketResult(&r.cfg.Plan, h, checkConfig(&r.cfg.Plan).Cheats)
	}
	observe.Summarize(res, r.chk.Final())
	if r.cfg.Protocol == "coinai" {
		res.Summary.Kernel = nn.Kernel()
		res.Summary.KernelImpl = nn.KernelImpl()
	}
	return &Result{res}, nil
}
