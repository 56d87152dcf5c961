//go:build !linux

package cpu

// HugePages asks the system for huge pages for the process's memory (see
// the Linux version); elsewhere it does nothing and returns 0.
func HugePages() int64 { return 0 }
