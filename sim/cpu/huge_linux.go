//go:build linux

package cpu

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// Linux madvise advice values (not all are in package syscall).
const (
	madvHugepage = 14 // MADV_HUGEPAGE
	madvCollapse = 25 // MADV_COLLAPSE, Linux 6.1 and later
	hugeSize     = 2 << 20
)

// HugePages asks Linux to back the process's private anonymous memory (the
// Go heap, mostly) with 2 MB transparent huge pages: madvise(MADV_HUGEPAGE)
// so that new pages come huge, and MADV_COLLAPSE so that pages in use are
// merged now. A simulation of tens of thousands of nodes reads memory all
// over a heap of hundreds of megabytes, and with 4 KB pages nearly every
// such read also misses the TLB: at 60,000 nodes that was an eighth of the
// run time. Go's runtime does not ask for huge pages itself, and systems
// whose transparent huge pages are set to "madvise" give them only on
// request. Memory mapped after the call is not covered; calling again
// covers it. Best effort: it changes no result, errors are ignored, and it
// does nothing where the kernel refuses. It returns the bytes advised.
func HugePages() int64 {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return 0
	}
	defer f.Close()
	var total int64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// address perms offset dev inode [path]: private read-write
		// mappings without a path are anonymous memory.
		fields := strings.Fields(sc.Text())
		if len(fields) != 5 || fields[1] != "rw-p" {
			continue
		}
		lo, hi, ok := strings.Cut(fields[0], "-")
		if !ok {
			continue
		}
		a, err1 := strconv.ParseUint(lo, 16, 64)
		b, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		a = (a + hugeSize - 1) &^ (hugeSize - 1)
		b &^= hugeSize - 1
		if b <= a {
			continue
		}
		if madvise(a, b-a, madvHugepage) {
			total += int64(b - a)
			// One huge page at a time: a range that the kernel cannot
			// collapse (not populated yet) fails the whole call.
			for x := a; x < b; x += hugeSize {
				madvise(x, hugeSize, madvCollapse)
			}
		}
	}
	return total
}

// madvise advises on memory given by address (it is not Go's to track:
// the kernel reads the range, nothing is dereferenced).
func madvise(addr, n uint64, advice uintptr) bool {
	_, _, errno := syscall.Syscall(syscall.SYS_MADVISE, uintptr(addr), uintptr(n), advice)
	return errno == 0
}
