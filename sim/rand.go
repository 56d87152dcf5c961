package sim

import (
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
)

// Stream returns the random generator for the consumer called name in a run
// with the given root seed. The generator's state is SHA-256(seed ‖ name), so
// adding a consumer never shifts the numbers any other consumer draws, and a
// stream is the same on every platform (PCG is specified bit for bit).
func Stream(seed uint64, name string) *rand.Rand {
	return rand.New(StreamSource(seed, name))
}

// StreamSource is Stream's underlying source.
func StreamSource(seed uint64, name string) *rand.PCG {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], seed)
	h := sha256.New()
	h.Write(b[:])
	h.Write([]byte(name))
	sum := h.Sum(nil)
	return rand.NewPCG(binary.LittleEndian.Uint64(sum[0:]), binary.LittleEndian.Uint64(sum[8:]))
}
