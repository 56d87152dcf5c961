//go:build amd64 && !purego

package cpu

import "unsafe"

// Prefetch asks the processor to bring the cache line at p into the cache,
// without waiting for it and without faulting on a bad address: a hint
// that changes no result. It is for memory a caller will read soon (see
// sim.Kernel.SetAhead). On amd64 it is one PREFETCHT0 instruction; elsewhere,
// and with -tags purego, it does nothing.
//
//go:noescape
func Prefetch(p unsafe.Pointer)

// PrefetchLines is Prefetch for the n cache lines from p (p, p+64, ...):
// one call for a record of several lines.
//
//go:noescape
func PrefetchLines(p unsafe.Pointer, n int)
