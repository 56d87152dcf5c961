package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coinai/coinai/scenarios"
	"github.com/coinai/coinai/scenarios/observe"
	"github.com/coinai/coinai/scenarios/pipeline"
)

type repOptions struct {
	s            *scenarios.Scenario // validated; its run.seed is S
	scenarioPath string
	reps, jobs   int
	out          string
	force        bool
	report       bool // write each replication's report
	quiet        bool
	maxMemory    *memoryFlag
}

// repResult is what a replication leaves for the merge.
type repResult struct {
	sum *observe.Summary
	err error
}

// runReps runs opt.reps independent replications of the scenario,
// replication i with seed S+i, on a pool of workers, and writes one run
// folder per replication with ensemble.json and ensemble.csv into one
// directory, atomically. Each replication is a pure function of its seed
// and is written to its own folder; the ensemble is merged in replication
// order, so the output does not depend on the number of workers.
func runReps(opt repOptions, stdout, stderr io.Writer) int {
	s, n := opt.s, opt.reps
	start := s.Run.Seed
	if n < 1 {
		fmt.Fprintf(stderr, "coinai run: --reps %d: want at least 1 replication\n", n)
		return 2
	}
	if start > math.MaxInt64-int64(n-1) {
		fmt.Fprintf(stderr, "coinai run: --reps %d with seed %d: the last replication's seed S+N-1 exceeds 9223372036854775807; choose a smaller --seed\n", n, start)
		return 2
	}
	if opt.jobs < 0 {
		fmt.Fprintf(stderr, "coinai run: --jobs %d: want a positive number of workers\n", opt.jobs)
		return 2
	}
	workers := opt.jobs
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, n)
	// Each worker holds a whole run: fit the workers into memory (a single
	// run was checked already).
	need, _ := s.MemoryEstimate()
	if fit, why := fitWorkers(workers, need, opt.maxMemory); fit < workers {
		fmt.Fprintf(stderr, "coinai run: %d replications at once instead of %d: %s\n", fit, workers, why)
		workers = fit
	}

	seeds, names := repNames(start, n)
	dir := opt.out
	if dir == "" {
		base := strings.TrimSuffix(filepath.Base(opt.scenarioPath), filepath.Ext(opt.scenarioPath))
		dir = filepath.Join(s.Output.Dir, fmt.Sprintf("%s-seed%d-reps%d", base, start, n))
	}
	od, err := prepareOut(dir, kindReps, "--out", opt.force)
	if err != nil {
		fmt.Fprintf(stderr, "coinai run: %v\n", err)
		return exitCode(err)
	}
	intr := catchSignals(func(sig os.Signal) { repsInterruptedMsg(stderr, sig, od) })
	defer intr.stop()
	if err := od.create(); err != nil {
		fmt.Fprintf(stderr, "coinai run: %v\n", err)
		return 1
	}
	defer od.abandon()
	if !opt.quiet {
		fmt.Fprintf(stdout, "replications:  %d of %s, seeds %d..%d (replication i uses seed %d+i), %d at once\n",
			n, s.Run.Name, seeds[0], seeds[n-1], start, workers)
	}

	began := time.Now()
	results := make([]repResult, n)
	next := make(chan int)
	var wg sync.WaitGroup
	var done sync.Mutex
	finished := 0
	for range workers {
		wg.Go(func() {
			for i := range next {
				if intr.caught() != nil {
					results[i].err = errInterrupted
					continue
				}
				results[i].sum, results[i].err = runRep(s, seeds[i], od, names[i], intr)
				testHook("rep", intr)
				if isTerminal(stderr) && !opt.quiet {
					done.Lock()
					finished++
					fmt.Fprintf(stderr, "\r%d/%d replications done", finished, n)
					done.Unlock()
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	if isTerminal(stderr) && !opt.quiet {
		fmt.Fprint(stderr, "\r\033[K")
	}
	if intr.caught() != nil {
		repsInterruptedMsg(stderr, intr.caught(), od)
		return intr.exitCode()
	}
	sums := make([]*observe.Summary, n)
	for i, r := range results {
		if r.err != nil {
			fmt.Fprintf(stderr, "coinai run: replication %d (seed %d): %v; nothing was written to %s\n", i, seeds[i], r.err, dir)
			return 1
		}
		sums[i] = r.sum
	}
	// Reports, when asked for, one after the other (the renderer is not
	// known to be safe to run concurrently); then each folder's manifest,
	// so that a replication's folder is a run directory like any other.
	for i, name := range names {
		if intr.caught() != nil {
			break
		}
		sub := od.file(name)
		if opt.report {
			run, err := loadRun(sub)
			if err == nil {
				run.Dir = filepath.Join(od.path, name)
				err = renderReport(run, sub)
			}
			if err != nil {
				fmt.Fprintf(stderr, "coinai run: writing the report of replication %d: %v\n", i, err)
				return 1
			}
		}
		files, err := walkFiles(sub)
		if err == nil {
			err = writeManifest(sub, &manifest{Version: 1, Kind: kindRun, Files: files})
		}
		if err != nil {
			fmt.Fprintf(stderr, "coinai run: %v\n", err)
			return 1
		}
	}
	ens := computeEnsemble(sums, seeds, names)
	files, err := ens.files()
	if err == nil {
		err = od.writeFiles(files)
	}
	if err == nil && intr.caught() == nil {
		err = od.commit()
	}
	if intr.caught() != nil {
		repsInterruptedMsg(stderr, intr.caught(), od)
		return intr.exitCode()
	}
	if err != nil {
		fmt.Fprintf(stderr, "coinai run: %v\n", err)
		return exitCode(err)
	}
	if !opt.quiet {
		printEnsemble(stdout, ens)
		fmt.Fprintf(stdout, "wall:          %.2f s\n", time.Since(began).Seconds())
		fmt.Fprintf(stdout, "results:       %s (ensemble.json, ensemble.csv, %s ...)\n", dir, names[0])
	}
	if !ens.ChecksOK {
		var why []string
		for i, sm := range sums {
			for _, c := range sm.Checks {
				if !c.OK {
					why = append(why, fmt.Sprintf("seed %d: %s: %s", seeds[i], c.Name, c.Note))
				}
			}
		}
		fmt.Fprintf(stderr, "coinai run: an invariant checker failed in %d of %d replications (seeds %s): %s; results in %s\n",
			len(ens.FailedSeeds), n, joinInts(ens.FailedSeeds), strings.Join(why, "; "), dir)
		return 1
	}
	return 0
}

// fitWorkers lowers workers, each running a whole run of about need
// bytes, until they fit the memory that --max-memory allows, else the
// memory available; why says so when it lowered them.
func fitWorkers(workers int, need float64, m *memoryFlag) (fit int, why string) {
	limit, limitWhat := float64(m.size), "allowed by --max-memory"
	if limit <= 0 {
		limit, limitWhat = availableMemory()
	}
	fit = workers
	if limit <= 0 || need <= 0 {
		return fit, ""
	}
	for fit > 1 && need*float64(fit) > limit {
		fit--
	}
	return fit, fmt.Sprintf("each needs about %s and %s are %s", scenarios.FormatBytes(need), scenarios.FormatBytes(limit), limitWhat)
}

// runRep runs one replication and writes its run files into the folder
// name of the directory being built. The resolved scenario is the one a
// plain `coinai run --seed SEED` with the same overrides writes.
func runRep(base *scenarios.Scenario, seed int64, od *outDir, name string, intr *interrupt) (*observe.Summary, error) {
	trace := ""
	if base.Output.Trace {
		if err := os.MkdirAll(od.file(name), 0o755); err != nil {
			return nil, err
		}
		trace = od.file(name + "/trace.jsonl")
	}
	files, sum, err := runSeed(base, seed, trace, intr)
	if err != nil {
		return nil, err
	}
	prefixed := make(map[string][]byte, len(files))
	for k, v := range files {
		prefixed[name+"/"+k] = v
	}
	if err := od.writeFiles(prefixed); err != nil {
		return nil, err
	}
	return sum, nil
}

// runSeed runs the scenario at seed and returns the files of its run
// directory (scenario.toml, the resolved scenario at that seed, included)
// and its summary. When the scenario asks for a trace and tracePath is not
// empty, the trace is written there; the summary's trace digest does not
// depend on it. A caught signal stops the run (errInterrupted).
func runSeed(base *scenarios.Scenario, seed int64, tracePath string, intr *interrupt) (map[string][]byte, *observe.Summary, error) {
	s := *base // Set replaces the copy's contents; base is not touched
	if err := s.Set("run.seed", strconv.FormatInt(seed, 10)); err != nil {
		return nil, nil, err
	}
	cfg, err := pipeline.FromScenario(&s)
	if err != nil {
		return nil, nil, err
	}
	resolved, err := s.TOML()
	if err != nil {
		return nil, nil, err
	}
	cfg.Interrupt = intr.interrupted
	var tf *traceFile
	if s.Output.Trace && tracePath != "" {
		if tf, err = newTraceFile(tracePath); err != nil {
			return nil, nil, err
		}
		defer tf.close()
		cfg.Trace = tf
	}
	r, err := pipeline.New(cfg)
	if err != nil {
		return nil, nil, err
	}
	res, err := r.Run()
	if err != nil {
		return nil, nil, err
	}
	files, err := res.Files(s.Output.Propagation)
	if err != nil {
		return nil, nil, err
	}
	files["scenario.toml"] = resolved
	if tf != nil {
		if err := tf.finish(); err != nil {
			return nil, nil, err
		}
	}
	return files, res.Summary, nil
}

// repNames are the folder names of n replications from seed start:
// rep-000-seedS, the index zero-padded to at least three digits.
func repNames(start int64, n int) (seeds []int64, names []string) {
	seeds = make([]int64, n)
	names = make([]string, n)
	width := max(3, len(strconv.Itoa(n-1)))
	for i := range n {
		seeds[i] = start + int64(i)
		names[i] = fmt.Sprintf("rep-%0*d-seed%d", width, i, seeds[i])
	}
	return seeds, names
}

func repsInterruptedMsg(stderr io.Writer, sig os.Signal, od *outDir) {
	abandonOnSignal(stderr, sig, od, "the replications stopped and their unfinished output was removed", "the previous replications in %s are unchanged")
}

// printEnsemble prints the headline metrics: mean ± the half-width of the
// t interval, and the number of replications with a value.
func printEnsemble(w io.Writer, e *ensemble) {
	fmt.Fprintf(w, "%-25s %-28s %s\n", "metric", "mean ± 95% CI (t)", "n")
	for _, name := range headlineMetrics {
		for _, m := range e.Metrics {
			if m.Metric != name || m.N == 0 {
				continue
			}
			val := fmt.Sprintf("%.4g", float64(m.Mean))
			if half := (float64(m.THi) - float64(m.TLo)) / 2; !math.IsNaN(half) {
				val += fmt.Sprintf(" ± %.2g", half)
			}
			fmt.Fprintf(w, "%-25s %-28s %d\n", name, val, m.N)
		}
	}
	if e.ChecksOK {
		fmt.Fprintf(w, "checks:        ok in all %d replications\n", e.Reps)
	} else {
		fmt.Fprintf(w, "checks:        FAILED in seeds %s\n", joinInts(e.FailedSeeds))
	}
}

func joinInts(x []int64) string {
	s := make([]string, len(x))
	for i, v := range x {
		s[i] = strconv.FormatInt(v, 10)
	}
	return strings.Join(s, ", ")
}
