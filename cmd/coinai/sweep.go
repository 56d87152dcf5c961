package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	asweep "github.com/coinai/coinai/analysis/sweep"
	"github.com/coinai/coinai/scenarios"
	"github.com/coinai/coinai/scenarios/observe"
	"github.com/coinai/coinai/scenarios/pipeline"
	"github.com/coinai/coinai/scenarios/sweep"
)

// `coinai sweep FILE --out DIR`: every point of a sweep definition (package
// scenarios/sweep), each run as `coinai run --reps` would, into one folder
// per point. Unlike other outputs, a sweep directory is built point by
// point, so that a sweep of hours survives a stop: each point folder is
// written in a hidden sibling (points/.p0000.tmp-*) and renamed into place
// when whole, and a rerun of the same command skips the points that exist.
// The layout is a contract shared with `coinai merge` (DESIGN.md, "Sweeps").

// kindSweep is the manifest kind of a sweep directory.
const kindSweep = "sweep"

const (
	// sweepManifestEvery is how often the manifest is rewritten while
	// points are being written; it is rewritten at the end in any case
	// (and repaired by a resumed run after a SIGKILL).
	sweepManifestEvery = 2 * time.Second
)

func cmdSweep(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("coinai sweep", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "sweep directory (default: <output.dir of the base>/sweep-<file name>[-shard<i>of<n>]); new, empty, or this sweep's directory, which is resumed")
	shardFlag := fs.String("shard", "0/1", "run shard i of n: the points whose index k has k mod n = i")
	jobs := fs.Int("jobs", 0, "runs at once (default GOMAXPROCS, lowered to fit the memory estimate)")
	keepRuns := fs.Bool("keep-runs", false, "keep every replication's run directory in the point's runs/ folder")
	dryRun := fs.Bool("dry-run", false, "check the sweep, list the points of the shard and the runs they need, and exit")
	quiet := fs.Bool("quiet", false, "print nothing but errors")
	maxMemory := addMemoryFlag(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: coinai sweep FILE [--out DIR] [--shard i/n] [--jobs J] [--keep-runs] [--max-memory SIZE] [--dry-run]")
		fs.PrintDefaults()
	}
	flags, pos := interleaved(args, map[string]bool{"keep-runs": true, "dry-run": true, "quiet": true, "h": true, "help": true})
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
	sw, err := sweep.Load(pos[0])
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	shard, err := sweep.ParseShard(*shardFlag)
	if err != nil {
		fmt.Fprintf(stderr, "coinai sweep: %v\n", err)
		return 2
	}
	if *jobs < 0 {
		fmt.Fprintf(stderr, "coinai sweep: --jobs %d: want a positive number of runs at once\n", *jobs)
		return 2
	}
	points := sw.ShardPoints(shard)
	need, err := checkSweepPoints(sw, points, maxMemory.check)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if *dryRun {
		printSweepPlan(stdout, pos[0], sw, shard, points, need)
		return 0
	}
	dir := *out
	if dir == "" {
		name := "sweep-" + strings.TrimSuffix(filepath.Base(pos[0]), filepath.Ext(pos[0]))
		if shard.N > 1 {
			name += fmt.Sprintf("-shard%dof%d", shard.I, shard.N)
		}
		dir = filepath.Join(sw.BaseScenario().Output.Dir, name)
	}
	return runSweep(sweepOptions{sw: sw, path: pos[0], shard: shard, points: points, out: dir, jobs: *jobs,
		keepRuns: *keepRuns, quiet: *quiet, maxMemory: maxMemory}, stdout, stderr)
}

// checkSweepPoints checks that every point can be built and fits in memory
// (check), and returns the largest memory estimate of a run. Problems name
// the sweep file's line of the point's values.
func checkSweepPoints(sw *sweep.Sweep, points []sweep.Point, check func(*scenarios.Scenario) error) (float64, error) {
	need := 0.0
	for _, p := range points {
		s, err := sw.Resolve(p)
		if err == nil {
			_, err = pipeline.FromScenario(s)
		}
		if err == nil {
			err = check(s)
		}
		if err != nil {
			return 0, sw.PointError(p, err)
		}
		n, _ := s.MemoryEstimate()
		need = max(need, n)
	}
	return need, nil
}

