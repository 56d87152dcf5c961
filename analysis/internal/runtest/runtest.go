// Package runtest writes small synthetic run directories in the format of
// DESIGN.md ("Run outputs") so that analysis can be tested and benchmarked
// without the simulator. The data are plausible, not simulated: block
// intervals are exponential (PoW) or shifted exponential (Coin.AI, where an
// attempt takes a minimum training time), miners are drawn in proportion to
// hardware speed, and propagation delays grow with hop count.
package runtest

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
)

// Config chooses the shape of a synthetic run.
type Config struct {
	Protocol string // "pow" or "coinai"
	Scenario string // scenario name written to summary.json
	Seed     uint64
	Nodes    int
	Blocks   int // main-chain blocks after genesis
	// Storage writes storage.csv and storage rewards (Coin.AI only).
	Storage bool
	// PropInBlocks fills blocks.csv's prop_* columns; otherwise they are
	// empty and analysis must compute them from propagation.csv.
	PropInBlocks bool
	// Homogeneous gives every node the same hardware class and busy time,
	// as in the quickstart scenarios (20 laptops that train all the time).
	Homogeneous bool
	// Market writes problems.csv, transactions.csv and the market's
	// summary keys (a run with a [[workload]]).
	Market bool
	// Omit lists files not to write (e.g. "energy.csv").
	Omit []string
}

type hw struct {
	name         string
	share, speed float64 // fraction of nodes, relative speed
	watts        float64
}

func classes(protocol string) []hw {
	if protocol == "pow" {
		return []hw{{"asic-s19", 0.1, 20, 3250}, {"gpu-rtx3090", 0.3, 2, 350}, {"cpu-epyc", 0.6, 0.2, 220}}
	}
	return []hw{{"gpu-a100", 0.1, 6, 400}, {"gpu-rtx3090", 0.3, 2.5, 350}, {"cpu-epyc", 0.6, 0.4, 220}}
}

