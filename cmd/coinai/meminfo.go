package main

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
)

// availableMemory returns the memory a run may use, in bytes, and where the
// figure comes from: MemAvailable of /proc/meminfo, lowered to what the
// process's cgroup (v2 memory.max, v1 memory.limit_in_bytes) still allows.
// It returns 0 when neither is readable (the check is then skipped).
func availableMemory() (float64, string) {
	avail, what := 0.0, ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) >= 2 && f[0] == "MemAvailable:" {
				if kb, err := strconv.ParseFloat(f[1], 64); err == nil {
					avail, what = kb*1024, "available (MemAvailable in /proc/meminfo)"
				}
			}
		}
	}
	for _, c := range [][2]string{
		{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"},
		{"/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes"},
	} {
		limit, ok1 := readNumber(c[0])
		used, ok2 := readNumber(c[1])
		if !ok1 || !ok2 || limit <= 0 || limit >= 1<<60 {
			continue
		}
		if free := max(limit-used, 0); avail == 0 || free < avail {
			avail, what = free, "left under the cgroup's limit ("+c[0]+")"
		}
		break
	}
	return avail, what
}

func readNumber(p string) (float64, bool) {
	b, err := os.ReadFile(p)
	if err != nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(string(b)), 64) // "max" fails: no limit
	return v, err == nil
}
