package scenarios

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Checks of the [[fault]] tables (see FaultSpec). Which nodes a region
// selector names is drawn when the run is built, so the checks here are
// those the file alone decides: known kinds, times in order, values in
// range, keys that apply to the kind, selectors that name something.
// The build reports what only the drawn regions reveal (a side with no
// node, a node on two sides).

// maxCrashes bounds the crashes a rate may draw over the whole run, so
// that a rate of "1e9/s" is refused rather than run out of memory.
const maxCrashes = 1_000_000

// faults checks every [[fault]] table.
func (v *validator) faults() {
	s := v.s
	names := map[string]int{}
	for i, f := range s.Faults {
		key := fmt.Sprintf("fault.%d", i)
		if f.Name != "" {
			if j, dup := names[f.Name]; dup {
				v.add(key+".name", "duplicate fault name %q (fault %d has it)", f.Name, j)
			}
			names[f.Name] = i
		}
		if !slices.Contains(netFaultKinds, f.Kind) {
			if f.Kind == "" {
				v.add(key+".kind", "missing: a [[fault]] must set kind to one of %s", quoteAll(netFaultKinds))
			} else {
				v.add(key+".kind", "%q is not one of %s", f.Kind, quoteAll(netFaultKinds))
			}
			continue
		}
		v.nonNegative(key+".at", float64(f.At), f.At)
		// Keys that do not apply to the kind must be left out: a crash
		// with loss = 0.5 is a mistake, not a crash.
		applies := map[string][]string{
			"partition":     {"sides", "heal"},
			"link-loss":     {"sides", "nodes", "loss", "until"},
			"latency-spike": {"sides", "nodes", "extra", "factor", "until"},
			"crash":         {"nodes", "rate", "down", "state", "until"},
		}[f.Kind]
		for _, k := range []struct {
			name string
			set  bool
		}{
			{"heal", f.Heal != 0}, {"until", f.Until != 0}, {"sides", f.Sides != nil}, {"nodes", f.Nodes != nil},
			{"loss", f.Loss != 0}, {"extra", f.Extra != 0}, {"factor", f.Factor != 0}, {"rate", f.Rate != 0},
			{"down", f.Down != 0}, {"state", f.State != ""},
		} {
			if k.set && !slices.Contains(applies, k.name) {
				v.add(key+"."+k.name, "does not apply to kind %q (its keys: %s)", f.Kind, strings.Join(applies, ", "))
			}
		}
		end := func(name string, d Duration) {
			if d != 0 && d <= f.At {
				v.add(key+"."+name, "%v is not after at = %v", d, f.At)
			}
		}
		switch f.Kind {
		case "partition":
			end("heal", f.Heal)
			if len(f.Sides) == 0 {
				v.add(key+".sides", `missing: a partition needs at least one side, e.g. sides = [["NA"], ["EU", "AP"]] (the nodes of no side form one more)`)
			}
		case "link-loss":
			end("until", f.Until)
			v.inRange(key+".loss", f.Loss, 0, 1, false)
		case "latency-spike":
			end("until", f.Until)
			v.nonNegative(key+".extra", float64(f.Extra), f.Extra)
			if f.Factor != 0 {
				v.inRange(key+".factor", f.Factor, 1, 1e6, false)
			}
			if f.Extra <= 0 && f.Factor <= 1 {
				v.add(key+".extra", "a latency-spike needs extra > 0 or factor > 1")
			}
		case "crash":
			if !(f.Down > 0) {
				v.add(key+".down", "%v: a crash needs down > 0 (how long the node stays down)", f.Down)
			}
			if f.State == "" {
				v.add(key+".state", `missing: a crash needs state = "kept" or "lost"`)
			} else {
				v.oneOf(key+".state", f.State, crashStates)
			}
			v.crashRate(key, f)
		}
		if f.Sides != nil && f.Nodes != nil {
			v.add(key+".nodes", "give nodes or sides, not both")
		}
		v.selectors(key+".nodes", f.Nodes)
		seen := map[string]int{}
		for j, side := range f.Sides {
			skey := fmt.Sprintf("%s.sides.%d", key, j)
			if len(side) == 0 {
				v.add(skey, "an empty side")
			}
			v.selectors(skey, side)
			for _, sel := range side {
				if k, dup := seen[sel]; dup && k != j {
					v.add(skey, "%q is also on side %d", sel, k)
				}
				seen[sel] = j
			}
		}
	}
}

// crashRate checks a crash's rate and the window it draws in.
func (v *validator) crashRate(key string, f FaultSpec) {
	if f.Rate == 0 {
		if f.Until != 0 {
			v.add(key+".until", "applies to a crash with a rate only (without one, the nodes crash once at at)")
		}
		return
	}
	if r := float64(f.Rate); math.IsNaN(r) || math.IsInf(r, 0) || r < 0 {
		v.add(key+".rate", "%v must be >= 0", f.Rate)
		return
	}
	until, where := f.Until, "until"
	if until == 0 {
		until, where = v.s.Run.StopTime, "run.stop_time"
	}
	if until <= f.At {
		v.add(key+".until", "a crash rate draws crashes from at = %v until %s = %v: set until after at (or run.stop_time)", f.At, where, until)
		return
	}
	nodes := v.s.NodeCount()
	if n := float64(f.Rate) * (until - f.At).Seconds() / 3600 * float64(nodes); n > maxCrashes {
		v.add(key+".rate", "%v over %v on up to %d nodes is about %.3g crashes, more than the %d supported", f.Rate, until-f.At, nodes, n, maxCrashes)
	}
}

// selectors checks that each selector of a node set names a region, a
// group or node indices of the scenario.
func (v *validator) selectors(key string, sels []string) {
	s := v.s
	n := s.NodeCount()
	for i, sel := range sels {
		k := fmt.Sprintf("%s.%d", key, i)
		region := slices.Contains(s.Network.Regions, sel)
		group := slices.ContainsFunc(s.Groups, func(g Group) bool { return g.Name == sel })
		switch {
		case region && group:
			v.add(k, "%q names both a region and a group: rename the group", sel)
		case region || group:
		default:
			lo, hi, err := NodeRange(sel)
			switch {
			case err != nil:
				var groups []string
				for _, g := range s.Groups {
					if g.Name != "" {
						groups = append(groups, g.Name)
					}
				}
				v.add(k, "%q is not a region (%s), a group name (%s), a node index or a range \"a-b\" (0..%d)",
					sel, strings.Join(s.Network.Regions, ", "), strings.Join(groups, ", "), n-1)
			case hi >= n:
				v.add(k, "%q: node %d is beyond the last node %d", sel, hi, n-1)
			case lo > hi:
				v.add(k, "%q: an empty range", sel)
			}
		}
	}
}

// NodeRange parses a node selector "7" or "10-19" (inclusive) into its
// first and last index.
func NodeRange(sel string) (lo, hi int, err error) {
	a, b, isRange := strings.Cut(sel, "-")
	lo, err = strconv.Atoi(strings.TrimSpace(a))
	if err != nil || lo < 0 {
		return 0, 0, fmt.Errorf("%q is not a node index", sel)
	}
	if !isRange {
		return lo, lo, nil
	}
	hi, err = strconv.Atoi(strings.TrimSpace(b))
	if err != nil || hi < 0 {
		return 0, 0, fmt.Errorf("%q is not a node range", sel)
	}
	return lo, hi, nil
}