// Write creates dir (if needed) and writes the run files into it.
func Write(dir string, c Config) error {
	if c.Nodes < 2 || c.Blocks < 1 {
		return fmt.Errorf("runtest: need at least 2 nodes and 1 block, got %d and %d", c.Nodes, c.Blocks)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(c.Seed, 0x5EED))
	coin := c.Protocol == "coinai"
	cls := classes(c.Protocol)
	if c.Homogeneous {
		cls = []hw{{"laptop-cpu", 1, 1, 45}}
	}

	// Nodes: hardware by share, regions round-robin.
	regions := []string{"eu-west", "us-east", "ap-south"}
	nodeHW := make([]int, c.Nodes)
	var totalSpeed float64
	for i := range nodeHW {
		u := (float64(i) + 0.5) / float64(c.Nodes)
		acc := 0.0
		for k, h := range cls {
			acc += h.share
			if u < acc || k == len(cls)-1 {
				nodeHW[i] = k
				break
			}
		}
		totalSpeed += cls[nodeHW[i]].speed
	}
	pickMiner := func() int {
		u := rng.Float64() * totalSpeed
		for i, k := range nodeHW {
			u -= cls[k].speed
			if u <= 0 {
				return i
			}
		}
		return c.Nodes - 1
	}

	type blk struct {
		height                           int
		id, parent                       string
		miner                            int
		found, interval                  float64
		main                             bool
		diff, thr, acc, attempts, energy float64
		arrivals                         []float64
	}
	id := func(h, k int) string {
		return fmt.Sprintf("%016x", uint64(h)*0x9E3779B97F4A7C15^uint64(k+1)*0xBF58476D1CE4E5B9^c.Seed)
	}
	var blocks []blk
	arrivals := func(miner int) []float64 {
		a := make([]float64, c.Nodes)
		for i := range a {
			if i == miner {
				continue
			}
			hops := 1 + rng.IntN(4)
			for range hops {
				a[i] += 0.05 + 0.25*rng.ExpFloat64()
			}
			if cls[nodeHW[i]].name == "cpu-epyc" {
				a[i] += 0.1 // slower validation
			}
		}
		return a
	}
	genesis := blk{height: 0, id: id(0, 0), miner: -1, main: true, interval: math.NaN(),
		diff: math.NaN(), thr: math.NaN(), acc: math.NaN(), attempts: math.NaN(), energy: math.NaN()}
	blocks = append(blocks, genesis)
	// Like the simulator: energy_j of a main-chain block is the energy all
	// nodes drew since its parent was found (empty for stale blocks);
	// attempts counts the training attempts completed network-wide since the
	// parent (0 for PoW, which samples block times instead of hashing); the
	// Coin.AI threshold moves in steps of 0.01 every 4 blocks towards the
	// target interval, and stale blocks carry threshold and accuracy too.
	var power float64
	for _, k := range nodeHW {
		power += cls[k].watts
	}
	t, diff, thr := 0.0, 1e12, 0.90
	target := 600.0
	if coin {
		target = 60
	}
	var window []float64
	stale := 0
	for h := 1; h <= c.Blocks; h++ {
		var gap float64
		if coin {
			gap = 5 + 55*rng.ExpFloat64()*math.Exp(40*(thr-0.9))
		} else {
			gap = target * rng.ExpFloat64()
		}
		t += gap
		b := blk{height: h, id: id(h, 0), parent: blocks[len(blocks)-1].id, miner: pickMiner(),
			found: t, interval: gap, main: true, diff: math.NaN(), thr: math.NaN(), acc: math.NaN()}
		b.energy = gap * power
		if !coin {
			diff *= math.Exp(0.05 * rng.NormFloat64())
			b.diff = diff
		} else {
			b.thr = thr
			b.acc = math.Min(1, thr+0.03*rng.Float64())
			b.attempts = float64(1 + int(gap/3*rng.Float64()))
			window = append(window, gap)
			if len(window) == 4 {
				switch m := mean(window); {
				case m < target/2:
					thr += 0.01
				case m > 2*target:
					thr -= 0.01
				}
				thr = math.Round(thr*1000) / 1000
				window = window[:0]
			}
		}
		b.arrivals = arrivals(b.miner)
		// A competing block found shortly after, at the same height, loses.
		if rng.Float64() < 0.04 {
			s := b
			s.id, s.main, s.miner = id(h, 1), false, pickMiner()
			s.energy = math.NaN()
			s.found = t + 0.5 + rng.Float64()
			s.interval = s.found - (t - gap)
			s.arrivals = arrivals(s.miner)
			for i := range s.arrivals {
				if i%3 == 0 && i != s.miner {
					s.arrivals[i] = math.NaN() // never reached a third of the nodes
				}
			}
			blocks = append(blocks, b, s)
			stale++
		} else {
			blocks = append(blocks, b)
		}
	}
	end := t + 60

	omit := func(name string) bool { return slices.Contains(c.Omit, name) }
	ff := func(v float64) string {
		if math.IsNaN(v) {
			return ""
		}
		return strconv.FormatFloat(v, 'g', 10, 64)
	}
	reach := func(a []float64) (p50, p90, p100 float64) {
		s := slices.DeleteFunc(slices.Clone(a), math.IsNaN)
		slices.Sort(s)
		at := func(f float64) float64 {
			k := int(math.Ceil(f * float64(c.Nodes)))
			if k > len(s) {
				return math.NaN()
			}
			return s[k-1]
		}
		return at(0.5), at(0.9), at(1)
	}

	// blocks.csv and propagation.csv
	var brows, prows [][]string
	brows = append(brows, []string{"height", "id", "parent", "miner", "found_s", "size_bytes", "main", "interval_s",
		"prop_p50_s", "prop_p90_s", "prop_100_s", "difficulty", "threshold", "accuracy", "attempts", "energy_j"})
	prows = append(prows, []string{"block", "node", "arrival_s"})
	var mainIntervals, p50s, p90s, p100s []float64
	var energyBlocks float64
	for _, b := range blocks {
		p50, p90, p100 := math.NaN(), math.NaN(), math.NaN()
		if b.arrivals != nil {
			p50, p90, p100 = reach(b.arrivals)
			p50s, p90s = append(p50s, p50), append(p90s, p90)
			if !math.IsNaN(p100) {
				p100s = append(p100s, p100)
			}
			for n, a := range b.arrivals {
				if !math.IsNaN(a) {
					prows = append(prows, []string{b.id, strconv.Itoa(n), ff(a)})
				}
			}
		}
		if !c.PropInBlocks {
			p50, p90, p100 = math.NaN(), math.NaN(), math.NaN()
		}
		miner := ""
		if b.miner >= 0 {
			miner = strconv.Itoa(b.miner)
		}
		main := "0"
		if b.main {
			main = "1"
			if b.height > 0 {
				mainIntervals = append(mainIntervals, b.interval)
			}
		}
		if !math.IsNaN(b.energy) {
			energyBlocks += b.energy
		}
		brows = append(brows, []string{strconv.Itoa(b.height), b.id, b.parent, miner, ff(b.found),
			strconv.Itoa(1000 + 100*b.height), main, ff(b.interval), ff(p50), ff(p90), ff(p100),
			ff(b.diff), ff(b.thr), ff(b.acc), ff(b.attempts), ff(b.energy)})
	}

	// nodes.csv
	won, mainWon := make([]int, c.Nodes), make([]int, c.Nodes)
	for _, b := range blocks {
		if b.miner >= 0 {
			won[b.miner]++
			if b.main {
				mainWon[b.miner]++
			}
		}
	}
	nrows := [][]string{{"node", "region", "hardware", "role", "blocks_won", "blocks_main", "reward", "reward_block",
		"reward_fees", "reward_storage", "energy_j", "busy_s", "bytes_sent", "bytes_recv"}}
	var rewards []float64
	for i := range c.Nodes {
		h := cls[nodeHW[i]]
		rb := 50 * float64(mainWon[i])
		fees := 0.3 * float64(mainWon[i]) * rng.Float64()
		rs := math.NaN()
		if c.Storage {
			rs = 0.02 * float64(c.Blocks) * (0.5 + rng.Float64())
		}
		busy := end
		if coin && !c.Homogeneous {
			busy = end * (0.6 + 0.3*rng.Float64())
		}
		total := rb + fees
		if !math.IsNaN(rs) {
			total += rs
		}
		rewards = append(rewards, total)
		role := "miner"
		if i%10 == 9 {
			role = "validator"
		}
		nrows = append(nrows, []string{strconv.Itoa(i), regions[i%len(regions)], h.name, role,
			strconv.Itoa(won[i]), strconv.Itoa(mainWon[i]), ff(total), ff(rb), ff(fees), ff(rs),
			ff(busy * h.watts), ff(busy), strconv.Itoa(200000 + rng.IntN(50000)), strconv.Itoa(200000 + rng.IntN(50000))})
	}

	// energy.csv: cumulative per class at each main block time and at the end.
	erows := [][]string{{"time_s", "hardware", "energy_j"}}
	watts := make([]float64, len(cls))
	for i := range c.Nodes {
		watts[nodeHW[i]] += cls[nodeHW[i]].watts
	}
	var energyTotal float64
	times := []float64{}
	for _, b := range blocks {
		if b.main && b.height > 0 {
			times = append(times, b.found)
		}
	}
	times = append(times, end)
	for _, ts := range times {
		energyTotal = 0
		for k, h := range cls {
			e := watts[k] * ts
			energyTotal += e
			erows = append(erows, []string{ff(ts), h.name, ff(e)})
		}
	}

	// threshold.csv (Coin.AI) and storage.csv.
	trows := [][]string{{"height", "threshold", "interval_s"}}
	srows := [][]string{{"time_s", "models", "available", "replicas_alive", "proofs_valid", "proofs_missed"}}
	var valid, missed, availSum float64
	for _, b := range blocks {
		if !b.main || b.height == 0 {
			continue
		}
		trows = append(trows, []string{strconv.Itoa(b.height), ff(b.thr), strconv.FormatFloat(b.interval, 'f', 6, 64)})
		models := float64(b.height)
		avail := models - float64(rng.IntN(2+b.height/20))
		avail = math.Max(0, avail)
		availSum += avail / models
		valid += float64(c.Nodes/10) - float64(rng.IntN(3))
		missed += float64(rng.IntN(3))
		srows = append(srows, []string{ff(b.found), ff(models), ff(avail), ff(avail * 3), ff(valid), ff(missed)})
	}

	sum := map[string]any{
		"protocol": c.Protocol, "seed": c.Seed, "scenario": c.Scenario, "nodes": c.Nodes,
		"trace_digest": fmt.Sprintf("%016x%016x", c.Seed*0x2545F4914F6CDD1D, uint64(c.Nodes*c.Blocks)),
		"events":       len(prows) * 3, "virtual_seconds": end, "blocks_main": c.Blocks, "blocks_stale": stale,
		"stale_rate":      float64(stale) / float64(c.Blocks+stale),
		"interval_mean_s": mean(mainIntervals), "interval_p50_s": q7(mainIntervals, 0.5), "interval_p90_s": q7(mainIntervals, 0.9),
		"propagation_p50_s": q7(p50s, 0.5), "propagation_p90_s": q7(p90s, 0.5), "propagation_p100_s": q7(p100s, 0.5),
		"wall_seconds":  1.25,
		"fidelity":      []string{"synthetic run written by analysis/internal/runtest", "no transactions materialised"},
		"energy_joules": energyTotal, "energy_joules_per_block": energyTotal / float64(c.Blocks),
		"attempts_completed": 3 * c.Blocks, "attempts_cancelled": c.Blocks / 2, "verify_cache_hits": c.Blocks * c.Nodes / 2,
		"reward_gini": nil, "future_key": "kept verbatim",
		// Keys the simulator writes beyond DESIGN.md's stable list.
		"stale_rate_theory": 0.05, "reorgs": stale, "reorg_max_depth": 1, "rejected": map[string]int{},
		"checks":    []map[string]any{{"name": "chains-agree-below-fork-depth", "ok": true, "note": "synthetic"}},
		"checks_ok": true, "difficulty_final": nil, "threshold_final": nil, "mined_accuracy_mean": nil,
	}
	if coin {
		var acc []float64
		for _, b := range blocks {
			if b.main && b.height > 0 {
				acc = append(acc, b.acc)
			}
		}
		sum["mined_accuracy_mean"] = mean(acc)
		sum["threshold_final"] = blocks[len(blocks)-1].thr
	} else {
		sum["difficulty_final"] = diff
		sum["attempts_completed"], sum["attempts_cancelled"], sum["verify_cache_hits"] = 0, 0, 0
	}
	if c.Storage {
		sum["models_stored"], sum["proofs_valid"], sum["proofs_missed"] = c.Blocks, valid, missed
		sum["cheaters_caught"], sum["availability_mean"] = 1, availSum/float64(c.Blocks)
		sum["retrievals_ok"], sum["retrievals_failed"] = c.Blocks*2, 1
	}
	var mkt *market
	if c.Market {
		mkt = newMarket(c, end, sum)
	}
	js, err := json.MarshalIndent(sum, "", "  ")
	if err != nil {
		return err
	}
	scen := fmt.Sprintf("# resolved scenario (synthetic)\n[run]\nname = %q\nprotocol = %q\nseed = %d\nstop_height = %d\n\n[network]\ndegree = 8\n\n[pow]\ninterval = \"600s\"\n\n[coinai]\ninterval = \"60s\"\n",
		c.Scenario, c.Protocol, c.Seed, c.Blocks)

	files := []struct {
		name string
		rows [][]string
		raw  []byte
	}{
		{"summary.json", nil, append(js, '\n')},
		{"scenario.toml", nil, []byte(scen)},
		{"blocks.csv", brows, nil},
		{"propagation.csv", prows, nil},
		{"nodes.csv", nrows, nil},
		{"energy.csv", erows, nil},
	}
	if coin {
		crows := [][]string{{"node", "attack", "flops", "train_flops", "eval_flops"}}
		for i := range c.Nodes {
			crows = append(crows, []string{strconv.Itoa(i), "", ff(1e11 * cls[nodeHW[i]].speed), ff(float64(3*c.Blocks) * 1e9), ff(float64(c.Blocks) * 5e7)})
		}
		files = append(files, struct {
			name string
			rows [][]string
			raw  []byte
		}{"threshold.csv", trows, nil}, struct {
			name string
			rows [][]string
			raw  []byte
		}{"compute.csv", crows, nil})
	}
	if c.Storage {
		files = append(files, struct {
			name string
			rows [][]string
			raw  []byte
		}{"storage.csv", srows, nil})
		// The outcome lists, header only: the synthetic counts above are
		// not drawn from them.
		files = append(files, struct {
			name string
			rows [][]string
			raw  []byte
		}{"proofs.csv", [][]string{{"block", "height", "main", "holder", "model", "outcome", "successor"}}, nil},
			struct {
				name string
				rows [][]string
				raw  []byte
			}{"retrievals.csv", [][]string{{"time_s", "node", "model", "outcome", "seconds", "bytes"}}, nil})
	}
	for _, f := range files {
		if omit(f.name) {
			continue
		}
		if err := writeFile(filepath.Join(dir, f.name), f.rows, f.raw); err != nil {
			return err
		}
	}
	if mkt != nil {
		return mkt.write(dir, omit)
	}
	return nil
}

func writeFile(path string, rows [][]string, raw []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if raw != nil {
		_, err = f.Write(raw)
	} else {
		w := csv.NewWriter(f)
		err = w.WriteAll(rows)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func mean(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

func q7(x []float64, p float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	h := float64(len(s)-1) * p
	i := int(h)
	if i >= len(s)-1 {
		return s[len(s)-1]
	}
	return s[i] + (h-float64(i))*(s[i+1]-s[i])
}
