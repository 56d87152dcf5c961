package coinai

import (
	"bytes"
	"testing"

	"github.com/coinai/coinai/nodes/storage"
	"github.com/coinai/coinai/nodes/storage/merkle"
)

// FuzzStorageMessages feeds hostile bytes to the decoders of GetChunks and
// Chunks: they must return an error or a message that encodes back to the
// same bytes, and never panic.
func FuzzStorageMessages(f *testing.F) {
	f.Add(AppendGetChunks(nil, &ChunkRequest{Req: 1, Indices: []int{0, 3, 9}}))
	f.Add(AppendGetChunks(nil, &ChunkRequest{Req: 2}))
	data := bytes.Repeat([]byte("model bytes "), 60)
	t, _ := merkle.New(data, 64)
	p, _ := storage.ProveIndices(t, 4, [32]byte{1}, []int{0, 5, 11})
	msg, _ := AppendChunks(nil, 7, p)
	f.Add(msg)
	empty, _ := AppendChunks(nil, 8, &storage.Proof{})
	f.Add(empty)
	f.Add([]byte{byte(MsgChunks)})
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := DecodeGetChunks(b); err == nil {
			if got := AppendGetChunks(nil, &r); !bytes.Equal(got, b) {
				t.Fatalf("getchunks re-encodes to %x, want %x", got, b)
			}
		}
		if r, err := DecodeChunks(b); err == nil {
			got, err := AppendChunks(nil, r.Req, r.Proof)
			if err != nil || !bytes.Equal(got, b) {
				t.Fatalf("chunks re-encodes to %x (%v), want %x", got, err, b)
			}
		}
	})
}
