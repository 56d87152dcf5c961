package scenarios

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// WorkloadSpec is one [[workload]] table: a population of user accounts,
// funded at genesis, that submit signed transactions (transfers between
// accounts and problems for miners to solve) to the nodes. Users arrive as
// a Poisson process (kind "poisson": Rate, drawn from the named random
// stream) or at the times of a trace file (kind "trace": File). Coin.AI
// only for now.
type WorkloadSpec struct {
	// Name labels the population in outputs and names its random stream
	// ("workload/<name>"); unique among the [[workload]] tables.
	Name string `toml:"name"`
	// Kind is "poisson" or "trace".
	Kind string `toml:"kind"`
	// Accounts is the number of user accounts; each is funded with Fund
	// coins at genesis and has its client beside one node (drawn).
	Accounts int `toml:"accounts"`
	// Fund is the coins each account holds at genesis.
	Fund float64 `toml:"fund"`
	// Rate is the arrival rate of submissions, all accounts together
	// (poisson), e.g. "30/m".
	Rate Frequency `toml:"rate"`
	// Start and Until bound the submission times (poisson: arrivals are
	// drawn in [Start, Until); trace: rows outside are an error). Until is
	// required, so that every deadline can pass before the run ends.
	Start Duration `toml:"start"`
	Until Duration `toml:"until"`
	// ProblemShare is the fraction of arrivals that are problem
	// submissions (poisson); the rest are transfers.
	ProblemShare float64 `toml:"problem_share"`
	// Amount is the mean transfer amount in coins (poisson: exponential).
	Amount float64 `toml:"amount"`
	// Fee is the mean transfer fee in coins (poisson: uniform in
	// [Fee/2, 3Fee/2]).
	Fee float64 `toml:"fee"`
	// Reward is the mean problem reward in coins, the fee the ledger
	// escrows until a block solves the problem (poisson: uniform in
	// [Reward/2, 3Reward/2]).
	Reward float64 `toml:"reward"`
	// Deadline is how long after its submission a problem may wait to be
	// picked before the ledger refunds its reward.
	Deadline Duration `toml:"deadline"`
	// Datasets are the data sets problems name, drawn uniformly
	// (poisson): "digits", "iris", "wine", "fashion-mnist" (the first
	// 1000 images of its test partition; needs dataset-fashion-mnist).
	Datasets []string `toml:"datasets"`
	// File is the trace (kind "trace"), a CSV file relative to the
	// scenario's directory with the header
	// time_s,kind,from,to,amount,fee,dataset,deadline_s and one row per
	// submission: kind "transfer" (from, to: account indices; amount and
	// fee in coins; dataset and deadline_s empty) or "problem" (from;
	// fee is the reward; to and amount empty; dataset; deadline_s after
	// time_s).
	File string `toml:"file"`
}

// WorkloadKinds are the arrival processes of a [[workload]].
var WorkloadKinds = []string{"poisson", "trace"}

// WorkloadDatasets are the data sets a problem may name. fashion-mnist is
// read from the Debian package dataset-fashion-mnist at build time (an
// error naming the key, with the install command, where it is absent).
var WorkloadDatasets = []string{"digits", "iris", "wine", "fashion-mnist"}

// ProblemPicks are the values of coinai.problem_pick (the ledger's rules).
var ProblemPicks = []string{"fee", "age", "hash-draw"}

// maxWorkloadAccounts and maxWorkloadTxs bound a workload, so that a typo
// cannot make the build sign a billion transactions.
const (
	maxWorkloadAccounts = 1_000_000
	maxWorkloadTxs      = 1_000_000
)

// TraceRow is one submission of a trace file.
type TraceRow struct {
	Line     int // in the file, for messages
	At       Duration
	Kind     string // "transfer" or "problem"
	From, To int
	Amount   float64 // coins (transfer)
	Fee      float64 // coins: the fee, or a problem's reward
	Dataset  string
	Deadline Duration // relative to At (problem)
}

