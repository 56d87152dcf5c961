// Package rundata loads one run directory written by the simulator
// (DESIGN.md, "Run outputs") into typed rows, without importing the
// simulator: analysis must work on outputs alone, including outputs of older
// or newer simulator versions and of runs made on another machine.
//
// Columns are found by header name, so added or reordered columns are
// harmless. Numeric columns that DESIGN.md allows to be empty ("columns that
// do not apply are empty") are float64 and NaN when empty or absent. Only
// summary.json is required; every other file is optional and its absence is
// recorded in Run.Missing so that reports can say what they could not draw.
// Malformed input is reported as a *FormatError naming file:line:column.
package rundata

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
)

// Block is one row of blocks.csv.
type Block struct {
	Height     int64
	ID, Parent string // lower-case hex; Parent "" for genesis
	Miner      int64  // node index, -1 when empty
	FoundS     float64
	SizeBytes  float64
	Main       bool
	IntervalS  float64 // gap to the parent's found time
	PropP50S   float64 // time to reach 50% of nodes
	PropP90S   float64
	Prop100S   float64
	Difficulty float64 // PoW only
	Threshold  float64 // Coin.AI only
	Accuracy   float64 // Coin.AI only
	Attempts   float64
	EnergyJ    float64
	// Arrivals is the number of nodes other than the miner that accepted
	// the block; NodesOnline the nodes online when it was found (with its
	// miner), the population of the prop_* columns.
	Arrivals, NodesOnline float64
	// ArrivalDelayWeightedS is Δ: the arrival delay weighted by mining
	// power over the miners online when the block was found (NaN when one
	// never accepted it).
	ArrivalDelayWeightedS float64
	// CatchupNodes is the number of acceptances by nodes offline when the
	// block was found, CatchupMeanS their mean time from the node's return
	// online.
	CatchupNodes, CatchupMeanS float64
}

// Arrival is one row of propagation.csv: the first acceptance of Block by
// Node, ArrivalS seconds after the block was found.
type Arrival struct {
	Block    string
	Node     int64
	ArrivalS float64
}

// Node is one row of nodes.csv.
type Node struct {
	Node                      int64
	Region, Hardware, Role    string
	BlocksWon, BlocksMain     float64
	Reward, RewardBlock       float64
	RewardFees, RewardStorage float64
	EnergyJ, BusyS            float64
	BytesSent, BytesRecv      float64
	// Per-node counts (NaN in runs of earlier versions).
	AttemptsCompleted, AttemptsCancelled float64
	VerifyCacheHits, MessagesSent        float64
	Reorgs, ReorgMaxDepth, Rejected      float64
	// Proof-of-storage columns (storage runs): bytes kept, storage
	// traffic, and the node's cheat kind ("" if honest).
	StorageBytes, StorageBytesSent, StorageBytesRecv float64
	StorageCheat                                     string
}

// EnergySample is one row of energy.csv: cumulative energy of a hardware
// class at a virtual time.
type EnergySample struct {
	TimeS    float64
	Hardware string
	EnergyJ  float64
}

// ThresholdRow is one row of threshold.csv (Coin.AI).
type ThresholdRow struct {
	Height    int64
	Threshold float64
	IntervalS float64
}

// StorageSample is one row of storage.csv (proof-of-storage runs): the
// registry a main-chain block (Height) left, sampled at TimeS.
type StorageSample struct {
	TimeS                     float64
	Models, Available         float64
	ReplicasAlive             float64
	ProofsValid, ProofsMissed float64
	// AvailableK holds available_k1, available_k2... in order (as many as
	// the file has).
	AvailableK []float64
	Height     float64 // NaN in runs of earlier versions
}

// Proof is one row of proofs.csv: a challenge outcome a block decided.
type Proof struct {
	Block     string // id of the deciding block
	Height    int64
	Main      bool
	Holder    int64  // -1 when empty (a malformed proof names nobody)
	Model     string // id of the block that recorded the model, "" if none
	Outcome   string // valid, missed, late, void, evicted, "invalid: ..."
	Successor int64  // evicted: the new holder, -1 otherwise
}

