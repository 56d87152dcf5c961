// Package cpu holds the simulator's few processor-specific helpers, which
// change how fast a run goes and never what it computes.
package cpu
