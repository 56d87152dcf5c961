package report

import (
	"math"
	"reflect"
	"testing"

	"github.com/coinai/coinai/analysis/rundata"
)

// Link faults are listed one per row; crashes are grouped by fault and
// state, with their distinct nodes and the messages they lost.
func TestFaultTable(t *testing.T) {
	nan := math.NaN()
	rows := []rundata.FaultRow{
		{Fault: "cut", Kind: "partition", StartS: 600, EndS: 1500, Node: -1, Nodes: 50, Sides: "20/21/9", MessagesLost: 2555, ConvergeS: 2.805},
		{Fault: "slow", Kind: "latency-spike", StartS: 10, EndS: nan, Node: -1, Nodes: 7, ConvergeS: nan},
		{Fault: "churn", Kind: "crash", StartS: 30, EndS: 90, Node: 4, Nodes: 1, State: "kept", MessagesLost: 10, ConvergeS: nan},
		{Fault: "churn", Kind: "crash", StartS: 100, EndS: 160, Node: 4, Nodes: 1, State: "kept", MessagesLost: 5, ConvergeS: nan},
		{Fault: "churn", Kind: "crash", StartS: 50, EndS: 110, Node: 9, Nodes: 1, State: "kept", MessagesLost: 1, ConvergeS: nan},
	}
	want := [][]string{
		{"cut", "partition", "600 – 1500 s", "50 (sides 20/21/9)", "2555", "2.805"},
		{"slow", "latency-spike", "10 s – end", "7", "0", ""},
		{"churn (kept)", "crash × 3", "crashes from 30 to 100 s", "2 distinct", "16", ""},
	}
	got := FaultTable(rows).Rows
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows\n got %q\nwant %q", got, want)
	}
}
