package runtest

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"strconv"
)

// market is a synthetic problem market: problems.csv and transactions.csv
// rows in the simulator's format (scenarios/results/market.go) and the
// summary keys they recompute to.
type market struct {
	problems, txs [][]string
}

// newMarket draws about one submission per 20 s of the run's first 80%:
// a fifth problems on digits, iris or wine with a reward uniform in
// [1, 3] coins and a 15-minute deadline, the rest transfers. A problem waits
// an exponential time whose mean shrinks with its reward (the fee rule);
// one that would wait past its deadline is refunded, and one whose
// deadline is past the run's end is still open. It uses its own random
// stream, so that runs without a market keep their bytes.
func newMarket(c Config, end float64, sum map[string]any) *market {
	rng := rand.New(rand.NewPCG(c.Seed, 0x3A4B))
	m := &market{
		problems: [][]string{{"id", "workload", "account", "home", "dataset", "reward", "submitted_s", "deadline_s", "included_s", "solved_s",
			"refunded_s", "status", "wait_s", "miner", "delivered", "delivered_s", "retrieval_s", "accuracy", "retrieved_bytes"}},
		txs: [][]string{{"id", "kind", "workload", "from", "to", "amount", "fee", "submitted_s", "confirmed_s", "confirm_s", "height"}},
	}
	datasets := []string{"digits", "iris", "wine"}
	const deadline = 900.0
	var submitted, solved, refunded, transfers, fees, waitSum float64
	var waits, confirms []float64
	n := 0
	for t := rng.ExpFloat64() * 20; t < 0.8*end; t += rng.ExpFloat64() * 20 {
		n++
		id := strconv.FormatUint(rng.Uint64()|1<<63, 16)
		from := rng.IntN(50)
		confirm := 5 + rng.ExpFloat64()*15
		height := strconv.Itoa(1 + int(t/60))
		if rng.Float64() < 0.2 {
			submitted++
			reward := 1 + 2*rng.Float64()
			ds := datasets[rng.IntN(len(datasets))]
			wait := confirm + rng.ExpFloat64()*400/reward
			inc := t + confirm
			row := []string{id, "users", strconv.Itoa(from), strconv.Itoa(from % c.Nodes), ds, mf(reward), fs(t), fs(t + deadline), fs(inc)}
			switch {
			case t+deadline > end && wait > end-t:
				row = append(row, "", "", "open", "", "", "0", "", "", "", "")
			case wait > deadline:
				refunded++
				row = append(row, "", fs(t+deadline), "refunded", "", "", "0", "", "", "", "")
			default:
				solved++
				fees += reward
				waits = append(waits, wait)
				waitSum += wait
				acc := 0.85 + 0.1*rng.Float64()
				row = append(row, fs(t+wait), "", "solved", fs(wait), strconv.Itoa(rng.IntN(c.Nodes)), "1", fs(t+wait+2), "2.000000", mf(acc), "4096")
			}
			m.problems = append(m.problems, row)
			m.txs = append(m.txs, []string{id, "problem", "users", strconv.Itoa(from), "", "", "0.001", fs(t), fs(inc), fs(confirm), height})
			confirms = append(confirms, confirm)
			continue
		}
		fee := 0.0005 + 0.001*rng.Float64()
		if t+confirm > end {
			m.txs = append(m.txs, []string{id, "transfer", "users", strconv.Itoa(from), strconv.Itoa(rng.IntN(50)), mf(2), mf(fee), fs(t), "", "", ""})
			continue
		}
		transfers++
		fees += fee
		confirms = append(confirms, confirm)
		m.txs = append(m.txs, []string{id, "transfer", "users", strconv.Itoa(from), strconv.Itoa(rng.IntN(50)), mf(2), mf(fee), fs(t), fs(t + confirm), fs(confirm), height})
	}
	sum["problems_submitted"], sum["problems_solved"], sum["problems_refunded"] = submitted, solved, refunded
	sum["models_delivered"], sum["transfers_confirmed"], sum["reward_fees"] = solved, transfers, fees
	sum["problem_wait_mean_s"], sum["problem_wait_p90_s"] = nanNil(waitSum/solved), nanNil(q7(waits, 0.9))
	sum["tx_confirm_p50_s"] = nanNil(q7(confirms, 0.5))
	return m
}

func nanNil(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

// fs formats seconds as the simulator's CSVs do.
func fs(v float64) string { return strconv.FormatFloat(v, 'f', 6, 64) }

func (m *market) write(dir string, omit func(string) bool) error {
	for _, f := range []struct {
		name string
		rows [][]string
	}{{"problems.csv", m.problems}, {"transactions.csv", m.txs}} {
		if omit(f.name) {
			continue
		}
		if err := writeFile(filepath.Join(dir, f.name), f.rows, nil); err != nil {
			return err
		}
	}
	return nil
}

func mf(v float64) string { return strconv.FormatFloat(v, 'g', 10, 64) }
