package storage_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"

	"github.com/coinai/coinai/nodes/storage"
	"github.com/coinai/coinai/nodes/storage/merkle"
)

func Example() {
	// A miner publishes a trained model; the chain records its commitment.
	model := make([]byte, 10_000)
	_, tree, _ := merkle.Commit(model, 256)
	m := storage.ModelOf(tree)

	// The block that records it places 3 replicas among nodes with room.
	block := sha256.Sum256([]byte("block 1200"))
	nodes := []storage.Candidate{{0, 1 << 20}, {1, 1 << 20}, {2, 5000}, {3, 1 << 20}, {4, 1 << 20}}
	holders := storage.Place(block, m.Root, nodes, 3, m.Size)
	fmt.Println("holders:", len(holders))

	// Later, the block SeedHeight(tip, lag) back seeds a challenge.
	seed := sha256.Sum256([]byte("block 1394"))
	holder := holders[0]
	pub, priv, _ := ed25519.GenerateKey(nil)
	proof, _ := storage.Prove(tree, holder, seed, 4)
	msg, _ := proof.SigningBytes()
	sig := ed25519.Sign(priv, msg)

	// Any node checks the signature and the proof against the chain's record.
	wire, _ := proof.MarshalBinary()
	got, err := storage.UnmarshalProof(wire)
	if err != nil {
		panic(err)
	}
	msg2, _ := got.SigningBytes()
	fmt.Println("signature:", ed25519.Verify(pub, msg2, sig))
	fmt.Println("proof:", storage.VerifyChallenge(got, m, seed, holder, 4))

	// A holder that kept 90% of the 40 chunks survives one 4-chunk challenge
	// with probability C(36,4)/C(40,4).
	fmt.Printf("lazy survives: %.3f, caught after %.2f challenges on average\n",
		storage.SurvivalProbability(40, 36, 4), storage.ExpectedChallenges(40, 36, 4))
	// Output:
	// holders: 3
	// signature: true
	// proof: <nil>
	// lazy survives: 0.645, caught after 2.81 challenges on average
}
