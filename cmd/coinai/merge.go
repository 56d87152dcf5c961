package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/coinai/coinai/analysis/sweep"
)

// `coinai merge`: the points of one sweep, from one or more directories
// `coinai sweep` wrote (shards), into one table, figures and index.html
// (analysis/sweep; DESIGN.md, "Sweep merge").

// kindMerge is the manifest kind of a merge output; merge reads only
// directories of kind kindSweep.
const kindMerge = "merge"

func cmdMerge(args []string, stdout, stderr io.Writer) int {
	flags := newFlagSet("merge", "SWEEP_DIR... --out DIR [--force] [--partial]",
		"Merge the points of one sweep, from the directories (shards) `coinai sweep` wrote, into merged.json, merged.csv, figures/, index.html and points/.", stderr)
	out := flags.String("out", "", "output `directory`; must be new, empty, or an earlier merge replaced with --force")
	force := flags.Bool("force", false, "replace the merge coinai wrote earlier to --out")
	partial := flags.Bool("partial", false, "merge even if points of the grid are missing (merged.json \"missing\" and index.html list them)")
	pos, code := parseInterleaved(flags, args)
	if code >= 0 {
		return code
	}
	if len(pos) == 0 {
		return usageError(flags, stderr, "want at least one sweep DIR")
	}
	if *out == "" {
		return usageError(flags, stderr, "--out is required")
	}
	for _, dir := range pos {
		if err := checkSweepDir(dir); err != nil {
			return fail(stderr, "merge", err)
		}
	}
	m, err := sweep.Load(pos)
	var ie *sweep.InputError
	if errors.As(err, &ie) {
		fmt.Fprintf(stderr, "coinai merge: %v; nothing was written\n", err)
		return 2
	}
	if err != nil {
		return fail(stderr, "merge", err)
	}
	total := len(m.Points) + len(m.Missing)
	if len(m.Points) == 0 {
		fmt.Fprintf(stderr, "coinai merge: no complete point of sweep %s (%d points) in %s; nothing was written\n", m.Def.Name, total, strings.Join(pos, ", "))
		return 1
	}
	if len(m.Missing) > 0 && !*partial {
		fmt.Fprintf(stderr, "coinai merge: %d of %d points of sweep %s are missing; nothing was written: run (or resume) the shards that hold them, or pass --partial to merge the %d there are\n",
			len(m.Missing), total, m.Def.Name, len(m.Points))
		for _, p := range m.Missing {
			fmt.Fprintf(stderr, "  %s  %s\n", p.ID, p.Label())
		}
		return 1
	}
	intr := catchSignals(nil)
	defer intr.stop()
	if err := writeOut(*out, kindMerge, *force, intr, m.Write); err != nil {
		return fail(stderr, "merge", err)
	}
	what := fmt.Sprintf("%d points", len(m.Points))
	if len(m.Missing) > 0 {
		what = fmt.Sprintf("%d of %d points (partial: %d missing)", len(m.Points), total, len(m.Missing))
	}
	from := fmt.Sprintf("%d directories", len(pos))
	if len(pos) == 1 {
		from = "1 directory"
	}
	fmt.Fprintf(stdout, "merged %s of sweep %s from %s into %s: %s, %s, %s, %s/ and %s/\n",
		what, m.Def.Name, from, *out, sweep.IndexHTML, sweep.MergedJSON, sweep.MergedCSV, sweep.FiguresDir, sweep.PointsDir)
	return 0
}

// checkSweepDir refuses what is not a directory `coinai sweep` wrote: it
// has a manifest of kind "sweep".
func checkSweepDir(dir string) error {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return refuse("%s does not exist; nothing was written", dir)
	case err != nil:
		return err
	case !st.IsDir():
		return refuse("%s is not a directory; give the directories `coinai sweep` wrote; nothing was written", dir)
	}
	man, err := readManifest(dir)
	if err != nil {
		return err
	}
	if man == nil || man.Kind != kindSweep {
		kind := "no coinai output"
		if man != nil {
			kind = "coinai " + man.Kind + " output"
		}
		return refuse("%s is not a sweep directory (it holds %s, not a %s manifest of kind %q); give the directories `coinai sweep` wrote; nothing was written", dir, kind, manifestName, kindSweep)
	}
	return nil
}
