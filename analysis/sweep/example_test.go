package sweep_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/coinai/coinai/analysis/sweep"
	"github.com/coinai/coinai/analysis/sweep/sweeptest"
)

// Two shards of a 2 x 2 sweep, one of which has not finished: Load finds
// the points there are and the one missing; the table has a row per point
// and metric.
func ExampleLoad() {
	tmp, err := os.MkdirTemp("", "sweep-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(tmp)
	c := sweeptest.Config{Name: "demo", Seed: 1, Params: []sweep.Param{
		{Key: "pow.interval", Values: []string{"10s", "600s"}},
		{Key: "network.nodes", Values: []string{"100", "600"}},
	}}
	a, b := filepath.Join(tmp, "shard0"), filepath.Join(tmp, "shard1")
	if err := sweeptest.Write(a, c, "0/2", []int{0, 2}); err != nil {
		fmt.Println(err)
		return
	}
	if err := sweeptest.Write(b, c, "1/2", []int{1}); err != nil { // p0003 not done yet
		fmt.Println(err)
		return
	}
	m, err := sweep.Load([]string{a, b})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range m.Missing {
		fmt.Println("missing:", p.ID, p.Label())
	}
	csv, _ := m.CSV()
	lines := strings.Split(string(csv), "\n")
	fmt.Println(lines[0])
	fmt.Println(lines[1])
	// Output:
	// missing: p0003 pow.interval=600s, network.nodes=600
	// id,pow.interval,network.nodes,metric,n,mean,sd,t_lo,t_hi,boot_lo,boot_hi
	// p0000,10s,100,nodes,3,50,0,50,50,50,50
}
