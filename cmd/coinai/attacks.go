package main

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/coinai/coinai/analysis/attacks"
	"github.com/coinai/coinai/analysis/figures"
	"github.com/coinai/coinai/analysis/rundata"
	"github.com/coinai/coinai/scenarios"
)

// kindAttacks is the output kind of `coinai attacks`.
const kindAttacks = "attacks"

// defaultAttacksManifest is the manifest `coinai attacks` reads by default.
const defaultAttacksManifest = "scenarios/reports/attacks.toml"

// attackJob is one run of the report: case c at seed, or its honest twin.
type attackJob struct {
	c    int
	seed int64
	twin bool
	dir  string // the run's folder in the output, slash-separated
}

// cmdAttacks is `coinai attacks`: the attack × variant report of issues
// #12 and #13 (analysis/attacks). Every case of the manifest runs at seeds
// 1..R, each with its honest twin, on --jobs workers; every run is a pure
// function of its scenario and seed and the table is merged in manifest,
// seed, attack-then-twin order, so the output does not depend on the
// number of workers.
func cmdAttacks(args []string, stdout, stderr io.Writer) int {
	flags := newFlagSet("attacks", "[--manifest FILE] [--reps N | --quick] [--set key=value]... [--jobs J] [--out DIR] [--force]",
		"Run every attack and fault of a manifest with its protocol variants and honest twins, and write the attack × variant table (attacks.md, attacks.csv, attacks.json, figures/, runs/).", stderr)
	manifest := flags.String("manifest", defaultAttacksManifest, "the manifest `file` listing the cases (attack, variant, scenario)")
	reps := flags.Int("reps", 0, "replications per case, seeds 1..N (default: the manifest's reps, else 8)")
	quick := flags.Bool("quick", false, "2 replications per case (a smoke test of the report; intervals from 2 runs are wide)")
	jobs := flags.Int("jobs", 0, "runs at once (default GOMAXPROCS, lowered to fit the memory estimate)")
	out := flags.String("out", "attacks-report", "output `directory`; must be new, empty, or an earlier attacks report replaced with --force")
	force := flags.Bool("force", false, "replace the attacks report coinai wrote earlier to --out")
	var sets setFlags
	flags.Var(&sets, "set", "override a key of every case's scenario and twin, e.g. --set run.stop_height=5 (repeatable)")
	pos, code := parseInterleaved(flags, args)
	if code >= 0 {
		return code
	}
	if len(pos) > 0 {
		return usageError(flags, stderr, "takes no positional arguments (the cases come from --manifest)")
	}
	if *jobs < 0 || *reps < 0 {
		return usageError(flags, stderr, "--jobs and --reps must not be negative")
	}
	if *quick && *reps > 0 {
		return usageError(flags, stderr, "--quick and --reps both set the replications; give one")
	}
	for _, kv := range sets {
		if !strings.Contains(kv, "=") {
			return usageError(flags, stderr, fmt.Sprintf("--set %q: want key=value", kv))
		}
	}
	m, err := attacks.LoadManifest(*manifest)
	if err != nil {
		fmt.Fprintf(stderr, "coinai attacks: %v\n", err)
		return 2
	}
	n := *reps
	switch {
	case *quick:
		n = 2
	case n == 0 && m.Reps > 0:
		n = m.Reps
	case n == 0:
		n = attacks.DefaultReps
	}
	// Load every scenario and its twin first: bad input writes nothing.
	cases := make([]*scenarios.Scenario, len(m.Cases))
	twins := make([]*scenarios.Scenario, len(m.Cases))
	changes := make([][]string, len(m.Cases))
	for i := range m.Cases {
		c := &m.Cases[i]
		s, err := scenarios.Load(m.Path(c))
		if err == nil {
			err = s.Apply(append(slices.Clone(c.Set), sets...)...)
		}
		if err == nil && c.WantTwin() {
			twins[i], changes[i], err = scenarios.HonestTwin(s)
		}
		if err != nil {
			fmt.Fprintf(stderr, "coinai attacks: %s:%d: case.%d (%s/%s): %v\n", m.File, c.Line, i, c.Attack, c.Variant, err)
			return 2
		}
		cases[i] = s
	}
	var todo []attackJob
	for i, c := range m.Cases {
		for seed := int64(1); seed <= int64(n); seed++ {
			dir := path.Join("runs", c.Attack, c.Variant, fmt.Sprintf("seed%d", seed))
			todo = append(todo, attackJob{c: i, seed: seed, dir: dir})
			// A scenario without attacker roles or faults is its own twin:
			// the same run (same scenario and seed, so the same trace), so
			// it is not run twice.
			if c.WantTwin() && len(changes[i]) > 0 {
				todo = append(todo, attackJob{c: i, seed: seed, twin: true, dir: dir + "-twin"})
			}
		}
	}
	workers := *jobs
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, len(todo))
	need := 0.0
	for _, s := range cases {
		e, _ := s.MemoryEstimate()
		need = max(need, e)
	}
	if fit, why := fitWorkers(workers, need, &memoryFlag{}); fit < workers {
		fmt.Fprintf(stderr, "coinai attacks: %d runs at once instead of %d: %s\n", fit, workers, why)
		workers = fit
	}
	fmt.Fprintf(stdout, "attacks:       %d cases × %d seeds (+ honest twins where the scenario has attackers or faults) = %d runs from %s, %d at once\n",
		len(m.Cases), n, len(todo), m.File, workers)

	intr := catchSignals(nil)
	defer intr.stop()
	err = writeOut(*out, kindAttacks, *force, intr, func(tmp string) error {
		od := &outDir{tmp: tmp}
		vals := make([]attacks.RunValues, len(todo))
		errs := make([]error, len(todo))
		next := make(chan int)
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for k := range next {
					if intr.caught() != nil {
						errs[k] = errInterrupted
						continue
					}
					j := todo[k]
					s := cases[j.c]
					if j.twin {
						s = twins[j.c]
					}
					vals[k], errs[k] = runAttackJob(s, j, od, intr)
				}
			})
		}
		for k := range todo {
			next <- k
		}
		close(next)
		wg.Wait()
		if s := intr.caught(); s != nil {
			return &signalled{s}
		}
		for k, e := range errs {
			if e != nil {
				j := todo[k]
				what := "attack run"
				if j.twin {
					what = "honest twin"
				}
				return fmt.Errorf("case %s/%s, seed %d, %s: %w", m.Cases[j.c].Attack, m.Cases[j.c].Variant, j.seed, what, e)
			}
		}
		for k, j := range todo {
			if c := m.Cases[j.c]; c.WantTwin() && len(changes[j.c]) == 0 {
				self := vals[k]
				self.Twin, self.Values = true, maps.Clone(self.Values)
				vals = append(vals, self)
			}
		}
		rep := attacks.Build(m, n, vals, changes)
		figs := rep.Figures()
		var names []string
		files := map[string][]byte{"attacks.csv": rep.CSV()}
		enc, err := figures.EncodeAll(figs, figures.Formats)
		if err != nil {
			return err
		}
		for i, f := range figs {
			names = append(names, f.Name)
			for j, format := range figures.Formats {
				files["figures/"+f.Name+"."+format] = enc[i][j]
			}
		}
		files["attacks.md"] = rep.Markdown(names)
		if files["attacks.json"], err = rep.JSON(); err != nil {
			return err
		}
		return od.writeFiles(files)
	})
	if err != nil {
		return fail(stderr, "attacks", err)
	}
	fmt.Fprintf(stdout, "wrote %s/attacks.md, attacks.csv, attacks.json, figures/ and runs/\n", *out)
	return 0
}

