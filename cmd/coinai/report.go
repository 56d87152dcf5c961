package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/coinai/coinai/analysis"
	"github.com/coinai/coinai/analysis/figures"
)

// cmdReport implements `coinai report RUN_DIR`: it writes RUN_DIR/report.md,
// RUN_DIR/report.html and RUN_DIR/figures/*.png|svg, replacing only files
// coinai wrote (see outdir.go). Exit codes: 0 ok, 1 failure, 2 usage or bad
// input (a file in the way that coinai did not write).
func cmdReport(args []string, stdout, stderr io.Writer) int {
	flags := newFlagSet("report", "RUN_DIR", "Write report.md, report.html and figures/ into a run directory.", stderr)
	pos, code := parseInterleaved(flags, args)
	if code >= 0 {
		return code
	}
	if len(pos) != 1 {
		return usageError(flags, stderr, "want exactly one RUN_DIR")
	}
	run, err := loadRun(pos[0])
	if err != nil {
		return fail(stderr, "report", err)
	}
	intr := catchSignals(nil)
	defer intr.stop()
	build := func(tmp string) error { return renderReport(run, tmp) }
	if _, err := mergeInto(pos[0], analysis.FiguresDir+"/", true, intr.caught, build); err != nil {
		return fail(stderr, "report", err)
	}
	fmt.Fprintf(stdout, "wrote %s/report.md, report.html and %s/\n", pos[0], analysis.FiguresDir)
	return 0
}

// cmdPlot implements `coinai plot RUN_DIR [--out DIR] [--force] [--format
// png,svg]`: figures only, into RUN_DIR/figures (replacing only figures
// coinai wrote) or into a directory of their own.
func cmdPlot(args []string, stdout, stderr io.Writer) int {
	flags := newFlagSet("plot", "RUN_DIR [--out DIR] [--force] [--format png,svg]", "Draw a run's figures.", stderr)
	out := flags.String("out", "", "output `directory` (default RUN_DIR/figures); must be new, empty, or earlier figures replaced with --force")
	force := flags.Bool("force", false, "replace the figures coinai wrote earlier to --out")
	format := flags.String("format", "png,svg", "comma-separated image `formats`: png, svg")
	pos, code := parseInterleaved(flags, args)
	if code >= 0 {
		return code
	}
	if len(pos) != 1 {
		return usageError(flags, stderr, "want exactly one RUN_DIR")
	}
	var formats []string
	for _, f := range strings.Split(*format, ",") {
		f = strings.ToLower(strings.TrimSpace(f))
		if f != "png" && f != "svg" {
			return usageError(flags, stderr, fmt.Sprintf("unknown format %q (want png or svg)", f))
		}
		formats = append(formats, f)
	}
	var notes []figures.Note
	intr := catchSignals(nil)
	defer intr.stop()
	own := filepath.Join(pos[0], analysis.FiguresDir)
	if *out == "" || sameFile(*out, own) {
		*out = ""
		build := func(tmp string) (err error) {
			notes, err = analysis.WritePlots(pos[0], filepath.Join(tmp, analysis.FiguresDir), formats)
			return err
		}
		if _, err := mergeInto(pos[0], analysis.FiguresDir+"/", false, intr.caught, build); err != nil {
			return fail(stderr, "plot", err)
		}
	} else {
		err := writeOut(*out, kindPlot, *force, intr, func(tmp string) (err error) {
			notes, err = analysis.WritePlots(pos[0], tmp, formats)
			return err
		})
		if err != nil {
			return fail(stderr, "plot", err)
		}
	}
	for _, n := range notes {
		fmt.Fprintf(stderr, "coinai plot: skipped %s\n", n)
	}
	dir := *out
	if dir == "" {
		dir = own
	}
	fmt.Fprintf(stdout, "wrote figures to %s\n", dir)
	return 0
}

