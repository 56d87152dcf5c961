package rundata

import (
	"errors"
	"io/fs"
)

// Files of the problem market (runs with [[workload]] tables).
const (
	ProblemsFile     = "problems.csv"
	TransactionsFile = "transactions.csv"
)

// ProblemRow is one row of problems.csv: a problem a user submitted, what
// became of it on the final main chain, and its delivery to the submitter.
type ProblemRow struct {
	ID, Workload, Dataset, Status string
	Account, Home, Miner          int64 // Miner -1 when empty
	Reward                        float64
	SubmittedS, DeadlineS         float64
	IncludedS, SolvedS, RefundedS float64 // NaN: did not happen
	WaitS                         float64
	Delivered                     bool
	DeliveredS, RetrievalS        float64
	Accuracy, RetrievedBytes      float64
	// DeliveredVia is how the model came (peer, storage, storage-local;
	// empty: not delivered, or a file from before the column).
	DeliveredVia string
	// RetrievableAtEnd is 1 or 0 for a solved problem of a run with
	// proof-of-storage (the storage nodes online at the end keep its model
	// in full), NaN otherwise.
	RetrievableAtEnd float64
}

// TxRow is one row of transactions.csv: a transaction a user submitted and
// the main-chain block that included it (Height 0, ConfirmedS NaN: none).
type TxRow struct {
	ID, Kind, Workload     string
	From, To               int64 // To -1 for a problem
	Amount, Fee            float64
	SubmittedS, ConfirmedS float64
	ConfirmS               float64
	Height                 int64
}

// loadMarket reads problems.csv and transactions.csv, expected when the
// summary has the market keys.
func (r *Run) loadMarket(dir string) error {
	for _, f := range []struct {
		name string
		load func(*table) error
		req  []string
	}{
		{ProblemsFile, r.loadProblems, []string{"id", "status", "submitted_s"}},
		{TransactionsFile, r.loadTxs, []string{"id", "kind", "submitted_s"}},
	} {
		if err := loadCSV(dir, f.name, f.req, f.load); errors.Is(err, fs.ErrNotExist) {
			if r.Summary.Has("problems_submitted") {
				r.Missing = append(r.Missing, f.name)
			}
		} else if err != nil {
			return err
		}
	}
	return nil
}

func (r *Run) loadProblems(t *table) error {
	return rows(t, func() error {
		var p ProblemRow
		var err error
		if p.ID, err = t.hexID("id", false); err != nil {
			return err
		}
		p.Workload, p.Dataset, p.Status = t.str("workload"), t.str("dataset"), t.str("status")
		p.DeliveredVia = t.str("delivered_via")
		if p.Account, err = t.int("account", -1); err != nil {
			return err
		}
		if p.Home, err = t.int("home", -1); err != nil {
			return err
		}
		if p.Miner, err = t.int("miner", -1); err != nil {
			return err
		}
		var delivered float64
		if err := floats(t, []string{"reward", "submitted_s", "deadline_s", "included_s", "solved_s", "refunded_s", "wait_s",
			"delivered", "delivered_s", "retrieval_s", "accuracy", "retrieved_bytes", "retrievable_at_end"},
			&p.Reward, &p.SubmittedS, &p.DeadlineS, &p.IncludedS, &p.SolvedS, &p.RefundedS, &p.WaitS,
			&delivered, &p.DeliveredS, &p.RetrievalS, &p.Accuracy, &p.RetrievedBytes, &p.RetrievableAtEnd); err != nil {
			return err
		}
		p.Delivered = delivered == 1
		r.Problems = append(r.Problems, p)
		return nil
	})
}

func (r *Run) loadTxs(t *table) error {
	return rows(t, func() error {
		var x TxRow
		var err error
		if x.ID, err = t.hexID("id", false); err != nil {
			return err
		}
		x.Kind, x.Workload = t.str("kind"), t.str("workload")
		if x.From, err = t.int("from", -1); err != nil {
			return err
		}
		if x.To, err = t.int("to", -1); err != nil {
			return err
		}
		if x.Height, err = t.int("height", 0); err != nil {
			return err
		}
		if err := floats(t, []string{"amount", "fee", "submitted_s", "confirmed_s", "confirm_s"},
			&x.Amount, &x.Fee, &x.SubmittedS, &x.ConfirmedS, &x.ConfirmS); err != nil {
			return err
		}
		r.Txs = append(r.Txs, x)
		return nil
	})
}