// printSweepPlan is --dry-run: what the sweep would run.
func printSweepPlan(w io.Writer, path string, sw *sweep.Sweep, shard sweep.Shard, points []sweep.Point, need float64) {
	fmt.Fprintf(w, "sweep:         %s (%s), base %s, sweep_hash %s\n", sw.Name, path, sw.Base, sw.Hash())
	fmt.Fprintf(w, "grid:          %s\n", gridText(sw))
	fmt.Fprintf(w, "replications:  %d a point, seeds %d..%d (replication i uses seed %d+i)\n", sw.Reps, sw.Seed, sw.Seed+int64(sw.Reps-1), sw.Seed)
	fmt.Fprintf(w, "shard %-7s  %d of %d points, %d runs, up to about %s of memory a run\n",
		shard.String()+":", len(points), sw.Len(), len(points)*sw.Reps, scenarios.FormatBytes(need))
	for _, p := range points {
		fmt.Fprintf(w, "  %s  %s\n", p.ID, p.Label())
	}
}

// gridText is "30 points = 6 pow.interval x 5 pow.block_size".
func gridText(sw *sweep.Sweep) string {
	parts := make([]string, len(sw.Params))
	for i, p := range sw.Params {
		parts[i] = fmt.Sprintf("%d %s", len(p.Values), p.Key)
	}
	return fmt.Sprintf("%d points = %s", sw.Len(), strings.Join(parts, " x "))
}

// validateSweep is `coinai validate` of a sweep file: the file, every
// point, and the memory of every run against this machine's.
func validateSweep(path string, stdout, stderr io.Writer) int {
	sw, err := sweep.Load(path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	need, err := checkSweepPoints(sw, sw.Points(), func(s *scenarios.Scenario) error { return s.CheckMemory(availableMemory()) })
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	fmt.Fprintf(stdout, "%s: ok (sweep %s: %s, %d replications each, %d runs; up to about %s of memory a run; sweep_hash %s; --shard i/n runs the points k with k mod n = i)\n",
		path, sw.Name, gridText(sw), sw.Reps, sw.Len()*sw.Reps, scenarios.FormatBytes(need), sw.Hash()[:12])
	return 0
}

type sweepOptions struct {
	sw        *sweep.Sweep
	path      string // the sweep file as given
	shard     sweep.Shard
	points    []sweep.Point // the shard's
	out       string
	jobs      int
	keepRuns  bool
	quiet     bool
	maxMemory *memoryFlag
}

// sweepDir is a sweep directory being written.
type sweepDir struct {
	path   string // as the user gave it
	abs    string
	points string // abs/points
	hash   string

	mu       sync.Mutex
	tmps     map[string]bool // hidden point folders being built
	files    []string        // the manifest's files, sorted
	lastSave time.Time
}

// hiddenPoint matches the hidden folder of a point being built.
var hiddenPoint = regexp.MustCompile(`^\.p[0-9]+\.tmp-`)

// openSweepDir creates the sweep directory (atomically, with sweep.json,
// sweep.toml and an empty points/), or opens an existing one of the same
// sweep and shard to resume it. It refuses (exit 2) a path that holds
// anything else.
func openSweepDir(opt sweepOptions, intr *interrupt, hook *exitHook, stderr io.Writer) (*sweepDir, error) {
	abs, err := filepath.Abs(opt.out)
	if err != nil {
		return nil, err
	}
	d := &sweepDir{path: opt.out, abs: abs, points: filepath.Join(abs, "points"), hash: opt.sw.Hash(), tmps: map[string]bool{}}
	if ents, err := os.ReadDir(abs); errors.Is(err, fs.ErrNotExist) || err == nil && len(ents) == 0 {
		return d, d.create(opt, intr, hook)
	}
	st, err := os.Lstat(abs)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, refuse("%s exists and is not a directory coinai wrote; nothing was written: choose another --out", opt.out)
	}
	m, err := readManifest(abs)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, refuse("%s exists and holds files coinai did not write; nothing was written: choose a new or empty directory for --out", opt.out)
	}
	if m.Kind != kindSweep {
		return nil, refuse("%s holds coinai %s output, not a sweep; nothing was written: choose another --out", opt.out, m.Kind)
	}
	var prev asweep.Definition
	b, err := os.ReadFile(filepath.Join(abs, "sweep.json"))
	if err == nil {
		err = json.Unmarshal(b, &prev)
	}
	if err != nil {
		return nil, refuse("%s: unreadable sweep.json (%v); nothing was written: choose another --out", opt.out, err)
	}
	if prev.Hash != d.hash {
		return nil, refuse("%s holds sweep %q of sweep_hash %.12s, not %s (sweep_hash %.12s): the sweep file or its base scenario changed; nothing was written: choose another --out",
			opt.out, prev.Name, prev.Hash, opt.path, d.hash)
	}
	if prev.Shard != opt.shard.String() {
		return nil, refuse("%s holds shard %s of this sweep, not shard %s; nothing was written: run each shard into its own directory (coinai merge joins them)",
			opt.out, prev.Shard, opt.shard)
	}
	if rev := revision(); prev.Revision != rev {
		fmt.Fprintf(stderr, "coinai sweep: warning: %s was started by coinai revision %s, this is %s; points of both are mixed if their results differ\n",
			opt.out, prev.Revision, rev)
	}
	if st, err := os.Stat(d.points); err != nil || !st.IsDir() {
		return nil, refuse("%s has no points/ folder; nothing was written: choose another --out", opt.out)
	}
	d.files = slices.Clone(m.Files)
	return d, nil
}

