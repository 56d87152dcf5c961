package results

import (
	"bytes"
	"encoding/csv"
	"testing"

	"github.com/coinai/coinai/nodes"
	"github.com/coinai/coinai/nodes/nodestest"
	"github.com/coinai/coinai/scenarios/observe"
	"github.com/coinai/coinai/sim"
)

type stubHost struct{}

func (stubHost) Node(int) nodes.Node          { return nodestest.Idle{} }
func (stubHost) Joules(int, sim.Time) float64 { return 0 }

// readCSV parses a file of a run directory into rows keyed by column name.
func readCSV(t *testing.T, files map[string][]byte, name string) []map[string]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(files[name])).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("%s: %v", name, err)
	}
	var rows []map[string]string
	for _, r := range recs[1:] {
		row := map[string]string{}
		for j, col := range recs[0] {
			row[col] = r[j]
		}
		rows = append(rows, row)
	}
	return rows
}

// A Coin.AI block that no node but its miner accepted was never verified:
// its accuracy cell is empty, not 0; the accepted block's holds the
// accuracy the first other node verified.
func TestUnacceptedBlockHasNoAccuracy(t *testing.T) {
	cfg := observe.Config{Protocol: "coinai", Nodes: []observe.Node{
		{Role: "miner", Hardware: "cpu", FLOPS: 1, Miner: true},
		{Role: "miner", Hardware: "cpu", FLOPS: 1, Miner: true},
		{Role: "miner", Hardware: "cpu", FLOPS: 1, Miner: true},
	}}
	o := observe.New(cfg, stubHost{})
	ok, bad := [32]byte{0xaa}, [32]byte{0xbb}
	const sec = sim.Time(1e9)
	o.Observe(0, 10*sec, nodes.Event{Kind: nodes.EvMined, Block: ok, Height: 1, Value: 0.9})
	o.Observe(1, 12*sec, nodes.Event{Kind: nodes.EvMined, Block: bad, Height: 1, Value: 0.9})
	o.Observe(1, 12*sec, nodes.Event{Kind: nodes.EvAccepted, Block: ok, Height: 1, Value: 0.93})
	o.Observe(2, 13*sec, nodes.Event{Kind: nodes.EvAccepted, Block: ok, Height: 1, Value: 0.95})
	o.Observe(2, 14*sec, nodes.Event{Kind: nodes.EvRejected, Block: bad, Note: "below-threshold"})
	res := o.Result(observe.Totals{End: 20 * sec, NodeEnergy: make([]float64, 3), NodeBusy: make([]sim.Time, 3),
		BytesSent: make([]int64, 3), BytesRecv: make([]int64, 3)})
	s := observe.Summarize(res, nil)
	if s.BlocksMain != 1 || s.BlocksStale != 0 || s.BlocksUnaccepted != 1 {
		t.Errorf("blocks main %d, stale %d, unaccepted %d; want 1, 0, 1", s.BlocksMain, s.BlocksStale, s.BlocksUnaccepted)
	}
	files, err := Files(res, false)
	if err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, files, "blocks.csv")
	want := map[string]map[string]string{
		observe.ShortID(ok):  {"main": "1", "arrivals": "2", "threshold": "0.9", "difficulty": "", "accuracy": "0.93"},
		observe.ShortID(bad): {"main": "0", "arrivals": "0", "threshold": "0.9", "difficulty": "", "accuracy": ""},
	}
	if len(rows) != len(want) {
		t.Fatalf("blocks.csv has %d rows, want %d:\n%s", len(rows), len(want), files["blocks.csv"])
	}
	for _, r := range rows {
		for col, v := range want[r["id"]] {
			if r[col] != v {
				t.Errorf("block %s: %s = %q, want %q", r["id"], col, r[col], v)
			}
		}
	}
}