// Retrieval is one row of retrievals.csv: a model retrieval a user
// finished.
type Retrieval struct {
	TimeS   float64
	Node    int64
	Model   string
	Outcome string // "ok" or "failed: reason"
	Seconds float64
	Bytes   float64
}

// ComputeRow is one row of compute.csv (Coin.AI): a node's attacker role
// ("" if honest), its FLOP rate, and the counted FLOPs of the training and
// evaluation jobs it completed.
type ComputeRow struct {
	Node                  int64
	Attack                string
	FLOPS                 float64
	TrainFLOPs, EvalFLOPs float64
	// HashRate is the node's hash rate in H/s (PoW runs with attackers
	// only; NaN when the column is absent).
	HashRate float64
}

// FaultRow is one row of faults.csv (runs with [[fault]] tables): a
// window of a fault, its messages lost, and for a cut that healed the
// seconds until the honest online nodes agreed on one tip.
type FaultRow struct {
	Fault, Kind  string
	StartS, EndS float64 // EndS NaN: the window never ends
	Node         int64   // the crashed node, -1 for a link fault
	Nodes        float64
	Sides, State string
	MessagesLost float64
	ConvergeS    float64 // NaN: not a healed cut, or no agreement
}

// Names of the files of a run directory.
const (
	SummaryFile     = "summary.json"
	ScenarioFile    = "scenario.toml"
	BlocksFile      = "blocks.csv"
	PropagationFile = "propagation.csv"
	NodesFile       = "nodes.csv"
	EnergyFile      = "energy.csv"
	ThresholdFile   = "threshold.csv"
	StorageFile     = "storage.csv"
	ProofsFile      = "proofs.csv"
	RetrievalsFile  = "retrievals.csv"
	ComputeFile     = "compute.csv"
	FaultsFile      = "faults.csv"
)

// Run is a loaded run directory.
type Run struct {
	Dir         string
	Summary     Summary
	Scenario    []byte // scenario.toml verbatim, nil when absent
	Blocks      []Block
	Propagation []Arrival
	Nodes       []Node
	Energy      []EnergySample
	Threshold   []ThresholdRow
	Storage     []StorageSample
	Proofs      []Proof
	Retrievals  []Retrieval
	Compute     []ComputeRow
	Faults      []FaultRow
	// Problems and Txs are problems.csv and transactions.csv (runs with
	// [[workload]] tables).
	Problems []ProblemRow
	Txs      []TxRow
	Spam     []SpamRow // spam.csv (nil without spammers)
	// Missing lists the optional files that were absent, in load order
	// (proofs.csv and retrievals.csv only in runs with storage.csv,
	// compute.csv only in Coin.AI runs, faults.csv only in runs whose
	// summary has the fault keys).
	Missing []string
}

// Has reports whether the optional file name was present.
func (r *Run) Has(name string) bool { return !slices.Contains(r.Missing, name) }

// Label names the run in legends and tables: "scenario seed N" when the
// summary names them, else the directory's base name.
func (r *Run) Label() string {
	if r.Summary.Scenario != "" {
		return fmt.Sprintf("%s seed %d", r.Summary.Scenario, r.Summary.Seed)
	}
	return filepath.Base(r.Dir)
}