// create writes a new sweep directory as a whole.
func (d *sweepDir) create(opt sweepOptions, intr *interrupt, hook *exitHook) error {
	od, err := prepareOut(opt.out, kindSweep, "--out", false)
	if err != nil {
		return err
	}
	hook.set(func(sig os.Signal) {
		od.abandon()
		fmt.Fprintf(hook.stderr, "coinai sweep: interrupted by %s; nothing was written to %s\n", signalName(sig), opt.out)
	})
	intr.exitNow(true)
	defer intr.exitNow(false)
	if err := od.create(); err != nil {
		return err
	}
	defer od.abandon()
	sw := opt.sw
	set := sw.Set
	if set == nil {
		set = []string{}
	}
	params := make([]asweep.Param, len(sw.Params))
	for i, p := range sw.Params {
		params[i] = asweep.Param{Key: p.Key, Values: p.Values}
	}
	j, err := json.MarshalIndent(asweep.Definition{Version: asweep.DefinitionVersion, Name: sw.Name, SweepFile: filepath.ToSlash(opt.path),
		Hash: sw.Hash(), Base: sw.Base, Reps: sw.Reps, Seed: sw.Seed, Seeds: sw.Seeds(), Set: set,
		Params: params, Points: sw.Len(), Shard: opt.shard.String(), Revision: revision(), Note: sw.Note}, "", "  ")
	if err != nil {
		return err
	}
	if err := od.writeFiles(map[string][]byte{"sweep.json": append(j, '\n'), "sweep.toml": sw.Source}); err != nil {
		return err
	}
	if err := os.Mkdir(od.file("points"), 0o755); err != nil {
		return err
	}
	if err := od.commit(); err != nil {
		return err
	}
	d.files = []string{"sweep.json", "sweep.toml"}
	return nil
}

