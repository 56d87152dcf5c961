// Package results writes a run's measurements as a run directory:
// summary.json and the CSVs whose names and columns DESIGN.md fixes, into
// a directory that appears whole or not at all.
package results

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/coinai/coinai/analysis/stats"

	"github.com/coinai/coinai/scenarios/observe"
	"github.com/coinai/coinai/sim"
)

// Files is the content of a run directory other than what the caller adds
// (the resolved scenario, the trace); names are a contract with scripts.
// res.Summary must be set (observe.Summarize).
func Files(res *observe.Result, propagation bool) (map[string][]byte, error) {
	out := map[string][]byte{}
	sum, err := json.MarshalIndent(res.Summary, "", "  ")
	if err != nil {
		return nil, err
	}
	out["summary.json"] = append(sum, '\n')
	out["blocks.csv"] = blocksCSV(res)
	if propagation {
		out["propagation.csv"] = propagationCSV(res)
	}
	out["nodes.csv"] = nodesCSV(res)
	out["energy.csv"] = energyCSV(res)
	if res.Config.Protocol == "coinai" {
		out["threshold.csv"] = thresholdCSV(res)
		out["compute.csv"] = computeCSV(res)
	} else if hasAttackers(res) {
		out["compute.csv"] = powComputeCSV(res)
	}
	if res.Faults != nil {
		out["faults.csv"] = faultsCSV(res.Faults)
	}
	if res.Market != nil {
		out["problems.csv"] = problemsCSV(res.Market)
		out["transactions.csv"] = transactionsCSV(res.Market)
	}
	if res.Spam != nil {
		out["spam.csv"] = spamCSV(res)
	}
	if res.Storage != nil {
		out["storage.csv"] = storageCSV(res.Storage)
		out["proofs.csv"] = proofsCSV(res)
		out["retrievals.csv"] = retrievalsCSV(res.Storage)
	}
	return out, nil
}

func fnum(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', 10, 64)
}

// Secs formats a virtual time in seconds as the CSVs do (6 decimals).
func Secs(t sim.Time) string { return strconv.FormatFloat(float64(t)/1e9, 'f', 6, 64) }

func blocksCSV(res *observe.Result) []byte {
	var b []byte
	b = append(b, "height,id,parent,miner,found_s,size_bytes,main,interval_s,prop_p50_s,prop_p90_s,prop_100_s,difficulty,threshold,accuracy,attempts,energy_j"+
		",arrivals,nodes_online,arrival_delay_weighted_s,catchup_nodes,catchup_mean_s\n"...)
	found := map[[32]byte]sim.Time{}
	for _, bl := range res.Blocks {
		found[bl.ID] = bl.Found
	}
	pow := res.Config.Protocol == "pow"
	for _, bl := range res.Blocks {
		main := "0"
		if bl.Main {
			main = "1"
		}
		interval := ""
		if pf, ok := found[bl.Parent]; ok {
			interval = Secs(bl.Found - pf)
		} else if bl.Height == 1 {
			interval = Secs(bl.Found)
		}
		diff, thr, acc := "", "", ""
		if pow {
			diff = fnum(bl.Value)
		} else {
			thr = fnum(bl.Value)
			if bl.Accuracy > 0 { // empty: no node but its miner verified it
				acc = fnum(bl.Accuracy)
			}
		}
		energy := ""
		if bl.Main {
			energy = fnum(bl.EnergyJ)
		}
		catchup := math.NaN()
		if len(bl.Catchup) > 0 {
			catchup = stats.Mean(bl.Catchup)
		}
		b = fmt.Appendf(b, "%d,%s,%s,%d,%s,%d,%s,%s,%s,%s,%s,%s,%s,%s,%d,%s,%d,%d,%s,%d,%s\n", bl.Height, observe.ShortID(bl.ID), observe.ShortID(bl.Parent),
			bl.Miner, Secs(bl.Found), bl.Size, main, interval,
			fnum(bl.Prop[0]), fnum(bl.Prop[1]), fnum(bl.Prop[2]),
			diff, thr, acc, bl.Attempts, energy,
			len(bl.Arrivals), bl.Online, fnum(bl.Delta), len(bl.Catchup), fnum(catchup))
	}
	return b
}