// Load reads the run directory dir. summary.json must exist; other files are
// optional. Errors wrap *FormatError for malformed content and fs errors
// (test with errors.Is(err, fs.ErrNotExist)) for unreadable files.
func Load(dir string) (*Run, error) {
	r := &Run{Dir: dir}
	data, err := os.ReadFile(filepath.Join(dir, SummaryFile))
	if err != nil {
		return nil, fmt.Errorf("loading run %s: %w", dir, err)
	}
	if r.Summary, err = ParseSummary(data); err != nil {
		return nil, fmt.Errorf("loading run %s: %w", dir, err)
	}
	r.Scenario, err = os.ReadFile(filepath.Join(dir, ScenarioFile))
	if errors.Is(err, fs.ErrNotExist) {
		r.Missing = append(r.Missing, ScenarioFile)
	} else if err != nil {
		return nil, fmt.Errorf("loading run %s: %w", dir, err)
	}
	for _, f := range []struct {
		name string
		load func(*table) error
		req  []string
	}{
		{BlocksFile, r.loadBlocks, []string{"height", "id", "found_s", "main"}},
		{PropagationFile, r.loadPropagation, []string{"block", "node", "arrival_s"}},
		{NodesFile, r.loadNodes, []string{"node"}},
		{EnergyFile, r.loadEnergy, []string{"time_s", "hardware", "energy_j"}},
		{ThresholdFile, r.loadThreshold, []string{"height", "threshold"}},
		{StorageFile, r.loadStorage, []string{"time_s"}},
	} {
		if err := loadCSV(dir, f.name, f.req, f.load); errors.Is(err, fs.ErrNotExist) {
			r.Missing = append(r.Missing, f.name)
		} else if err != nil {
			return nil, fmt.Errorf("loading run %s: %w", dir, err)
		}
	}
	// The outcomes behind the storage counts, expected with storage.csv.
	for _, f := range []struct {
		name string
		load func(*table) error
		req  []string
	}{
		{ProofsFile, r.loadProofs, []string{"block", "outcome"}},
		{RetrievalsFile, r.loadRetrievals, []string{"outcome"}},
	} {
		if err := loadCSV(dir, f.name, f.req, f.load); errors.Is(err, fs.ErrNotExist) {
			if r.Has(StorageFile) {
				r.Missing = append(r.Missing, f.name)
			}
		} else if err != nil {
			return nil, fmt.Errorf("loading run %s: %w", dir, err)
		}
	}
	// Per-node compute, written for Coin.AI runs (since issue #13).
	if err := loadCSV(dir, ComputeFile, []string{"node"}, r.loadCompute); errors.Is(err, fs.ErrNotExist) {
		if r.Summary.Protocol == "coinai" {
			r.Missing = append(r.Missing, ComputeFile)
		}
	} else if err != nil {
		return nil, fmt.Errorf("loading run %s: %w", dir, err)
	}
	if err := r.loadMarket(dir); err != nil {
		return nil, err
	}
	if err := r.loadSpamFile(dir); err != nil {
		return nil, fmt.Errorf("loading run %s: %w", dir, err)
	}
	// Fault windows, written for runs with [[fault]] tables.
	if err := loadCSV(dir, FaultsFile, []string{"kind", "start_s"}, r.loadFaults); errors.Is(err, fs.ErrNotExist) {
		if r.Summary.Has("messages_lost") {
			r.Missing = append(r.Missing, FaultsFile)
		}
	} else if err != nil {
		return nil, fmt.Errorf("loading run %s: %w", dir, err)
	}
	return r, nil
}

func (r *Run) loadFaults(t *table) error {
	return rows(t, func() error {
		var f FaultRow
		var err error
		f.Fault, f.Kind, f.Sides, f.State = t.str("fault"), t.str("kind"), t.str("sides"), t.str("state")
		if f.StartS, err = t.reqFloat("start_s"); err != nil {
			return err
		}
		if f.Node, err = t.int("node", -1); err != nil {
			return err
		}
		if err := floats(t, []string{"end_s", "nodes", "messages_lost", "converge_s"},
			&f.EndS, &f.Nodes, &f.MessagesLost, &f.ConvergeS); err != nil {
			return err
		}
		r.Faults = append(r.Faults, f)
		return nil
	})
}

// Attackers reports, per node index, whether compute.csv names an
// attacker role for it; nil when the run has no compute.csv.
func (r *Run) Attackers() map[int64]string {
	if !r.Has(ComputeFile) || r.Compute == nil {
		return nil
	}
	out := map[int64]string{}
	for _, c := range r.Compute {
		if c.Attack != "" {
			out[c.Node] = c.Attack
		}
	}
	return out
}