// scan finds the complete points, removes the hidden folders of points an
// earlier run left unfinished, and brings the manifest up to date. A
// folder named like a point that is not a complete point of this sweep is
// refused: coinai did not write it there.
func (d *sweepDir) scan(sw *sweep.Sweep) (done map[int]bool, removed int, err error) {
	ents, err := os.ReadDir(d.points)
	if err != nil {
		return nil, 0, err
	}
	done = map[int]bool{}
	for _, e := range ents {
		name := e.Name()
		switch {
		case e.IsDir() && hiddenPoint.MatchString(name):
			if err := os.RemoveAll(filepath.Join(d.points, name)); err != nil {
				return nil, removed, fmt.Errorf("removing the unfinished point folder %s: %w", name, err)
			}
			removed++
		case e.IsDir() && strings.HasPrefix(name, "p"):
			k, err := d.readPoint(sw, name)
			if err != nil {
				return nil, removed, refuse("%s: points/%s is not a complete point of this sweep (%v); nothing was run: move it away and run again", d.path, name, err)
			}
			done[k] = true
		}
	}
	// The manifest: what it listed and is still there, and the files of
	// points renamed into place after its last save (a SIGKILL).
	d.files = slices.DeleteFunc(d.files, func(rel string) bool {
		_, err := os.Lstat(filepath.Join(d.abs, filepath.FromSlash(strings.TrimSuffix(rel, "/"))))
		return err != nil || rel == "points/"
	})
	for k := range done {
		id := sw.Point(k).ID
		if slices.Contains(d.files, "points/"+id+"/point.json") {
			continue
		}
		files, err := walkFiles(filepath.Join(d.points, id))
		if err != nil {
			return nil, removed, err
		}
		for _, f := range files {
			d.files = append(d.files, "points/"+id+"/"+f)
		}
	}
	return done, removed, d.saveManifest(true)
}

// readPoint checks a point folder's point.json and returns its index.
func (d *sweepDir) readPoint(sw *sweep.Sweep, name string) (int, error) {
	b, err := os.ReadFile(filepath.Join(d.points, name, "point.json"))
	if err != nil {
		return 0, errors.Unwrap(err)
	}
	var p asweep.PointRecord
	if err := json.Unmarshal(b, &p); err != nil {
		return 0, fmt.Errorf("point.json: %v", err)
	}
	switch {
	case p.Hash != d.hash:
		return 0, fmt.Errorf("its sweep_hash %.12s is not this sweep's %.12s", p.Hash, d.hash)
	case p.Index == nil:
		return 0, fmt.Errorf("point.json has no index")
	case *p.Index < 0 || *p.Index >= sw.Len() || sw.Point(*p.Index).ID != name || p.ID != name:
		return 0, fmt.Errorf("point.json names point %d, %q", *p.Index, p.ID)
	}
	return *p.Index, nil
}

// saveManifest writes the manifest (kind sweep, the files coinai wrote);
// unless now, at most every sweepManifestEvery.
func (d *sweepDir) saveManifest(now bool) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !now && time.Since(d.lastSave) < sweepManifestEvery {
		return nil
	}
	d.lastSave = time.Now()
	files := slices.Clone(d.files)
	if !slices.ContainsFunc(files, func(f string) bool { return strings.HasPrefix(f, "points/") }) {
		files = append(files, "points/")
	}
	return writeManifest(d.abs, &manifest{Version: 1, Kind: kindSweep, Files: files})
}

// newPoint makes the hidden folder a point is built in.
func (d *sweepDir) newPoint(id string) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	tmp, err := os.MkdirTemp(d.points, "."+id+".tmp-")
	if err != nil {
		return "", fmt.Errorf("creating the folder of point %s: %w", id, err)
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.Remove(tmp)
		return "", err
	}
	d.tmps[tmp] = true
	return tmp, nil
}

// dropPoint removes an unfinished point's hidden folder.
func (d *sweepDir) dropPoint(tmp string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.tmps[tmp] {
		os.RemoveAll(tmp)
		delete(d.tmps, tmp)
	}
}

// dropAll removes every unfinished point's hidden folder (at the end, or
// on a signal that exits at once).
func (d *sweepDir) dropAll() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for tmp := range d.tmps {
		os.RemoveAll(tmp)
		delete(d.tmps, tmp)
		n++
	}
	return n
}

