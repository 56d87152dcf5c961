package observe

import "github.com/coinai/coinai/analysis/stats"

// MarketResult is what the users of a [[workload]] got from the chain:
// every submission matched against the final main chain of a reference
// node, and the models the submitters retrieved. Times are virtual
// seconds; block times are the blocks' timestamps.
type MarketResult struct {
	// Reference is the node whose main chain was read: the honest node
	// with the highest tip (the lowest index among equals).
	Reference int32
	Problems  []ProblemRec
	Txs       []TxRec
	// RewardFees is the coins the main chain paid its miners in fees:
	// transfer fees and the escrowed rewards of the problems it solved.
	RewardFees float64
	// Refunded is the coins the main chain returned to submitters whose
	// problems passed their deadline unsolved.
	RefundedCoins float64
	// Storage is set when the run has proof-of-storage (the models'
	// retrievability at the end is checked).
	Storage bool
	// Skipped counts the draws the users' funds could not pay (not
	// submitted; see the workload fidelity note).
	Skipped int
}

// ProblemRec is one submitted problem (problems.csv).
type ProblemRec struct {
	ID       string
	Workload string
	Account  int
	Home     int32
	Dataset  string
	Reward   float64 // coins escrowed
	// SubmittedS is when the user's client submitted it; DeadlineS the
	// block time after which it is refunded.
	SubmittedS, DeadlineS float64
	// IncludedS, SolvedS and RefundedS are the timestamps of the main-chain
	// blocks that included, solved and refunded it (NaN: none).
	IncludedS, SolvedS, RefundedS float64
	// Miner is the node that mined the solving block (-1: none).
	Miner int32
	// Delivered: the submitter retrieved the solving block's model,
	// checked it and evaluated it; DeliveredS is when the evaluation
	// finished, RetrievalS the time from its request to then, Accuracy
	// the model's test accuracy and Bytes the block message retrieved.
	Delivered              bool
	DeliveredS, RetrievalS float64
	Accuracy               float64
	Bytes                  int
	// Via is how the model came (coinai.DeliveredFromPeer, ...; empty:
	// not delivered).
	Via string
	// Checked is set for a solved problem of a run with proof-of-storage,
	// and RetrievableAtEnd then says whether the storage nodes online at
	// the end that the final chain lists as its model's holders still keep
	// every chunk of it between them.
	Checked, RetrievableAtEnd bool
}

// Status is "solved", "refunded", "open" (still escrowed at the end) or
// "pending" (never included).
func (p *ProblemRec) Status() string {
	switch {
	case p.SolvedS == p.SolvedS: // not NaN
		return "solved"
	case p.RefundedS == p.RefundedS:
		return "refunded"
	case p.IncludedS == p.IncludedS:
		return "open"
	}
	return "pending"
}

// WaitS is the time from submission to the solving block (NaN unsolved).
func (p *ProblemRec) WaitS() float64 { return p.SolvedS - p.SubmittedS }

// TxRec is one submitted transaction (transactions.csv).
type TxRec struct {
	ID       string
	Kind     string // "transfer" or "problem"
	Workload string
	From, To int // account indices (To -1 for a problem)
	Amount   float64
	Fee      float64
	// SubmittedS is when the client submitted it; ConfirmedS the timestamp
	// of the main-chain block that included it (NaN: not included) and
	// Height that block's height (0: none).
	SubmittedS, ConfirmedS float64
	Height                 int64
}

// ConfirmS is the time from submission to inclusion (NaN if not included).
func (t *TxRec) ConfirmS() float64 { return t.ConfirmedS - t.SubmittedS }

// MarketSummary fills summary.json's market keys from m: counts, wait and
// confirmation statistics, fees and deliveries, exactly as recompute
// derives them from problems.csv and transactions.csv.
func MarketSummary(s *Summary, m *MarketResult) {
	if m == nil {
		return
	}
	var submitted, solved, refunded, delivered, confirmed int64
	var waits, confirms, retrievals []float64
	var retrievable int64
	for i := range m.Problems {
		p := &m.Problems[i]
		submitted++
		switch p.Status() {
		case "solved":
			solved++
			waits = append(waits, p.WaitS())
		case "refunded":
			refunded++
		}
		if p.Delivered {
			delivered++
			retrievals = append(retrievals, p.RetrievalS)
		}
		if p.Checked && p.RetrievableAtEnd {
			retrievable++
		}
	}
	for i := range m.Txs {
		t := &m.Txs[i]
		if t.Height == 0 {
			continue
		}
		confirms = append(confirms, t.ConfirmS())
		if t.Kind == "transfer" {
			confirmed++
		}
	}
	s.ProblemsSubmitted, s.ProblemsSolved, s.ProblemsRefunded = &submitted, &solved, &refunded
	s.TransfersConfirmed, s.ModelsDelivered = &confirmed, &delivered
	if delivered > 0 {
		s.EnergyPerModelDeliveredJ = ptr(s.EnergyJoules / float64(delivered))
	}
	fees := m.RewardFees
	s.RewardFees = &fees
	if len(waits) > 0 {
		s.ProblemWaitMeanS = ptr(stats.Mean(waits))
		s.ProblemWaitP90S = ptr(quantile(waits, 0.9))
	}
	if len(confirms) > 0 {
		s.TxConfirmP50S = ptr(quantile(confirms, 0.5))
	}
	outs := make([]stats.ProblemOutcome, len(m.Problems))
	for i := range m.Problems {
		p := &m.Problems[i]
		st := p.Status()
		outs[i] = stats.ProblemOutcome{Reward: p.Reward, Solved: st == "solved", Refunded: st == "refunded", WaitS: p.WaitS()}
		if st == "refunded" {
			outs[i].WaitS = p.RefundedS - p.SubmittedS
		}
	}
	f := stats.MarketFairness(outs)
	s.ProblemWaitMeanLowFeeS, s.ProblemWaitMeanHighFeeS = ptr(f.WaitMeanLow), ptr(f.WaitMeanHigh)
	s.ProblemWaitP90LowFeeS, s.ProblemWaitP90HighFeeS = ptr(f.WaitP90Low), ptr(f.WaitP90High)
	s.ProblemRefundShareLowFee, s.ProblemRefundShareHighFee = ptr(f.RefundShareLow), ptr(f.RefundShareHigh)
	s.ProblemWaitJain = ptr(f.WaitJain)
	if len(retrievals) > 0 {
		s.ModelRetrievalP50S = ptr(quantile(retrievals, 0.5))
	}
	if m.Storage {
		s.ModelsRetrievableAtEnd = &retrievable
	}
}

// quantile is stats.Quantile (type 7, as interval_p90_s).
func quantile(v []float64, q float64) float64 { return stats.Quantile(v, q) }
