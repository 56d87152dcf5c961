package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/coinai/coinai/scenarios"
	"github.com/coinai/coinai/scenarios/pipeline"
	"github.com/coinai/coinai/scenarios/sweep"
	"github.com/coinai/coinai/sim"
)

type setFlags []string

func (s *setFlags) String() string     { return strings.Join(*s, ",") }
func (s *setFlags) Set(v string) error { *s = append(*s, v); return nil }

func cmdRun(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("coinai run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	seed := fs.Int64("seed", 0, "override run.seed (0 .. 2^63-1)")
	out := fs.String("out", "", "output directory (default: <output.dir>/<scenario>-seed<N>); must be new, empty, or a previous run replaced with --force")
	force := fs.Bool("force", false, "replace the previous run directory at the output path (files coinai did not write in it are kept)")
	maxMemory := addMemoryFlag(fs)
	trace := fs.Bool("trace", false, "write trace.jsonl (one JSON object per delivered event)")
	noReport := fs.Bool("no-report", false, "do not write report.md and report.html")
	quiet := fs.Bool("quiet", false, "print nothing but errors")
	progress := fs.Bool("progress", false, "print progress lines on stderr even when it is not a terminal")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	memProfile := fs.String("memprofile", "", "write a heap profile at the end of the run to this file")
	reps := fs.Int("reps", 0, "run N independent replications, replication i with seed S+i (S: --seed or run.seed), and write their ensemble statistics (default: one run)")
	jobs := fs.Int("jobs", 0, "with --reps: replications run at once (default GOMAXPROCS, lowered to fit the memory estimate)")
	withReport := fs.Bool("report", false, "write report.md and report.html even where they are off by default (each replication of --reps)")
	var sets setFlags
	fs.Var(&sets, "set", "override a scenario key, e.g. --set pow.interval=60s (repeatable)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: coinai run SCENARIO [--seed N] [--reps N] [--set key=value]... [--out DIR] [--force] [--trace] [--no-report] [--max-memory SIZE]")
		fs.PrintDefaults()
	}
	flags, pos := interleaved(args, map[string]bool{"trace": true, "force": true, "no-report": true, "report": true, "quiet": true, "progress": true, "h": true, "help": true})
	if err := fs.Parse(flags); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if len(pos) != 1 {
		fs.Usage()
		return 2
	}
	s, err := scenarios.Load(pos[0])
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	for _, kv := range sets {
		if !strings.Contains(kv, "=") {
			fmt.Fprintf(stderr, "coinai run: --set %q: want key=value\n", kv)
			return 2
		}
	}
	// All overrides at once, validated together: keys that must change
	// together (group sizes and network.degree, network.regions and its
	// tables) may come in any order.
	if err := s.Apply(sets...); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if err := applySeed(fs, s, *seed); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if *trace {
		s.Output.Trace = true
	}
	if err := s.Validate(); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if err := maxMemory.check(s); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	cfg, err := pipeline.FromScenario(s)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if given(fs, "reps") {
		if *cpuProfile != "" || *memProfile != "" {
			fmt.Fprintln(stderr, "coinai run: --cpuprofile and --memprofile profile a single run, not --reps")
			return 2
		}
		return runReps(repOptions{s: s, scenarioPath: pos[0], reps: *reps, jobs: *jobs, out: *out, force: *force,
			report: *withReport && !*noReport, quiet: *quiet, maxMemory: maxMemory}, stdout, stderr)
	}
	dir := *out
	if dir == "" {
		base := strings.TrimSuffix(filepath.Base(pos[0]), filepath.Ext(pos[0]))
		dir = filepath.Join(s.Output.Dir, fmt.Sprintf("%s-seed%d", base, s.Run.Seed))
	}
	od, err := prepareOut(dir, kindRun, "--out", *force)
	if err != nil {
		fmt.Fprintf(stderr, "coinai run: %v\n", err)
		return exitCode(err)
	}
	resolved, err := s.TOML()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	intr := catchSignals(func(sig os.Signal) { interruptedMsg(stderr, sig, od) })
	defer intr.stop()
	intr.exitNow(true) // until the run's events are handled
	if err := od.create(); err != nil {
		fmt.Fprintf(stderr, "coinai run: %v\n", err)
		return 1
	}
	defer od.abandon()
	cfg.Interrupt = intr.interrupted
	var traceBuf *traceFile
	if s.Output.Trace {
		traceBuf, err = newTraceFile(od.file("trace.jsonl"))
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		defer traceBuf.close()
		cfg.Trace = traceBuf
	}
	if isTerminal(stderr) && !*quiet {
		cfg.Progress = progressBar(stderr, cfg, "\r")
	} else if *progress {
		last := time.Now()
		bar := progressBar(stderr, cfg, "")
		cfg.Progress = func(now sim.Time, h int64) {
			if time.Since(last) >= 5*time.Second {
				last = time.Now()
				bar(now, h)
				fmt.Fprintln(stderr)
			}
		}
	}
	r, err := pipeline.New(cfg)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		pprof.StartCPUProfile(f)
		defer f.Close()
	}
	intr.exitNow(false)
	res, err := r.Run()
	if *cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	if *memProfile != "" {
		if f, err := os.Create(*memProfile); err == nil {
			pprof.WriteHeapProfile(f)
			f.Close()
		}
	}
	if cfg.Progress != nil && isTerminal(stderr) && !*quiet {
		fmt.Fprint(stderr, "\r\033[K")
	}
	if intr.caught() != nil {
		return interrupted(stderr, intr, od)
	}
	if err != nil {
		fmt.Fprintf(stderr, "coinai run: %v\n", err)
		return 1
	}
	files, err := res.Files(s.Output.Propagation)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	files["scenario.toml"] = resolved
	if traceBuf != nil {
		if err := traceBuf.finish(); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
	}
	report := (s.Output.Report || *withReport) && !*noReport
	if err := writeRunDir(od, files, report, intr); err != nil {
		if intr.caught() != nil {
			return interrupted(stderr, intr, od)
		}
		fmt.Fprintf(stderr, "coinai run: %v\n", err)
		return exitCode(err)
	}
	if !*quiet {
		printSummary(stdout, dir, res)
		if report {
			fmt.Fprintf(stdout, "report:        %s\n", filepath.Join(dir, "report.html"))
		}
	}
	if !res.Summary.ChecksOK {
		// Say which checker failed and why: with --quiet, stderr is all
		// there is.
		var why []string
		for _, c := range res.Summary.Checks {
			if !c.OK {
				why = append(why, c.Name+": "+c.Note)
			}
		}
		fmt.Fprintf(stderr, "coinai run: an invariant checker failed: %s; results in %s; the seed %d replays it\n",
			strings.Join(why, "; "), dir, res.Summary.Seed)
		return 1
	}
	return 0
}