func (r *Run) loadCompute(t *table) error {
	return rows(t, func() error {
		var c ComputeRow
		var err error
		if c.Node, err = t.reqInt("node"); err != nil {
			return err
		}
		c.Attack = t.str("attack")
		if err := floats(t, []string{"flops", "train_flops", "eval_flops"}, &c.FLOPS, &c.TrainFLOPs, &c.EvalFLOPs); err != nil {
			return err
		}
		if c.HashRate, err = t.float("hashrate"); err != nil {
			return err
		}
		r.Compute = append(r.Compute, c)
		return nil
	})
}

func loadCSV(dir, name string, required []string, load func(*table) error) error {
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		return err
	}
	defer f.Close()
	t, err := newTable(name, bufio.NewReaderSize(f, 1<<16), required...)
	if err != nil {
		return err
	}
	return load(t)
}

// rows calls row for each data row of t.
func rows(t *table, row func() error) error {
	for {
		ok, err := t.next()
		if err != nil || !ok {
			return err
		}
		if err := row(); err != nil {
			return err
		}
	}
}

// floats fills the destinations from the optional numeric columns.
func floats(t *table, cols []string, dst ...*float64) error {
	for i, c := range cols {
		v, err := t.float(c)
		if err != nil {
			return err
		}
		*dst[i] = v
	}
	return nil
}

func (r *Run) loadBlocks(t *table) error {
	return rows(t, func() error {
		var b Block
		var err error
		if b.Height, err = t.reqInt("height"); err != nil {
			return err
		}
		if b.ID, err = t.hexID("id", false); err != nil {
			return err
		}
		if b.Parent, err = t.hexID("parent", true); err != nil {
			return err
		}
		if b.Miner, err = t.int("miner", -1); err != nil {
			return err
		}
		if b.FoundS, err = t.reqFloat("found_s"); err != nil {
			return err
		}
		m := t.str("main")
		if b.Main, err = strconv.ParseBool(m); err != nil {
			return t.errAt("main", fmt.Errorf("want 1 or 0, got %q", m))
		}
		if err := floats(t, []string{"size_bytes", "interval_s", "prop_p50_s", "prop_p90_s", "prop_100_s",
			"difficulty", "threshold", "accuracy", "attempts", "energy_j",
			"arrivals", "nodes_online", "arrival_delay_weighted_s", "catchup_nodes", "catchup_mean_s"},
			&b.SizeBytes, &b.IntervalS, &b.PropP50S, &b.PropP90S, &b.Prop100S,
			&b.Difficulty, &b.Threshold, &b.Accuracy, &b.Attempts, &b.EnergyJ,
			&b.Arrivals, &b.NodesOnline, &b.ArrivalDelayWeightedS, &b.CatchupNodes, &b.CatchupMeanS); err != nil {
			return err
		}
		r.Blocks = append(r.Blocks, b)
		return nil
	})
}

func (r *Run) loadPropagation(t *table) error {
	intern := map[string]string{} // one string per block id, not per row
	return rows(t, func() error {
		var a Arrival
		id, err := t.hexID("block", false)
		if err != nil {
			return err
		}
		if s, ok := intern[id]; ok {
			a.Block = s
		} else {
			intern[id] = id
			a.Block = id
		}
		if a.Node, err = t.reqInt("node"); err != nil {
			return err
		}
		if a.ArrivalS, err = t.reqFloat("arrival_s"); err != nil {
			return err
		}
		r.Propagation = append(r.Propagation, a)
		return nil
	})
}

