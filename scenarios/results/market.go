package results

import (
	"strconv"

	"github.com/coinai/coinai/scenarios/observe"
)

// problemsCSV is problems.csv: one row per submitted problem, in submission
// order. Times are virtual seconds (empty: did not happen); status is
// solved, refunded, open (escrowed at the end) or pending (never
// included); wait_s is solved_s - submitted_s; delivered_via is how the
// delivered model came (peer, storage or storage-local) and
// retrievable_at_end (runs with [storage], solved problems) whether the
// storage nodes online at the end keep it in full.
func problemsCSV(m *observe.MarketResult) []byte {
	b := []byte("id,workload,account,home,dataset,reward,submitted_s,deadline_s,included_s,solved_s,refunded_s,status,wait_s,miner," +
		"delivered,delivered_s,retrieval_s,accuracy,retrieved_bytes,delivered_via,retrievable_at_end\n")
	for i := range m.Problems {
		p := &m.Problems[i]
		miner := ""
		if p.Miner >= 0 {
			miner = strconv.Itoa(int(p.Miner))
		}
		delivered := "0"
		if p.Delivered {
			delivered = "1"
		}
		bytes := ""
		if p.Delivered {
			bytes = strconv.Itoa(p.Bytes)
		}
		retrievable := ""
		if p.Checked {
			retrievable = "0"
			if p.RetrievableAtEnd {
				retrievable = "1"
			}
		}
		b = appendRow(b, p.ID, p.Workload, strconv.Itoa(p.Account), strconv.Itoa(int(p.Home)), p.Dataset, fnum(p.Reward),
			fsec(p.SubmittedS), fsec(p.DeadlineS), fsec(p.IncludedS), fsec(p.SolvedS), fsec(p.RefundedS), p.Status(), fsec(p.WaitS()),
			miner, delivered, fsec(p.DeliveredS), fsec(p.RetrievalS), fnum(p.Accuracy), bytes, p.Via, retrievable)
	}
	return b
}

// transactionsCSV is transactions.csv: one row per submitted transaction
// (transfers and problems), in submission order; confirmed_s and height
// are those of the main-chain block that included it (empty: none), and
// confirm_s is confirmed_s - submitted_s.
func transactionsCSV(m *observe.MarketResult) []byte {
	b := []byte("id,kind,workload,from,to,amount,fee,submitted_s,confirmed_s,confirm_s,height\n")
	for i := range m.Txs {
		t := &m.Txs[i]
		to, height := "", ""
		if t.To >= 0 {
			to = strconv.Itoa(t.To)
		}
		if t.Height > 0 {
			height = strconv.FormatInt(t.Height, 10)
		}
		amount := ""
		if t.Kind == "transfer" {
			amount = fnum(t.Amount)
		}
		b = appendRow(b, t.ID, t.Kind, t.Workload, strconv.Itoa(t.From), to, amount, fnum(t.Fee),
			fsec(t.SubmittedS), fsec(t.ConfirmedS), fsec(t.ConfirmS()), height)
	}
	return b
}

// fsec formats seconds as the CSVs do (6 decimals), empty for NaN.
func fsec(v float64) string {
	if v != v {
		return ""
	}
	return strconv.FormatFloat(v, 'f', 6, 64)
}

func appendRow(b []byte, fields ...string) []byte {
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, f...)
	}
	return append(b, '\n')
}
