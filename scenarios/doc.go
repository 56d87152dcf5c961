// Package scenarios loads the testbed's scenario files: TOML documents that
// describe a whole simulated network (regions, links, hardware, groups of
// nodes, the protocol and its parameters, stop conditions and outputs) and
// resolve to a Scenario value that the simulator runs.
//
// Loading is strict, because a silently ignored key or a misread unit ruins
// an experiment without any sign of it:
//
//   - every key must be known; a misspelt key is an error, not a no-op;
//   - quantities are strings with units ("600s", "535KB", "19.2Mbps",
//     "100GFLOPS", "14TH/s", "65W"); a bare number where a unit is needed is
//     an error that lists the accepted units;
//   - a file must set run.protocol (an empty file is an error, not the
//     default network);
//   - impossible values (negative counts or seeds, region shares not summing
//     to 100, a latency table that is not N x N for N regions, unknown
//     protocol or hardware, no stop condition, rewards the ledger cannot
//     hold, more replicas than storage nodes) are errors;
//   - all problems are reported at once, as an *Errors whose lines read
//     "file:line: key: message".
//
// Defaults live in one place, Default (with BuiltinHardware). A file is
// decoded over the defaults, so it only needs the keys it changes;
// reference.toml lists every key with its default and meaning. Overrides
// from the command line (--set pow.interval=60s) go through Scenario.Set or
// Scenario.Apply, and Scenario.TOML writes the resolved scenario, which loads
// back to an equal value, so every run directory can carry the exact
// scenario it ran. The optional [regression] section configures
// `coinai regress` (Regression) and is not part of the resolved scenario.
//
// The shipped scenarios are reference.toml, pow-bitcoin.toml (a SimBlock-like
// Bitcoin network of 600 nodes), pow-quickstart.toml (a small, fast PoW
// run), quickstart.toml (a small Coin.AI network that really trains) and
// coinai-300.toml (300 Coin.AI miners).
package scenarios