// commitPoint renames a whole point folder into place.
func (d *sweepDir) commitPoint(id, tmp string) error {
	files, err := walkFiles(tmp)
	if err != nil {
		return err
	}
	final := filepath.Join(d.points, id)
	d.mu.Lock()
	if _, err := os.Lstat(final); err == nil {
		d.mu.Unlock()
		return refuse("%s: points/%s appeared while it was being run (is another coinai writing into this directory?); it was left as it is", d.path, id)
	}
	if err := os.Rename(tmp, final); err != nil {
		d.mu.Unlock()
		return fmt.Errorf("writing point %s: %w", id, err)
	}
	delete(d.tmps, tmp)
	for _, f := range files {
		d.files = append(d.files, "points/"+id+"/"+f)
	}
	slices.Sort(d.files)
	d.mu.Unlock()
	return d.saveManifest(false)
}

// exitHook is what a signal that exits at once does first (remove what is
// unfinished); it changes as the command goes on.
type exitHook struct {
	f      atomic.Pointer[func(os.Signal)]
	stderr io.Writer
}

func (h *exitHook) set(f func(os.Signal)) { h.f.Store(&f) }

func (h *exitHook) run(sig os.Signal) {
	if f := h.f.Load(); f != nil {
		(*f)(sig)
	}
}

// sweepPoint is a point being run.
type sweepPoint struct {
	p    sweep.Point
	s    *scenarios.Scenario
	tmp  string
	sums []*observe.Summary
	left atomic.Int32
	err  atomic.Pointer[error] // the first error of a replication
}

func (sp *sweepPoint) fail(err error) { sp.err.CompareAndSwap(nil, &err) }

type sweepJob struct {
	sp  *sweepPoint
	rep int
}