func propagationCSV(res *observe.Result) []byte {
	var b []byte
	b = append(b, "block,node,arrival_s\n"...)
	for _, bl := range res.Blocks {
		id := observe.ShortID(bl.ID)
		b = fmt.Appendf(b, "%s,%d,0.000000\n", id, bl.Miner)
		for _, a := range bl.Arrivals {
			b = append(b, id...)
			b = append(b, ',')
			b = strconv.AppendInt(b, int64(a.Node), 10)
			b = append(b, ',')
			b = append(b, Secs(a.Delay)...)
			b = append(b, '\n')
		}
	}
	return b
}

func nodesCSV(res *observe.Result) []byte {
	var b []byte
	b = append(b, "node,region,hardware,role,blocks_won,blocks_main,reward,reward_block,reward_fees,reward_storage,energy_j,busy_s,bytes_sent,bytes_recv"+
		",attempts_completed,attempts_cancelled,verify_cache_hits,messages_sent,reorgs,reorg_max_depth,rejected"...)
	if res.Storage != nil {
		b = append(b, ",storage_bytes,storage_bytes_sent,storage_bytes_recv,storage_cheat"...)
	}
	b = append(b, '\n')
	for i, spec := range res.Config.Nodes {
		ns := res.Nodes[i]
		var total float64
		for _, v := range ns.Rewards {
			total += v
		}
		fees := ns.Rewards["fee"] + ns.Rewards["problem"]
		b = fmt.Appendf(b, "%d,%s,%s,%s,%d,%d,%s,%s,%s,%s,%s,%s,%d,%d", i, spec.Region, spec.Hardware, spec.Role,
			ns.BlocksWon, ns.BlocksMain, fnum(total), fnum(ns.Rewards["block"]), fnum(fees), fnum(ns.Rewards["storage"]+ns.Rewards["penalty"]),
			fnum(res.NodeEnergy[i]), Secs(res.NodeBusy[i]), res.BytesSent[i], res.BytesRecv[i])
		b = fmt.Appendf(b, ",%d,%d,%d,%d,%d,%d,%d", ns.Attempts, ns.Cancelled, res.NodeCacheHits[i], res.MessagesSent[i],
			ns.Reorgs, ns.ReorgMax, ns.Rejected)
		if st := res.Storage; st != nil {
			b = fmt.Appendf(b, ",%d,%d,%d,%s", st.StoredBytes[i], st.Sent[i], st.Recv[i], res.Config.Storage.Cheats[int32(i)])
		}
		b = append(b, '\n')
	}
	return b
}

// computeCSV is compute.csv (Coin.AI): per node its attacker role ("" if
// honest), its FLOP rate, and the counted FLOPs of the training and
// evaluation jobs it completed.
func computeCSV(res *observe.Result) []byte {
	var b []byte
	b = append(b, "node,attack,flops,train_flops,eval_flops\n"...)
	for i, spec := range res.Config.Nodes {
		b = fmt.Appendf(b, "%d,%s,%s,%s,%s\n", i, spec.Attack, fnum(spec.FLOPS), fnum(res.TrainFLOPs[i]), fnum(res.EvalFLOPs[i]))
	}
	return b
}

// hasAttackers reports whether some node of the run is an attacker.
func hasAttackers(res *observe.Result) bool {
	for _, n := range res.Config.Nodes {
		if n.Attack != "" {
			return true
		}
	}
	return false
}

// powComputeCSV is compute.csv of a PoW run with attackers: Coin.AI's
// columns (no FLOPs: PoW trains nothing) and each node's hash rate, from
// which attacker_compute_share (busy time × hash rate) is recomputed.
func powComputeCSV(res *observe.Result) []byte {
	var b []byte
	b = append(b, "node,attack,flops,train_flops,eval_flops,hashrate\n"...)
	for i, spec := range res.Config.Nodes {
		b = fmt.Appendf(b, "%d,%s,%s,%s,%s,%s\n", i, spec.Attack, fnum(spec.FLOPS), fnum(res.TrainFLOPs[i]), fnum(res.EvalFLOPs[i]), fnum(spec.HashRate))
	}
	return b
}

func energyCSV(res *observe.Result) []byte {
	var b []byte
	b = append(b, "time_s,hardware,energy_j\n"...)
	for _, e := range res.Energy {
		b = fmt.Appendf(b, "%s,%s,%s\n", Secs(e.Time), e.Hardware, fnum(e.Joules))
	}
	return b
}

