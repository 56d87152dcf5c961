package cpu

import (
	"testing"
	"unsafe"
)

// TestPrefetchChangesNothing: Prefetch reads nothing back and faults on
// nothing, not even a nil or unmapped address.
func TestPrefetchChangesNothing(t *testing.T) {
	buf := []byte("unchanged")
	Prefetch(unsafe.Pointer(&buf[0]))
	Prefetch(nil)
	Prefetch(unsafe.Add(unsafe.Pointer(&buf[0]), 1<<46)) // far outside any mapping
	PrefetchLines(unsafe.Pointer(&buf[0]), 4)
	PrefetchLines(nil, 2)
	if string(buf) != "unchanged" {
		t.Fatalf("buffer changed to %q", buf)
	}
}

func BenchmarkPrefetch(b *testing.B) {
	buf := make([]byte, 1<<20)
	for i := range b.N {
		Prefetch(unsafe.Pointer(&buf[(i*64)&(1<<20-1)]))
	}
}

func BenchmarkPrefetchLines3(b *testing.B) {
	buf := make([]byte, 1<<20)
	for i := range b.N {
		PrefetchLines(unsafe.Pointer(&buf[(i*192)&(1<<20-256)]), 3)
	}
}
