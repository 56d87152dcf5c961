//go:build !amd64 || purego

package cpu

import "unsafe"

// Prefetch asks the processor to bring the cache line at p into the cache
// (see the amd64 version); this portable version does nothing.
func Prefetch(p unsafe.Pointer) {}

// PrefetchLines is Prefetch for n cache lines from p; this portable
// version does nothing.
func PrefetchLines(p unsafe.Pointer, n int) {}