// errChecks is a run whose invariant checkers failed: its numbers are not
// to be trusted, so the report is not written.
var errChecks = errors.New("an invariant checker failed")

// runAttackJob runs one case at one seed into its folder of the output and
// returns its values.
func runAttackJob(s *scenarios.Scenario, j attackJob, od *outDir, intr *interrupt) (attacks.RunValues, error) {
	files, sum, err := runSeed(s, j.seed, "", intr)
	if err != nil {
		return attacks.RunValues{}, err
	}
	prefixed := make(map[string][]byte, len(files))
	for k, v := range files {
		prefixed[j.dir+"/"+k] = v
	}
	if err := od.writeFiles(prefixed); err != nil {
		return attacks.RunValues{}, err
	}
	if !sum.ChecksOK {
		var why []string
		for _, c := range sum.Checks {
			if !c.OK {
				why = append(why, c.Name+": "+c.Note)
			}
		}
		return attacks.RunValues{}, fmt.Errorf("%w (%s); the run is in %s", errChecks, strings.Join(why, "; "), j.dir)
	}
	run, err := rundata.Load(od.file(j.dir))
	if err != nil {
		return attacks.RunValues{}, err
	}
	rv := attacks.FromRun(run, s.CoinAI.VerifyScale)
	rv.Case, rv.Seed, rv.Twin = j.c, j.seed, j.twin
	return rv, nil
}
