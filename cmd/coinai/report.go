package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/coinai/coinai/analysis"
)

// cmdReport implements `coinai report RUN_DIR`: it writes RUN_DIR/report.md,
// RUN_DIR/report.html and RUN_DIR/figures/*.png|svg. Exit codes: 0 ok,
// 1 failure, 2 usage or bad input.
func cmdReport(args []string, stdout, stderr io.Writer) int {
	flags := newFlagSet("report", "RUN_DIR", "Write report.md, report.html and figures/ into a run directory.", stderr)
	pos, code := parseInterleaved(flags, args)
	if code >= 0 {
		return code
	}
	if len(pos) != 1 {
		return usageError(flags, stderr, "want exactly one RUN_DIR")
	}
	if err := analysis.WriteReport(pos[0]); err != nil {
		return fail(stderr, "report", err)
	}
	fmt.Fprintf(stdout, "wrote %s/report.md, report.html and %s/\n", pos[0], analysis.FiguresDir)
	return 0
}

// cmdPlot implements `coinai plot RUN_DIR [--out DIR] [--format png,svg]`:
// figures only.
func cmdPlot(args []string, stdout, stderr io.Writer) int {
	flags := newFlagSet("plot", "RUN_DIR [--out DIR] [--format png,svg]", "Draw a run's figures.", stderr)
	out := flags.String("out", "", "output `directory` (default RUN_DIR/figures)")
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
	notes, err := analysis.WritePlots(pos[0], *out, formats)
	if err != nil {
		return fail(stderr, "plot", err)
	}
	for _, n := range notes {
		fmt.Fprintf(stderr, "coinai plot: skipped %s\n", n)
	}
	dir := *out
	if dir == "" {
		dir = pos[0] + "/" + analysis.FiguresDir
	}
	fmt.Fprintf(stdout, "wrote figures to %s\n", dir)
	return 0
}

// cmdCompare implements `coinai compare RUN_DIR RUN_DIR... [--out DIR]`:
// compare.md, compare.html and overlaid figures; the first run is the
// reference of the interval KS tests.
func cmdCompare(args []string, stdout, stderr io.Writer) int {
	flags := newFlagSet("compare", "RUN_DIR RUN_DIR... [--out DIR]", "Compare runs; the first is the reference.", stderr)
	out := flags.String("out", ".", "output `directory` for compare.md, compare.html and figures/")
	pos, code := parseInterleaved(flags, args)
	if code >= 0 {
		return code
	}
	if len(pos) < 2 {
		return usageError(flags, stderr, "want at least two RUN_DIRs")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fail(stderr, "compare", err)
	}
	if err := analysis.WriteCompare(pos, *out); err != nil {
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
// malformed, 1 for any other failure (e.g. an unwritable output directory).
func fail(stderr io.Writer, cmd string, err error) int {
	fmt.Fprintf(stderr, "coinai %s: %v\n", cmd, err)
	var ie *analysis.InputError
	if errors.As(err, &ie) {
		return 2
	}
	return 1
}
