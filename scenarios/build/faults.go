package build

import (
	"fmt"
	"math"
	"slices"

	"github.com/coinai/coinai/scenarios"
	"github.com/coinai/coinai/sim"
)

// FaultInfo describes one [[fault]] table of the scenario, for reports:
// the plan's link faults and crashes name it by index (their Source).
type FaultInfo struct {
	Name string // the table's name, or "fault<i>"
	Kind string // partition, link-loss, latency-spike, crash
}

// runFaults adds the scenario's [[fault]] tables to the plan f: a
// partition is a cut of the links between its sides (the nodes of no side
// form one more side), a link-loss of rate 1 a cut too (the same fault,
// seen from the links), a lower rate a loss drawn per message from the
// stream "fault/<name>/loss", a latency-spike a delay, and a crash a
// crash of each node of its set at its time, or at times drawn from the
// stream "fault/<name>/crash" for a rate (a Poisson process per node, in
// node order, while the node runs). Crashes of one node that overlap are
// merged (lost if either is).
func runFaults(s *scenarios.Scenario, p *Plan, f *sim.Faults) error {
	var crashes []sim.Crash
	for i, fs := range s.Faults {
		key := fmt.Sprintf("fault.%d", i)
		name := fs.Name
		if name == "" {
			name = fmt.Sprintf("fault%d", i)
		}
		p.FaultInfo = append(p.FaultInfo, FaultInfo{Name: name, Kind: fs.Kind})
		w := sim.Window{From: sim.Time(fs.At), Until: sim.Time(fs.Until)}
		switch fs.Kind {
		case "partition", "link-loss", "latency-spike":
			l := sim.LinkFault{Window: w, Source: i, Stream: "fault/" + name + "/loss"}
			switch fs.Kind {
			case "partition":
				l.Kind, l.Until = sim.LinkCut, sim.Time(fs.Heal)
			case "link-loss":
				l.Kind, l.Loss = sim.LinkLoss, fs.Loss
				if fs.Loss >= 1 {
					l.Kind, l.Loss = sim.LinkCut, 0
				}
			case "latency-spike":
				l.Kind, l.Extra, l.Factor = sim.LinkDelay, sim.Time(fs.Extra), fs.Factor
			}
			var err error
			switch {
			case fs.Sides != nil:
				l.Across = true
				if l.Side, err = sides(p, key, fs.Sides); err != nil {
					return err
				}
			case fs.Nodes != nil:
				set, err := selectNodes(p, key+".nodes", fs.Nodes)
				if err != nil {
					return err
				}
				l.Side = make([]int16, len(p.Nodes))
				for _, n := range set {
					l.Side[n] = 1
				}
			}
			f.AddLink(l)
		case "crash":
			set := make([]int, len(p.Nodes))
			for n := range set {
				set[n] = n
			}
			if fs.Nodes != nil {
				var err error
				if set, err = selectNodes(p, key+".nodes", fs.Nodes); err != nil {
					return err
				}
			}
			lost := fs.State == "lost"
			down := sim.Time(fs.Down)
			if fs.Rate == 0 {
				for _, n := range set {
					crashes = append(crashes, sim.Crash{Node: int32(n), Window: sim.Window{From: w.From, Until: w.From + down}, Lost: lost, Source: i})
				}
				continue
			}
			until := sim.Time(fs.Until)
			if until == 0 {
				until = sim.Time(s.Run.StopTime)
			}
			perNs := fs.Rate.PerSecond() / 1e9
			rng := sim.Stream(p.Seed, "fault/"+name+"/crash")
			for _, n := range set {
				for t := w.From; ; {
					dt := math.Ceil(rng.ExpFloat64() / perNs)
					if float64(t)+dt >= float64(until) {
						break
					}
					t += sim.Time(dt)
					crashes = append(crashes, sim.Crash{Node: int32(n), Window: sim.Window{From: t, Until: t + down}, Lost: lost, Source: i})
					t += down
				}
			}
		}
	}
	for _, c := range mergeCrashes(crashes) {
		f.AddCrash(c)
	}
	return nil
}

// mergeCrashes orders crashes by time, then node, and merges those of one
// node that overlap: the node stays down until the later restart, and has
// lost its state if either crash loses it.
func mergeCrashes(cs []sim.Crash) []sim.Crash {
	slices.SortStableFunc(cs, func(a, b sim.Crash) int {
		if a.Node != b.Node {
			return int(a.Node - b.Node)
		}
		return int(min(max(a.From-b.From, -1), 1))
	})
	var out []sim.Crash
	for _, c := range cs {
		if k := len(out) - 1; k >= 0 && out[k].Node == c.Node && c.From <= out[k].Until {
			out[k].Until = max(out[k].Until, c.Until)
			out[k].Lost = out[k].Lost || c.Lost
			continue
		}
		out = append(out, c)
	}
	slices.SortStableFunc(out, func(a, b sim.Crash) int {
		if a.From != b.From {
			return int(min(max(a.From-b.From, -1), 1))
		}
		return int(a.Node - b.Node)
	})
	return out
}

// sides labels every node with its side (1..len(ss)); the nodes of no side
// are the rest, 0. A side with no node, a node on two sides or a cut that
// leaves every node on one side is an error.
func sides(p *Plan, key string, ss [][]string) ([]int16, error) {
	label := make([]int16, len(p.Nodes))
	for j, side := range ss {
		skey := fmt.Sprintf("%s.sides.%d", key, j)
		set, err := selectNodes(p, skey, side)
		if err != nil {
			return nil, err
		}
		for _, n := range set {
			if label[n] != 0 {
				return nil, fmt.Errorf("%s: node %d is on side %d too", skey, n, label[n]-1)
			}
			label[n] = int16(j + 1)
		}
	}
	used := map[int16]bool{}
	for _, l := range label {
		used[l] = true
	}
	if len(used) < 2 {
		return nil, fmt.Errorf("%s.sides: every node is on one side: nothing is cut", key)
	}
	return label, nil
}

// selectNodes resolves a node set: regions (as drawn for this run),
// group names and node indices or ranges; the nodes in index order. A
// selector that holds no node is an error (a region no node was drawn
// in, say), since the fault would silently strike nobody.
func selectNodes(p *Plan, key string, sels []string) ([]int, error) {
	in := make([]bool, len(p.Nodes))
	for k, sel := range sels {
		hit := 0
		mark := func(n int) {
			if !in[n] {
				in[n] = true
			}
			hit++
		}
		switch r := slices.Index(p.Net.Regions, sel); {
		case r >= 0:
			for n, node := range p.Nodes {
				if int(node.Region) == r {
					mark(n)
				}
			}
		case slices.ContainsFunc(p.Nodes, func(n Node) bool { return n.Group == sel && sel != "" }):
			for n, node := range p.Nodes {
				if node.Group == sel {
					mark(n)
				}
			}
		default:
			lo, hi, err := scenarios.NodeRange(sel)
			if err != nil || hi >= len(p.Nodes) || lo > hi {
				return nil, fmt.Errorf("%s.%d: %q names no node", key, k, sel)
			}
			for n := lo; n <= hi; n++ {
				mark(n)
			}
		}
		if hit == 0 {
			return nil, fmt.Errorf("%s.%d: %q holds no node in this run (regions are drawn from network.region_share with the seed)", key, k, sel)
		}
	}
	var out []int
	for n, ok := range in {
		if ok {
			out = append(out, n)
		}
	}
	return out, nil
}