func (r *Run) loadNodes(t *table) error {
	return rows(t, func() error {
		var n Node
		var err error
		if n.Node, err = t.reqInt("node"); err != nil {
			return err
		}
		n.Region, n.Hardware, n.Role = t.str("region"), t.str("hardware"), t.str("role")
		if err := floats(t, []string{"blocks_won", "blocks_main", "reward", "reward_block", "reward_fees",
			"reward_storage", "energy_j", "busy_s", "bytes_sent", "bytes_recv",
			"attempts_completed", "attempts_cancelled", "verify_cache_hits", "messages_sent",
			"reorgs", "reorg_max_depth", "rejected", "storage_bytes", "storage_bytes_sent", "storage_bytes_recv"},
			&n.BlocksWon, &n.BlocksMain, &n.Reward, &n.RewardBlock, &n.RewardFees,
			&n.RewardStorage, &n.EnergyJ, &n.BusyS, &n.BytesSent, &n.BytesRecv,
			&n.AttemptsCompleted, &n.AttemptsCancelled, &n.VerifyCacheHits, &n.MessagesSent,
			&n.Reorgs, &n.ReorgMaxDepth, &n.Rejected, &n.StorageBytes, &n.StorageBytesSent, &n.StorageBytesRecv); err != nil {
			return err
		}
		n.StorageCheat = t.str("storage_cheat")
		r.Nodes = append(r.Nodes, n)
		return nil
	})
}

func (r *Run) loadEnergy(t *table) error {
	return rows(t, func() error {
		var e EnergySample
		var err error
		if e.TimeS, err = t.reqFloat("time_s"); err != nil {
			return err
		}
		e.Hardware = t.str("hardware")
		if e.EnergyJ, err = t.reqFloat("energy_j"); err != nil {
			return err
		}
		r.Energy = append(r.Energy, e)
		return nil
	})
}

func (r *Run) loadThreshold(t *table) error {
	return rows(t, func() error {
		var th ThresholdRow
		var err error
		if th.Height, err = t.reqInt("height"); err != nil {
			return err
		}
		if th.Threshold, err = t.reqFloat("threshold"); err != nil {
			return err
		}
		if th.IntervalS, err = t.float("interval_s"); err != nil {
			return err
		}
		r.Threshold = append(r.Threshold, th)
		return nil
	})
}

func (r *Run) loadStorage(t *table) error {
	return rows(t, func() error {
		var s StorageSample
		var err error
		if s.TimeS, err = t.reqFloat("time_s"); err != nil {
			return err
		}
		if err := floats(t, []string{"models", "available", "replicas_alive", "proofs_valid", "proofs_missed", "height"},
			&s.Models, &s.Available, &s.ReplicasAlive, &s.ProofsValid, &s.ProofsMissed, &s.Height); err != nil {
			return err
		}
		for k := 1; ; k++ {
			col := "available_k" + strconv.Itoa(k)
			if _, ok := t.cols[col]; !ok {
				break
			}
			v, err := t.float(col)
			if err != nil {
				return err
			}
			s.AvailableK = append(s.AvailableK, v)
		}
		r.Storage = append(r.Storage, s)
		return nil
	})
}

func (r *Run) loadProofs(t *table) error {
	return rows(t, func() error {
		var p Proof
		var err error
		if p.Block, err = t.hexID("block", false); err != nil {
			return err
		}
		if p.Height, err = t.int("height", -1); err != nil {
			return err
		}
		p.Main = t.str("main") == "1"
		if p.Holder, err = t.int("holder", -1); err != nil {
			return err
		}
		if p.Model, err = t.hexID("model", true); err != nil {
			return err
		}
		p.Outcome = t.str("outcome")
		if p.Successor, err = t.int("successor", -1); err != nil {
			return err
		}
		r.Proofs = append(r.Proofs, p)
		return nil
	})
}

func (r *Run) loadRetrievals(t *table) error {
	return rows(t, func() error {
		var x Retrieval
		var err error
		if x.TimeS, err = t.float("time_s"); err != nil {
			return err
		}
		if x.Node, err = t.int("node", -1); err != nil {
			return err
		}
		if x.Model, err = t.hexID("model", true); err != nil {
			return err
		}
		x.Outcome = t.str("outcome")
		if err := floats(t, []string{"seconds", "bytes"}, &x.Seconds, &x.Bytes); err != nil {
			return err
		}
		r.Retrievals = append(r.Retrievals, x)
		return nil
	})
}

// finite appends v to dst when it is a number.
func finite(dst []float64, v float64) []float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return dst
	}
	return append(dst, v)
}
