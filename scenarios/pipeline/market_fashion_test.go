package pipeline

import (
	"errors"
	"testing"

	"github.com/coinai/coinai/nodes/dataset"
)

// fashionTiny shrinks coinai-market-small.toml to 4 miners whose users
// submit only Fashion-MNIST problems (2 a minute for 2 minutes, 4-minute
// deadlines) for 6 minutes, with a threshold a one-convolution network
// reaches on the 650 training images in two epochs.
var fashionTiny = []string{"group.0.count=4", "network.degree=3", `workload.0.datasets=["fashion-mnist"]`, "run.stop_time=6m",
	"workload.0.until=2m", "workload.0.rate=2/m", "workload.0.problem_share=1", "workload.0.deadline=4m",
	"coinai.threshold_initial=0.6", "coinai.threshold_min=0.5"}

// Where the Debian package dataset-fashion-mnist is installed, a problem on
// fashion-mnist is solved, its model delivered to its submitter and
// evaluated on the problem's test split; the run is byte-identical at
// GOMAXPROCS 1 and 2.
func TestMarketFashionSolved(t *testing.T) {
	if _, err := dataset.FashionMNISTHead("", 1); errors.Is(err, dataset.ErrNotInstalled) {
		t.Skipf("Fashion-MNIST absent: %v", err)
	}
	res := runAtProcs12(t, "../coinai-market-small.toml", fashionTiny...)
	solved := 0
	for _, p := range res.Market.Problems {
		if p.Dataset != "fashion-mnist" {
			t.Errorf("problem %s on %s, want fashion-mnist only", p.ID[:8], p.Dataset)
		}
		if p.Status() != "solved" {
			continue
		}
		solved++
		if !p.Delivered || !(p.Accuracy >= 0.5) || p.Accuracy > 1 {
			t.Errorf("fashion problem %s solved but delivered %v with accuracy %v", p.ID[:8], p.Delivered, p.Accuracy)
		}
	}
	if solved == 0 {
		t.Errorf("no fashion-mnist problem solved among %d", len(res.Market.Problems))
	}
}