func runSweep(opt sweepOptions, stdout, stderr io.Writer) int {
	sw := opt.sw
	hook := &exitHook{stderr: stderr}
	intr := catchSignals(hook.run)
	defer intr.stop()
	d, err := openSweepDir(opt, intr, hook, stderr)
	if err != nil {
		if intr.caught() != nil {
			fmt.Fprintf(stderr, "coinai sweep: interrupted by %s; nothing was written to %s\n", signalName(intr.caught()), opt.out)
			return intr.exitCode()
		}
		fmt.Fprintf(stderr, "coinai sweep: %v\n", err)
		return exitCode(err)
	}
	// A second signal exits at once: remove the points in flight first.
	hook.set(func(sig os.Signal) {
		n := d.dropAll()
		fmt.Fprintf(stderr, "coinai sweep: interrupted by %s again: stopped at once; %d unfinished points removed; the finished points are kept in %s\n", signalName(sig), n, opt.out)
	})
	done, removed, err := d.scan(sw)
	if err != nil {
		fmt.Fprintf(stderr, "coinai sweep: %v\n", err)
		return exitCode(err)
	}
	var todo []sweep.Point
	skipped := 0
	failedChecks := []string{}
	for _, p := range opt.points {
		if !done[p.Index] {
			todo = append(todo, p)
			continue
		}
		skipped++
		if ok, err := pointChecksOK(filepath.Join(d.points, p.ID)); err != nil || !ok {
			failedChecks = append(failedChecks, p.ID)
		}
	}
	seeds, names := repNames(sw.Seed, sw.Reps)
	runs := len(todo) * sw.Reps
	workers := opt.jobs
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, runs))
	need := 0.0
	for _, p := range todo {
		if s, err := sw.Resolve(p); err == nil {
			n, _ := s.MemoryEstimate()
			need = max(need, n)
		}
	}
	if fit, why := fitWorkers(workers, need, opt.maxMemory); fit < workers {
		fmt.Fprintf(stderr, "coinai sweep: %d runs at once instead of %d: %s\n", fit, workers, why)
		workers = fit
	}
	if !opt.quiet {
		fmt.Fprintf(stdout, "sweep:         %s: %s, shard %s: %d points; %d replications each, seeds %d..%d\n",
			sw.Name, gridText(sw), opt.shard, len(opt.points), sw.Reps, seeds[0], seeds[len(seeds)-1])
		if removed > 0 {
			fmt.Fprintf(stdout, "resumed:       removed %d unfinished point folders of an earlier run\n", removed)
		}
		fmt.Fprintf(stdout, "to run:        %d points (%d runs, %d at once); %d points done already are skipped\n", len(todo), runs, workers, skipped)
	}

	began := time.Now()
	bar := isTerminal(stderr) && !opt.quiet
	var (
		mu       sync.Mutex
		finished int
		firstErr error
		errPoint string
		stop     atomic.Bool
	)
	progress := func() {
		if bar {
			fmt.Fprint(stderr, "\r"+pointsBar(skipped+finished, len(opt.points)))
		}
	}
	progress()
	// finish writes a point whose replications all ran, or removes it.
	finish := func(sp *sweepPoint) {
		if e := sp.err.Load(); e != nil {
			d.dropPoint(sp.tmp)
			if !errors.Is(*e, errInterrupted) {
				mu.Lock()
				if firstErr == nil {
					firstErr, errPoint = *e, fmt.Sprintf("point %s (%s)", sp.p.ID, sp.p.Label())
				}
				mu.Unlock()
				stop.Store(true)
			}
			return
		}
		ens := computeEnsemble(sp.sums, seeds, names)
		err := writePoint(sp, ens, d.hash, seeds)
		if err == nil {
			err = d.commitPoint(sp.p.ID, sp.tmp)
		}
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			d.dropPoint(sp.tmp)
			if firstErr == nil {
				firstErr, errPoint = err, "point "+sp.p.ID
			}
			stop.Store(true)
			return
		}
		finished++
		if !ens.ChecksOK {
			failedChecks = append(failedChecks, sp.p.ID)
		}
		progress()
		testHook("sweep-point", intr)
	}

	jobs := make(chan sweepJob)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				sp := j.sp
				if intr.caught() != nil || stop.Load() || sp.err.Load() != nil {
					sp.fail(errInterrupted)
				} else {
					trace := ""
					if opt.keepRuns && sp.s.Output.Trace {
						trace = filepath.Join(sp.tmp, "runs", names[j.rep], "trace.jsonl")
						if err := os.MkdirAll(filepath.Dir(trace), 0o755); err != nil {
							sp.fail(err)
						}
					}
					if sp.err.Load() == nil {
						files, sum, err := runSeed(sp.s, seeds[j.rep], trace, intr)
						if err == nil && opt.keepRuns {
							err = writeRepFolder(filepath.Join(sp.tmp, "runs", names[j.rep]), files)
						}
						if err != nil {
							if intr.caught() != nil {
								err = errInterrupted
							}
							sp.fail(fmt.Errorf("replication %d (seed %d): %w", j.rep, seeds[j.rep], err))
						}
						sp.sums[j.rep] = sum
					}
					testHook("sweep-rep", intr)
				}
				if sp.left.Add(-1) == 0 {
					finish(sp)
				}
			}
		})
	}
	for _, p := range todo {
		if intr.caught() != nil || stop.Load() {
			break
		}
		s, err := sw.Resolve(p)
		var tmp string
		if err == nil {
			tmp, err = d.newPoint(p.ID)
		}
		if err != nil {
			mu.Lock()
			if firstErr == nil {
				firstErr, errPoint = err, "point "+p.ID
			}
			mu.Unlock()
			break
		}
		sp := &sweepPoint{p: p, s: s, tmp: tmp, sums: make([]*observe.Summary, sw.Reps)}
		sp.left.Store(int32(sw.Reps))
		for i := range sw.Reps {
			jobs <- sweepJob{sp, i}
		}
	}
	close(jobs)
	wg.Wait()
	// Points dispatched in part (a signal or an error stopped the
	// dispatch) are unfinished too.
	d.dropAll()
	if bar {
		fmt.Fprint(stderr, "\r\033[K")
	}
	mErr := d.saveManifest(true)
	total := skipped + finished
	if sig := intr.caught(); sig != nil {
		fmt.Fprintf(stderr, "coinai sweep: interrupted by %s: %d of %d points of shard %s are done in %s (%d run now), the unfinished ones were removed; run the same command again to resume\n",
			signalName(sig), total, len(opt.points), opt.shard, opt.out, finished)
		return intr.exitCode()
	}
	if firstErr != nil {
		fmt.Fprintf(stderr, "coinai sweep: %s: %v; %d of %d points of shard %s are done in %s\n", errPoint, firstErr, total, len(opt.points), opt.shard, opt.out)
		return exitCode(firstErr)
	}
	if mErr != nil {
		fmt.Fprintf(stderr, "coinai sweep: %v\n", mErr)
		return 1
	}
	if !opt.quiet {
		fmt.Fprintf(stdout, "done:          ran %d points (%d runs) in %.2f s, skipped %d existing points; %d of %d points of the sweep in this shard\n",
			finished, finished*sw.Reps, time.Since(began).Seconds(), skipped, total, sw.Len())
		fmt.Fprintf(stdout, "results:       %s (points/<id>/ensemble.json, ensemble.csv, point.json, scenario.toml)\n", opt.out)
	}
	if len(failedChecks) > 0 {
		slices.Sort(failedChecks)
		fmt.Fprintf(stderr, "coinai sweep: an invariant checker failed in %d points (%s; their ensemble.json names the failed seeds); results in %s\n",
			len(failedChecks), sample(failedChecks), opt.out)
		return 1
	}
	return 0
}

