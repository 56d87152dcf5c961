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

// StorageSample is one row of storage.csv (proof-of-storage runs).
type StorageSample struct {
	TimeS                     float64
	Models, Available         float64
	ReplicasAlive             float64
	ProofsValid, ProofsMissed float64
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
	// Missing lists the optional files that were absent, in load order.
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
	return r, nil
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
			"difficulty", "threshold", "accuracy", "attempts", "energy_j"},
			&b.SizeBytes, &b.IntervalS, &b.PropP50S, &b.PropP90S, &b.Prop100S,
			&b.Difficulty, &b.Threshold, &b.Accuracy, &b.Attempts, &b.EnergyJ); err != nil {
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
			"reward_storage", "energy_j", "busy_s", "bytes_sent", "bytes_recv"},
			&n.BlocksWon, &n.BlocksMain, &n.Reward, &n.RewardBlock, &n.RewardFees,
			&n.RewardStorage, &n.EnergyJ, &n.BusyS, &n.BytesSent, &n.BytesRecv); err != nil {
			return err
		}
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
		if err := floats(t, []string{"models", "available", "replicas_alive", "proofs_valid", "proofs_missed"},
			&s.Models, &s.Available, &s.ReplicasAlive, &s.ProofsValid, &s.ProofsMissed); err != nil {
			return err
		}
		r.Storage = append(r.Storage, s)
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