// traceHeader is the trace file's required header.
var traceHeader = []string{"time_s", "kind", "from", "to", "amount", "fee", "dataset", "deadline_s"}

// TracePath is where a workload's trace file is: File relative to the
// scenario's directory, unless absolute.
func (s *Scenario) TracePath(w WorkloadSpec) string {
	if filepath.IsAbs(w.File) || s.File == "" {
		return w.File
	}
	return filepath.Join(filepath.Dir(s.File), w.File)
}

// ReadTrace reads and checks a trace file for a workload of the given
// account count; errors name the file and line.
func ReadTrace(path string, accounts int) ([]TraceRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading trace: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = len(traceHeader)
	hdr, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s:1: reading header: %w", path, err)
	}
	if !slices.Equal(hdr, traceHeader) {
		return nil, fmt.Errorf("%s:1: header %q, want %q", path, strings.Join(hdr, ","), strings.Join(traceHeader, ","))
	}
	var rows []TraceRow
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if len(rows) >= maxWorkloadTxs {
			return nil, fmt.Errorf("%s:%d: more than %d rows", path, line, maxWorkloadTxs)
		}
		row, err := traceRow(rec, accounts)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		row.Line = line
		if n := len(rows); n > 0 && row.At < rows[n-1].At {
			return nil, fmt.Errorf("%s:%d: time_s %v is before the row above (%v): rows must be in time order", path, line, row.At, rows[n-1].At)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func traceRow(rec []string, accounts int) (TraceRow, error) {
	var row TraceRow
	num := func(col string, v string) (float64, error) {
		x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
			return 0, fmt.Errorf("%s %q: want a non-negative number", col, v)
		}
		return x, nil
	}
	acct := func(col, v string) (int, error) {
		i, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || i < 0 || i >= accounts {
			return 0, fmt.Errorf("%s %q: want an account index 0..%d", col, v, accounts-1)
		}
		return i, nil
	}
	t, err := num("time_s", rec[0])
	if err != nil {
		return row, err
	}
	row.At = Duration(math.Round(t * 1e9))
	row.Kind = strings.TrimSpace(rec[1])
	if row.From, err = acct("from", rec[2]); err != nil {
		return row, err
	}
	if row.Fee, err = num("fee", rec[5]); err != nil {
		return row, err
	}
	switch row.Kind {
	case "transfer":
		if row.To, err = acct("to", rec[3]); err != nil {
			return row, err
		}
		if row.Amount, err = num("amount", rec[4]); err != nil {
			return row, err
		}
		if row.Amount <= 0 {
			return row, fmt.Errorf("amount %q: a transfer moves a positive amount", rec[4])
		}
		if strings.TrimSpace(rec[6]) != "" || strings.TrimSpace(rec[7]) != "" {
			return row, fmt.Errorf("dataset and deadline_s apply to problems only")
		}
	case "problem":
		if strings.TrimSpace(rec[3]) != "" || strings.TrimSpace(rec[4]) != "" {
			return row, fmt.Errorf("to and amount apply to transfers only")
		}
		row.Dataset = strings.TrimSpace(rec[6])
		if !slices.Contains(WorkloadDatasets, row.Dataset) {
			return row, fmt.Errorf("dataset %q is not one of %s", row.Dataset, quoteAll(WorkloadDatasets))
		}
		d, err := num("deadline_s", rec[7])
		if err != nil {
			return row, err
		}
		if d <= 0 {
			return row, fmt.Errorf("deadline_s %q: want a positive time after time_s", rec[7])
		}
		row.Deadline = Duration(math.Round(d * 1e9))
		if row.Fee <= 0 {
			return row, fmt.Errorf("fee %q: a problem's reward must be positive", rec[5])
		}
	default:
		return row, fmt.Errorf("kind %q: want \"transfer\" or \"problem\"", rec[1])
	}
	return row, nil
}

