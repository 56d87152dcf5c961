package nn

import (
	"syscall"
	"time"
	"unsafe"
)

// threadCPU is the CPU time of the calling thread
// (CLOCK_THREAD_CPUTIME_ID), for benchmarks on a machine shared with other
// work.
func threadCPU() time.Duration {
	var ts syscall.Timespec
	const clockThreadCPUTimeID = 3
	if _, _, e := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0); e != 0 {
		return time.Duration(time.Now().UnixNano())
	}
	return time.Duration(ts.Nano())
}
