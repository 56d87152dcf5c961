package storage

import (
	"testing"

	"github.com/coinai/coinai/nodes/storage/merkle"
)

// A 1 MB model in 4 KiB chunks (256 chunks), 4 chunks per challenge.
func benchSetup(b *testing.B) (*merkle.Tree, Model, [32]byte) {
	_, tree, err := merkle.Commit(modelBytes(1_000_000), 4096)
	if err != nil {
		b.Fatal(err)
	}
	return tree, ModelOf(tree), [32]byte{1}
}

func BenchmarkChallenge(b *testing.B) {
	_, m, seed := benchSetup(b)
	for b.Loop() {
		Challenge(seed, m.Root, 3, m.NumChunks(), 4)
	}
}

func BenchmarkProve(b *testing.B) {
	tree, _, seed := benchSetup(b)
	for b.Loop() {
		Prove(tree, 3, seed, 4)
	}
}

func BenchmarkVerifyChallenge(b *testing.B) {
	tree, m, seed := benchSetup(b)
	p, _ := Prove(tree, 3, seed, 4)
	for b.Loop() {
		if err := VerifyChallenge(p, m, seed, 3, 4); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshalProof(b *testing.B) {
	tree, _, seed := benchSetup(b)
	p, _ := Prove(tree, 3, seed, 4)
	enc, _ := p.MarshalBinary()
	b.SetBytes(int64(len(enc)))
	for b.Loop() {
		UnmarshalProof(enc)
	}
}

func BenchmarkPlace100(b *testing.B) {
	var cands []Candidate
	for i := int32(0); i < 100; i++ {
		cands = append(cands, Candidate{ID: i, Free: 1 << 30})
	}
	for b.Loop() {
		Place(testBlock, testModel, cands, 3, 1_000_000)
	}
}
