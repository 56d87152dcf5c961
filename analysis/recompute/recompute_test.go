package recompute

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coinai/coinai/analysis/rundata"
)

// A two-block PoW run, small enough to check by hand.
var files = map[string]string{
	"scenario.toml": "[run]\nseed = 7\nprotocol = \"pow\"\n",
	"blocks.csv": "height,id,parent,miner,found_s,size_bytes,main,interval_s,prop_p50_s,prop_p90_s,prop_100_s,difficulty,threshold,accuracy,attempts,energy_j,arrivals,nodes_online,arrival_delay_weighted_s,catchup_nodes,catchup_mean_s\n" +
		"1,aa,00,0,10.000000,100,1,10.000000,0.1,0.2,0.2,5,,,0,100,1,2,0.05,0,\n" +
		"2,bb,aa,1,30.000000,100,1,20.000000,0.3,0.4,0.4,5,,,0,200,1,2,0.15,0,\n",
	"nodes.csv": "node,region,hardware,role,blocks_won,blocks_main,reward,reward_block,reward_fees,reward_storage,energy_j,busy_s,bytes_sent,bytes_recv,attempts_completed,attempts_cancelled,verify_cache_hits,messages_sent,reorgs,reorg_max_depth,rejected\n" +
		"0,NA,asic,miner,1,1,50,50,0,0,150,40.000000,10,10,0,0,0,2,0,0,0\n" +
		"1,EU,asic,miner,1,1,50,50,0,0,150,40.000000,10,10,0,0,0,2,1,1,1\n",
	"energy.csv": "time_s,hardware,energy_j\n10.000000,asic,100\n30.000000,asic,300\n40.000000,asic,300\n",
}

func summary() map[string]any {
	s := map[string]any{
		"protocol": "pow", "scenario": "t", "seed": 7, "nodes": 2, "trace_digest": "ab", "events": 99,
		"virtual_seconds": 40, "wall_seconds": 0.1, "attempts_speculative": 0, "fidelity": []string{},
		"blocks_main": 2, "blocks_stale": 0, "blocks_unaccepted": 0, "stale_rate": 0,
		"interval_mean_s": 15, "interval_p50_s": 15, "interval_p90_s": 19,
		"propagation_p50_s": 0.2, "propagation_p90_s": 0.3, "propagation_p100_s": 0.3, "propagation_p100_blocks": 2,
		"catchup_arrivals": 0, "catchup_blocks": 0, "catchup_mean_s": nil,
		"arrival_delay_weighted_s": 0.1, "arrival_delay_blocks": 2, "stale_rate_theory": 1 - math.Exp(-0.1/15),
		"found_interval_s": 15, "reorgs": 1, "reorg_max_depth": 1, "rejected": map[string]int{"bad": 1},
		"energy_joules": 300, "energy_joules_per_block": 150, "attempts_completed": 0, "attempts_cancelled": 0,
		"verify_cache_hits": 0, "mined_accuracy_mean": nil, "threshold_final": nil, "difficulty_final": 5,
		"reward_gini": 0, "bytes_sent": 20, "messages": 4,
		"checks": []map[string]any{{"name": "x", "ok": true}}, "checks_ok": true,
		"storage_cheaters": nil, "availability_by_replication": nil, "models_stored": nil,
	}
	return s
}

func load(t *testing.T, s map[string]any) *rundata.Run {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "summary.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	run, err := rundata.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return run
}

func TestCheckAgreesAndCatchesDisagreement(t *testing.T) {
	if d := Check(load(t, summary())); len(d) != 0 {
		t.Fatalf("a consistent run: %q", d)
	}
	for _, tc := range []struct {
		name   string
		change func(map[string]any)
		want   string
	}{
		{"a wrong value", func(s map[string]any) { s["propagation_p90_s"] = 0.31 }, "propagation_p90_s: summary.json 0.31"},
		{"a new key without a recomputation", func(s map[string]any) { s["new_figure_s"] = 3 }, "new_figure_s: a numeric key that nothing recomputes"},
		{"a key gone", func(s map[string]any) { delete(s, "messages") }, "messages: recomputed but absent"},
		{"null against a value", func(s map[string]any) { s["difficulty_final"] = nil }, "difficulty_final"},
		{"rejected counts", func(s map[string]any) { s["rejected"] = map[string]int{"bad": 2} }, "rejected"},
	} {
		s := summary()
		tc.change(s)
		d := Check(load(t, s))
		if len(d) != 1 || !strings.Contains(d[0], tc.want) {
			t.Errorf("%s: %q, want one disagreement naming %q", tc.name, d, tc.want)
		}
	}
}
