package coinai

import (
	"encoding/binary"
	"fmt"

	"github.com/coinai/coinai/nodes/ledger"
	"github.com/coinai/coinai/nodes/storage"
)

// Storage messages travel directly between a node and a model's holders
// (not flooded). A GetChunks asks for chunks of a model by index; the answer
// is a Chunks message carrying a storage.Proof of those chunks (the holder's
// id in Holder, a zero Seed), so that every chunk arrives with its Merkle
// path and is checked against the commitment on the chain before it is
// used. A holder without the data answers with an empty proof, so that the
// requester moves on at once instead of waiting for its timeout.
const (
	MsgGetChunks MsgType = iota + 16 // request id, model commitment, chunk indices
	MsgChunks                        // request id, storage.Proof encoding
)

// MaxChunksPerRequest bounds the indices of one GetChunks (and so the chunks
// of one Chunks answer): storage.MaxProofChunks.
const MaxChunksPerRequest = storage.MaxProofChunks

// ChunkRequest is a decoded GetChunks.
type ChunkRequest struct {
	Req     uint64
	Root    [32]byte
	Indices []int
}

// ChunkReply is a decoded Chunks message.
type ChunkReply struct {
	Req   uint64
	Proof *storage.Proof
}

// AppendGetChunks appends a GetChunks message: type, u64 request id, the
// model commitment, u16 count and count u32 indices (little-endian).
func AppendGetChunks(dst []byte, r *ChunkRequest) []byte {
	dst = append(dst, byte(MsgGetChunks))
	dst = binary.LittleEndian.AppendUint64(dst, r.Req)
	dst = append(dst, r.Root[:]...)
	dst = binary.LittleEndian.AppendUint16(dst, uint16(len(r.Indices)))
	for _, i := range r.Indices {
		dst = binary.LittleEndian.AppendUint32(dst, uint32(i))
	}
	return dst
}

// AppendChunks appends a Chunks message: type, u64 request id, then the
// proof's encoding (storage.Proof.MarshalBinary).
func AppendChunks(dst []byte, req uint64, p *storage.Proof) ([]byte, error) {
	enc, err := p.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("encoding chunks: %w", err)
	}
	dst = append(dst, byte(MsgChunks))
	dst = binary.LittleEndian.AppendUint64(dst, req)
	return append(dst, enc...), nil
}

// DecodeGetChunks decodes a GetChunks message from untrusted bytes: the
// count is checked against MaxChunksPerRequest and the bytes present before
// anything is allocated, and trailing bytes are an error.
func DecodeGetChunks(b []byte) (ChunkRequest, error) {
	var r ChunkRequest
	const fixed = 1 + 8 + 32 + 2
	if len(b) < fixed || MsgType(b[0]) != MsgGetChunks {
		return r, fmt.Errorf("decoding getchunks: %d bytes or wrong type", len(b))
	}
	r.Req = binary.LittleEndian.Uint64(b[1:])
	copy(r.Root[:], b[9:41])
	n := int(binary.LittleEndian.Uint16(b[41:]))
	if n > MaxChunksPerRequest || len(b) != fixed+4*n {
		return r, fmt.Errorf("decoding getchunks: %d indices in %d bytes (max %d)", n, len(b), MaxChunksPerRequest)
	}
	r.Indices = make([]int, n)
	for i := range r.Indices {
		v := binary.LittleEndian.Uint32(b[fixed+4*i:])
		if v > 1<<31-1 {
			return ChunkRequest{}, fmt.Errorf("decoding getchunks: index %d out of range", v)
		}
		r.Indices[i] = int(v)
	}
	return r, nil
}

// DecodeChunks decodes a Chunks message from untrusted bytes (see
// storage.UnmarshalProof for the limits on the proof).
func DecodeChunks(b []byte) (ChunkReply, error) {
	var r ChunkReply
	if len(b) < 9 || MsgType(b[0]) != MsgChunks {
		return r, fmt.Errorf("decoding chunks: %d bytes or wrong type", len(b))
	}
	r.Req = binary.LittleEndian.Uint64(b[1:])
	p, err := storage.UnmarshalProof(b[9:])
	if err != nil {
		return r, fmt.Errorf("decoding chunks: %w", err)
	}
	r.Proof = p
	return r, nil
}

// TrafficStorage is the traffic class of proof-of-storage messages.
const TrafficStorage = "storage"

// MsgClass implements nodes.TrafficClassifier: chunk requests and answers
// and storage-proof transactions are proof-of-storage traffic
// (TrafficStorage), everything else is ordinary ("").
func (n *Node) MsgClass(msg []byte) string {
	if len(msg) == 0 {
		return ""
	}
	switch MsgType(msg[0]) {
	case MsgGetChunks, MsgChunks:
		return TrafficStorage
	case MsgTx:
		if len(msg) > 2 && ledger.Kind(msg[2]) == ledger.KindStorageProof {
			return TrafficStorage
		}
	}
	return ""
}