// cmdCompare implements `coinai compare RUN_DIR RUN_DIR... [--out DIR]
// [--force]`: compare.md, compare.html and overlaid figures, in a directory
// of their own; the first run is the reference of the interval KS tests.
func cmdCompare(args []string, stdout, stderr io.Writer) int {
	flags := newFlagSet("compare", "RUN_DIR RUN_DIR... [--out DIR] [--force]", "Compare runs; the first is the reference.", stderr)
	out := flags.String("out", "", "output `directory` for compare.md, compare.html and figures/ (default compare-RUN1-vs-RUN2); must be new, empty, or an earlier comparison replaced with --force")
	force := flags.Bool("force", false, "replace the comparison coinai wrote earlier to --out")
	pos, code := parseInterleaved(flags, args)
	if code >= 0 {
		return code
	}
	if len(pos) < 2 {
		return usageError(flags, stderr, "want at least two RUN_DIRs")
	}
	if *out == "" {
		*out = defaultCompareDir(pos)
	}
	intr := catchSignals(nil)
	defer intr.stop()
	if err := writeOut(*out, kindCompare, *force, intr, func(tmp string) error { return analysis.WriteCompare(pos, tmp) }); err != nil {
		return fail(stderr, "compare", err)
	}
	fmt.Fprintf(stdout, "wrote %s/compare.md, compare.html and %s/\n", *out, analysis.FiguresDir)
	return 0
}

func newFlagSet(name, args, what string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("coinai "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: coinai %s %s\n%s\n", name, args, what)
		fs.PrintDefaults()
	}
	return fs
}

// parseInterleaved parses flags that may come before, between or after the
// positional arguments ("coinai plot RUN --out d"). It returns the
// positional arguments, and an exit code >= 0 when the caller must stop
// (0 for -h, 2 for a bad flag); -1 otherwise. "--" ends flag parsing.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, int) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, 0
			}
			return nil, 2
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, -1
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), -1
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func usageError(fs *flag.FlagSet, stderr io.Writer, msg string) int {
	fmt.Fprintf(stderr, "%s: %s\n", fs.Name(), msg)
	fs.Usage()
	return 2
}

// fail reports err and returns 2 when an input run was missing or
// malformed or the output path was refused, 128 + the signal's number when
// interrupted, 1 for any other failure (e.g. an unwritable output
// directory).
func fail(stderr io.Writer, cmd string, err error) int {
	var ie *analysis.InputError
	var sig *signalled
	switch {
	case errors.As(err, &sig):
		fmt.Fprintf(stderr, "coinai %s: interrupted by %s; nothing was written\n", cmd, signalName(sig.sig))
		return sig.exitCode()
	case errors.As(err, &ie):
		fmt.Fprintf(stderr, "coinai %s: %v\n", cmd, err)
		return 2
	}
	fmt.Fprintf(stderr, "coinai %s: %v\n", cmd, err)
	return exitCode(err)
}

// writeOut writes a directory of the kind as a whole (see outDir): build
// renders into the temporary directory, which is renamed into place unless
// a signal was caught meanwhile.
func writeOut(dir, kind string, force bool, intr *interrupt, build func(tmp string) error) error {
	od, err := prepareOut(dir, kind, "--out", force)
	if err != nil {
		return err
	}
	if err := od.create(); err != nil {
		return err
	}
	defer od.abandon()
	if err := build(od.tmp); err != nil {
		return err
	}
	if s := intr.caught(); s != nil {
		return &signalled{s}
	}
	return od.commit()
}

// defaultCompareDir names a comparison after its runs:
// compare-RUN1-vs-RUN2[-and-N-more], in the current directory.
func defaultCompareDir(runs []string) string {
	base := func(p string) string {
		if a, err := filepath.Abs(p); err == nil {
			p = a
		}
		return filepath.Base(p)
	}
	name := "compare-" + base(runs[0]) + "-vs-" + base(runs[1])
	if len(runs) > 2 {
		name += fmt.Sprintf("-and-%d-more", len(runs)-2)
	}
	return name
}

// sameFile reports whether a and b name the same existing file.
func sameFile(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}
