// Command coinai runs the Coin.AI testbed: scenarios of hundreds of
// simulated nodes, single training jobs, reports and comparisons.
//
// Exit codes: 0 success, 1 a run failed, 2 bad input or usage, 130 and 143
// stopped by SIGINT and SIGTERM.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
)

const usage = `coinai — a deterministic testbed for Coin.AI (proof-of-useful-work) and a PoW baseline

Usage:
  coinai run SCENARIO [--seed N] [--set key=value]... [--out DIR] [--force] [--trace] [--no-report] [--max-memory SIZE]
  coinai run SCENARIO --reps N [--seed S] [--jobs J] [--report] ...
  coinai validate SCENARIO|SWEEP...
  coinai sweep SWEEP [--out DIR] [--shard i/n] [--jobs J] [--keep-runs] [--max-memory SIZE] [--dry-run]
  coinai train [--data digits|fashion-mnist] [--model mlp|mlp2|cnn|ARCH] [--epochs N] ...
  coinai report RUN_DIR
  coinai plot RUN_DIR [--out DIR] [--force]
  coinai compare RUN_DIR RUN_DIR... [--out DIR] [--force]
  coinai attacks [--manifest FILE] [--reps N | --quick] [--set key=value]... [--jobs J] [--out DIR] [--force]
  coinai regress SCENARIO... [--baseline DIR] [--update] [--reps N] [--alpha A] [--seed S] [--set key=value]...
  coinai merge SWEEP_DIR... --out DIR [--force] [--partial]
  coinai calibrate [--quick] [--case PATTERN]... [--seed N] [--jobs J] [--out DIR] [--force]

An output path must be new, an empty directory, or (with --force) an earlier
output of coinai of the same kind; coinai never overwrites a file it did not
write. SIGINT or SIGTERM stops a run cleanly (exit 130 or 143) and removes
its unfinished output.

Run "coinai COMMAND --help" for the flags of a command.
`

func main() {
	// Simulations keep much long-lived state (thousands of block trees);
	// collecting at 50% growth instead of Go's default 100% keeps peak
	// memory near 1.5 times the live heap for a few percent of CPU. GOGC
	// in the environment still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
}

func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "run":
		return cmdRun(rest, stdout, stderr)
	case "validate":
		return cmdValidate(rest, stdout, stderr)
	case "train":
		return cmdTrain(rest, stdout, stderr)
	case "report":
		return cmdReport(rest, stdout, stderr)
	case "plot":
		return cmdPlot(rest, stdout, stderr)
	case "compare":
		return cmdCompare(rest, stdout, stderr)
	case "attacks":
		return cmdAttacks(rest, stdout, stderr)
	case "regress":
		return cmdRegress(rest, stdout, stderr)
	case "merge":
		return cmdMerge(rest, stdout, stderr)
	case "sweep":
		return cmdSweep(rest, stdout, stderr)
	case "calibrate":
		return cmdCalibrate(rest, stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "coinai: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
}

// interleaved lets flags follow positional arguments, as researchers type
// them ("coinai run x.toml --seed 3"): it returns flag arguments first.
func interleaved(args []string, boolFlags map[string]bool) (flags, positional []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			positional = append(positional, args[i+1:]...)
			break
		}
		if len(a) > 1 && a[0] == '-' {
			flags = append(flags, a)
			name := a
			for len(name) > 0 && name[0] == '-' {
				name = name[1:]
			}
			hasValue := false
			for _, c := range name {
				if c == '=' {
					hasValue = true
				}
			}
			if !hasValue && !boolFlags[name] && i+1 < len(args) {
				i++
				flags = append(flags, args[i])
			}
			continue
		}
		positional = append(positional, a)
	}
	return flags, positional
}
