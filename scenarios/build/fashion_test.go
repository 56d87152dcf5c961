package build

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coinai/coinai/nodes/dataset"
	"github.com/coinai/coinai/scenarios"
)

const fashionScenario = `[run]
protocol = "coinai"
stop_time = "1h"

[[group]]
name = "miners"
count = 6
hardware = "laptop-cpu"

[network]
degree = 3

[[workload]]
name = "users"
kind = "poisson"
accounts = 5
fund = 100
rate = "6/m"
until = "20m"
problem_share = 0.5
amount = 1
fee = 0.001
reward = 2
deadline = "10m"
datasets = ["iris", "fashion-mnist"]
`

// Without the Debian package the build stops with an error that names the
// key asking for Fashion-MNIST and the command that installs it; with it,
// the market serves fashion-mnist on the 1000-image head, split
// 650/150/200, with its own convolutional grammar section.
func TestMarketFashionMNIST(t *testing.T) {
	s, err := scenarios.Parse(filepath.Join("testdata", "fashion.toml"), []byte(fashionScenario))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("absent", func(t *testing.T) {
		defer func(d string) { fashionDir = d }(fashionDir)
		fashionDir = t.TempDir()
		_, err := FromScenario(s)
		if err == nil {
			t.Fatal("build without Fashion-MNIST succeeded")
		}
		for _, want := range []string{"testdata/fashion.toml", "workload.0.datasets.1", `"fashion-mnist"`, "apt-get install -y dataset-fashion-mnist"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error lacks %q: %v", want, err)
			}
		}
		if !errors.Is(err, dataset.ErrNotInstalled) {
			t.Errorf("error does not wrap ErrNotInstalled: %v", err)
		}
	})
	t.Run("present", func(t *testing.T) {
		if _, err := dataset.FashionMNISTHead("", 1); errors.Is(err, dataset.ErrNotInstalled) {
			t.Skipf("Fashion-MNIST absent (%v)", err)
		}
		p, err := FromScenario(s)
		if err != nil {
			t.Fatal(err)
		}
		var found bool
		if p.CoinAI == nil || p.CoinAI.Market == nil {
			t.Fatal("no market in the plan")
		}
		for _, d := range p.CoinAI.Market.Data {
			if d.Dataset != "fashion-mnist" {
				continue
			}
			found = true
			if got := [3]int{d.Data.Train.Len(), d.Data.Val.Len(), d.Data.Test.Len()}; got != [3]int{650, 150, 200} {
				t.Errorf("fashion-mnist split %v, want [650 150 200]", got)
			}
			if d.Ranges.MaxConvs != 1 || d.Ranges.KernelChoices[0] != 5 || d.Data.Train.H != 28 {
				t.Errorf("fashion-mnist ranges %+v on %dx%d", d.Ranges, d.Data.Train.H, d.Data.Train.W)
			}
		}
		if !found {
			t.Error("the market does not serve fashion-mnist")
		}
	})
}