func printSummary(w io.Writer, dir string, res *pipeline.Result) {
	s := res.Summary
	f := func(p *float64) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprintf("%.3f", *p)
	}
	fmt.Fprintf(w, "protocol:      %s (%d nodes, seed %d)\n", s.Protocol, s.Nodes, s.Seed)
	fmt.Fprintf(w, "blocks:        %d main, %d stale (stale rate %.4f)\n", s.BlocksMain, s.BlocksStale, s.StaleRate)
	fmt.Fprintf(w, "interval:      mean %s s, p50 %s s\n", f(s.IntervalMeanS), f(s.IntervalP50S))
	fmt.Fprintf(w, "propagation:   50%% %s s, 90%% %s s\n", f(s.PropagationP50S), f(s.PropagationP90S))
	fmt.Fprintf(w, "energy:        %.4g J (%s J/block)\n", s.EnergyJoules, f(s.EnergyJoulesPerBlock))
	if s.Protocol == "coinai" {
		fmt.Fprintf(w, "attempts:      %d completed, %d cancelled, %d verify cache hits\n", s.AttemptsCompleted, s.AttemptsCancelled, s.VerifyCacheHits)
		fmt.Fprintf(w, "accuracy:      mined mean %s, final threshold %s\n", f(s.MinedAccuracyMean), f(s.ThresholdFinal))
	}
	fmt.Fprintf(w, "virtual time:  %.1f s, %d events, wall %.2f s\n", s.VirtualSeconds, s.Events, s.WallSeconds)
	for _, n := range s.Fidelity {
		fmt.Fprintf(w, "fidelity:      %s\n", n)
	}
	for _, c := range s.Checks {
		verdict := "ok"
		if !c.OK {
			verdict = "FAILED"
		}
		fmt.Fprintf(w, "check:         %s %s (%s)\n", c.Name, verdict, c.Note)
	}
	fmt.Fprintf(w, "trace digest:  %s\n", s.TraceDigest)
	fmt.Fprintf(w, "results:       %s\n", dir)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func progressBar(w io.Writer, cfg pipeline.Config, lead string) func(sim.Time, int64) {
	return func(now sim.Time, height int64) {
		var frac float64
		label := ""
		switch {
		case cfg.StopHeight > 0:
			frac = float64(height) / float64(cfg.StopHeight)
			label = fmt.Sprintf("height %d/%d", height, cfg.StopHeight)
		case cfg.StopTime > 0:
			frac = float64(now) / float64(cfg.StopTime)
			label = fmt.Sprintf("t %.0fs/%.0fs", float64(now)/1e9, float64(cfg.StopTime)/1e9)
		}
		frac = min(max(frac, 0), 1)
		const width = 30
		n := int(frac * width)
		fmt.Fprintf(w, "%s[%s%s] %3.0f%% %s", lead, strings.Repeat("#", n), strings.Repeat(".", width-n), frac*100, label)
	}
}

func cmdValidate(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stderr, "usage: coinai validate SCENARIO|SWEEP...")
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	code := 0
	for _, p := range args {
		if data, err := os.ReadFile(p); err == nil && sweep.IsSweep(data) {
			code = max(code, validateSweep(p, stdout, stderr))
			continue
		}
		s, err := scenarios.Load(p)
		if err == nil {
			err = s.Validate()
		}
		if err == nil {
			_, err = pipeline.FromScenario(s)
		}
		if err == nil {
			err = s.CheckRegression(regressNames())
		}
		if err == nil {
			err = s.CheckMemory(availableMemory())
		}
		if err != nil {
			fmt.Fprintln(stderr, err)
			code = 2
			continue
		}
		mem, _ := s.MemoryEstimate()
		fmt.Fprintf(stdout, "%s: ok (%s, %d nodes, about %s of memory)\n", p, s.Run.Protocol, s.NodeCount(), scenarios.FormatBytes(mem))
	}
	return code
}