// pointsBar is the progress bar over points.
func pointsBar(done, total int) string {
	const width = 30
	n := 0
	if total > 0 {
		n = done * width / total
	}
	return fmt.Sprintf("[%s%s] %d/%d points", strings.Repeat("#", n), strings.Repeat(".", width-n), done, total)
}

// writePoint writes the files of a point whose replications all ran into
// its hidden folder: every one a pure function of the sweep, the point and
// the seeds (no time, no path, no revision), so that any shard, resumed or
// not, writes the same bytes.
func writePoint(sp *sweepPoint, ens *ensemble, hash string, seeds []int64) error {
	files, err := ens.files()
	if err != nil {
		return err
	}
	resolved, err := sp.s.TOML()
	if err != nil {
		return err
	}
	settings := make([]asweep.Setting, len(sp.p.Params))
	for i, p := range sp.p.Params {
		settings[i] = asweep.Setting{Key: p.Key, Value: p.Value}
	}
	index := sp.p.Index
	pj, err := json.MarshalIndent(asweep.PointRecord{Version: asweep.PointVersion, Hash: hash, Index: &index, ID: sp.p.ID,
		Params: settings, Seeds: seeds}, "", "  ")
	if err != nil {
		return err
	}
	files["scenario.toml"] = resolved
	files["point.json"] = append(pj, '\n')
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(sp.tmp, n), files[n], 0o644); err != nil {
			return fmt.Errorf("writing %s of point %s: %w", n, sp.p.ID, err)
		}
	}
	return nil
}

// writeRepFolder writes one replication's run directory, with its own
// manifest (kind run), as `coinai run --reps` does.
func writeRepFolder(dir string, files map[string][]byte) error {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		p := filepath.Join(dir, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, files[n], 0o644); err != nil {
			return err
		}
	}
	listed, err := walkFiles(dir)
	if err != nil {
		return err
	}
	return writeManifest(dir, &manifest{Version: 1, Kind: kindRun, Files: listed})
}

// pointChecksOK reads checks_ok of a point folder's ensemble.json.
func pointChecksOK(dir string) (bool, error) {
	b, err := os.ReadFile(filepath.Join(dir, "ensemble.json"))
	if err != nil {
		return false, err
	}
	var e struct {
		ChecksOK bool `json:"checks_ok"`
	}
	err = json.Unmarshal(b, &e)
	return e.ChecksOK, err
}