func thresholdCSV(res *observe.Result) []byte {
	var b []byte
	b = append(b, "height,threshold,interval_s\n"...)
	var prev sim.Time
	for _, bl := range res.Blocks {
		if !bl.Main {
			continue
		}
		b = fmt.Appendf(b, "%d,%s,%s\n", bl.Height, fnum(bl.Value), Secs(bl.Found-prev))
		prev = bl.Found
	}
	return b
}

func storageCSV(st *observe.StorageResult) []byte {
	var b []byte
	b = append(b, "time_s,models,available,replicas_alive,proofs_valid,proofs_missed"...)
	k := 0
	if len(st.Samples) > 0 {
		k = len(st.Samples[0].AvailableK)
	}
	for i := 1; i <= k; i++ {
		b = append(b, ",available_k"...)
		b = strconv.AppendInt(b, int64(i), 10)
	}
	b = append(b, ",height\n"...)
	for _, s := range st.Samples {
		b = fmt.Appendf(b, "%s,%d,%d,%d,%d,%d", Secs(s.Time), s.Models, s.Available, s.ReplicasAlive, s.ProofsValid, s.ProofsMissed)
		for _, v := range s.AvailableK {
			b = append(b, ',')
			b = strconv.AppendInt(b, int64(v), 10)
		}
		b = fmt.Appendf(b, ",%d\n", s.Height)
	}
	return b
}

// proofsCSV lists every challenge outcome a block decided (coinai's
// EvProof), block by block in mining order; only main-chain blocks'
// outcomes count in summary.json.
func proofsCSV(res *observe.Result) []byte {
	var b []byte
	b = append(b, "block,height,main,holder,model,outcome,successor\n"...)
	for _, bl := range res.Blocks {
		main := "0"
		if bl.Main {
			main = "1"
		}
		for _, p := range bl.Proofs {
			holder, model, next := "", "", ""
			if p.Holder >= 0 {
				holder = strconv.Itoa(int(p.Holder))
			}
			if p.Model != ([32]byte{}) {
				model = observe.ShortID(p.Model)
			}
			if p.Note == "evicted" && p.Next >= 0 {
				next = strconv.FormatInt(p.Next, 10)
			}
			b = fmt.Appendf(b, "%s,%d,%s,%s,%s,%s,%s\n", observe.ShortID(bl.ID), bl.Height, main, holder, model, csvField(p.Note), next)
		}
	}
	return b
}

// retrievalsCSV lists the model retrievals users finished, in that order.
func retrievalsCSV(st *observe.StorageResult) []byte {
	var b []byte
	b = append(b, "time_s,node,model,outcome,seconds,bytes\n"...)
	for _, r := range st.Retrievals {
		b = fmt.Appendf(b, "%s,%d,%s,%s,%s,%d\n", Secs(r.Time), r.Node, observe.ShortID(r.Model), csvField(r.Note), fnum(r.Seconds), r.Bytes)
	}
	return b
}

// csvField quotes a free-text field as RFC 4180 asks when it holds a
// comma, a quote or a line break.
func csvField(s string) string {
	if !strings.ContainsAny(s, ",\"\r\n") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// faultsCSV is faults.csv: one row per window of the scenario's [[fault]]
// tables, link faults then crashes, in the plan's order.
func faultsCSV(fs []observe.FaultResult) []byte {
	var b []byte
	b = append(b, "fault,kind,start_s,end_s,node,nodes,sides,state,messages_lost,converge_s\n"...)
	for _, f := range fs {
		end, node := "", ""
		if f.Until > 0 {
			end = Secs(f.Until)
		}
		if f.Node >= 0 {
			node = strconv.Itoa(int(f.Node))
		}
		sides := make([]string, len(f.Sides))
		for i, n := range f.Sides {
			sides[i] = strconv.Itoa(n)
		}
		b = append(b, csvField(f.Name)+","+f.Kind+","+Secs(f.From)+","+end+","+node+","+strconv.Itoa(f.Nodes)+","+
			strings.Join(sides, "/")+","+f.State+","+strconv.FormatInt(f.Lost, 10)+","+fnum(f.Converge)+"\n"...)
	}
	return b
}