// workloads checks every [[workload]] table and coinai.problem_pick.
func (v *validator) workloads() {
	s := v.s
	if s.CoinAI.ProblemPick != "" {
		v.oneOf("coinai.problem_pick", s.CoinAI.ProblemPick, ProblemPicks)
	}
	names := map[string]int{}
	for i, w := range s.Workload {
		key := fmt.Sprintf("workload.%d", i)
		pow := s.Run.Protocol == "pow"
		if !pow && s.Run.Protocol != "coinai" {
			v.add(key, "workloads run under protocols \"coinai\" and \"pow\" only")
			return
		}
		if pow {
			v.powWorkload(key, w)
		}
		if w.Name == "" {
			v.add(key+".name", "missing: a [[workload]] needs a name (it names its random stream)")
		} else if j, dup := names[w.Name]; dup {
			v.add(key+".name", "duplicate workload name %q (workload %d has it)", w.Name, j)
		}
		names[w.Name] = i
		if !slices.Contains(WorkloadKinds, w.Kind) {
			v.oneOf(key+".kind", w.Kind, WorkloadKinds)
			continue
		}
		if w.Accounts < 1 || w.Accounts > maxWorkloadAccounts {
			v.add(key+".accounts", "%d: want 1..%d", w.Accounts, maxWorkloadAccounts)
		}
		v.inRange(key+".fund", w.Fund, 0, 1e9, true)
		v.nonNegative(key+".start", float64(w.Start), w.Start)
		if w.Until <= w.Start {
			v.add(key+".until", "%v: set until after start = %v (submissions stop then, so that every deadline passes before the run ends)", w.Until, w.Start)
		}
		if s.Run.StopTime > 0 && w.Until >= s.Run.StopTime {
			v.add(key+".until", "%v is not before run.stop_time = %v", w.Until, s.Run.StopTime)
		}
		switch w.Kind {
		case "poisson":
			if w.File != "" {
				v.add(key+".file", "applies to kind \"trace\" only")
			}
			if r := float64(w.Rate); !(r > 0) || math.IsInf(r, 0) {
				v.add(key+".rate", "%v: a poisson workload needs a positive rate, like \"30/m\"", w.Rate)
			} else if n := r / 3600 * (w.Until - w.Start).Seconds(); n > maxWorkloadTxs {
				v.add(key+".rate", "%v over %v is about %.3g submissions, more than the %d supported", w.Rate, w.Until-w.Start, n, maxWorkloadTxs)
			}
			v.inRange(key+".problem_share", w.ProblemShare, 0, 1, false)
			if w.ProblemShare < 1 {
				v.inRange(key+".amount", w.Amount, 0, 1e9, true)
				if w.Accounts < 2 {
					v.add(key+".accounts", "transfers need at least 2 accounts (or problem_share = 1)")
				}
			}
			v.inRange(key+".fee", w.Fee, 0, 1e9, false)
			if w.ProblemShare > 0 {
				v.inRange(key+".reward", w.Reward, 0, 1e9, true)
				if !(w.Deadline > 0) {
					v.add(key+".deadline", "%v: problems need a positive deadline", w.Deadline)
				}
				if len(w.Datasets) == 0 {
					v.add(key+".datasets", "missing: problems need at least one data set of %s", quoteAll(WorkloadDatasets))
				}
				for j, d := range w.Datasets {
					v.oneOf(fmt.Sprintf("%s.datasets.%d", key, j), d, WorkloadDatasets)
				}
			}
		case "trace":
			if w.File == "" {
				v.add(key+".file", "missing: a trace workload needs file = \"trace.csv\"")
				continue
			}
			if w.Accounts < 1 {
				continue
			}
			rows, err := ReadTrace(s.TracePath(w), w.Accounts)
			if err != nil {
				v.add(key+".file", "%v", err)
				continue
			}
			for _, r := range rows {
				if r.At < w.Start || r.At >= w.Until {
					v.add(key+".file", "%s:%d: time_s %v outside [start, until) = [%v, %v)", s.TracePath(w), r.Line, r.At, w.Start, w.Until)
					break
				}
			}
		}
	}
}
